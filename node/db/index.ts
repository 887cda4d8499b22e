export {
  type BatchOp,
  compareBytes,
  type KVStore,
  prefixRange,
  type RangeOptions,
  StoreError,
  type StoreErrorCode,
} from './kvstore.js'
export { openLevelStore } from './level.js'
export { createMemoryStore } from './memory.js'
