// Stored blocks and their metadata, with a bounded cache of recent blocks. Blocks of a group being imported
// are held apart (`stage`) until the group is committed: the import reads them through its write buffer,
// readers never see them.
import { hexKey } from '../../consensus/state/outputs.js'
import type { Block, BlockCodec } from '../../consensus/types/block.js'
import type { KVStore } from '../db/kvstore.js'
import type { WriteBuffer } from './buffer.js'
import { type BlockMeta, blockMetaCodec, decodeValue, key, Table } from './tables.js'

/** Recent blocks kept decoded: at most this many, */
const CACHE_BLOCKS = 64
/** and at most this many transactions among them (bounded memory). */
const CACHE_TRANSACTIONS = 1024

export class BlockStore {
  private readonly cache = new Map<string, Block>()
  private cachedTransactions = 0
  private readonly staged = new Map<string, Block>()

  constructor(
    private readonly store: KVStore,
    private readonly codec: BlockCodec,
  ) {}

  /** A block's metadata; through `buf`, staged and uncommitted writes count. */
  async meta(id: Uint8Array, buf?: WriteBuffer): Promise<BlockMeta | undefined> {
    const v = await (buf ?? this.store).get(key(Table.Meta, id))
    return v && decodeValue(blockMetaCodec, v)
  }

  /** A stored block; through `buf`, staged and uncommitted blocks count too. */
  async block(id: Uint8Array, buf?: WriteBuffer): Promise<Block | undefined> {
    const k = hexKey(id)
    const cached = this.cache.get(k) ?? (buf ? this.staged.get(k) : undefined)
    if (cached) return cached
    const v = await (buf ?? this.store).get(key(Table.Block, id))
    if (!v) return undefined
    const b = this.codec.decode(v)
    if (!buf) this.remember(id, b)
    return b
  }

  /** The stored encodings of `ids` in one read, up to the first missing one. */
  async bytesOf(ids: readonly Uint8Array[]): Promise<{ id: Uint8Array; bytes: Uint8Array }[]> {
    const values = await this.store.getMany(ids.map((id) => key(Table.Block, id)))
    const out: { id: Uint8Array; bytes: Uint8Array }[] = []
    for (const [i, bytes] of values.entries()) {
      if (!bytes) break
      out.push({ id: ids[i]!, bytes })
    }
    return out
  }

  /** Keeps a block of a group being imported for the import's own reads (the next block's stake is often in it). */
  stage(id: Uint8Array, b: Block): void {
    this.staged.set(hexKey(id), b)
  }

  /** The staged blocks `ids` are committed: cached like any stored block. */
  committed(ids: readonly { id: Uint8Array; block: Block }[]): void {
    for (const { id, block } of ids) {
      this.staged.delete(hexKey(id))
      this.remember(id, block)
    }
  }

  /** Staged blocks were not written (a group failed): forget them all. */
  dropStaged(): void {
    this.staged.clear()
  }

  /** Caches a committed block (an ID always maps to the same block). */
  remember(id: Uint8Array, b: Block): void {
    const k = hexKey(id)
    if (this.cache.has(k)) return
    this.cache.set(k, b)
    this.cachedTransactions += b.transactions.length
    while (
      this.cache.size > 1 &&
      (this.cache.size > CACHE_BLOCKS || this.cachedTransactions > CACHE_TRANSACTIONS)
    )
      this.forgetKey(this.cache.keys().next().value!)
  }

  forget(id: Uint8Array): void {
    this.forgetKey(hexKey(id))
  }

  private forgetKey(k: string): void {
    const block = this.cache.get(k)
    if (!block) return
    this.cache.delete(k)
    this.cachedTransactions -= block.transactions.length
  }
}
