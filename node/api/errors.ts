// DESIGN §5: every API error is `{"code","message"}` (plus `details` where they help) with a 4xx/5xx status.
import { fromHex } from '../../consensus/encoding/hex.js'
import type { JsonValue } from '../../consensus/encoding/json.js'
import { parseUnlockHash, type UnlockHash } from '../../consensus/types/unlockhash.js'
import type { PoolErrorCode } from '../mempool/pool.js'

export type ApiErrorCode =
  /** A path or query parameter is malformed (the message names it). */
  | 'invalid-parameter'
  /** The request body is not JSON, or not the expected shape. */
  | 'bad-request'
  /** A transaction in the body does not decode (`details.field` says where). */
  | 'invalid-encoding'
  | 'unauthorized'
  | 'not-found'
  | 'too-large'
  | 'unsupported-media-type'
  /** Too many event stream clients. */
  | 'busy'
  | 'internal'
  /** Transaction pool refusals keep the pool's own code (`invalid` carries the consensus rule). */
  | PoolErrorCode

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: { readonly [key: string]: JsonValue | undefined },
  ) {
    super(message)
  }

  toJson(): JsonValue {
    const details = this.details && Object.values(this.details).some((v) => v !== undefined)
    return { code: this.code, message: this.message, details: details ? this.details : undefined }
  }
}

export const notFound = (message: string): ApiError => new ApiError(404, 'not-found', message)

const invalidParameter = (name: string, message: string): ApiError =>
  new ApiError(400, 'invalid-parameter', `${name}: ${message}`, { parameter: name })

const HASH_HEX = /^[0-9a-fA-F]{64}$/
const UINT = /^(0|[1-9][0-9]*)$/

/** A 32-byte ID (block, transaction, output) as 64 hex characters. */
export function parseHashParam(name: string, value: string | undefined): Uint8Array {
  if (value === undefined || !HASH_HEX.test(value))
    throw invalidParameter(name, `expected 64 hex characters, got "${clip(value)}"`)
  return fromHex(value)
}

/** A non-negative integer no larger than `max`. */
export function parseUintParam(
  name: string,
  value: string | undefined,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = value !== undefined && UINT.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n > max)
    throw invalidParameter(name, `expected an integer from 0 to ${max}, got "${clip(value)}"`)
  return n
}

/** A 78-character address with a valid checksum (spec §3.1); the nil address is refused. */
export function parseAddressParam(name: string, value: string | undefined): UnlockHash {
  try {
    const uh = parseUnlockHash(value ?? '')
    if (uh.type === 0) throw new Error('the nil address has no activity')
    return uh
  } catch (err) {
    throw invalidParameter(name, (err as Error).message)
  }
}

/** At most 80 characters of untrusted input for a message. */
const clip = (s: string | undefined): string =>
  s === undefined ? '' : s.length > 80 ? `${s.slice(0, 80)}…` : s
