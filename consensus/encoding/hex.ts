import { DecodeError } from './errors.js'

const HEX = '0123456789abcdef'
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!)

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += BYTE_TO_HEX[b]
  return out
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** Parses hex (either case); `size` demands an exact byte length. */
export function fromHex(text: string, size?: number, field?: string): Uint8Array {
  if (typeof text !== 'string') throw new DecodeError('invalid-json', 'expected a hex string', field)
  if (text.length % 2 !== 0) throw new DecodeError('invalid-value', 'hex string has an odd length', field)
  if (size !== undefined && text.length !== size * 2) {
    throw new DecodeError(
      'invalid-value',
      `expected ${size} bytes (${size * 2} hex characters), got ${text.length}`,
      field,
    )
  }
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i))
    const lo = nibble(text.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) throw new DecodeError('invalid-value', 'not a hex string', field)
    out[i] = (hi << 4) | lo
  }
  return out
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lexicographic byte comparison. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

const utf8Enc = new TextEncoder()
const utf8Dec = new TextDecoder('utf-8', { fatal: true })
export const utf8 = (s: string): Uint8Array => utf8Enc.encode(s)
export const fromUtf8 = (b: Uint8Array): string => utf8Dec.decode(b)

/** Big-endian minimal magnitude of a non-negative bigint (0 → empty). */
export function bigintToBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('negative value has no magnitude encoding')
  if (value === 0n) return new Uint8Array(0)
  let hex = value.toString(16)
  if (hex.length % 2) hex = '0' + hex
  return fromHex(hex)
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  return BigInt('0x' + toHex(bytes))
}

/** A fixed-width big-endian encoding (for 256-bit targets and depths). */
export function bigintToFixed(value: bigint, size: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(size * 8))
    throw new RangeError(`value does not fit in ${size} bytes`)
  return fromHex(value.toString(16).padStart(size * 2, '0'))
}
