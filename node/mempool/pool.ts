// DESIGN §5, spec/rivine.md §4.4 ("Transaction pool only") and spec/tfchain.md §7.4: the transaction pool.
// Sets of dependent transactions are validated on top of everything already in the pool with the tip's
// height and timestamp; the pool keeps itself valid on the current tip as blocks come and go.
import { EventEmitter } from 'node:events'
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import {
  type ExtensionChange,
  ExtensionStateOverlay,
  type ExtensionStateView,
} from '../../consensus/state/extensions.js'
import { hexKey, MapView, type OutputEntry, type OutputView } from '../../consensus/state/outputs.js'
import type { Block } from '../../consensus/types/block.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { u64le } from '../../consensus/types/unlockhash.js'
import {
  type ValidationCode,
  type ValidationDetails,
  ValidationError,
} from '../../consensus/validation/errors.js'
import {
  type AppliedTransactions,
  applyTransactions,
  type TxContext,
} from '../../consensus/validation/transaction.js'
import type { TransactionSource } from '../blockcreator/creator.js'
import type { Chain, TipInfo } from '../chain/chain.js'
import { DeferredVerifier, type SignatureCheck, verifyAll } from '../chain/verify.js'

// ---- errors ----------------------------------------------------------------------------------------

export type PoolErrorCode =
  /** The submitted set holds no transaction. */
  | 'empty-set'
  /** A transaction's Sia size exceeds `transactionSizeLimit`. */
  | 'tx-too-large'
  /** The set's total size exceeds `transactionSetSizeLimit`. */
  | 'set-too-large'
  /** The same set is already in the pool, or every transaction is already in the pool. */
  | 'duplicate'
  /** Every transaction of the set is already in a main-chain block. */
  | 'already-confirmed'
  /** A transaction spends an output a pool transaction already spends (first seen wins). */
  | 'conflict'
  /** The pool is full and the set does not pay more per byte than what it could evict. */
  | 'pool-full'
  /** Consensus validation failed; `cause` is the ValidationError. */
  | 'invalid'

export interface PoolErrorDetails {
  /** Index of the offending transaction in the submitted set. */
  readonly transaction?: number
  /** The offending input (conflicts and validation failures). */
  readonly input?: ValidationDetails['input']
  /** The size that broke a limit, and the limit. */
  readonly size?: number
  readonly limit?: number
  /** ID of the pool transaction that already spends the input. */
  readonly conflictsWith?: Uint8Array
}

export class PoolError extends Error {
  override readonly name = 'PoolError'
  /** For 'invalid': the validation failure, its `details.transaction` indexing the submitted set. */
  override readonly cause: ValidationError | undefined

  constructor(
    readonly code: PoolErrorCode,
    message: string,
    readonly details: PoolErrorDetails = {},
    cause?: ValidationError,
  ) {
    super(message)
    this.cause = cause
  }
}

// ---- public types ----------------------------------------------------------------------------------

export type RemovalReason =
  /** Included in a main-chain block. */
  | 'confirmed'
  /** A block spent one of its inputs (or of an ancestor's inputs). */
  | 'conflict'
  /** No longer valid on the new tip (revalidation after a tip change). */
  | 'invalid'
  /** Pushed out by a set paying more per byte, or no room after a reorg. */
  | 'evicted'

export interface PoolSetInfo {
  /** `H(sia([]tx))` of the set as submitted (spec §4.4). */
  readonly id: Uint8Array
  /** The set's transactions still in the pool, in apply order. */
  readonly transactions: readonly Transaction[]
  readonly ids: readonly Uint8Array[]
  readonly bytes: number
  readonly fees: bigint
  /** Local clock (unix seconds) and tip height when the set entered the pool (for rebroadcast). */
  readonly addedAt: number
  readonly addedHeight: number
}

export interface PoolEvents {
  /** A set entered the pool (submitted, or a reverted transaction returned). */
  added: [set: PoolSetInfo]
  removed: [ids: readonly Uint8Array[], reason: RemovalReason]
}

export interface TransactionPoolOptions {
  readonly chain: Chain
  readonly verifier: Ed25519
  /** The local clock in unix seconds (injectable for tests). */
  readonly now?: () => number
  /** Called when revalidation after a tip change fails unexpectedly (e.g. the store is closed). */
  readonly onError?: (err: unknown) => void
  /** Verifies a set's signatures together (default: OpenSSL in parallel, `verifyAll`). */
  readonly verifyBatch?: (checks: readonly SignatureCheck[]) => Promise<boolean>
}

// ---- internal state --------------------------------------------------------------------------------

/** Output keys: kind prefix ('c' coin, 'b' block stake) and hex ID. */
const coinKey = (id: Uint8Array) => `c${hexKey(id)}`
const stakeKey = (id: Uint8Array) => `b${hexKey(id)}`

interface Described {
  readonly tx: Transaction
  readonly id: Uint8Array
  readonly key: string
  readonly encoded: Uint8Array
  readonly size: number
  readonly fees: bigint
  /** Keys of the outputs it spends. */
  readonly inputs: readonly string[]
  /** The outputs it creates. */
  readonly outputs: readonly { readonly key: string; readonly entry: OutputEntry }[]
}

interface Entry extends Omit<Described, 'encoded'> {
  readonly set: SetEntry
  /** The outputs it spends, as validated (a new block's recheck reads their conditions: time locks). */
  readonly spent: Spent
}

interface Spent {
  readonly coins: readonly OutputEntry[]
  readonly blockStakes: readonly OutputEntry[]
}

interface SetEntry {
  readonly key: string
  readonly id: Uint8Array
  readonly txs: Entry[]
  bytes: number
  fees: bigint
  /** Insertion order (older first on equal fee rates). */
  readonly seq: number
  readonly addedAt: number
  readonly addedHeight: number
}

interface Rated {
  readonly fees: bigint
  readonly bytes: number
}

/** a pays strictly less per byte than b. */
const paysLess = (a: Rated, b: Rated): boolean => a.fees * BigInt(b.bytes) < b.fees * BigInt(a.bytes)

/** Higher fee per byte first, then older first. */
const byPriority = (a: SetEntry, b: SetEntry): number =>
  paysLess(b, a) ? -1 : paysLess(a, b) ? 1 : a.seq - b.seq

const isRespend = (tx: Transaction): boolean =>
  tx.minerFees.length === 0 &&
  tx.coinInputs.length === 0 &&
  tx.coinOutputs.length === 0 &&
  tx.blockStakeInputs.length === 1 &&
  tx.blockStakeOutputs.length === 1

/** The pool's transactions with indexes of what they spend and create; always valid in insertion order. */
class PoolState {
  readonly txs = new Map<string, Entry>()
  readonly sets = new Map<string, SetEntry>()
  readonly spentBy = new Map<string, Entry>()
  readonly createdBy = new Map<string, { readonly entry: OutputEntry; readonly tx: Entry }>()
  bytes = 0
  /** The extension state changes of pool transactions (recorded on the first transaction of their set). */
  private readonly changes = new Map<Entry, readonly ExtensionChange[]>()
  private extensionState: ExtensionStateOverlay
  private extensionStale = false

  /** `base`: the chain's committed extension state. */
  constructor(private readonly base: ExtensionStateView) {
    this.extensionState = new ExtensionStateOverlay(base)
  }

  /** The extension state with every pool transaction applied, over the chain's committed state. */
  get extension(): ExtensionStateView {
    if (this.extensionStale) {
      // a transaction that changed state left: replay what the others changed, in pool order
      this.extensionState = new ExtensionStateOverlay(this.base)
      for (const e of this.txs.values())
        for (const c of this.changes.get(e) ?? []) this.extensionState.set(c.extension, c.key, c.after)
      this.extensionStale = false
    }
    return this.extensionState
  }

  /** `e` (in the pool) changed the extension state so. */
  recordChanges(e: Entry, changes: readonly ExtensionChange[]): void {
    if (changes.length === 0) return
    this.changes.set(e, changes)
    if (!this.extensionStale) for (const c of changes) this.extensionState.set(c.extension, c.key, c.after)
  }

  insert(set: SetEntry, d: Omit<Described, 'encoded'>, spent: Spent): Entry {
    const e: Entry = {
      spent,
      tx: d.tx,
      id: d.id,
      key: d.key,
      size: d.size,
      fees: d.fees,
      inputs: d.inputs,
      outputs: d.outputs,
      set,
    }
    set.txs.push(e)
    set.bytes += e.size
    set.fees += e.fees
    this.sets.set(set.key, set)
    this.txs.set(e.key, e)
    for (const k of e.inputs) this.spentBy.set(k, e)
    for (const o of e.outputs) this.createdBy.set(o.key, { entry: o.entry, tx: e })
    this.bytes += e.size
    return e
  }

  remove(e: Entry): void {
    if (this.txs.get(e.key) !== e) return
    this.txs.delete(e.key)
    for (const k of e.inputs) if (this.spentBy.get(k) === e) this.spentBy.delete(k)
    for (const o of e.outputs) if (this.createdBy.get(o.key)?.tx === e) this.createdBy.delete(o.key)
    const set = e.set
    const i = set.txs.indexOf(e)
    if (i >= 0) set.txs.splice(i, 1)
    set.bytes -= e.size
    set.fees -= e.fees
    if (set.txs.length === 0) this.sets.delete(set.key)
    this.bytes -= e.size
    if (this.changes.delete(e)) this.extensionStale = true
  }

  /** The entries and every pool transaction spending their outputs, transitively, in pool order. */
  withDescendants(roots: Iterable<Entry>): Entry[] {
    const seen = new Set<Entry>()
    const stack = [...roots]
    while (stack.length > 0) {
      const e = stack.pop()!
      if (seen.has(e)) continue
      seen.add(e)
      for (const o of e.outputs) {
        const child = this.spentBy.get(o.key)
        if (child && !seen.has(child)) stack.push(child)
      }
    }
    return [...this.txs.values()].filter((e) => seen.has(e))
  }

  /** Sets holding transactions that create outputs `inputs` spend (other than `self`). */
  parentsOf(inputs: Iterable<string>, self?: SetEntry): Set<SetEntry> {
    const out = new Set<SetEntry>()
    for (const k of inputs) {
      const c = this.createdBy.get(k)
      if (c && c.tx.set !== self) out.add(c.tx.set)
    }
    return out
  }

  childrenOf(set: SetEntry): Set<SetEntry> {
    const out = new Set<SetEntry>()
    for (const e of set.txs)
      for (const o of e.outputs) {
        const s = this.spentBy.get(o.key)
        if (s && s.set !== set) out.add(s.set)
      }
    return out
  }

  /** `roots` and all sets reachable through `next`. */
  closure(roots: Iterable<SetEntry>, next: (s: SetEntry) => Iterable<SetEntry>): Set<SetEntry> {
    const seen = new Set<SetEntry>()
    const stack = [...roots]
    while (stack.length > 0) {
      const s = stack.pop()!
      if (seen.has(s)) continue
      seen.add(s)
      for (const n of next(s)) if (!seen.has(n)) stack.push(n)
    }
    return seen
  }
}

/** Chain outputs (prefetched) under the pool: pool spends hide outputs, pool creations add them. */
class PoolView implements OutputView {
  constructor(
    private readonly state: PoolState,
    private readonly chain: OutputView,
  ) {}
  coinOutput(id: Uint8Array): OutputEntry | undefined {
    const k = coinKey(id)
    if (this.state.spentBy.has(k)) return undefined
    return this.state.createdBy.get(k)?.entry ?? this.chain.coinOutput(id)
  }
  blockStakeOutput(id: Uint8Array): OutputEntry | undefined {
    const k = stakeKey(id)
    if (this.state.spentBy.has(k)) return undefined
    return this.state.createdBy.get(k)?.entry ?? this.chain.blockStakeOutput(id)
  }
}

/** What the sets of a group validated so far spend and create, on top of the pool (not yet in it). */
class GroupOverlay {
  readonly txs = new Set<string>()
  readonly sets = new Set<string>()
  readonly spentBy = new Map<string, Described>()
  readonly created = new Map<string, OutputEntry>()

  add(fresh: readonly Described[], setKey: string): void {
    this.sets.add(setKey)
    for (const d of fresh) {
      this.txs.add(d.key)
      for (const o of d.outputs) this.created.set(o.key, o.entry)
      for (const k of d.inputs) this.spentBy.set(k, d)
    }
  }
}

/** The pool's view with a group's earlier sets applied on top. */
class GroupView implements OutputView {
  constructor(
    private readonly group: GroupOverlay,
    private readonly pool: PoolView,
  ) {}
  coinOutput(id: Uint8Array): OutputEntry | undefined {
    const k = coinKey(id)
    if (this.group.spentBy.has(k)) return undefined
    return this.group.created.get(k) ?? this.pool.coinOutput(id)
  }
  blockStakeOutput(id: Uint8Array): OutputEntry | undefined {
    const k = stakeKey(id)
    if (this.group.spentBy.has(k)) return undefined
    return this.group.created.get(k) ?? this.pool.blockStakeOutput(id)
  }
}

/** A binary max-heap. */
class Heap<T> {
  private readonly items: T[] = []
  constructor(private readonly before: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length
  }
  push(x: T): void {
    const a = this.items
    a.push(x)
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1
      if (!this.before(a[i]!, a[p]!)) break
      ;[a[i], a[p]] = [a[p]!, a[i]!]
      i = p
    }
  }
  pop(): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      a[0] = last
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m]!, a[i]!]
        i = m
      }
    }
    return top
  }
}

/** Prefetch attempts before proceeding on a tip that keeps moving (the next revalidation corrects it). */
const MAX_FETCH_ROUNDS = 5

/**
 * Submissions validated together at most (one store read and one signature batch for all of them): the
 * sets that arrive while the pool is busy wait in the intake and are taken together.
 */
const MAX_GROUP_SETS = 256

/** Refused sets remembered at most. */
const MAX_REMEMBERED_REJECTIONS = 4096

/**
 * Failures that no later chain state can change (a set's own bytes break them: its signatures, sizes,
 * standardness, balance; output IDs fix the values spent): such a set is refused again at once. Rules that
 * start at a height (minimum fees, the end of v0) are not among them: a reorg can cross that height.
 */
const PERMANENT_FAILURES: ReadonlySet<ValidationCode> = new Set<ValidationCode>([
  'tx-too-large',
  'arbitrary-data-too-large',
  'nonstandard-input',
  'nonstandard-output',
  'zero-parent-id',
  'zero-value-output',
  'double-spend',
  'unfulfilled',
  'unbalanced-coins',
  'unbalanced-block-stakes',
  'unknown-version',
])

/** What each of `txs` spent, from their joint validation (`applied` lists spends in transaction order). */
function spentPerTransaction(txs: readonly Transaction[], applied: AppliedTransactions): Spent[] {
  let coin = 0
  let stake = 0
  return txs.map((tx) => {
    const coins = applied.spentCoins.slice(coin, coin + tx.coinInputs.length)
    const blockStakes = applied.spentBlockStakes.slice(stake, stake + tx.blockStakeInputs.length)
    coin += tx.coinInputs.length
    stake += tx.blockStakeInputs.length
    return { coins, blockStakes }
  })
}

// ---- the pool --------------------------------------------------------------------------------------

export class TransactionPool extends EventEmitter<PoolEvents> implements TransactionSource {
  private readonly chain: Chain
  private readonly verifier: Ed25519
  private readonly verifyBatch: (checks: readonly SignatureCheck[]) => Promise<boolean>
  /** Sets refused lately for a reason no state can change, by set key (bounded, oldest dropped). */
  private readonly rejections = new Map<string, PoolError>()
  private readonly now: () => number
  private readonly onError: (err: unknown) => void
  private state: PoolState
  private seq = 0
  private queue: Promise<unknown> = Promise.resolve()
  /**
   * Submissions waiting for a drain; a drain is queued in `queue` for every `MAX_GROUP_SETS` of them, so
   * every submission's drain is queued when `addSet` returns (`settled` waits for it).
   */
  private intake: Submission[] = []
  private drainsQueued = 0
  private attached = false
  private resyncQueued = false
  /** Transactions of reverted blocks waiting for the next revalidation, by block height. */
  private returning: { height: number; txs: readonly Transaction[] }[] = []
  /** Set between a revert and the revalidation after it: pool transactions may spend reverted outputs. */
  private stale = false

  constructor(opts: TransactionPoolOptions) {
    super()
    this.chain = opts.chain
    this.verifier = opts.verifier
    this.verifyBatch = opts.verifyBatch ?? verifyAll
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000))
    this.onError = opts.onError ?? (() => undefined)
    this.state = new PoolState(opts.chain.extensionState)
  }

  /** Follows the chain: drops confirmed and conflicting transactions, revalidates after every tip change. */
  attach(): this {
    if (this.attached) return this
    this.attached = true
    this.chain.on('applied', this.onApplied)
    this.chain.on('reverted', this.onReverted)
    this.chain.on('tip', this.onTip)
    // catch up with blocks applied while detached
    if (this.size > 0) this.onTip()
    return this
  }

  detach(): void {
    if (!this.attached) return
    this.attached = false
    this.chain.off('applied', this.onApplied)
    this.chain.off('reverted', this.onReverted)
    this.chain.off('tip', this.onTip)
  }

  // ---- reads -----------------------------------------------------------------------------------------

  /** Number of transactions. */
  get size(): number {
    return this.state.txs.size
  }

  /** Total Sia size of the pool's transactions. */
  get bytes(): number {
    return this.state.bytes
  }

  has(id: Uint8Array): boolean {
    return this.state.txs.has(hexKey(id))
  }

  get(id: Uint8Array): Transaction | undefined {
    return this.state.txs.get(hexKey(id))?.tx
  }

  /** Every pool transaction, in an order valid to apply on the tip. */
  transactions(): readonly Transaction[] {
    return [...this.state.txs.values()].map((e) => e.tx)
  }

  /** The pool's sets, in an order valid to apply on the tip. */
  sets(): readonly PoolSetInfo[] {
    return [...this.state.sets.values()].map(setInfo)
  }

  /** The pool transaction spending a coin or block stake output, if any. */
  spenderOf(outputId: Uint8Array): Transaction | undefined {
    return (this.state.spentBy.get(coinKey(outputId)) ?? this.state.spentBy.get(stakeKey(outputId)))?.tx
  }

  /** Resolves once every submission and revalidation queued so far has finished. */
  settled(): Promise<void> {
    return this.queue.then(() => undefined)
  }

  // ---- block creation ----------------------------------------------------------------------------

  /**
   * Transactions for a new block within `maxBytes`, highest fee per byte first, parents before children.
   * With `at` (the block's height and timestamp) each set is checked again in that block's own context, on
   * top of the sets before it: a set that fails there stays out (a transaction valid at the tip's time but
   * not at a later one could otherwise keep every block failing); the revalidation after the block drops it.
   */
  transactionsForBlock(
    maxBytes: number,
    at?: { readonly height: number; readonly timestamp: number },
  ): readonly Transaction[] {
    if (this.stale) return []
    const state = this.state
    const waiting = new Map<SetEntry, number>()
    const children = new Map<SetEntry, SetEntry[]>()
    const ready = new Heap<SetEntry>((a, b) => byPriority(a, b) < 0)
    for (const s of state.sets.values()) {
      const parents = state.parentsOf(
        s.txs.flatMap((e) => e.inputs),
        s,
      )
      waiting.set(s, parents.size)
      for (const p of parents) {
        const list = children.get(p)
        if (list) list.push(s)
        else children.set(p, [s])
      }
      if (parents.size === 0) ready.push(s)
    }
    const chosen: SetEntry[] = []
    let used = 0
    for (let s = ready.pop(); s; s = ready.pop()) {
      // a set that does not fit stays out, and so do the sets depending on it
      if (used + s.bytes > maxBytes) continue
      used += s.bytes
      chosen.push(s)
      for (const c of children.get(s) ?? []) {
        const n = waiting.get(c)! - 1
        waiting.set(c, n)
        if (n === 0) ready.push(c)
      }
    }
    if (!at) return chosen.flatMap((s) => s.txs.map((e) => e.tx))
    // in the order the sets entered the pool, parents first: a set may depend on an earlier one's extension
    // state change (an address update, a new mint condition), not only on its outputs (and a set returned by
    // a reorg comes back later than the children it has in the pool)
    const inBlock = new Set(chosen)
    const ordered: SetEntry[] = []
    const placed = new Set<SetEntry>()
    // parents before children without recursion (a chain of dependent sets may be long)
    const place = (root: SetEntry): void => {
      const stack: { set: SetEntry; expanded: boolean }[] = [{ set: root, expanded: false }]
      while (stack.length > 0) {
        const top = stack.pop()!
        if (top.expanded) {
          ordered.push(top.set)
          continue
        }
        if (placed.has(top.set)) continue
        placed.add(top.set)
        stack.push({ set: top.set, expanded: true })
        const parents = state.parentsOf(
          top.set.txs.flatMap((e) => e.inputs),
          top.set,
        )
        for (const p of parents) if (inBlock.has(p) && !placed.has(p)) stack.push({ set: p, expanded: false })
      }
    }
    for (const s of chosen.sort((a, b) => a.seq - b.seq)) place(s)
    return this.recheck(ordered, at)
  }

  /** The sets that still validate in the block context `at`, in order; the others stay out of the block. */
  private recheck(
    sets: readonly SetEntry[],
    at: { readonly height: number; readonly timestamp: number },
  ): Transaction[] {
    const state = this.state
    // what the sets spend from the chain (outputs of pool transactions come from their sets, in order)
    const fromChain = new MapView()
    for (const s of sets)
      for (const e of s.txs) {
        for (const o of e.spent.coins)
          if (!state.createdBy.has(coinKey(o.id))) fromChain.coins.set(hexKey(o.id), o)
        for (const o of e.spent.blockStakes)
          if (!state.createdBy.has(stakeKey(o.id))) fromChain.blockStakes.set(hexKey(o.id), o)
      }
    // each set that validates is folded into one flat view of the block so far (an overlay per set on top
    // of the last one made every lookup walk all the sets before it: quadratic in the block, and a stack
    // overflow from about 10,000 sets)
    const view = fromChain
    const extension = new ExtensionStateOverlay(this.chain.extensionState)
    const out: Transaction[] = []
    for (const s of sets) {
      const txs = s.txs.map((e) => e.tx)
      try {
        // signatures were verified when the set entered the pool and do not depend on the block
        const applied = applyTransactions(txs, this.blockContext(at, extension, new DeferredVerifier()), view)
        // created first: an output created and spent inside the set is gone
        for (const o of applied.createdCoins) view.coins.set(hexKey(o.id), o)
        for (const o of applied.createdBlockStakes) view.blockStakes.set(hexKey(o.id), o)
        for (const o of applied.spentCoins) view.coins.delete(hexKey(o.id))
        for (const o of applied.spentBlockStakes) view.blockStakes.delete(hexKey(o.id))
        for (const c of applied.extensionChanges) extension.set(c.extension, c.key, c.after)
        out.push(...txs)
      } catch (err) {
        // stays out of this block (and so do the sets spending its outputs, which then miss them); it leaves
        // the pool at the next revalidation if it is not valid at the next block's time either (a time
        // lock this block is too early for is reached later)
        if (!(err instanceof ValidationError)) throw err
      }
    }
    return out
  }

  // ---- submission --------------------------------------------------------------------------------

  /**
   * Adds a transaction set (dependent transactions in order), validated on top of the pool with the
   * tip's height and timestamp (spec §4.4). Returns the IDs of all its transactions; throws PoolError.
   */
  addSet(txs: readonly Transaction[]): Promise<{ ids: Uint8Array[] }> {
    return new Promise((resolve, reject) => {
      this.intake.push({ txs, resolve, reject })
      if (this.intake.length > this.drainsQueued * MAX_GROUP_SETS) {
        this.drainsQueued++
        this.serial(() => this.drain()).catch((err) => this.onError(err))
      }
    })
  }

  /**
   * Takes the waiting submissions: one alone goes through `addSetNow`; several are validated as a group
   * (`addGroupNow`), each set on top of the pool and the sets before it, as if submitted one by one.
   */
  private async drain(): Promise<void> {
    this.drainsQueued--
    const group = this.intake.splice(0, MAX_GROUP_SETS)
    if (group.length === 0) return
    if (group.length === 1) return settle(group[0]!, () => this.addSetNow(group[0]!.txs))
    let pending: readonly Prepared[] = []
    try {
      pending = group.flatMap((sub) => {
        try {
          return [{ sub, ...this.prepare(sub.txs) }]
        } catch (err) {
          sub.reject(err)
          return []
        }
      })
      await this.addGroupNow(pending, new Set())
    } catch (err) {
      // not a refusal (the store failed): every set still waiting gets the error
      for (const p of pending) p.sub.reject(err)
    }
  }

  /** The set's sizes checked (these refusals need no state), its transactions described, its ID. */
  private prepare(txs: readonly Transaction[]): Omit<Prepared, 'sub'> {
    if (txs.length === 0) throw new PoolError('empty-set', 'the transaction set is empty')
    const c = this.chain.def.constants
    const described = txs.map((tx) => this.describe(tx))
    let total = 0
    for (const [i, d] of described.entries()) {
      if (d.size > c.transactionSizeLimit) {
        throw new PoolError(
          'tx-too-large',
          `transaction ${i} has ${d.size} bytes, more than ${c.transactionSizeLimit}`,
          { transaction: i, size: d.size, limit: c.transactionSizeLimit },
        )
      }
      total += d.size
    }
    if (total > c.transactionSetSizeLimit) {
      throw new PoolError(
        'set-too-large',
        `the set has ${total} bytes, more than ${c.transactionSetSizeLimit}`,
        { size: total, limit: c.transactionSetSizeLimit },
      )
    }
    const setId = blake2b256(u64le(described.length), ...described.map((d) => d.encoded))
    return { described, setId, setKey: hexKey(setId) }
  }

  /**
   * Validates `group` in order, each set on top of the pool and the group's sets before it, with one store
   * read for all of them and their signatures verified in one batch; settles each submission. The outcome
   * is the one of `addSetNow` for each set in turn: when the batch fails (a bad signature), every set goes
   * through `addSetNow` one by one (a set after the bad one may have been refused because of it); a set
   * that would need evictions goes through it too, with those after it. `verified`: sets whose signatures
   * an earlier pass verified (a pass starts again when the chain moved during the batch check).
   */
  private async addGroupNow(group: readonly Prepared[], verified: Set<string>): Promise<void> {
    if (this.stale) await this.resync()
    const {
      view: chainView,
      tip,
      confirmed,
    } = await this.fetch(
      () => group.flatMap((p) => p.described.map((d) => d.tx)),
      () => group.flatMap((p) => p.described.filter((d) => !this.state.txs.has(d.key)).map((d) => d.id)),
    )

    // from here to the signature batch everything is synchronous: no chain event can interleave
    const state = this.state
    const overlay = new GroupOverlay()
    const view = new GroupView(overlay, new PoolView(state, chainView))
    const extension = new ExtensionStateOverlay(state.extension)
    const limit = this.chain.def.constants.poolSizeLimit
    const outcomes: GroupOutcome[] = []
    const checks: SignatureCheck[] = []
    const checked: string[] = []
    /** Where each set's checks lie in `checks`, by its index in the group. */
    const ranges: { readonly n: number; readonly from: number; readonly to: number }[] = []
    let bytes = 0
    let alone = group.length
    for (const [n, p] of group.entries()) {
      try {
        const { setKey, described } = p
        if (state.sets.has(setKey) || overlay.sets.has(setKey))
          throw new PoolError('duplicate', 'the transaction set is already known')
        const known = this.rejections.get(setKey)
        if (known) throw known
        const fresh: { d: Described; index: number }[] = []
        const seen = new Set<string>()
        for (const [index, d] of described.entries()) {
          if (confirmed.has(d.key) || state.txs.has(d.key) || overlay.txs.has(d.key) || seen.has(d.key))
            continue
          seen.add(d.key)
          fresh.push({ d, index })
        }
        if (fresh.length === 0) {
          if (described.every((d) => confirmed.has(d.key)))
            throw new PoolError('already-confirmed', 'every transaction of the set is already confirmed')
          throw new PoolError('duplicate', 'every transaction of the set is already in the pool or confirmed')
        }
        for (const { d, index } of fresh) {
          for (const [i, k] of d.inputs.entries()) {
            const other = state.spentBy.get(k) ?? overlay.spentBy.get(k)
            if (!other) continue
            throw conflict(d, index, i, other)
          }
        }
        const setBytes = fresh.reduce((s, f) => s + f.d.size, 0)
        if (state.bytes + bytes + setBytes > limit) {
          // evictions: this set and the ones after it one by one
          alone = n
          break
        }
        const deferred = new DeferredVerifier()
        let applied: AppliedTransactions
        try {
          applied = applyTransactions(
            fresh.map((f) => f.d.tx),
            this.context(tip, extension, deferred),
            view,
          )
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err
          throw this.rejected(
            setKey,
            invalid(
              err,
              fresh.map((f) => f.index),
            ),
          )
        }
        if (!verified.has(setKey) && deferred.checks.length > 0) {
          ranges.push({ n, from: checks.length, to: checks.length + deferred.checks.length })
          checks.push(...deferred.checks)
          checked.push(setKey)
        }
        overlay.add(
          fresh.map((f) => f.d),
          setKey,
        )
        for (const c of applied.extensionChanges) extension.set(c.extension, c.key, c.after)
        bytes += setBytes
        outcomes.push({ ok: true, fresh: fresh.map((f) => f.d), applied })
      } catch (err) {
        if (!(err instanceof PoolError)) throw err
        outcomes.push({ ok: false, err })
      }
    }

    if (checks.length > 0) {
      if (!(await this.verifyBatch(checks))) {
        // a signature fails: the sets before the first one whose signatures fail keep their outcomes (each
        // was judged on the pool and sets before it, all verified), and from that set on each goes on its
        // own, as if submitted one by one (a set after the bad one may have been refused because of it).
        // One forged set no longer sends a whole group of honest sets through a store read each.
        let first = outcomes.length
        for (const r of ranges) {
          if (await this.verifyBatch(checks.slice(r.from, r.to))) continue
          first = r.n
          break
        }
        // the chain moved meanwhile: no outcome holds, every set on its own
        const keep = this.chain.tip === tip && this.state === state ? first : 0
        this.commitGroup(group, outcomes.slice(0, keep), state, tip)
        for (const p of group.slice(keep)) await settle(p.sub, () => this.addSetNow(p.sub.txs))
        return
      }
      for (const k of checked) verified.add(k)
      // the chain moved while the signatures were checked: validate again on it
      if (this.chain.tip !== tip || this.state !== state) return this.addGroupNow(group, verified)
    }

    this.commitGroup(group, outcomes, state, tip)
    for (const p of group.slice(alone)) await settle(p.sub, () => this.addSetNow(p.sub.txs))
  }

  /** Settles the group's first `outcomes.length` submissions with their outcomes, the accepted sets added. */
  private commitGroup(
    group: readonly Prepared[],
    outcomes: readonly GroupOutcome[],
    state: PoolState,
    tip: TipInfo,
  ): void {
    for (const [n, o] of outcomes.entries()) {
      const p = group[n]!
      if (!o.ok) {
        p.sub.reject(o.err)
        continue
      }
      const set: SetEntry = {
        key: p.setKey,
        id: p.setId,
        txs: [],
        bytes: 0,
        fees: 0n,
        seq: this.seq++,
        addedAt: this.now(),
        addedHeight: tip.height,
      }
      const spent = spentPerTransaction(
        o.fresh.map((d) => d.tx),
        o.applied,
      )
      const entries = o.fresh.map((d, i) => state.insert(set, d, spent[i]!))
      state.recordChanges(entries[0]!, o.applied.extensionChanges)
      this.emit('added', setInfo(set))
      p.sub.resolve({ ids: p.described.map((d) => d.id) })
    }
  }

  private async addSetNow(
    txs: readonly Transaction[],
    signaturesVerified = false,
  ): Promise<{ ids: Uint8Array[] }> {
    const { described, setId, setKey } = this.prepare(txs)
    // blocks were reverted since the last revalidation (queued behind this set): their transactions go
    // back into the pool first, or a set spending one of them would be refused for a missing output
    if (this.stale) await this.resync()
    if (this.state.sets.has(setKey)) throw new PoolError('duplicate', 'the transaction set is already known')
    // refused lately for a reason that cannot change: refused again without validating it again
    const known = this.rejections.get(setKey)
    if (known) throw known

    const {
      view: chainView,
      tip,
      confirmed,
    } = await this.fetch(
      () => described.map((d) => d.tx),
      () => described.filter((d) => !this.state.txs.has(d.key)).map((d) => d.id),
    )

    // from here on everything is synchronous: no chain event can interleave
    const state = this.state
    const fresh: { d: Described; index: number }[] = []
    const seen = new Set<string>()
    for (const [index, d] of described.entries()) {
      if (confirmed.has(d.key) || state.txs.has(d.key) || seen.has(d.key)) continue
      seen.add(d.key)
      fresh.push({ d, index })
    }
    if (fresh.length === 0) {
      if (described.every((d) => confirmed.has(d.key)))
        throw new PoolError('already-confirmed', 'every transaction of the set is already confirmed')
      throw new PoolError('duplicate', 'every transaction of the set is already in the pool or confirmed')
    }
    for (const { d, index } of fresh) {
      for (const [i, k] of d.inputs.entries()) {
        const other = state.spentBy.get(k)
        if (other) throw conflict(d, index, i, other)
      }
    }

    const bytes = fresh.reduce((s, f) => s + f.d.size, 0)
    const fees = fresh.reduce((s, f) => s + f.d.fees, 0n)
    const evict = this.evictionPlan(
      fresh.flatMap((f) => f.d.inputs),
      { bytes, fees },
    )

    // every rule first, with the signature equations only collected (strict encodings are checked at
    // once); the signatures are verified last, all together, and only once per set
    /** The fresh transactions on top of the pool with `verifier`; a failure refuses the set. */
    const validate = (verifier: Ed25519, badSignature = false): AppliedTransactions => {
      try {
        return applyTransactions(
          fresh.map((f) => f.d.tx),
          this.context(tip, state.extension, verifier),
          new PoolView(state, chainView),
        )
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err
        throw this.rejected(
          setKey,
          invalid(
            err,
            fresh.map((f) => f.index),
          ),
          badSignature,
        )
      }
    }
    const deferred = new DeferredVerifier()
    const applied = validate(deferred)
    if (!signaturesVerified && deferred.checks.length > 0) {
      // the batch failing, find the input whose signature fails with the verifier one by one (it throws);
      // if each verifies alone, the batch check failed for another reason and the set is valid
      if (!(await this.verifyBatch(deferred.checks))) validate(this.verifier, true)
      // the chain may have moved while the signatures were checked: validate again on it (their
      // equations do not depend on the chain, so they are not checked again)
      if (this.chain.tip !== tip || this.state !== state) return this.addSetNow(txs, true)
    }
    const changes = applied.extensionChanges

    if (evict.length > 0) this.removeSets(evict, 'evicted')
    const set: SetEntry = {
      key: setKey,
      id: setId,
      txs: [],
      bytes: 0,
      fees: 0n,
      seq: this.seq++,
      addedAt: this.now(),
      addedHeight: tip.height,
    }
    const spent = spentPerTransaction(
      fresh.map((f) => f.d.tx),
      applied,
    )
    const entries = fresh.map((f, i) => state.insert(set, f.d, spent[i]!))
    state.recordChanges(entries[0]!, changes)
    this.emit('added', setInfo(set))
    return { ids: described.map((d) => d.id) }
  }

  /**
   * Which sets to evict so `incoming` fits: lowest fee per byte first, each with the sets depending on
   * it, as long as the incoming set pays more per byte than that group. Throws 'pool-full'.
   */
  private evictionPlan(inputs: readonly string[], incoming: Rated): SetEntry[] {
    const state = this.state
    const limit = this.chain.def.constants.poolSizeLimit
    const need = state.bytes + incoming.bytes - limit
    if (need <= 0) return []
    const full = () =>
      new PoolError(
        'pool-full',
        `the pool holds ${state.bytes} of ${limit} bytes and the set does not pay enough to replace others`,
        { size: incoming.bytes, limit },
      )
    if (incoming.bytes > limit) throw full()
    // the incoming set's own ancestors must stay
    const ancestors = state.closure(state.parentsOf(inputs), (s) =>
      state.parentsOf(
        s.txs.flatMap((e) => e.inputs),
        s,
      ),
    )
    const candidates = [...state.sets.values()]
      .filter((s) => !ancestors.has(s))
      // cheapest first; among equals the newest goes first
      .sort((a, b) => (paysLess(a, b) ? -1 : paysLess(b, a) ? 1 : b.seq - a.seq))
    const plan = new Set<SetEntry>()
    let freed = 0
    for (const s of candidates) {
      if (freed >= need || !paysLess(s, incoming)) break
      if (plan.has(s)) continue
      const group = [...state.closure([s], (x) => state.childrenOf(x))].filter((x) => !plan.has(x))
      const rated = group.reduce((r, x) => ({ bytes: r.bytes + x.bytes, fees: r.fees + x.fees }), {
        bytes: 0,
        fees: 0n,
      })
      if (!paysLess(rated, incoming)) continue
      for (const x of group) plan.add(x)
      freed += rated.bytes
    }
    if (freed < need) throw full()
    return [...plan]
  }

  // ---- following the chain -----------------------------------------------------------------------

  private readonly onApplied = (block: Block): void => {
    const state = this.state
    const registry = this.chain.registry
    const confirmed: Entry[] = []
    for (const tx of block.transactions) {
      const e = state.txs.get(hexKey(registry.id(tx)))
      if (e) confirmed.push(e)
    }
    this.removeEntries(confirmed, 'confirmed')
    // a pool transaction spending what the block spent can never confirm, nor can its descendants
    const conflicting: Entry[] = []
    for (const tx of block.transactions) {
      for (const i of tx.coinInputs) {
        const e = state.spentBy.get(coinKey(i.parentId))
        if (e) conflicting.push(e)
      }
      for (const i of tx.blockStakeInputs) {
        const e = state.spentBy.get(stakeKey(i.parentId))
        if (e) conflicting.push(e)
      }
    }
    if (conflicting.length > 0) this.removeEntries(state.withDescendants(conflicting), 'conflict')
  }

  private readonly onReverted = (block: Block, _id: Uint8Array, height: number): void => {
    this.returning.push({ height, txs: block.transactions.filter((tx) => !isRespend(tx)) })
    this.stale = true
  }

  private readonly onTip = (): void => {
    if (this.resyncQueued) return
    this.resyncQueued = true
    // a submission ahead of it in the queue may have run it already (see `addSetNow`)
    this.serial(() => (this.resyncQueued ? this.resync() : Promise.resolve())).catch((err) =>
      this.onError(err),
    )
  }

  /**
   * Rebuilds the pool on the current tip (spec §4.4, as the reference pool does after a consensus
   * change): the reverted blocks' transactions first, oldest block first, each on its own, then the
   * pool's transactions in order. Whatever no longer validates, or no longer fits, leaves.
   */
  private async resync(): Promise<void> {
    this.resyncQueued = false
    const returned = this.returning
      .splice(0)
      .sort((a, b) => a.height - b.height)
      .flatMap((b) => b.txs)
    const {
      view: chainView,
      tip,
      confirmed,
    } = await this.fetch(
      () => [...returned, ...[...this.state.txs.values()].map((e) => e.tx)],
      () => [...this.state.txs.values()].map((e) => e.id),
    )

    const old = this.state
    const next = new PoolState(this.chain.extensionState)
    const view = new PoolView(next, chainView)
    const limit = this.chain.def.constants.poolSizeLimit
    const fits = (size: number) => next.bytes + size <= limit
    /** What the transaction spends and changes on top of `next`, or undefined when it is invalid there. */
    const validates = (
      tx: Transaction,
    ): { spent: Spent; changes: readonly ExtensionChange[] } | undefined => {
      try {
        // signatures were verified when the transaction entered the pool, and do not depend on the chain
        const applied = applyTransactions(
          [tx],
          this.context(tip, next.extension, new DeferredVerifier()),
          view,
        )
        return { spent: spentPerTransaction([tx], applied)[0]!, changes: applied.extensionChanges }
      } catch (err) {
        if (err instanceof ValidationError) return undefined
        throw err
      }
    }
    const added: SetEntry[] = []
    for (const tx of returned) {
      const d = this.describe(tx)
      if (old.txs.has(d.key) || next.txs.has(d.key) || !fits(d.size)) continue
      const valid = validates(tx)
      if (!valid) continue
      const id = blake2b256(u64le(1), d.encoded)
      const set: SetEntry = {
        key: hexKey(id),
        id,
        txs: [],
        bytes: 0,
        fees: 0n,
        seq: this.seq++,
        addedAt: this.now(),
        addedHeight: tip.height,
      }
      if (old.sets.has(set.key)) continue
      next.recordChanges(next.insert(set, d, valid.spent), valid.changes)
      added.push(set)
    }
    const gone: Record<'confirmed' | 'invalid' | 'evicted', Uint8Array[]> = {
      confirmed: [],
      invalid: [],
      evicted: [],
    }
    for (const s of old.sets.values()) {
      const set: SetEntry = { ...s, txs: [], bytes: 0, fees: 0n }
      for (const e of s.txs) {
        // confirmed while the pool was not following the chain
        if (confirmed.has(e.key)) gone.confirmed.push(e.id)
        else if (!fits(e.size)) gone.evicted.push(e.id)
        else {
          const valid = validates(e.tx)
          if (valid) next.recordChanges(next.insert(set, e, valid.spent), valid.changes)
          else gone.invalid.push(e.id)
        }
      }
    }
    this.state = next
    this.stale = this.returning.length > 0
    for (const reason of ['confirmed', 'invalid', 'evicted'] as const)
      if (gone[reason].length > 0) this.emit('removed', gone[reason], reason)
    for (const s of added) this.emit('added', setInfo(s))
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  /**
   * The context a pool transaction validates in: the chain's rules, the pool's extension state, and the
   * next block's height and earliest time (its timestamp is after the tip's, and not before our clock's
   * now): a transaction valid only at the tip's time could never enter a block.
   */
  private context(tip: TipInfo, state: ExtensionStateView, verifier: Ed25519 = this.verifier): TxContext {
    return this.blockContext(
      { height: tip.height + 1, timestamp: Math.max(tip.timestamp + 1, this.now()) },
      state,
      verifier,
    )
  }

  private blockContext(
    at: { readonly height: number; readonly timestamp: number },
    state: ExtensionStateView,
    verifier: Ed25519,
  ): TxContext {
    return {
      def: this.chain.def,
      registry: this.chain.registry,
      rules: this.chain.rules,
      state,
      verifier,
      blockHeight: at.height,
      blockTime: at.timestamp,
    }
  }

  /**
   * Remembers a refusal that no later state can change (its set is refused again at once): a failed
   * signature (`badSignature`), or a rule its own bytes break.
   */
  private rejected(setKey: string, err: PoolError, badSignature = false): PoolError {
    if (badSignature || (err.code === 'invalid' && err.cause && PERMANENT_FAILURES.has(err.cause.code))) {
      this.rejections.set(setKey, err)
      if (this.rejections.size > MAX_REMEMBERED_REJECTIONS)
        this.rejections.delete(this.rejections.keys().next().value!)
    }
    return err
  }

  private describe(tx: Transaction): Described {
    const registry = this.chain.registry
    const encoded = registry.encode(tx)
    const ids = registry.outputIds(tx)
    return {
      tx,
      id: ids.id,
      key: hexKey(ids.id),
      encoded,
      size: encoded.length,
      fees: tx.minerFees.reduce((s, f) => s + f, 0n),
      inputs: [
        ...tx.coinInputs.map((i) => coinKey(i.parentId)),
        ...tx.blockStakeInputs.map((i) => stakeKey(i.parentId)),
      ],
      outputs: [
        ...tx.coinOutputs.map((o, i) => {
          const id = ids.coinOutputIds[i]!
          return { key: coinKey(id), entry: { id, value: o.value, condition: o.condition } }
        }),
        ...tx.blockStakeOutputs.map((o, i) => {
          const id = ids.blockStakeOutputIds[i]!
          return { key: stakeKey(id), entry: { id, value: o.value, condition: o.condition } }
        }),
      ],
    }
  }

  /**
   * Reads the chain outputs the transactions spend and which of `txIds` are confirmed, on one tip: if
   * the tip moves meanwhile it reads again.
   */
  private async fetch(
    txs: () => readonly Transaction[],
    txIds: () => readonly Uint8Array[],
  ): Promise<{ view: MapView; tip: TipInfo; confirmed: Set<string> }> {
    for (let round = 1; ; round++) {
      const tip = this.chain.tip
      const list = txs()
      const coinIds = new Map<string, Uint8Array>()
      const stakeIds = new Map<string, Uint8Array>()
      for (const tx of list) {
        for (const i of tx.coinInputs) coinIds.set(hexKey(i.parentId), i.parentId)
        for (const i of tx.blockStakeInputs) stakeIds.set(hexKey(i.parentId), i.parentId)
      }
      const ids = txIds()
      // one store read for all of them (a read per ID was the costliest part of a submission under load)
      const {
        coins,
        blockStakes: stakes,
        transactions: locations,
      } = await this.chain.lookup({
        coins: [...coinIds.values()],
        blockStakes: [...stakeIds.values()],
        transactions: ids,
      })
      if (this.chain.tip !== tip && round < MAX_FETCH_ROUNDS) continue
      const view = new MapView()
      for (const o of coins) if (o) view.coins.set(hexKey(o.id), o)
      for (const o of stakes) if (o) view.blockStakes.set(hexKey(o.id), o)
      const confirmed = new Set<string>()
      for (const [i, id] of ids.entries()) if (locations[i]) confirmed.add(hexKey(id))
      return { view, tip, confirmed }
    }
  }

  private removeEntries(entries: readonly Entry[], reason: RemovalReason): void {
    if (entries.length === 0) return
    for (const e of entries) this.state.remove(e)
    this.emit(
      'removed',
      entries.map((e) => e.id),
      reason,
    )
  }

  private removeSets(sets: readonly SetEntry[], reason: RemovalReason): void {
    const entries = [...this.state.txs.values()].filter((e) => sets.includes(e.set))
    this.removeEntries(entries, reason)
  }
}

interface Submission {
  readonly txs: readonly Transaction[]
  readonly resolve: (result: { ids: Uint8Array[] }) => void
  readonly reject: (err: unknown) => void
}

interface Prepared {
  readonly sub: Submission
  readonly described: readonly Described[]
  readonly setId: Uint8Array
  readonly setKey: string
}

type GroupOutcome =
  | { readonly ok: true; readonly fresh: readonly Described[]; readonly applied: AppliedTransactions }
  | { readonly ok: false; readonly err: PoolError }

/** Runs `fn` for the submission and settles it with the outcome. */
async function settle(sub: Submission, fn: () => Promise<{ ids: Uint8Array[] }>): Promise<void> {
  try {
    sub.resolve(await fn())
  } catch (err) {
    sub.reject(err)
  }
}

/** Transaction `index` of the submitted set spends input `i` of `d`, which `other` already spends. */
function conflict(
  d: Described,
  index: number,
  i: number,
  other: { readonly key: string; readonly id: Uint8Array },
): PoolError {
  const nCoin = d.tx.coinInputs.length
  const input =
    i < nCoin
      ? { list: 'coinInputs' as const, index: i }
      : { list: 'blockStakeInputs' as const, index: i - nCoin }
  return new PoolError(
    'conflict',
    `transaction ${index} spends ${input.list}[${input.index}], already spent by pool transaction ${other.key}`,
    { transaction: index, input, conflictsWith: other.id },
  )
}

function setInfo(s: SetEntry): PoolSetInfo {
  return {
    id: s.id,
    transactions: s.txs.map((e) => e.tx),
    ids: s.txs.map((e) => e.id),
    bytes: s.bytes,
    fees: s.fees,
    addedAt: s.addedAt,
    addedHeight: s.addedHeight,
  }
}

/** The validation failure as a PoolError, its transaction index mapped back to the submitted set. */
function invalid(err: ValidationError, submittedIndex: readonly number[]): PoolError {
  const local = err.details.transaction
  const index = local === undefined ? undefined : submittedIndex[local]
  const bare = local === undefined ? err.message : err.message.replace(`transaction ${local}: `, '')
  const cause =
    index === undefined ? err : new ValidationError(err.code, bare, { ...err.details, transaction: index })
  return new PoolError(
    'invalid',
    index === undefined ? bare : `transaction ${index}: ${bare}`,
    {
      ...(index === undefined ? {} : { transaction: index }),
      ...(err.details.input ? { input: err.details.input } : {}),
    },
    cause,
  )
}
