// DESIGN §5 / spec §6.6: the block tree on LevelDB, fork choice, atomic reorgs, orphans and events.
import { EventEmitter } from 'node:events'
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { equalBytes, toHex } from '../../consensus/encoding/hex.js'
import { type ChainDefinition, chainRootTarget, genesisBlock } from '../../consensus/params/chain.js'
import { stakeModifier } from '../../consensus/pobs/kernel.js'
import { addDifficulties, childTarget, isHeavier, ROOT_DEPTH } from '../../consensus/pobs/target.js'
import {
  chainStateHash,
  ExtensionStateOverlay,
  type ExtensionStateView,
  invertChanges,
} from '../../consensus/state/extensions.js'
import {
  type BlockDiff,
  type DelayedOutput,
  type OutputEntry,
  utxoSetHash,
} from '../../consensus/state/outputs.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { type Condition, conditionCodec } from '../../consensus/types/conditions.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashBytes } from '../../consensus/types/unlockhash.js'
import { applyBlock, checkBlockHeader, genesisDiff } from '../../consensus/validation/block.js'
import { ValidationError } from '../../consensus/validation/errors.js'
import { CORE_RULES, type RuleSet } from '../../consensus/validation/rules.js'
import { type KVStore, prefixRange } from '../db/kvstore.js'
import { Ancestry } from './ancestry.js'
import { BlockStore } from './blocks.js'
import { WriteBuffer } from './buffer.js'
import { delayedAt, revertDiff, spentOutputs, writeDiff } from './diffs.js'
import { ExtensionStore, writeExtensionChanges } from './extension-state.js'
import { type AppliedBlock, type ImportHost, type ImportResult, importBlocks } from './import.js'
import {
  type ChainIndexer,
  catchUpIndexer,
  indexerMarkerKey,
  MULTISIG_INDEX,
  multisigIndexer,
  multisigKey,
  SPENT_COINS_INDEX,
  type SpentCoinOutput,
  spentCoinIndexer,
  spentCoinOutputCodec,
  transactionIndexer,
} from './indexers.js'
import { MainIndex, type MainView } from './main-index.js'
import { DEFAULT_ORPHAN_LIMITS, type OrphanLimits, OrphanPool } from './orphans.js'
import {
  type BlockMeta,
  BlockStatus,
  blockMetaCodec,
  decodeValue,
  delayedListCodec,
  encodeValue,
  indexKey,
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
import type { AddBlockResult, Prepared, TipInfo } from './types.js'
import { DeferredVerifier, type SignatureCheck, verifyAll } from './verify.js'

export type { AddBlockResult, TipInfo } from './types.js'

export interface ChainOptions {
  readonly store: KVStore
  readonly def: ChainDefinition
  /** Core and extension transaction types: the rule set's registry when `rules` is given. */
  readonly registry: TransactionRegistry
  /** The chain's rules (`chainConsensus(def).rules`); core v0/v1 only when absent. */
  readonly rules?: RuleSet
  readonly verifier: Ed25519
  /** The local clock in unix seconds (injectable for tests). */
  readonly now?: () => number
  /** What orphans (blocks waiting for their parent) may hold, overall and per source. */
  readonly orphanLimits?: OrphanLimits
  /**
   * Checks a block's signatures together (default: OpenSSL through WebCrypto, in parallel);
   * `null` verifies one by one with `verifier`.
   */
  readonly batchVerify?: ((checks: readonly SignatureCheck[]) => Promise<boolean>) | null
  /** Indexes written in each block's batch besides the transaction and address index. */
  readonly indexers?: readonly ChainIndexer[]
}

export interface ChainEvents {
  applied: [block: Block, id: Uint8Array, height: number]
  reverted: [block: Block, id: Uint8Array, height: number]
  tip: [tip: TipInfo]
  /**
   * A valid block was stored beside the main chain: it did not outweigh the tip (from any source).
   * Emitted inside the write queue: a listener must not wait for a chain write.
   */
  side: [id: Uint8Array, height: number]
}

const ZERO_ID = new Uint8Array(32)

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

/**
 * DESIGN §5 / spec §6.6: the block tree on LevelDB with fork choice, atomic reorgs and orphans. Every
 * write goes through one queue; every block apply or revert, and a whole reorg, is one atomic batch; a
 * reader sees a block only once its batch is committed.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly codec: BlockCodec
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly rules: RuleSet
  readonly genesisId: Uint8Array
  private readonly store: KVStore
  private readonly verifier: Ed25519
  private readonly now: () => number
  private readonly batchVerify: ((checks: readonly SignatureCheck[]) => Promise<boolean>) | null
  private readonly blocks: BlockStore
  private readonly ancestry: Ancestry
  private readonly orphans: OrphanPool
  private readonly indexers: readonly ChainIndexer[]
  /**
   * The indexers that keep a marker of where they are complete (`indexerMarkerKey`), so a data directory
   * made without them is caught up when it opens: the spent coin output index and those extensions add.
   */
  private readonly extraIndexers: readonly ChainIndexer[]
  /** Main chain block IDs and timestamps by height (the stake modifier and retargeting read them). */
  private main!: MainIndex
  private extensions!: ExtensionStore
  private tipInfo!: TipInfo
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  private constructor(opts: ChainOptions) {
    super()
    this.store = opts.store
    this.def = opts.def
    this.registry = opts.registry
    this.rules = opts.rules ?? CORE_RULES
    if (opts.rules && opts.rules.registry !== opts.registry)
      throw new Error("Chain: the registry must be the rule set's (chainConsensus(def))")
    this.verifier = opts.verifier
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000))
    this.batchVerify = opts.batchVerify === undefined ? verifyAll : opts.batchVerify
    this.codec = new BlockCodec(opts.registry)
    this.genesisId = this.codec.id(genesisBlock(opts.def))
    this.blocks = new BlockStore(opts.store, this.codec)
    this.ancestry = new Ancestry(this.blocks, opts.registry)
    this.orphans = new OrphanPool(opts.orphanLimits ?? DEFAULT_ORPHAN_LIMITS)
    this.extraIndexers = [spentCoinIndexer(opts.registry), multisigIndexer(), ...(opts.indexers ?? [])]
    this.indexers = [transactionIndexer(opts.registry), ...this.extraIndexers]
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
    this.main = new MainIndex(ids, timestamps)
    this.extensions = await ExtensionStore.load(this.store)
    this.setTip(tipId, tipMeta)
    // an index added to a data directory that has blocks already (an older build, a program without it)
    for (const indexer of this.extraIndexers)
      await catchUpIndexer(
        {
          store: this.store,
          tipId,
          tipHeight: tipMeta.height,
          idAt: (h) => this.main.idAt(h),
          isOnMainChain: (id, h) => this.main.isOnMain(id, h),
          meta: (id) => this.blocks.meta(id),
          block: (id) => this.blocks.block(id),
        },
        indexer,
      )
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
    this.writeMainBlock(buf, g, this.genesisId, genesisDiff(g, this.registry, this.rules))
    buf.put(infoKey('genesis'), this.genesisId)
    buf.put(infoKey('schema'), new Uint8Array([SCHEMA_VERSION]))
    await buf.commit()
  }

  private setTip(id: Uint8Array, meta: BlockMeta): void {
    this.tipInfo = {
      id,
      height: meta.height,
      timestamp: meta.timestamp,
      depth: meta.depth,
      childTarget: meta.childTarget,
    }
  }

  // ---- reads: committed blocks only -------------------------------------------------------------

  async meta(id: Uint8Array): Promise<BlockMeta | undefined> {
    return this.blocks.meta(id)
  }

  async block(id: Uint8Array): Promise<Block | undefined> {
    return this.blocks.block(id)
  }

  /**
   * The stored Sia encodings of the main-chain blocks from `from` (at most `count`; what `codec.encode`
   * gives), in one read and without decoding: the `blocks` protocol serves these bytes as they are. The
   * IDs are taken at the call; a block's bytes never change, so a reorg meanwhile shows as a broken parent
   * link.
   */
  async blockBytesFrom(from: number, count: number): Promise<{ id: Uint8Array; bytes: Uint8Array }[]> {
    return this.blocks.bytesOf(this.main.idsFrom(from, count))
  }

  /** The ID of the main-chain block at `height`. */
  idAt(height: number): Uint8Array | undefined {
    return this.main.idAt(height)
  }

  /** Timestamps of the main chain from the tip backwards (at most `count`). */
  recentTimestamps(count: number): number[] {
    return this.main.recentTimestamps(count)
  }

  /** Timestamp of the main-chain block at `height`. */
  timestampAt(height: number): number | undefined {
    return this.main.timestampAt(height)
  }

  async blockAt(height: number): Promise<Block | undefined> {
    const id = this.main.idAt(height)
    return id && this.blocks.block(id)
  }

  isOnMainChain(id: Uint8Array, height: number): boolean {
    return this.main.isOnMain(id, height)
  }

  /** The extension state at the committed tip (what the pool validates on and the API answers from). */
  get extensionState(): ExtensionStateView {
    return this.extensions
  }

  async coinOutput(id: Uint8Array): Promise<OutputEntry | undefined> {
    const v = await this.store.get(key(Table.Coin, id))
    return v && { id, ...decodeValue(outputValueCodec, v) }
  }

  async blockStakeOutput(id: Uint8Array): Promise<OutputEntry | undefined> {
    const v = await this.store.get(key(Table.BlockStake, id))
    return v && { id, ...decodeValue(outputValueCodec, v) }
  }

  /** The main-chain transaction that spent coin output `id`, with the output as it was (spent-coins index). */
  async spentCoinOutput(id: Uint8Array): Promise<SpentCoinOutput | undefined> {
    const v = await this.store.get(indexKey(SPENT_COINS_INDEX, id))
    return v && decodeValue(spentCoinOutputCodec, v)
  }

  /**
   * The multisig wallets `member` belongs to (main chain: a wallet counts once an output to it is in a
   * block), each with its condition, in address order; at most `limit`, `more` when there are others.
   * One seek per wallet, however many blocks paid it.
   */
  async multisigWallets(
    member: UnlockHash,
    limit: number,
  ): Promise<{ wallets: { address: UnlockHash; condition: Condition }[]; more: boolean }> {
    const prefix = indexKey(MULTISIG_INDEX, unlockHashBytes(member))
    const { lt } = prefixRange(prefix)
    const wallets: { address: UnlockHash; condition: Condition }[] = []
    let gte = prefix
    for (;;) {
      let found: [Uint8Array, Uint8Array] | undefined
      for await (const entry of this.store.entries({ gte, lt, limit: 1 })) found = entry
      if (!found) return { wallets, more: false }
      if (wallets.length === limit) return { wallets, more: true }
      const at = prefix.length
      const address = { type: found[0][at]!, hash: found[0].slice(at + 1, at + 33) }
      wallets.push({ address, condition: decodeValue(conditionCodec, found[1]) })
      // past every entry of this wallet: its key with the largest height, plus one
      const walletPrefix = multisigKey(member, address, 0).subarray(0, -8)
      gte = new Uint8Array([...walletPrefix, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0])
    }
  }

  async transactionLocation(txId: Uint8Array): Promise<TxLocation | undefined> {
    const v = await this.store.get(key(Table.Tx, txId))
    return v && decodeValue(txLocationCodec, v)
  }

  /**
   * Unspent coin and block stake outputs and main-chain transaction locations by ID, in one store read
   * (the pool's prefetch: one read per submitted set or per revalidation instead of one per ID).
   */
  async lookup(ids: {
    readonly coins: readonly Uint8Array[]
    readonly blockStakes: readonly Uint8Array[]
    readonly transactions: readonly Uint8Array[]
  }): Promise<{
    coins: (OutputEntry | undefined)[]
    blockStakes: (OutputEntry | undefined)[]
    transactions: (TxLocation | undefined)[]
  }> {
    const keys = [
      ...ids.coins.map((id) => key(Table.Coin, id)),
      ...ids.blockStakes.map((id) => key(Table.BlockStake, id)),
      ...ids.transactions.map((id) => key(Table.Tx, id)),
    ]
    const values = keys.length > 0 ? await this.store.getMany(keys) : []
    const output = (id: Uint8Array, v: Uint8Array | undefined): OutputEntry | undefined =>
      v && { id, ...decodeValue(outputValueCodec, v) }
    const nCoins = ids.coins.length
    const nStakes = ids.blockStakes.length
    return {
      coins: ids.coins.map((id, i) => output(id, values[i])),
      blockStakes: ids.blockStakes.map((id, i) => output(id, values[nCoins + i])),
      transactions: ids.transactions.map((_, i) => {
        const v = values[nCoins + nStakes + i]
        return v && decodeValue(txLocationCodec, v)
      }),
    }
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

  /**
   * The entries of indexer `name`'s index (`ChainIndexer`) whose own key starts with `prefix`, in key order,
   * at most `limit`: each its own key (without the table and name) and its value.
   */
  async indexEntries(
    name: string,
    prefix: Uint8Array,
    limit: number,
  ): Promise<{ key: Uint8Array; value: Uint8Array }[]> {
    const at = indexKey(name, new Uint8Array(0)).length
    const out: { key: Uint8Array; value: Uint8Array }[] = []
    for await (const [k, v] of this.store.entries({ ...prefixRange(indexKey(name, prefix)), limit }))
      out.push({ key: k.slice(at), value: v })
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

  /** The hash of the UTXO set and the extension state together (`chainStateHash`). */
  async stateHash(): Promise<Uint8Array> {
    return chainStateHash(await this.utxoHash(), this.extensions.hash(blake2b256), blake2b256)
  }

  // ---- adding blocks ------------------------------------------------------------------------------

  /**
   * Adds a block received from anywhere (`source`: the peer that sent it, which bounds what its orphans
   * may hold); serialised with every other write. Throws ValidationError.
   */
  addBlock(block: Block, source?: string): Promise<AddBlockResult> {
    return this.enqueue(() => this.addBlockNow(block, source))
  }

  /**
   * Adds blocks that extend the tip one after another (import and sync) in atomic groups of `groupSize`
   * whose signatures are verified together (./import.ts). Anything else (a fork, a known block, a failing
   * block) goes through `addBlock` one at a time. Stops at the first invalid block and reports its index.
   */
  addBlocks(blocks: readonly Block[], groupSize = 32): Promise<ImportResult> {
    return this.enqueue(async () => {
      // orphans waiting for an imported block are taken in after the import, never while a group is
      // staged on top of the one just committed (they would be applied above the staged blocks)
      const committed: Uint8Array[] = []
      this.importCommitted = committed
      try {
        return await importBlocks(this.importHost, blocks, groupSize)
      } finally {
        this.importCommitted = undefined
        for (const id of committed) await this.adoptOrphans(id)
      }
    })
  }

  /** The IDs of the blocks the running grouped import committed, for their orphans. */
  private importCommitted: Uint8Array[] | undefined

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error('chain is closed')
      return work()
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private importHostMade?: ImportHost

  /** What the grouped import sees of this chain. */
  private get importHost(): ImportHost {
    if (this.importHostMade) return this.importHostMade
    const chain = this
    this.importHostMade = {
      store: this.store,
      blocks: this.blocks,
      codec: this.codec,
      batchVerify: this.batchVerify,
      get main(): MainIndex {
        return chain.main
      },
      get extensionState(): ExtensionStateView {
        return chain.extensions
      },
      prepare: (block, id, parent, buf) =>
        this.prepareChild(block, id, parent, this.main.working, buf, false),
      apply: (buf, block, id, meta, main, state, deferred) =>
        this.applyInto(buf, block, id, meta, main, state, deferred),
      addOne: (block) => this.addBlockNow(block),
      committed: async (applied: readonly AppliedBlock[], extensionChanges) => {
        this.extensions.committed(extensionChanges)
        const last = applied[applied.length - 1]!
        this.setTip(last.id, last.meta)
        for (const a of applied) this.emit('applied', a.block, a.id, a.meta.height)
        this.emit('tip', this.tipInfo)
        for (const a of applied) this.importCommitted?.push(a.id)
      },
    }
    return this.importHostMade
  }

  private async addBlockNow(block: Block, source?: string): Promise<AddBlockResult> {
    const id = this.codec.id(block)
    const known = await this.blocks.meta(id)
    if (known) {
      if (known.status === BlockStatus.Invalid)
        throw new ValidationError('known-invalid', `block ${toHex(id)} is known to be invalid`)
      return { status: 'duplicate', id }
    }
    const parent = await this.blocks.meta(block.parentId)
    if (!parent) return this.keepOrphan(block, id, source)
    if (parent.status === BlockStatus.Invalid) {
      await this.markInvalid([id], block)
      throw new ValidationError('known-invalid', 'the block extends an invalid block')
    }
    const result = await this.acceptChild(block, id, parent)
    if (result.status === 'tip' || result.status === 'side') await this.adoptOrphans(id)
    return result
  }

  /**
   * A block whose parent is unknown: what can be checked without the parent is checked first (its size,
   * its timestamp against the clock), then it is kept within the orphan limits.
   */
  private keepOrphan(block: Block, id: Uint8Array, source: string | undefined): AddBlockResult {
    const c = this.def.constants
    const bytes = this.codec.encode(block).length
    if (bytes > c.blockSizeLimit)
      throw new ValidationError('block-too-large', `block of ${bytes} bytes exceeds ${c.blockSizeLimit}`)
    if (block.timestamp > this.now() + c.extremeFutureThreshold)
      throw new ValidationError(
        'timestamp-too-far-future',
        `block timestamp ${block.timestamp} is more than ${c.extremeFutureThreshold} s ahead of the clock`,
      )
    this.orphans.add(block, id, bytes, source)
    return { status: 'orphan', id, parentId: block.parentId }
  }

  private async adoptOrphans(parentId: Uint8Array): Promise<void> {
    const pending = [parentId]
    while (pending.length > 0) {
      for (const child of this.orphans.takeChildren(pending.pop()!)) {
        try {
          const r = await this.addBlockNow(child)
          if (r.status === 'tip' || r.status === 'side') pending.push(r.id)
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err
        }
      }
    }
  }

  /**
   * The arrival checks of a block whose parent is known (spec §5.2 steps 2–8) and its metadata, on the
   * main chain `main` (the committed one, or the import's working one). Marks it invalid on a rule
   * failure (not for a time-dependent one) when `rememberInvalid`.
   */
  private async prepareChild(
    block: Block,
    id: Uint8Array,
    parent: BlockMeta,
    main: MainView,
    buf?: WriteBuffer,
    rememberInvalid = true,
  ): Promise<Prepared> {
    const c = this.def.constants
    const height = parent.height + 1
    // the oldest ancestor a rule reads on this block's own branch: the stake modifier's 256 IDs ending
    // StakeModifierDelay back (spec §6.2), the retarget window, the median window (the largest of these
    // starts was taken before, so a side block more than 11 above its fork read older IDs off the main chain)
    const lowest = Math.max(
      0,
      Math.min(
        height - c.stakeModifierDelay - 255,
        height - c.targetWindow,
        height - c.medianTimestampWindow,
      ),
    )
    const ancestorAt = await this.ancestry.branchIds(
      main,
      block.parentId,
      parent.height,
      Math.min(lowest, block.pobsOutput.blockHeight),
      buf,
    )
    const stake = await this.ancestry.stakeOutputOn(ancestorAt, block, parent.height, buf)
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
          recentTimestamps: await this.ancestry.branchTimestamps(
            main,
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
      ? await this.ancestry.timestampOf(main, ancestorAt(windowStart), windowStart, buf)
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
    const prepared = await this.prepareChild(block, id, parent, this.main)
    if ('futureUntil' in prepared) return { status: 'future', id, retryAt: prepared.futureUntil }
    const { meta, encoded } = prepared
    const buf = new WriteBuffer(this.store)
    buf.put(key(Table.Block, id), encoded)
    buf.put(key(Table.Meta, id), encodeValue(blockMetaCodec, meta))
    if (!isHeavier(meta.depth, this.tipInfo.depth, this.tipInfo.childTarget)) {
      await buf.commit()
      this.blocks.remember(id, block)
      this.emit('side', id, meta.height)
      return { status: 'side', id, height: meta.height }
    }
    const result = await this.switchTo(buf, block, id, meta)
    this.blocks.remember(id, block)
    return result
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
    while (!this.main.isOnMain(cursor.parentId, cursor.height - 1)) {
      const pm = (await this.blocks.meta(cursor.parentId, buf))!
      branch.push({ id: cursor.parentId, meta: pm })
      cursor = pm
    }
    const ancestorHeight = cursor.height - 1
    if (this.main.working.length !== this.main.length)
      throw new Error('a branch switch while blocks are staged would apply above them')
    // a plain extension stages on the index itself (above its committed length); a reorg works on a copy
    const extending = ancestorHeight === this.tipInfo.height
    const main = extending ? this.main : this.main.fork()
    const baseLength = main.length
    const state = new ExtensionStateOverlay(this.extensions)
    const reverted: Block[] = []
    const revertedAt: { id: Uint8Array; height: number }[] = []
    for (let h = this.tipInfo.height; h > ancestorHeight; h--) {
      const rid = main.idAt(h)!
      const rb = (await this.blocks.block(rid))!
      for (const c of await this.revertMainBlock(buf, rb, rid, h)) state.set(c.extension, c.key, c.after)
      reverted.push(rb)
      revertedAt.push({ id: rid, height: h })
      main.pop()
    }
    const applied: Block[] = []
    const forward = [...branch].reverse()
    try {
      for (const step of forward) {
        const b = step.id === id ? block : (await this.blocks.block(step.id))!
        try {
          const diff = await this.applyInto(buf, b, step.id, step.meta, main.working, state)
          for (const c of diff.extensionChanges) state.set(c.extension, c.key, c.after)
        } catch (err) {
          if (err instanceof ValidationError) {
            // nothing of the switch is written; the failing block and everything after it are invalid
            const bad = forward.slice(forward.indexOf(step)).map((s) => s.id)
            await this.markInvalid(bad, block, id, meta)
          }
          throw err
        }
        applied.push(b)
        main.push(step.id, step.meta.timestamp)
      }
      buf.put(infoKey('tip'), id)
      await buf.commit()
    } catch (err) {
      if (extending) main.truncate(baseLength)
      throw err
    }
    main.commitUpTo(main.working.length)
    this.main = main
    this.extensions.committed(state.changes)
    this.setTip(id, meta)
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
    const parent = await this.blocks.meta(block.parentId)
    for (const bid of ids) {
      const known = newId && equalBytes(bid, newId) ? newMeta : await this.blocks.meta(bid)
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
      this.blocks.forget(bid)
    }
    await buf.commit()
  }

  /** Validates and applies a block on top of `main` into `buf` (spec §6.5); throws ValidationError. */
  private async applyInto(
    buf: WriteBuffer,
    block: Block,
    id: Uint8Array,
    meta: BlockMeta,
    main: MainView,
    state: ExtensionStateView,
    deferred?: DeferredVerifier,
  ): Promise<BlockDiff> {
    const at = block.pobsOutput
    const holder = await this.blocks.block(main.idAt(at.blockHeight) ?? ZERO_ID, buf)
    const tx = holder?.transactions[at.transactionIndex]
    if (!tx?.blockStakeOutputs[at.outputIndex]) {
      throw new ValidationError('stake-output-missing', 'block stake output does not exist on this branch')
    }
    const stakeId = this.registry.blockStakeOutputId(tx, at.outputIndex)
    const view = await spentOutputs(buf, block.transactions)
    const maturing = await delayedAt(buf, meta.height)
    const apply = (verifier: Ed25519) =>
      applyBlock(
        block,
        id,
        {
          def: this.def,
          registry: this.registry,
          rules: this.rules,
          state,
          verifier,
          height: meta.height,
          stakeId,
        },
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
      // the batch failing, the verifier one by one finds the failing input and throws its ValidationError;
      // if every signature verifies alone, the batch check failed for another reason and the block is valid
      if (!(await this.batchVerify(deferred.checks))) apply(this.verifier)
    } else {
      diff = apply(this.verifier)
    }
    this.writeMainBlock(buf, block, id, diff)
    buf.put(key(Table.Meta, id), encodeValue(blockMetaCodec, { ...meta, status: BlockStatus.Valid }))
    return diff
  }

  /** A block joins the main chain: its diff, its indexes and the tip pointer, in `buf`. */
  private writeMainBlock(buf: WriteBuffer, block: Block, id: Uint8Array, diff: BlockDiff): void {
    writeDiff(buf, id, diff)
    writeExtensionChanges(buf, diff.extensionChanges)
    buf.put(infoKey('tip'), id)
    for (const indexer of this.indexers) indexer.index(buf, { block, id, height: diff.height, diff }, 'put')
    for (const indexer of this.extraIndexers) buf.put(indexerMarkerKey(indexer.name), id)
  }

  /** A block leaves the main chain: the reverse of `writeMainBlock`, in `buf`; returns the state changes that undo it. */
  private async revertMainBlock(
    buf: WriteBuffer,
    block: Block,
    id: Uint8Array,
    height: number,
  ): Promise<ReturnType<typeof invertChanges>> {
    const diff = await revertDiff(buf, id, height)
    const undo = invertChanges(diff.extensionChanges)
    writeExtensionChanges(buf, undo)
    for (const indexer of this.indexers) indexer.index(buf, { block, id, height, diff }, 'del')
    for (const indexer of this.extraIndexers) buf.put(indexerMarkerKey(indexer.name), block.parentId)
    return undo
  }

  /** Waits for pending writes, then closes the store. */
  async close(): Promise<void> {
    this.closed = true
    await this.queue
    await this.store.close()
  }
}
