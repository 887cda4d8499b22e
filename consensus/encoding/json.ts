// Canonical JSON as Go's encoding/json writes it: compact, key order as built, bigint as a bare number.
import { DecodeError } from './errors.js'

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue | undefined }

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!)
}

/** Compact JSON; object keys whose value is `undefined` are omitted (Go's `omitempty`). */
export function stringifyJson(value: JsonValue): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError('non-finite number in JSON')
      return String(value)
    case 'bigint':
      return value.toString()
    case 'string':
      return quote(value)
  }
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`
  const parts: string[] = []
  for (const [k, v] of Object.entries(value))
    if (v !== undefined) parts.push(`${quote(k)}:${stringifyJson(v)}`)
  return `{${parts.join(',')}}`
}

/** JSON.parse with a DecodeError naming the problem. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new DecodeError('invalid-json', `malformed JSON: ${(err as Error).message}`)
  }
}

/**
 * The start of `v`'s JSON text, at most `max` characters, for an error message: only that much of a parsed
 * value is visited, however large or deeply nested it is (stringifying a hostile megabyte to keep 40
 * characters of it cost a wallet 150 ms).
 */
export function jsonPreview(v: unknown, max = 40): string {
  let out = ''
  // false once `max` characters are written; each level writes a character first, so at most `max` deep
  const write = (x: unknown): boolean => {
    if (out.length >= max) return false
    if (Array.isArray(x)) {
      out += '['
      for (let i = 0; i < x.length; i++) {
        if (i > 0) out += ','
        if (!write(x[i])) return false
      }
      out += ']'
    } else if (x !== null && typeof x === 'object') {
      out += '{'
      let first = true
      for (const k in x) {
        if (!Object.hasOwn(x, k)) continue
        if (!first) out += ','
        first = false
        out += `${JSON.stringify(k.slice(0, max))}:`
        if (!write((x as Record<string, unknown>)[k])) return false
      }
      out += '}'
    } else if (typeof x === 'string') out += JSON.stringify(x.slice(0, max))
    else out += String(typeof x === 'bigint' ? x : JSON.stringify(x))
    return out.length < max
  }
  write(v)
  return out.slice(0, max)
}

// ---- typed readers for decoded JSON (each names the field it rejects) ---------------------------

export type JsonObject = Record<string, unknown>

export function jsonObject(v: unknown, field?: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new DecodeError('invalid-json', 'expected an object', field)
  return v as JsonObject
}

/** An array; `null` and absence read as empty (Go's nil slice). */
export function jsonArray(v: unknown, field?: string): unknown[] {
  if (v === null || v === undefined) return []
  if (!Array.isArray(v)) throw new DecodeError('invalid-json', 'expected an array', field)
  return v
}

export function jsonString(v: unknown, field?: string): string {
  if (typeof v !== 'string') throw new DecodeError('invalid-json', 'expected a string', field)
  return v
}

/** A non-negative integer JSON number (heights, timestamps, counts). */
export function jsonUint(v: unknown, field?: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new DecodeError('invalid-json', 'expected a non-negative integer', field)
  }
  if (!Number.isSafeInteger(v)) throw new DecodeError('invalid-value', 'integer exceeds 2^53−1', field)
  return v
}

/** A uint64 JSON number held as bigint. */
export function jsonU64(v: unknown, field?: string): bigint {
  return BigInt(jsonUint(v, field))
}

/** Field access on an object with the path for errors. */
export function at(obj: JsonObject, key: string, path?: string): [unknown, string] {
  return [obj[key], path ? `${path}.${key}` : key]
}

/** Standard base64 with padding (Go's []byte JSON form). */
export function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}

export function fromBase64(text: unknown, field?: string): Uint8Array {
  const s = jsonString(text, field)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) {
    throw new DecodeError('invalid-value', 'not standard base64', field)
  }
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
