// DESIGN §5 / spec §6.6: the block tree on LevelDB, fork choice, atomic reorgs, orphans and events.
import { EventEmitter } from 'node:events'
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { equalBytes, toHex } from '../../consensus/encoding/hex.js'
import { type ChainDefinition, chainRootTarget, genesisBlock } from '../../consensus/params/chain.js'
import { stakeModifier } from '../../consensus/pobs/kernel.js'
import {
  addDifficulties,
  childTarget,
  isHeavier,
  ROOT_DEPTH,
  type Target,
} from '../../consensus/pobs/target.js'
import {
  type BlockDiff,
  type DelayedOutput,
  hexKey,
  MapView,
  type OutputEntry,
  utxoSetHash,
} from '../../consensus/state/outputs.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { conditionUnlockHash } from '../../consensus/types/conditions.js'
import type { Transaction, TransactionRegistry } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashBytes } from '../../consensus/types/unlockhash.js'
import {
  applyBlock,
  checkBlockHeader,
  genesisDiff,
  type StakeOutput,
} from '../../consensus/validation/block.js'
import { ValidationError } from '../../consensus/validation/errors.js'
import { type KVStore, prefixRange } from '../db/kvstore.js'
import { WriteBuffer } from './buffer.js'
import {
  addressKey,
  type BlockMeta,
  BlockStatus,
  blockDiffCodec,
  blockMetaCodec,
  decodeValue,
  delayedListCodec,
  encodeValue,
  infoKey,
  key,
  outputEntryCodec,
  outputValueCodec,
  SCHEMA_VERSION,
  Table,
  type TxLocation,
  txLocationCodec,
  u64be,
} from './tables.js'
import { DeferredVerifier, type SignatureCheck, verifyAll } from './verify.js'

export interface ChainOptions {
  readonly store: KVStore
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly verifier: Ed25519
  /** The local clock in unix seconds (injectable for tests). */
  readonly now?: () => number
  /** Most orphans kept while their parents are fetched. */
  readonly maxOrphans?: number
  /**
   * Checks a block's signatures together (default: OpenSSL through WebCrypto, in parallel);
   * `null` verifies one by one with `verifier`.
   */
  readonly batchVerify?: ((checks: readonly SignatureCheck[]) => Promise<boolean>) | null
}

export interface TipInfo {
  readonly id: Uint8Array
  readonly height: number
  readonly timestamp: number
  readonly depth: Target
  readonly childTarget: Target
}

export type AddBlockResult =
  /** The block is the new tip (`reverted` is non-empty after a reorg). */
  | {
      readonly status: 'tip'
      readonly id: Uint8Array
      readonly height: number
      readonly reverted: readonly Block[]
      readonly applied: readonly Block[]
    }
  /** Stored on a lighter branch. */
  | { readonly status: 'side'; readonly id: Uint8Array; readonly height: number }
  | { readonly status: 'duplicate'; readonly id: Uint8Array }
  /** Parent unknown: kept until the parent arrives. */
  | { readonly status: 'orphan'; readonly id: Uint8Array; readonly parentId: Uint8Array }
  /** Valid but ahead of the local clock: retry at `retryAt` (spec §5.2 step 8). */
  | { readonly status: 'future'; readonly id: Uint8Array; readonly retryAt: number }

export interface ChainEvents {
  applied: [block: Block, id: Uint8Array, height: number]
  reverted: [block: Block, id: Uint8Array, height: number]
  tip: [tip: TipInfo]
}

const ZERO_ID = new Uint8Array(32)

/** Blocks applied into a buffer, waiting for their signatures to be verified before the commit. */
interface StagedGroup {
  readonly buf: WriteBuffer
  readonly applied: readonly { block: Block; id: Uint8Array; meta: BlockMeta }[]
  readonly checks: readonly SignatureCheck[]
  /** Length of the main chain index before the group. */
  readonly base: number
}

/** Why a data directory cannot be opened as this chain. */
export class ChainOpenError extends Error {
  override readonly name = 'ChainOpenError'
  constructor(
    readonly code: 'other-chain' | 'schema' | 'corrupt',
    message: string,
  ) {
    super(message)
  }
}

export class Chain extends EventEmitter<ChainEvents> {
  readonly codec: BlockCodec
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly genesisId: Uint8Array
  private readonly store: KVStore
  private readonly verifier: Ed25519
  private readonly now: () => number
  private readonly maxOrphans: number
  private readonly batchVerify: ((checks: readonly SignatureCheck[]) => Promise<boolean>) | null
  /** Main chain block IDs and timestamps by height (the stake modifier and retargeting read them). */
  private mainIds: Uint8Array[] = []
  private mainTimestamps: number[] = []
  private tipInfo!: TipInfo
  private readonly orphans = new Map<string, Block[]>()
  private orphanCount = 0
  private readonly blockCache = new Map<string, Block>()
  private cachedTransactions = 0
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  private constructor(opts: ChainOptions) {
    super()
    this.store = opts.store
    this.def = opts.def
    this.registry = opts.registry
    this.verifier = opts.verifier
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000))
    this.maxOrphans = opts.maxOrphans ?? 256
    this.batchVerify = opts.batchVerify === undefined ? verifyAll : opts.batchVerify
    this.codec = new BlockCodec(opts.registry)
    this.genesisId = this.codec.id(genesisBlock(opts.def))
  }

  /** Opens the chain in `store`, writing the genesis block on first use; resumes from the stored tip. */
  static async open(opts: ChainOptions): Promise<Chain> {
    const chain = new Chain(opts)
    await chain.load()
    return chain
  }

  get tip(): TipInfo {
    return this.tipInfo
  }

  get height(): number {
    return this.tipInfo.height
  }

  private async load(): Promise<void> {
    const storedGenesis = await this.store.get(infoKey('genesis'))
    if (!storedGenesis) {
      await this.writeGenesis()
    } else if (!equalBytes(storedGenesis, this.genesisId)) {
      throw new ChainOpenError(
        'other-chain',
        `this data directory holds another chain (genesis ${toHex(storedGenesis)}, expected ${toHex(this.genesisId)})`,
      )
    }
    const version = await this.store.get(infoKey('schema'))
    if (!version || version[0] !== SCHEMA_VERSION)
      throw new ChainOpenError('schema', `unsupported data directory schema ${version?.[0]}`)
    const tipId = await this.store.get(infoKey('tip'))
    const tipMeta = tipId && (await this.meta(tipId))
    if (!tipId || !tipMeta) throw new ChainOpenError('corrupt', 'the data directory has no valid tip')
    // rebuild the in-memory main chain index from the height table
    const ids: Uint8Array[] = []
    const timestamps: number[] = []
    for await (const [k, v] of this.store.entries({
      gte: key(Table.Height, u64be(0)),
      lt: key(Table.Height + 1),
    })) {
      const h = Number(new DataView(k.buffer, k.byteOffset + 1, 8).getBigUint64(0, false))
      if (h !== ids.length) throw new ChainOpenError('corrupt', `height index has a gap at ${ids.length}`)
      ids.push(v)
    }
    if (ids.length !== tipMeta.height + 1)
      throw new ChainOpenError(
        'corrupt',
        `height index ends at ${ids.length - 1}, tip is at ${tipMeta.height}`,
      )
    const metas = await this.store.getMany(ids.map((id) => key(Table.Meta, id)))
    for (const m of metas) timestamps.push(decodeValue(blockMetaCodec, m!).timestamp)
    this.mainIds = ids
    this.mainTimestamps = timestamps
    this.tipInfo = {
      id: tipId,
      height: tipMeta.height,
      timestamp: tipMeta.timestamp,
      depth: tipMeta.depth,
      childTarget: tipMeta.childTarget,
    }
  }

  private async writeGenesis(): Promise<void> {
    const g = genesisBlock(this.def)
    const buf = new WriteBuffer(this.store)
    const meta: BlockMeta = {
      height: 0,
      parentId: ZERO_ID,
      timestamp: g.timestamp,
      depth: this.def.constants.rootDepth ?? ROOT_DEPTH,
      childTarget: chainRootTarget(this.def),
      status: BlockStatus.Valid,
    }
    buf.put(key(Table.Block, this.genesisId), this.codec.encode(g))
    buf.put(key(Table.Meta, this.genesisId), encodeValue(blockMetaCodec, meta))
    this.writeDiff(buf, g, this.genesisId, genesisDiff(g, this.registry))
    buf.put(infoKey('genesis'), this.genesisId)
    buf.put(infoKey('schema'), new Uint8Array([SCHEMA_VERSION]))
    await buf.commit()
  }

  // ---- reads ------------------------------------------------------------------------------------

  async meta(id: Uint8Array, buf?: WriteBuffer): Promise<BlockMeta | undefined> {
    const v = await (buf ?? this.store).get(key(Table.Meta, id))
    return v && decodeValue(blockMetaCodec, v)
  }

  async block(id: Uint8Array, buf?: WriteBuffer): Promise<Block | undefined> {
    const cached = this.blockCache.get(hexKey(id))
    if (cached) return cached
    const v = await (buf ?? this.store).get(key(Table.Block, id))
    if (!v) return undefined
    const b = this.codec.decode(v)
    if (!buf) this.cacheBlock(id, b)
    return b
  }

  private uncacheBlock(id: Uint8Array): void {
    this.uncacheKey(hexKey(id))
  }

  private uncacheKey(k: string): void {
    const block = this.blockCache.get(k)
    if (!block) return
    this.blockCache.delete(k)
    this.cachedTransactions -= block.transactions.length
  }

  /** Recent blocks by ID: at most 64, and at most 1,024 transactions among them (bounded memory). */
  private cacheBlock(id: Uint8Array, b: Block): void {
    const k = hexKey(id)
    if (this.blockCache.has(k)) return
    this.blockCache.set(k, b)
    this.cachedTransactions += b.transactions.length
    while (this.blockCache.size > 1 && (this.blockCache.size > 64 || this.cachedTransactions > 1024))
      this.uncacheKey(this.blockCache.keys().next().value!)
  }

  /**
   * The stored Sia encodings of the main-chain blocks from `from` (at most `count`; what `codec.encode`
   * gives), in one read and without decoding: the `blocks` protocol serves these bytes as they are. The
   * IDs are taken at the call; a block's bytes never change, so a reorg meanwhile shows as a broken parent
   * link.
   */
  async blockBytesFrom(from: number, count: number): Promise<{ id: Uint8Array; bytes: Uint8Array }[]> {
    const ids = this.mainIds.slice(Math.max(0, from), Math.max(0, from + count))
    const values = await this.store.getMany(ids.map((id) => key(Table.Block, id)))
    const out: { id: Uint8Array; bytes: Uint8Array }[] = []
    for (const [i, bytes] of values.entries()) {
      if (!bytes) break
      out.push({ id: ids[i]!, bytes })
    }
    return out
  }

  /** The ID of the main-chain block at `height`. */
  idAt(height: number): Uint8Array | undefined {
    return this.mainIds[height]
  }

  /** Timestamps of the main chain from the tip backwards (at most `count`). */
  recentTimestamps(count: number): number[] {
    return this.mainTimestamps.slice(Math.max(0, this.mainTimestamps.length - count)).reverse()
  }

  /** Timestamp of the main-chain block at `height`. */
  timestampAt(height: number): number | undefined {
    return this.mainTimestamps[height]
  }

  async blockAt(height: number): Promise<Block | undefined> {
    const id = this.mainIds[height]
    return id && this.block(id)
  }

  isOnMainChain(id: Uint8Array, height: number): boolean {
    const m = this.mainIds[height]
    return m !== undefined && equalBytes(m, id)
  }

  async coinOutput(id: Uint8Array): Promise<OutputEntry | undefined> {
    const v = await this.store.get(key(Table.Coin, id))
    return v && { id, ...decodeValue(outputValueCodec, v) }
  }

  async blockStakeOutput(id: Uint8Array): Promise<OutputEntry | undefined> {
    const v = await this.store.get(key(Table.BlockStake, id))
    return v && { id, ...decodeValue(outputValueCodec, v) }
  }

  async transactionLocation(txId: Uint8Array): Promise<TxLocation | undefined> {
    const v = await this.store.get(key(Table.Tx, txId))
    return v && decodeValue(txLocationCodec, v)
  }

  /**
   * Main-chain activity of an address: transactions that pay to or spend from it, and blocks whose
   * miner payouts go to it (their block ID), oldest first unless `newestFirst`.
   */
  async addressActivity(
    unlockHash: UnlockHash,
    opts: { readonly limit?: number; readonly newestFirst?: boolean } = {},
  ): Promise<{ height: number; id: Uint8Array }[]> {
    const prefix = key(Table.Address, unlockHashBytes(unlockHash))
    const range = { ...prefixRange(prefix), limit: opts.limit ?? 1000, reverse: opts.newestFirst ?? false }
    const out: { height: number; id: Uint8Array }[] = []
    for await (const [k] of this.store.entries(range)) {
      const at = prefix.length
      out.push({
        height: Number(new DataView(k.buffer, k.byteOffset + at, 8).getBigUint64(0, false)),
        id: k.slice(at + 8),
      })
    }
    return out
  }

  /** Delayed (immature) payouts that mature at `height`. */
  async delayedAt(height: number): Promise<readonly DelayedOutput[]> {
    const v = await this.store.get(key(Table.Delayed, u64be(height)))
    return v ? decodeValue(delayedListCodec, v) : []
  }

  /** The hash of the whole unspent set (`utxoSetHash`): equal states give equal hashes. */
  async utxoHash(): Promise<Uint8Array> {
    const coins: OutputEntry[] = []
    const stakes: OutputEntry[] = []
    const delayed: DelayedOutput[] = []
    const scan = (table: number) => this.store.entries({ gte: key(table), lt: key(table + 1) })
    for await (const [k, v] of scan(Table.Coin))
      coins.push({ id: k.subarray(1), ...decodeValue(outputValueCodec, v) })
    for await (const [k, v] of scan(Table.BlockStake))
      stakes.push({ id: k.subarray(1), ...decodeValue(outputValueCodec, v) })
    for await (const [, v] of scan(Table.Delayed)) delayed.push(...decodeValue(delayedListCodec, v))
    return utxoSetHash(coins, stakes, delayed, (o) => encodeValue(outputEntryCodec, o), blake2b256)
  }

  // ---- adding blocks ------------------------------------------------------------------------------

  /** Adds a block received from anywhere; serialised with every other write. Throws ValidationError. */
  addBlock(block: Block): Promise<AddBlockResult> {
    const run = this.queue.then(() => this.addBlockNow(block))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async addBlockNow(block: Block): Promise<AddBlockResult> {
    if (this.closed) throw new Error('chain is closed')
    const id = this.codec.id(block)
    const known = await this.meta(id)
    if (known) {
      if (known.status === BlockStatus.Invalid)
        throw new ValidationError('known-invalid', `block ${toHex(id)} is known to be invalid`)
      return { status: 'duplicate', id }
    }
    const parent = await this.meta(block.parentId)
    if (!parent) return this.addOrphan(block, id)
    if (parent.status === BlockStatus.Invalid) {
      await this.markInvalid([id], block)
      throw new ValidationError('known-invalid', 'the block extends an invalid block')
    }
    const result = await this.acceptChild(block, id, parent)
    if (result.status === 'tip' || result.status === 'side') await this.adoptOrphans(id)
    return result
  }

  private addOrphan(block: Block, id: Uint8Array): AddBlockResult {
    const k = hexKey(block.parentId)
    const list = this.orphans.get(k) ?? []
    if (!list.some((b) => equalBytes(this.codec.id(b), id))) {
      if (this.orphanCount >= this.maxOrphans) {
        const oldest = this.orphans.keys().next().value!
        this.orphanCount -= this.orphans.get(oldest)!.length
        this.orphans.delete(oldest)
      }
      list.push(block)
      this.orphans.set(k, list)
      this.orphanCount++
    }
    return { status: 'orphan', id, parentId: block.parentId }
  }

  private async adoptOrphans(parentId: Uint8Array): Promise<void> {
    const pending = [parentId]
    while (pending.length > 0) {
      const pid = pending.pop()!
      const children = this.orphans.get(hexKey(pid))
      if (!children) continue
      this.orphans.delete(hexKey(pid))
      this.orphanCount -= children.length
      for (const child of children) {
        try {
          const r = await this.addBlockNow(child)
          if (r.status === 'tip' || r.status === 'side') pending.push(r.id)
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err
        }
      }
    }
  }

  /** Block IDs of `parentId`'s branch by height, from `fromHeight` up to the parent (walks side branches). */
  private async branchIds(
    parentId: Uint8Array,
    parentHeight: number,
    fromHeight: number,
    buf?: WriteBuffer,
  ): Promise<(h: number) => Uint8Array> {
    const side = new Map<number, Uint8Array>()
    let id = parentId
    let h = parentHeight
    while (h >= fromHeight && h >= 0 && !this.isOnMainChain(id, h)) {
      side.set(h, id)
      const m = await this.meta(id, buf)
      if (!m) throw new Error(`missing meta of ${toHex(id)}`)
      id = m.parentId
      h--
    }
    return (height: number) => side.get(height) ?? this.mainIds[height]!
  }

  private async branchTimestamps(
    parentId: Uint8Array,
    parentHeight: number,
    count: number,
    buf?: WriteBuffer,
  ): Promise<number[]> {
    const out: number[] = []
    let id = parentId
    let h = parentHeight
    while (out.length < count && h >= 0) {
      if (this.isOnMainChain(id, h)) {
        for (let i = h; i >= 0 && out.length < count; i--) out.push(this.mainTimestamps[i]!)
        break
      }
      const m = (await this.meta(id, buf))!
      out.push(m.timestamp)
      id = m.parentId
      h--
    }
    return out
  }

  private async timestampOf(id: Uint8Array, height: number, buf?: WriteBuffer): Promise<number> {
    if (this.isOnMainChain(id, height)) return this.mainTimestamps[height]!
    const m = await this.meta(id, buf)
    if (!m) throw new Error(`missing meta of ${toHex(id)}`)
    return m.timestamp
  }

  private async stakeOutputOn(
    ancestorAt: (h: number) => Uint8Array,
    block: Block,
    parentHeight: number,
    buf?: WriteBuffer,
  ): Promise<StakeOutput | undefined> {
    const at = block.pobsOutput
    if (at.blockHeight > parentHeight) return undefined
    const holderId = ancestorAt(at.blockHeight)
    const holder = await this.block(holderId, buf)
    const tx = holder?.transactions[at.transactionIndex]
    const out = tx?.blockStakeOutputs[at.outputIndex]
    if (!holder || !tx || !out) return undefined
    return {
      id: this.registry.blockStakeOutputId(tx, at.outputIndex),
      value: out.value,
      condition: out.condition,
      blockTimestamp: holder.timestamp,
    }
  }

  /**
   * The arrival checks of a block whose parent is known (spec §5.2 steps 2–8) and its metadata.
   * Marks it invalid on a rule failure (not for a time-dependent one).
   */
  private async prepareChild(
    block: Block,
    id: Uint8Array,
    parent: BlockMeta,
    buf?: WriteBuffer,
    rememberInvalid = true,
  ): Promise<{ meta: BlockMeta; encoded: Uint8Array } | { futureUntil: number }> {
    const c = this.def.constants
    const height = parent.height + 1
    const lowest = Math.max(
      0,
      height - c.stakeModifierDelay - 255,
      height - c.targetWindow,
      height - c.medianTimestampWindow,
    )
    const ancestorAt = await this.branchIds(
      block.parentId,
      parent.height,
      Math.min(lowest, block.pobsOutput.blockHeight),
      buf,
    )
    const stake = await this.stakeOutputOn(ancestorAt, block, parent.height, buf)
    const encoded = this.codec.encode(block)
    let header: { futureUntil?: number }
    try {
      header = checkBlockHeader(
        block,
        {
          def: this.def,
          registry: this.registry,
          verifier: this.verifier,
          height,
          parent: { id: block.parentId, timestamp: parent.timestamp, childTarget: parent.childTarget },
          recentTimestamps: await this.branchTimestamps(
            block.parentId,
            parent.height,
            c.medianTimestampWindow,
            buf,
          ),
          stakeModifier: stakeModifier(height, c.stakeModifierDelay, ancestorAt),
          stake,
          now: this.now(),
        },
        encoded.length,
      )
    } catch (err) {
      // a block too far in the future may become valid later: it is not remembered as invalid
      if (rememberInvalid && err instanceof ValidationError && err.code !== 'timestamp-too-far-future')
        await this.markInvalid([id], block)
      throw err
    }
    if (header.futureUntil !== undefined) return { futureUntil: header.futureUntil }
    // spec §6.3: the retarget window starts min(TargetWindow, height) blocks back on this block's branch
    const windowStart = Math.max(0, height - c.targetWindow)
    const adjusts = height % Math.floor(c.targetWindow / 2) === 0
    const windowStartTimestamp = adjusts
      ? await this.timestampOf(ancestorAt(windowStart), windowStart, buf)
      : 0
    const meta: BlockMeta = {
      height,
      parentId: block.parentId,
      timestamp: block.timestamp,
      depth: addDifficulties(parent.depth, parent.childTarget),
      childTarget: childTarget(c, parent.childTarget, height, block.timestamp, () => windowStartTimestamp),
      status: BlockStatus.Stored,
    }
    return { meta, encoded }
  }

  private async acceptChild(block: Block, id: Uint8Array, parent: BlockMeta): Promise<AddBlockResult> {
    const prepared = await this.prepareChild(block, id, parent)
    if ('futureUntil' in prepared) return { status: 'future', id, retryAt: prepared.futureUntil }
    const { meta, encoded } = prepared
    const buf = new WriteBuffer(this.store)
    buf.put(key(Table.Block, id), encoded)
    buf.put(key(Table.Meta, id), encodeValue(blockMetaCodec, meta))
    if (!isHeavier(meta.depth, this.tipInfo.depth, this.tipInfo.childTarget)) {
      await buf.commit()
      this.cacheBlock(id, block)
      return { status: 'side', id, height: meta.height }
    }
    const result = await this.switchTo(buf, block, id, meta)
    this.cacheBlock(id, block)
    return result
  }

  /**
   * Adds blocks that extend the tip one after another (import and sync): blocks are applied in groups
   * of `groupSize`, the signatures of a group are verified together in parallel, and each group is
   * committed as one atomic batch. Anything else (a fork, a known block, a failing block) goes through
   * `addBlock` one at a time. Stops at the first invalid block and reports it with its index.
   */
  addBlocks(
    blocks: readonly Block[],
    groupSize = 32,
  ): Promise<{ results: AddBlockResult[]; error?: { index: number; error: unknown } }> {
    const run = this.queue.then(() => this.addBlocksNow(blocks, groupSize))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async addBlocksNow(
    blocks: readonly Block[],
    groupSize: number,
  ): Promise<{ results: AddBlockResult[]; error?: { index: number; error: unknown } }> {
    if (this.closed) throw new Error('chain is closed')
    const results: AddBlockResult[] = []
    // a staged group waits for its signatures while the next one is staged on top of it
    let pending: (StagedGroup & { verified: Promise<boolean> }) | undefined
    /** Commits the pending group once verified; false when a signature failed (its staging is undone). */
    const settle = async (): Promise<boolean> => {
      if (!pending) return true
      const group = pending
      pending = undefined
      if (!(await group.verified)) {
        this.truncateMain(group.base)
        return false
      }
      results.push(...(await this.commitGroup(group)))
      return true
    }
    /** After a failed group: the first block not on the chain (blocks extend each other). */
    const resume = (): number => {
      const tip = this.mainIds[this.mainIds.length - 1]!
      for (let j = blocks.length - 1; j >= 0; j--)
        if (equalBytes(this.codec.id(blocks[j]!), tip)) return j + 1
      return 0
    }
    let i = 0
    let slow = 0 // blocks to take one by one (through addBlock) before grouping again
    while (i < blocks.length) {
      if (slow === 0) {
        const staged = await this.stageGroup(blocks, i, groupSize, pending?.buf)
        const ok = staged ? await settle() : false
        if (staged && ok) {
          pending = { ...staged, verified: this.batchVerify!(staged.checks) }
          i += staged.applied.length
          continue
        }
        if (staged || !(await settle())) {
          // a group had a bad signature: redo it one block at a time, which finds and marks the block
          i = resume()
          slow = groupSize
          continue
        }
      }
      try {
        results.push(await this.addBlockNow(blocks[i]!))
      } catch (error) {
        return { results, error: { index: i, error } }
      }
      i++
      if (slow > 0) slow--
    }
    if (!(await settle())) {
      for (let j = resume(); j < blocks.length; j++) {
        try {
          results.push(await this.addBlockNow(blocks[j]!))
        } catch (error) {
          return { results, error: { index: j, error } }
        }
      }
    }
    return { results }
  }

  private truncateMain(length: number): void {
    this.mainIds.length = length
    this.mainTimestamps.length = length
  }

  /** Stages blocks extending the working tip into a buffer over `base`; undefined when none qualifies. */
  private async stageGroup(
    blocks: readonly Block[],
    from: number,
    groupSize: number,
    base: WriteBuffer | undefined,
  ): Promise<StagedGroup | undefined> {
    if (!this.batchVerify) return undefined
    const buf = new WriteBuffer(base ?? this.store)
    const deferred = new DeferredVerifier()
    const baseLength = this.mainIds.length
    const applied: { block: Block; id: Uint8Array; meta: BlockMeta }[] = []
    await this.preloadGroup(buf, blocks, from, groupSize)
    let tip = await this.meta(this.mainIds[baseLength - 1]!, buf)
    try {
      for (let j = from; j < blocks.length && applied.length < groupSize && tip; j++) {
        const block = blocks[j]!
        if (!equalBytes(block.parentId, this.mainIds[this.mainIds.length - 1]!)) break
        const id = this.codec.id(block)
        if (await this.meta(id, buf)) break
        let prepared: Awaited<ReturnType<Chain['prepareChild']>>
        try {
          prepared = await this.prepareChild(block, id, tip, buf, false)
        } catch (err) {
          if (err instanceof ValidationError) break // addBlock reports it
          throw err
        }
        if ('futureUntil' in prepared) break
        const { meta, encoded } = prepared
        // a child of the tip is always heavier than the tip (its depth adds a whole block)
        const mark = buf.checkpoint()
        const checksBefore = deferred.checks.length
        try {
          await this.applyInto(buf, block, id, meta, this.mainIds, deferred)
        } catch (err) {
          buf.restore(mark)
          deferred.checks.length = checksBefore
          if (err instanceof ValidationError) break
          throw err
        }
        buf.put(key(Table.Block, id), encoded)
        // cached now: the next block's stake is usually in this one (an ID always maps to the same block)
        this.cacheBlock(id, block)
        this.mainIds.push(id)
        this.mainTimestamps.push(meta.timestamp)
        tip = { ...meta, status: BlockStatus.Valid }
        applied.push({ block, id, meta: tip })
      }
    } catch (err) {
      this.truncateMain(baseLength)
      throw err
    }
    if (applied.length === 0) return undefined
    buf.put(infoKey('tip'), applied[applied.length - 1]!.id)
    return { buf, applied, checks: deferred.checks, base: baseLength }
  }

  /**
   * One read for what staging a run of blocks looks up in the store: whether each is known, the
   * outputs their transactions spend and the payouts maturing at their heights. The blocks after the
   * first that does not extend the previous one are left out (staging stops there anyway).
   */
  private async preloadGroup(
    buf: WriteBuffer,
    blocks: readonly Block[],
    from: number,
    groupSize: number,
  ): Promise<void> {
    const keys: Uint8Array[] = []
    let parent = this.mainIds[this.mainIds.length - 1]!
    let height = this.mainIds.length
    for (let j = from; j < blocks.length && j < from + groupSize; j++, height++) {
      const block = blocks[j]!
      if (!equalBytes(block.parentId, parent)) break
      parent = this.codec.id(block)
      keys.push(key(Table.Meta, parent), key(Table.Delayed, u64be(height)))
      for (const tx of block.transactions) {
        for (const i of tx.coinInputs) keys.push(key(Table.Coin, i.parentId))
        for (const i of tx.blockStakeInputs) keys.push(key(Table.BlockStake, i.parentId))
      }
    }
    await buf.preload(keys)
  }

  private async commitGroup(group: StagedGroup): Promise<AddBlockResult[]> {
    try {
      await group.buf.commit(this.store)
    } catch (err) {
      this.truncateMain(group.base)
      throw err
    }
    const last = group.applied[group.applied.length - 1]!
    this.tipInfo = {
      id: last.id,
      height: last.meta.height,
      timestamp: last.meta.timestamp,
      depth: last.meta.depth,
      childTarget: last.meta.childTarget,
    }
    for (const a of group.applied) {
      this.cacheBlock(a.id, a.block)
      this.emit('applied', a.block, a.id, a.meta.height)
    }
    this.emit('tip', this.tipInfo)
    await this.adoptOrphans(last.id)
    return group.applied.map((a) => ({
      status: 'tip',
      id: a.id,
      height: a.meta.height,
      reverted: [],
      applied: [a.block],
    }))
  }

  /** Reverts to the common ancestor and applies the new branch, all in one batch (spec §6.6). */
  private async switchTo(
    buf: WriteBuffer,
    block: Block,
    id: Uint8Array,
    meta: BlockMeta,
  ): Promise<AddBlockResult> {
    // the new branch, newest first, down to (not including) the common ancestor
    const branch: { id: Uint8Array; meta: BlockMeta }[] = [{ id, meta }]
    let cursor = meta
    while (!this.isOnMainChain(cursor.parentId, cursor.height - 1)) {
      const pm = (await this.meta(cursor.parentId, buf))!
      branch.push({ id: cursor.parentId, meta: pm })
      cursor = pm
    }
    const ancestorHeight = cursor.height - 1
    // copies only when the switch reverts blocks; a plain extension appends after the commit
    const extending = ancestorHeight === this.tipInfo.height
    const mainIds = extending ? this.mainIds : this.mainIds.slice()
    const mainTimestamps = extending ? this.mainTimestamps : this.mainTimestamps.slice()
    const baseLength = mainIds.length
    const reverted: Block[] = []
    const revertedAt: { id: Uint8Array; height: number }[] = []
    for (let h = this.tipInfo.height; h > ancestorHeight; h--) {
      const rid = mainIds[h]!
      const rb = (await this.block(rid))!
      await this.revertInto(buf, rb, rid, h)
      reverted.push(rb)
      revertedAt.push({ id: rid, height: h })
      mainIds.pop()
      mainTimestamps.pop()
    }
    const applied: Block[] = []
    const forward = [...branch].reverse()
    for (const step of forward) {
      const b = step.id === id ? block : (await this.block(step.id))!
      try {
        await this.applyInto(buf, b, step.id, step.meta, mainIds)
      } catch (err) {
        if (err instanceof ValidationError) {
          // nothing of the switch is written; the failing block and everything after it are invalid
          const bad = forward.slice(forward.indexOf(step)).map((s) => s.id)
          await this.markInvalid(bad, block, id, meta)
        }
        if (extending) {
          mainIds.length = baseLength
          mainTimestamps.length = baseLength
        }
        throw err
      }
      applied.push(b)
      mainIds.push(step.id)
      mainTimestamps.push(step.meta.timestamp)
    }
    buf.put(infoKey('tip'), id)
    try {
      await buf.commit()
    } catch (err) {
      if (extending) {
        mainIds.length = baseLength
        mainTimestamps.length = baseLength
      }
      throw err
    }
    this.mainIds = mainIds
    this.mainTimestamps = mainTimestamps
    this.tipInfo = {
      id,
      height: meta.height,
      timestamp: meta.timestamp,
      depth: meta.depth,
      childTarget: meta.childTarget,
    }
    for (const [i, b] of reverted.entries())
      this.emit('reverted', b, revertedAt[i]!.id, revertedAt[i]!.height)
    for (const [i, b] of applied.entries()) this.emit('applied', b, forward[i]!.id, forward[i]!.meta.height)
    this.emit('tip', this.tipInfo)
    return { status: 'tip', id, height: meta.height, reverted, applied }
  }

  /** Marks blocks invalid in their own batch (their bodies are dropped, the meta stays as a known-bad mark). */
  private async markInvalid(
    ids: readonly Uint8Array[],
    block: Block,
    newId?: Uint8Array,
    newMeta?: BlockMeta,
  ): Promise<void> {
    const buf = new WriteBuffer(this.store)
    const parent = await this.meta(block.parentId)
    for (const bid of ids) {
      const known = newId && equalBytes(bid, newId) ? newMeta : await this.meta(bid)
      const meta: BlockMeta = known ?? {
        height: parent ? parent.height + 1 : 0,
        parentId: block.parentId,
        timestamp: block.timestamp,
        depth: 0n,
        childTarget: 0n,
        status: BlockStatus.Invalid,
      }
      buf.put(key(Table.Meta, bid), encodeValue(blockMetaCodec, { ...meta, status: BlockStatus.Invalid }))
      buf.del(key(Table.Block, bid))
      this.uncacheBlock(bid)
    }
    await buf.commit()
  }

  private async applyInto(
    buf: WriteBuffer,
    block: Block,
    id: Uint8Array,
    meta: BlockMeta,
    mainIds: readonly Uint8Array[],
    deferred?: DeferredVerifier,
  ): Promise<void> {
    const at = block.pobsOutput
    const holder = await this.block(mainIds[at.blockHeight] ?? ZERO_ID, buf)
    const tx = holder?.transactions[at.transactionIndex]
    if (!tx?.blockStakeOutputs[at.outputIndex]) {
      throw new ValidationError('stake-output-missing', 'block stake output does not exist on this branch')
    }
    const stakeId = this.registry.blockStakeOutputId(tx, at.outputIndex)
    const view = await this.prefetch(buf, block.transactions)
    const maturing = await this.delayedFrom(buf, meta.height)
    const apply = (verifier: Ed25519) =>
      applyBlock(
        block,
        id,
        { def: this.def, registry: this.registry, verifier, height: meta.height, stakeId },
        view,
        maturing,
      )
    let diff: BlockDiff
    if (deferred) {
      diff = apply(deferred) // the caller verifies the collected signatures
    } else if (this.batchVerify) {
      // every rule runs now; the signature equations of the whole block are checked together, in parallel
      const deferred = new DeferredVerifier()
      diff = apply(deferred)
      if (!(await this.batchVerify(deferred.checks))) {
        apply(this.verifier) // finds the failing input and throws its ValidationError
        throw new ValidationError('unfulfilled', 'a signature in the block does not verify')
      }
    } else {
      diff = apply(this.verifier)
    }
    this.writeDiff(buf, block, id, diff)
    buf.put(key(Table.Meta, id), encodeValue(blockMetaCodec, { ...meta, status: BlockStatus.Valid }))
  }

  private async delayedFrom(buf: WriteBuffer, height: number): Promise<DelayedOutput[]> {
    const v = await buf.get(key(Table.Delayed, u64be(height)))
    return v ? [...decodeValue(delayedListCodec, v)] : []
  }

  /** Loads every output the transactions spend (one getMany per table). */
  private async prefetch(buf: WriteBuffer, txs: readonly Transaction[]): Promise<MapView> {
    const coinIds = txs.flatMap((t) => t.coinInputs.map((i) => i.parentId))
    const stakeIds = txs.flatMap((t) => t.blockStakeInputs.map((i) => i.parentId))
    const [coins, stakes] = await Promise.all([
      buf.getMany(coinIds.map((i) => key(Table.Coin, i))),
      buf.getMany(stakeIds.map((i) => key(Table.BlockStake, i))),
    ])
    const view = new MapView()
    for (const [i, v] of coins.entries()) {
      if (v) view.coins.set(hexKey(coinIds[i]!), { id: coinIds[i]!, ...decodeValue(outputValueCodec, v) })
    }
    for (const [i, v] of stakes.entries()) {
      if (v)
        view.blockStakes.set(hexKey(stakeIds[i]!), { id: stakeIds[i]!, ...decodeValue(outputValueCodec, v) })
    }
    return view
  }

  private writeDiff(buf: WriteBuffer, block: Block, id: Uint8Array, diff: BlockDiff): void {
    const h = diff.height
    for (const o of diff.coinOutputsSpent) buf.del(key(Table.Coin, o.id))
    for (const o of diff.blockStakeOutputsSpent) buf.del(key(Table.BlockStake, o.id))
    for (const o of diff.coinOutputsCreated) buf.put(key(Table.Coin, o.id), encodeValue(outputValueCodec, o))
    for (const o of diff.blockStakeOutputsCreated)
      buf.put(key(Table.BlockStake, o.id), encodeValue(outputValueCodec, o))
    if (diff.delayedOutputsCreated.length > 0) {
      buf.put(
        key(Table.Delayed, u64be(diff.delayedOutputsCreated[0]!.maturityHeight)),
        encodeValue(delayedListCodec, diff.delayedOutputsCreated),
      )
    }
    for (const o of diff.delayedOutputsMatured)
      buf.put(key(Table.Coin, o.id), encodeValue(outputValueCodec, o))
    if (diff.delayedOutputsMatured.length > 0) buf.del(key(Table.Delayed, u64be(h)))
    buf.put(key(Table.Undo, id), encodeValue(blockDiffCodec, diff))
    buf.put(key(Table.Height, u64be(h)), id)
    buf.put(infoKey('tip'), id)
    this.indexTransactions(buf, block, id, h, diff, 'put')
  }

  private async revertInto(buf: WriteBuffer, block: Block, id: Uint8Array, height: number): Promise<void> {
    const undo = await buf.get(key(Table.Undo, id))
    if (!undo) throw new Error(`no undo data for block ${toHex(id)} at height ${height}`)
    const diff = decodeValue(blockDiffCodec, undo)
    for (const o of diff.delayedOutputsMatured) buf.del(key(Table.Coin, o.id))
    if (diff.delayedOutputsMatured.length > 0)
      buf.put(key(Table.Delayed, u64be(height)), encodeValue(delayedListCodec, diff.delayedOutputsMatured))
    if (diff.delayedOutputsCreated.length > 0)
      buf.del(key(Table.Delayed, u64be(diff.delayedOutputsCreated[0]!.maturityHeight)))
    for (const o of diff.coinOutputsCreated) buf.del(key(Table.Coin, o.id))
    for (const o of diff.blockStakeOutputsCreated) buf.del(key(Table.BlockStake, o.id))
    for (const o of diff.coinOutputsSpent) buf.put(key(Table.Coin, o.id), encodeValue(outputValueCodec, o))
    for (const o of diff.blockStakeOutputsSpent)
      buf.put(key(Table.BlockStake, o.id), encodeValue(outputValueCodec, o))
    buf.del(key(Table.Undo, id))
    buf.del(key(Table.Height, u64be(height)))
    this.indexTransactions(buf, block, id, height, diff, 'del')
  }

  /** Transaction and address indexes of the main chain. */
  private indexTransactions(
    buf: WriteBuffer,
    block: Block,
    blockId: Uint8Array,
    height: number,
    diff: BlockDiff,
    op: 'put' | 'del',
  ): void {
    const EMPTY = new Uint8Array(0)
    const write = (k: Uint8Array, v: Uint8Array) => (op === 'put' ? buf.put(k, v) : buf.del(k))
    const spentBy = new Map<string, UnlockHash>()
    for (const o of diff.coinOutputsSpent) spentBy.set(hexKey(o.id), conditionUnlockHash(o.condition))
    for (const o of diff.blockStakeOutputsSpent) spentBy.set(hexKey(o.id), conditionUnlockHash(o.condition))
    const addresses = new Map<string, UnlockHash>()
    const add = (uh: UnlockHash | undefined) => {
      if (uh) addresses.set(uh.type + hexKey(uh.hash), uh)
    }
    for (const [index, tx] of block.transactions.entries()) {
      const txId = this.registry.id(tx)
      addresses.clear()
      for (const o of tx.coinOutputs) add(conditionUnlockHash(o.condition))
      for (const o of tx.blockStakeOutputs) add(conditionUnlockHash(o.condition))
      for (const i of tx.coinInputs) add(spentBy.get(hexKey(i.parentId)))
      for (const i of tx.blockStakeInputs) add(spentBy.get(hexKey(i.parentId)))
      write(
        key(Table.Tx, txId),
        op === 'put' ? encodeValue(txLocationCodec, { blockId, height, index }) : EMPTY,
      )
      for (const uh of addresses.values()) write(addressKey(uh.type, uh.hash, height, txId), EMPTY)
    }
    for (const p of block.minerPayouts)
      write(addressKey(p.unlockHash.type, p.unlockHash.hash, height, blockId), EMPTY)
  }

  /** Waits for pending writes, then closes the store. */
  async close(): Promise<void> {
    this.closed = true
    await this.queue
    await this.store.close()
  }
}
