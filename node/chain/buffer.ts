// A write buffer over a KVStore: reads see pending writes, and everything commits as one atomic batch.
import type { BatchOp, KVStore } from '../db/kvstore.js'

/** What a buffer reads through: the store, or another buffer it is staged on. */
export interface ReadSource {
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>
}

/** A map key for bytes: one character per byte (latin1 is a bijection, half the length of hex). */
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')

export class WriteBuffer {
  private readonly pending = new Map<string, { key: Uint8Array; value: Uint8Array | null }>()
  /** Undo log since the oldest open checkpoint: the key and what it held before. */
  private journal: { k: string; before: { key: Uint8Array; value: Uint8Array | null } | undefined }[] = []
  /** Values read ahead from `base` (null: absent there); pending writes take precedence over them. */
  private loaded = new Map<string, Uint8Array | null>()

  constructor(private readonly base: ReadSource & Partial<Pick<KVStore, 'batch'>>) {}

  get size(): number {
    return this.pending.size
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.set(hex(key), { key, value })
  }

  del(key: Uint8Array): void {
    this.set(hex(key), { key, value: null })
  }

  private set(k: string, entry: { key: Uint8Array; value: Uint8Array | null }): void {
    this.journal.push({ k, before: this.pending.get(k) })
    this.pending.set(k, entry)
  }

  /** A point `restore` can return to (discarding every write made after it). */
  checkpoint(): number {
    return this.journal.length
  }

  restore(mark: number): void {
    while (this.journal.length > mark) {
      const { k, before } = this.journal.pop()!
      if (before) this.pending.set(k, before)
      else this.pending.delete(k)
    }
  }

  /**
   * Reads `keys` from the base in one round trip, so later reads of them are answered from memory. Only
   * valid while the base does not change under the buffer (a chain stages on a stable store).
   */
  async preload(keys: readonly Uint8Array[]): Promise<void> {
    const wanted = new Map<string, Uint8Array>()
    for (const k of keys) {
      const h = hex(k)
      if (!this.pending.has(h) && !this.loaded.has(h)) wanted.set(h, k)
    }
    if (wanted.size === 0) return
    const values = await this.base.getMany([...wanted.values()])
    let i = 0
    for (const h of wanted.keys()) this.loaded.set(h, values[i++] ?? null)
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const h = hex(key)
    const p = this.pending.get(h)
    if (p) return p.value ?? undefined
    const l = this.loaded.get(h)
    if (l !== undefined) return l ?? undefined
    return this.base.get(key)
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array(keys.length)
    const missing: number[] = []
    keys.forEach((k, i) => {
      const h = hex(k)
      const p = this.pending.get(h)
      const l = p ? undefined : this.loaded.get(h)
      if (p) out[i] = p.value ?? undefined
      else if (l !== undefined) out[i] = l ?? undefined
      else missing.push(i)
    })
    if (missing.length > 0) {
      const values = await this.base.getMany(missing.map((i) => keys[i]!))
      missing.forEach((i, j) => {
        out[i] = values[j]
      })
    }
    return out
  }

  ops(): BatchOp[] {
    return [...this.pending.values()].map((p) =>
      p.value ? { type: 'put', key: p.key, value: p.value } : { type: 'del', key: p.key },
    )
  }

  /**
   * Writes every pending change in one atomic batch to the store. A buffer staged on another buffer
   * commits to the store underneath, after that buffer has committed (reads then fall through to it).
   */
  async commit(store?: KVStore): Promise<void> {
    const target = store ?? this.base
    if (!target.batch) throw new Error('this buffer is staged on another buffer: commit it to the store')
    if (this.pending.size > 0) await target.batch(this.ops())
    this.pending.clear()
    this.loaded.clear()
    this.journal = []
  }
}
