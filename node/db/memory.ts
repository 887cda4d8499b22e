// An in-memory KVStore for tests and tools, with the LevelDB store's semantics (node/db/level.ts).
import {
  type BatchOp,
  checkBatchOp,
  checkBytes,
  checkKeys,
  checkRange,
  type KVStore,
  type RangeOptions,
  StoreError,
} from './kvstore.js'

interface Entry {
  readonly key: Uint8Array
  readonly value: Uint8Array
  /** Whether the key sits in the sorted index (see `sortedKeys`). */
  indexed: boolean
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

// Lowercase hex strings compare (as JS strings) in the same order as the bytes they encode.
function hexKey(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]
  return s
}

/** First index `i` with `sorted[i] >= target`. */
function lowerBound(sorted: readonly string[], target: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < target) lo = mid + 1
    else hi = mid
  }
  return lo
}

function merge(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = new Array(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!
  while (i < a.length) out[k++] = a[i++]!
  while (j < b.length) out[k++] = b[j++]!
  return out
}

/**
 * A sorted in-memory store. Writes are O(1) map updates; the sorted key index is brought up to date lazily on
 * the next scan by merging the keys added since (so a scan after k writes costs O(n + k log k)).
 */
export function createMemoryStore(): KVStore {
  const map = new Map<string, Entry>()
  /** Hex keys in order. May hold stale keys (deleted, or deleted and re-added) when `stale` is set. */
  let sorted: string[] = []
  /** Present keys that are not yet in `sorted`. */
  const added = new Set<string>()
  let stale = false
  let closed = false

  function ensureOpen(): void {
    if (closed) throw new StoreError('closed', 'the store is closed')
  }

  function sortedKeys(): readonly string[] {
    if (added.size === 0 && !stale) return sorted
    const kept = stale ? sorted.filter((h) => map.get(h)?.indexed === true) : sorted
    const fresh = [...added].sort()
    for (const h of fresh) map.get(h)!.indexed = true
    sorted = merge(kept, fresh)
    added.clear()
    stale = false
    return sorted
  }

  function apply(op: BatchOp): void {
    const h = hexKey(op.key)
    const old = map.get(h)
    if (op.type === 'put') {
      // a new Entry object (never mutated in place) keeps running scans on their snapshot
      map.set(h, { key: old?.key ?? op.key.slice(), value: op.value.slice(), indexed: old?.indexed ?? false })
      if (old === undefined) added.add(h)
    } else if (old !== undefined) {
      map.delete(h)
      if (old.indexed) stale = true
      else added.delete(h)
    }
  }

  return {
    async get(key) {
      ensureOpen()
      checkBytes(key, 'key')
      return map.get(hexKey(key))?.value.slice()
    },

    async getMany(keys) {
      ensureOpen()
      checkKeys(keys)
      return keys.map((key) => map.get(hexKey(key))?.value.slice())
    },

    async has(key) {
      ensureOpen()
      checkBytes(key, 'key')
      return map.has(hexKey(key))
    },

    async batch(ops) {
      ensureOpen()
      // all or nothing: every op is checked before the first one is applied
      for (let i = 0; i < ops.length; i++) checkBatchOp(ops[i], i)
      for (const op of ops) apply(op)
    },

    async *entries(options: RangeOptions = {}) {
      ensureOpen()
      const limit = checkRange(options)
      const keys = sortedKeys()
      const lo = options.gte === undefined ? 0 : lowerBound(keys, hexKey(options.gte))
      const hi = options.lt === undefined ? keys.length : lowerBound(keys, hexKey(options.lt))
      const count = Math.min(Math.max(hi - lo, 0), limit)
      const snapshot: Entry[] = new Array(count)
      for (let i = 0; i < count; i++) snapshot[i] = map.get(keys[options.reverse ? hi - 1 - i : lo + i]!)!
      for (const entry of snapshot) {
        ensureOpen()
        yield [entry.key.slice(), entry.value.slice()]
      }
    },

    async close() {
      closed = true
    },
  }
}
