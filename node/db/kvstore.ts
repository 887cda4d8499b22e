// DESIGN §5: the node's storage is a byte key-value store; tables are key prefixes over it (node/chain/tables.ts).

/** One write of a batch. Later ops on the same key win. */
export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array }

/**
 * Bounds of an `entries()` scan. `gte`/`lt` set to `undefined` mean "unbounded" (the same as leaving them out).
 * `limit` is the most entries yielded (a non-negative integer or `Infinity`; `0` yields nothing).
 */
export interface RangeOptions {
  readonly gte?: Uint8Array
  readonly lt?: Uint8Array
  readonly reverse?: boolean
  readonly limit?: number
}

/**
 * A byte key-value store ordered bytewise by key. Keys and values returned are fresh `Uint8Array`s the caller owns;
 * keys and values passed in may be reused by the caller once the call has returned its promise.
 */
export interface KVStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  /** One result per key, in the order of `keys`; `undefined` for a missing key. */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>
  has(key: Uint8Array): Promise<boolean>
  /** Applies every op or none (one atomic write). */
  batch(ops: readonly BatchOp[]): Promise<void>
  /**
   * Entries in key order (bytewise), bounded by the options. The scan reads a snapshot taken when iteration
   * starts (the first `next()`), so writes made meanwhile are not seen. Breaking out early releases the scan.
   */
  entries(options?: RangeOptions): AsyncIterable<[Uint8Array, Uint8Array]>
  /** Idempotent. Every later call rejects with `StoreError('closed')`. */
  close(): Promise<void>
}

export type StoreErrorCode = 'closed' | 'io' | 'corrupt'

/** A failure of the store itself. Bad arguments (a key that is not a Uint8Array…) are `TypeError`/`RangeError`. */
export class StoreError extends Error {
  override readonly name = 'StoreError'
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/**
 * The range of every key that starts with `prefix`: `gte` is a copy of the prefix and `lt` the smallest key
 * greater than all of them (trailing 0xff bytes dropped, then the last byte incremented). When no such key
 * exists (the prefix is empty or all 0xff) `lt` is `undefined`, which `entries()` reads as "no upper bound".
 */
export function prefixRange(prefix: Uint8Array): {
  readonly gte: Uint8Array
  readonly lt: Uint8Array | undefined
} {
  checkBytes(prefix, 'prefix')
  let end = prefix.length
  while (end > 0 && prefix[end - 1] === 0xff) end--
  if (end === 0) return { gte: prefix.slice(), lt: undefined }
  const lt = prefix.slice(0, end)
  lt[end - 1] = prefix[end - 1]! + 1
  return { gte: prefix.slice(), lt }
}

/** Bytewise comparison, the order of keys in a store. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}

// Argument checks shared by the implementations, so a bad call fails the same way (and before any write) everywhere.

/** Throws a TypeError unless `value` is a Uint8Array. */
export function checkBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new TypeError(`${what} must be a Uint8Array, got ${describe(value)}`)
}

/** Throws a TypeError naming the first key (by index) that is not a Uint8Array. */
export function checkKeys(keys: readonly unknown[]): asserts keys is readonly Uint8Array[] {
  for (let i = 0; i < keys.length; i++) checkBytes(keys[i], `key ${i}`)
}

/** Throws a TypeError naming the op's index unless `op` is a well-formed BatchOp. */
export function checkBatchOp(op: unknown, index: number): asserts op is BatchOp {
  if (typeof op !== 'object' || op === null) throw new TypeError(`batch op ${index} must be an object`)
  const { type, key, value } = op as { type?: unknown; key?: unknown; value?: unknown }
  if (type !== 'put' && type !== 'del') {
    throw new TypeError(`batch op ${index}: type must be 'put' or 'del', got ${describe(type)}`)
  }
  checkBytes(key, `batch op ${index}: key`)
  if (type === 'put') checkBytes(value, `batch op ${index}: value`)
}

/** Validates range options; returns `limit` as a number (`Infinity` when absent). */
export function checkRange(options: RangeOptions): number {
  if (options.gte !== undefined) checkBytes(options.gte, 'range gte')
  if (options.lt !== undefined) checkBytes(options.lt, 'range lt')
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  if (!(limit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(limit) && limit >= 0))) {
    throw new RangeError(`range limit must be a non-negative integer or Infinity, got ${String(limit)}`)
  }
  return limit
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return value.constructor?.name ?? 'object'
  return typeof value
}
