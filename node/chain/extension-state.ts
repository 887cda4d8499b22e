// DESIGN §3, §5: extension state on disk and in memory. The pairs live in their own table, written in the
// block's batch; the rules read state synchronously, so the node keeps the committed pairs in memory too
// (loaded at open, changed only after a batch is on disk). Built-in extensions keep little state (mint and
// auth condition histories, one entry per authorized address).
import {
  type ExtensionChange,
  type ExtensionStateEntry,
  type ExtensionStateView,
  extensionStateHash,
} from '../../consensus/state/extensions.js'
import type { KVStore } from '../db/kvstore.js'
import type { WriteBuffer } from './buffer.js'
import { extensionKey, key, Table } from './tables.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })
const slot = (extension: string, k: string) => `${extension}\u0000${k}`

/** The committed extension state of a chain (what readers and the pool see). */
export class ExtensionStore implements ExtensionStateView {
  private readonly values = new Map<string, ExtensionStateEntry>()

  private constructor() {}

  /** Loads every stored pair. */
  static async load(store: KVStore): Promise<ExtensionStore> {
    const s = new ExtensionStore()
    for await (const [k, v] of store.entries({ gte: key(Table.Extension), lt: key(Table.Extension + 1) })) {
      const body = k.subarray(1)
      const zero = body.indexOf(0)
      if (zero < 0) throw new Error('corrupt extension state key')
      const extension = utf8.decode(body.subarray(0, zero))
      const name = utf8.decode(body.subarray(zero + 1))
      s.values.set(slot(extension, name), { extension, key: name, value: v })
    }
    return s
  }

  get(extension: string, k: string): Uint8Array | undefined {
    return this.values.get(slot(extension, k))?.value
  }

  get size(): number {
    return this.values.size
  }

  /** The batch of `changes` is on disk: the committed state follows (in order; the last write wins). */
  committed(changes: readonly ExtensionChange[]): void {
    for (const c of changes) {
      const k = slot(c.extension, c.key)
      if (c.after === undefined) this.values.delete(k)
      else this.values.set(k, { extension: c.extension, key: c.key, value: c.after })
    }
  }

  /** A hash of the whole committed state (`extensionStateHash`): equal states give equal hashes. */
  hash(hashFn: (...parts: Uint8Array[]) => Uint8Array): Uint8Array {
    return extensionStateHash(this.values.values(), hashFn)
  }
}

/** Writes `changes` into the extension table of `buf` (their `after` values; absent deletes). */
export function writeExtensionChanges(buf: WriteBuffer, changes: readonly ExtensionChange[]): void {
  for (const c of changes) {
    const k = extensionKey(c.extension, c.key)
    if (c.after === undefined) buf.del(k)
    else buf.put(k, c.after)
  }
}
