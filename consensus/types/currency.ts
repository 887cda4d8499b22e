// Currency is an unbounded unsigned integer of base units (spec §0, §1.3), held as bigint.
import { MAX_CURRENCY_BYTES } from '../encoding/codec.js'
import { DecodeError } from '../encoding/errors.js'

export type Currency = bigint

/** The largest currency the binary decoders read: a magnitude of MAX_CURRENCY_BYTES bytes (spec §1.1). */
export const MAX_CURRENCY = (1n << BigInt(8 * MAX_CURRENCY_BYTES)) - 1n
const MAX_CURRENCY_DIGITS = MAX_CURRENCY.toString().length

/**
 * Decimal currency string of the JSON form; bare JSON numbers and leading zeros are accepted (spec §4.3).
 * Values the binary decoders refuse (above MAX_CURRENCY) are refused here too, before BigInt parses them.
 */
export function parseCurrency(value: unknown, field?: string): Currency {
  let text: string
  if (typeof value === 'string') text = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) text = String(value)
  else throw new DecodeError('invalid-json', 'expected a currency as a decimal string', field)
  if (!/^[0-9]+$/.test(text)) {
    const why = text.startsWith('-')
      ? 'currency cannot be negative'
      : `"${clip(text)}" is not a decimal currency value`
    throw new DecodeError('invalid-value', why, field)
  }
  const digits = text.length - /^0*/.exec(text)![0].length
  const currency = digits > MAX_CURRENCY_DIGITS ? undefined : BigInt(text)
  if (currency === undefined || currency > MAX_CURRENCY)
    throw new DecodeError('invalid-value', `currency exceeds ${MAX_CURRENCY_BYTES} bytes`, field)
  return currency
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s)

export const currencyToJson = (c: Currency): string => c.toString()

/** Precision (decimals) of a coin of `oneCoin` base units, e.g. 10^9 → 9. */
export function precisionOf(oneCoin: bigint): number {
  const s = oneCoin.toString()
  if (!/^10*$/.test(s)) throw new RangeError('one coin must be a power of ten')
  return s.length - 1
}

export class CoinStringError extends Error {
  override readonly name = 'CoinStringError'
}

function stripThousands(whole: string): string {
  const groups = whole.split(',')
  if (groups.length === 1) return whole
  if (groups[0]!.length < 1 || groups[0]!.length > 3 || groups.slice(1).some((g) => g.length !== 3)) {
    throw new CoinStringError(
      'inconsistent use of "," formatting: thousands separators come in groups of three',
    )
  }
  return groups.join('')
}

/**
 * Parses a coin amount such as `12.5` or `1,234.000000001` into base units (spec §7.5): at most
 * `precision` significant decimals (extra trailing zeros are fine), `,` only in groups of three.
 */
export function parseCoinString(text: string, precision = 9): Currency {
  const s = text.trim()
  const dot = s.indexOf('.')
  const whole = stripThousands(dot < 0 ? s : s.slice(0, dot))
  let frac = dot < 0 ? '' : s.slice(dot + 1)
  if (!/^[0-9]+$/.test(whole) || (dot >= 0 && !/^[0-9]*$/.test(frac))) {
    throw new CoinStringError(`"${text}" is not a valid coin amount`)
  }
  const extra = frac.slice(precision)
  if (/[^0]/.test(extra))
    throw new CoinStringError(
      `invalid or too precise currency coin amount: "${text}" has more than ${precision} decimals`,
    )
  frac = frac.slice(0, precision).padEnd(precision, '0')
  return BigInt(whole + frac)
}

/** Formats base units as a coin string: trailing zeros trimmed, `,` thousands separators (spec §7.5). */
export function formatCoinString(value: Currency, precision = 9): string {
  if (value < 0n) throw new RangeError('currency cannot be negative')
  const s = value.toString().padStart(precision + 1, '0')
  const whole = s.slice(0, s.length - precision)
  const frac = s.slice(s.length - precision).replace(/0+$/, '')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return frac ? `${grouped}.${frac}` : grouped
}
