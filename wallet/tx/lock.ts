// Time locks for outputs (spec §3.4): a lock below 500,000,000 is a block height, from there on a unix
// time. Browser-safe.
import {
  type Condition,
  LOCK_TIME_MIN_TIMESTAMP,
  type TimeLockCondition,
} from '../../consensus/types/conditions.js'
import { WalletError } from './build.js'

const MAX_U64 = 2n ** 64n - 1n
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** Month 1–12, a day that exists in that month, hours 0–23, minutes and seconds 0–59. */
function fieldsInRange(s: string): boolean {
  const m = ISO_DATE.exec(s)
  if (!m) return false
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => (v === undefined ? 0 : Number(v)))
  if (month! < 1 || month! > 12) return false
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate()
  return day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 && second! <= 59
}

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
  } else if (ISO_DATE.test(s)) {
    const ms = Date.parse(s)
    // Date.parse rolls impossible days over (2030-02-30 → March 2): every field must be in its range
    if (Number.isNaN(ms) || !fieldsInRange(s))
      throw new WalletError('invalid-amount', `${field}: "${s}" is not a valid date`)
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
  // spec §3.4: a time lock over an unlock hash is standard for wallet (type 1) addresses only
  if (condition.type === 1 && condition.unlockHash.type !== 1)
    throw new WalletError(
      'invalid-amount',
      `an address of type ${condition.unlockHash.type} cannot be time-locked (only wallet addresses, 01…)`,
    )
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
