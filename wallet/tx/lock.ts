// Time locks for outputs (spec §3.4): a lock below 500,000,000 is a block height, from there on a unix
// time. Browser-safe.
import {
  type Condition,
  LOCK_TIME_MIN_TIMESTAMP,
  type TimeLockCondition,
} from '../../consensus/types/conditions.js'
import { WalletError } from './build.js'

const MAX_U64 = 2n ** 64n - 1n

/**
 * A `--lock` value: a whole number (a height below 500,000,000, else unix seconds) or an ISO 8601 date
 * such as `2030-01-31` or `2030-01-31T12:00:00Z` (unix seconds, rounded up to the next whole second).
 */
export function parseLockTime(text: string, field = '--lock'): bigint {
  const s = text.trim()
  let lock: bigint
  if (/^[0-9]+$/.test(s)) {
    lock = BigInt(s)
    if (lock > MAX_U64) throw new WalletError('invalid-amount', `${field}: ${s} does not fit 64 bits`)
  } else if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    const ms = Date.parse(s)
    if (Number.isNaN(ms)) throw new WalletError('invalid-amount', `${field}: "${s}" is not a valid date`)
    lock = BigInt(Math.ceil(ms / 1000))
    if (lock < LOCK_TIME_MIN_TIMESTAMP)
      throw new WalletError('invalid-amount', `${field}: dates before 1985-11-05 cannot be time locks`)
  } else {
    throw new WalletError(
      'invalid-amount',
      `${field} must be a block height, unix seconds or an ISO date like 2030-01-31T12:00:00Z, got "${text}"`,
    )
  }
  // spec §3.4 standardness: a lock time of 0 is not standard
  if (lock === 0n) throw new WalletError('invalid-amount', `${field} must be positive`)
  return lock
}

/** What a lock means: a block height or a unix time. */
export const lockKind = (lock: bigint): 'height' | 'time' =>
  lock < LOCK_TIME_MIN_TIMESTAMP ? 'height' : 'time'

/** `condition` behind a time lock (standard for nil, unlock-hash and multisig conditions). */
export function timeLocked(condition: Condition, lockTime: bigint): TimeLockCondition {
  if (condition.type !== 0 && condition.type !== 1 && condition.type !== 4)
    throw new WalletError('invalid-amount', `a condition of type ${condition.type} cannot be time-locked`)
  return { type: 3, lockTime, condition }
}

/** A human description of a lock, e.g. `height 1200` or `2030-01-31T12:00:00.000Z`. */
export function describeLock(lock: bigint): string {
  return lockKind(lock) === 'height'
    ? `height ${lock}`
    : lock <= 8_640_000_000_000n
      ? new Date(Number(lock) * 1000).toISOString()
      : `unix time ${lock}`
}
