// DESIGN §3: extension state is key/value pairs, namespaced per extension. Applying a transaction or a block
// changes some keys; each change carries the value before, so reverting is applying the inverse and a reorg
// restores the state exactly, whatever the extension. A node keeps the pairs in a table of its own.
import { equalBytes } from '../encoding/hex.js'
import { u64le } from '../types/unlockhash.js'

/** Read access to extension state: the value of `key` in `extension`'s namespace, or `undefined`. */
export interface ExtensionStateView {
  get(extension: string, key: string): Uint8Array | undefined
}

/** One key of one extension changed; `undefined` means absent (before: created, after: deleted). */
export interface ExtensionChange {
  readonly extension: string
  readonly key: string
  readonly before: Uint8Array | undefined
  readonly after: Uint8Array | undefined
}

/** One stored pair. */
export interface ExtensionStateEntry {
  readonly extension: string
  readonly key: string
  readonly value: Uint8Array
}

/** The state of a chain without extensions (and the base of a genesis). */
export const EMPTY_EXTENSION_STATE: ExtensionStateView = Object.freeze({ get: () => undefined })

/** An extension name: lower case letters, digits and dashes (it names a chain-definition key and a namespace). */
export const EXTENSION_NAME = /^[a-z][a-z0-9-]{0,31}$/

const sameValue = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && equalBytes(a, b))

/** `extension` and `key` as one map key (names never contain NUL, see `EXTENSION_NAME`). */
const slot = (extension: string, key: string): string => `${extension}\u0000${key}`

/** The changes that undo `changes`: the same keys in reverse order, before and after swapped. */
export function invertChanges(changes: readonly ExtensionChange[]): ExtensionChange[] {
  const out: ExtensionChange[] = []
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i]!
    out.push({ extension: c.extension, key: c.key, before: c.after, after: c.before })
  }
  return out
}

/**
 * One change per key, in the order keys were first written: the first `before` and the last `after`.
 * Keys that end where they started are left out. Applying (or reverting) the result has the same effect
 * as the whole list.
 */
export function compactChanges(changes: readonly ExtensionChange[]): ExtensionChange[] {
  if (changes.length <= 1) return [...changes]
  const byKey = new Map<string, ExtensionChange>()
  for (const c of changes) {
    const k = slot(c.extension, c.key)
    const first = byKey.get(k)
    byKey.set(k, first ? { ...first, after: c.after } : c)
  }
  return [...byKey.values()].filter((c) => !sameValue(c.before, c.after))
}

/**
 * Writes on top of a base view, recording each as a change with the value before. Transactions of a block
 * (or of a pool set) share one overlay, so each sees what the ones before it wrote (spec/tfchain.md §1.6).
 */
export class ExtensionStateOverlay implements ExtensionStateView {
  private readonly written = new Map<string, Uint8Array | undefined>()
  /** Every write, in order (no-op writes left out). */
  readonly changes: ExtensionChange[] = []

  constructor(private readonly base: ExtensionStateView) {}

  get(extension: string, key: string): Uint8Array | undefined {
    const k = slot(extension, key)
    return this.written.has(k) ? this.written.get(k) : this.base.get(extension, key)
  }

  /** Sets (or with `undefined` deletes) `key` of `extension`. */
  set(extension: string, key: string, value: Uint8Array | undefined): void {
    const before = this.get(extension, key)
    if (sameValue(before, value)) return
    this.written.set(slot(extension, key), value)
    this.changes.push({ extension, key, before, after: value })
  }
}

/**
 * Extension state held in memory: a reference implementation of what a node stores, used by the replays,
 * the pool-free tools and the tests. `apply` checks that every change starts from the value it records.
 */
export class MemoryExtensionState implements ExtensionStateView {
  private readonly values = new Map<string, ExtensionStateEntry>()

  get(extension: string, key: string): Uint8Array | undefined {
    return this.values.get(slot(extension, key))?.value
  }

  /** Applies `changes` in order; throws (changing nothing) when one does not start from the current value. */
  apply(changes: readonly ExtensionChange[]): void {
    const pending = new Map<string, Uint8Array | undefined>()
    const current = (k: string) => (pending.has(k) ? pending.get(k) : this.values.get(k)?.value)
    for (const c of changes) {
      const k = slot(c.extension, c.key)
      if (!sameValue(current(k), c.before)) {
        throw new Error(
          `extension state ${c.extension}/${c.key} does not hold the value the change starts from`,
        )
      }
      pending.set(k, c.after)
    }
    for (const c of changes) {
      const k = slot(c.extension, c.key)
      if (c.after === undefined) this.values.delete(k)
      else this.values.set(k, { extension: c.extension, key: c.key, value: c.after })
    }
  }

  /** Undoes `changes` (applies their inverse). */
  revert(changes: readonly ExtensionChange[]): void {
    this.apply(invertChanges(changes))
  }

  entries(): IterableIterator<ExtensionStateEntry> {
    return this.values.values()
  }

  get size(): number {
    return this.values.size
  }
}

const utf8 = new TextEncoder()

/**
 * A hash of a whole extension state: every pair sorted by extension, then key. Any two stores holding the
 * same pairs give the same hash, however they got there (the UTXO set has its own, `utxoSetHash`).
 */
export function extensionStateHash(
  entries: Iterable<ExtensionStateEntry>,
  hash: (...parts: Uint8Array[]) => Uint8Array,
): Uint8Array {
  const rows = [...entries].map((e) => ({ k: slot(e.extension, e.key), e }))
  rows.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
  const parts: Uint8Array[] = [new Uint8Array([4])]
  for (const { e } of rows) {
    for (const bytes of [utf8.encode(e.extension), utf8.encode(e.key), e.value]) {
      parts.push(u64le(bytes.length), bytes)
    }
  }
  return hash(...parts)
}

/**
 * The hash of a chain's whole state: its unspent set (`utxoSetHash`) and its extension state
 * (`extensionStateHash`). Two nodes with equal state hashes at a height agree on everything the rules read.
 */
export function chainStateHash(
  utxoHash: Uint8Array,
  extensionHash: Uint8Array,
  hash: (...parts: Uint8Array[]) => Uint8Array,
): Uint8Array {
  return hash(new Uint8Array([5]), utxoHash, extensionHash)
}
