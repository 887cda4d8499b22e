export {
  PoolError,
  type PoolErrorCode,
  type PoolErrorDetails,
  type PoolEvents,
  type PoolSetInfo,
  type RemovalReason,
  TransactionPool,
  type TransactionPoolOptions,
} from './pool.js'
