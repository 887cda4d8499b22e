// DESIGN §5: what a transaction pool refusal says about the peer that gossiped the set. p2p/ cannot see
// node/'s PoolError, so the node hands this judge to the P2P service.
import { type Verdict, validationVerdict } from '../consensus/validation/verdict.js'
import type { PoolRefusal } from '../p2p/types.js'
import { PoolError, type PoolErrorCode } from './mempool/pool.js'

/** Every pool code, judged: a new code fails to compile until it is added here. */
export const POOL_VERDICTS = {
  // a set no honest node relays (the decoder already refuses an empty one)
  'empty-set': 'reject',
  'tx-too-large': 'reject',
  'set-too-large': 'reject',
  // the same set from several peers, or one a block confirmed meanwhile
  duplicate: 'ignore',
  'already-confirmed': 'ignore',
  // first seen wins: an honest peer may have seen the other spend first
  conflict: 'ignore',
  // our pool's state, not the sender's fault
  'pool-full': 'ignore',
  // the consensus rule that failed decides (validationVerdict in the pool context)
  invalid: 'by-rule',
} as const satisfies Record<PoolErrorCode, Verdict | 'by-rule'>

/** REJECT or IGNORE for an error `TransactionPool.addSet` threw; anything but a PoolError is ours: IGNORE. */
export function judgePoolError(err: unknown): PoolRefusal {
  if (!(err instanceof PoolError)) return { verdict: 'ignore', code: 'local-failure' }
  const at = err.details.transaction
  const where = at === undefined ? {} : { transaction: at }
  const verdict = POOL_VERDICTS[err.code]
  if (verdict !== 'by-rule') return { verdict, code: err.code, ...where }
  if (!err.cause) return { verdict: 'ignore', code: err.code, ...where }
  return { verdict: validationVerdict(err.cause.code, 'pool'), code: `invalid/${err.cause.code}`, ...where }
}
