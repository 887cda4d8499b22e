// Structural equality for decoded values (bigint, byte arrays, nested objects; an `undefined` key is an
// absent key, as in `toEqual`), fast enough for a million inputs, naming the first difference.
import { equalBytes, toHex } from '../../consensus/encoding/hex.js'
import { CheckFailure } from './engine.js'

/** The path of the first difference between `a` and `b`, or `undefined` when they are equal. */
export function difference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (a === b) return undefined
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (a instanceof Uint8Array && b instanceof Uint8Array && equalBytes(a, b)) return undefined
    return `${path}: ${show(a)} ≠ ${show(b)}`
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return Number.isNaN(a) && Number.isNaN(b) ? undefined : `${path}: ${show(a)} ≠ ${show(b)}`
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${path}[${i}]`)
      if (d) return d
    }
    return undefined
  }
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const d = difference(ra[k], rb[k], `${path}.${k}`)
    if (d) return d
  }
  return undefined
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `bytes(${v.length}) ${toHex(v.subarray(0, 40))}`
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)
  return String(v)
}

/** Throws a CheckFailure naming the first difference. */
export function assertEqual(a: unknown, b: unknown, what: string): void {
  const d = difference(a, b)
  if (d) throw new CheckFailure(`${what}: ${d}`)
}

export function assertSameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  if (!equalBytes(a, b))
    throw new CheckFailure(
      `${what}: ${a.length} bytes ${toHex(a.subarray(0, 40))} ≠ ${b.length} bytes ${toHex(b.subarray(0, 40))}`,
    )
}

export function assertSameText(a: string, b: string, what: string): void {
  if (a !== b)
    throw new CheckFailure(`${what}: ${JSON.stringify(a.slice(0, 200))} ≠ ${JSON.stringify(b.slice(0, 200))}`)
}
