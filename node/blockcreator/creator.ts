// spec/rivine.md §6.5: the block creator. For every owned unspent block stake output and every whole
// second of [now, now+10) it evaluates the kernel; on a hit it builds the respend, takes pool
// transactions, sets the payouts and hands the block to the chain.
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { bytesToBigint, equalBytes } from '../../consensus/encoding/hex.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../consensus/pobs/kernel.js'
import { isHeavier } from '../../consensus/pobs/target.js'
import { minimumChildTimestamp } from '../../consensus/pobs/timestamps.js'
import { hexKey } from '../../consensus/state/outputs.js'
import type { Block, BlockStakeOutputIndexes, MinerPayout } from '../../consensus/types/block.js'
import { type Condition, conditionUnlockHash, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../consensus/types/sign.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashEquals } from '../../consensus/types/unlockhash.js'
import { ValidationError } from '../../consensus/validation/errors.js'
import type { AddBlockResult, Chain } from '../chain/chain.js'

/** How far ahead of the clock a creator searches (spec §6.5). */
export const SEARCH_WINDOW_SECONDS = 10

/**
 * A winning block is published `quality × PUBLISH_SPREAD_MS` into its second (quality 0 = the best
 * kernel). Two creators that win the same second no longer publish at the same instant: the better
 * kernel goes first and the other creator, seeing it arrive, searches again on it instead of splitting
 * the network with a same-height competitor. The timestamp is unchanged; the spread leaves half of the
 * second for the block to reach the next creators.
 */
export const PUBLISH_SPREAD_MS = 500

/**
 * After a tie, the seconds the creator of the higher-ID tip leaves its outputs made above the fork out
 * for, from the first second one of them would win (its twin on the other branch wins it too): that
 * second and the time for the competitor's block to reach us. Should none come, they create again.
 */
export const TIE_SIT_OUT_SECONDS = 5

/** Where a kernel hash falls below its bound `target × value`: in [0, 1) for a winning kernel. */
export function kernelQuality(hash: Uint8Array, value: bigint, target: bigint): number {
  const bound = target * value
  if (bound <= 0n) return 1
  return Number((bytesToBigint(hash) * 1_000_000n) / bound) / 1_000_000
}

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** How deep a reorg the owned-stake index follows without a full rescan. */
const RECENT_HEIGHTS = 256

/** Supplies pool transactions for a new block (the transaction pool implements it). */
export interface TransactionSource {
  /**
   * Transactions for a block on the current tip, in an order they can be applied, within `maxBytes`;
   * with `at`, only those valid in that block's own context (its height and timestamp).
   */
  transactionsForBlock(
    maxBytes: number,
    at?: { readonly height: number; readonly timestamp: number },
  ): readonly Transaction[]
}

export interface OwnedStake {
  readonly id: Uint8Array
  readonly value: bigint
  readonly condition: Condition
  readonly position: BlockStakeOutputIndexes
  /** Timestamp of the block holding the output (for aging). */
  readonly blockTimestamp: number
  readonly key: SigningKey
}

export interface Solution {
  readonly stake: OwnedStake
  readonly timestamp: number
  /** `kernelQuality` of the winning kernel (lower is better). */
  readonly quality: number
}

export interface BlockCreatorOptions {
  readonly chain: Chain
  readonly keys: readonly SigningKey[]
  readonly ed: Ed25519
  readonly pool?: TransactionSource
  readonly now?: () => number
  /** Rounds are skipped while this says no (a node creates blocks only once it is synced). */
  readonly canCreate?: () => boolean
  /** Told when a block with pool transactions failed and was made without them. */
  readonly onPoolFailure?: (err: ValidationError) => void
  /** Called as a round starts building a block at `height` (diagnostics: the node logs it at debug level). */
  readonly onBuilding?: (at: { readonly height: number; readonly timestamp: number }) => void
}

/** How far below the tip a tie's fork is looked for (a deeper one is not yielded to). */
const MAX_TIE_DEPTH = 64

/** Competitors remembered at the tip's height (the lowest IDs: only a lower ID than the tip's counts). */
const MAX_COMPETITORS = 8

/** A block at the tip's height beside it; `fork`: where its branch leaves the main chain (for `tipId`). */
interface Competitor {
  readonly id: Uint8Array
  readonly height: number
  fork?: { readonly tipId: Uint8Array; readonly height: number }
}

/** The first second one of our outputs made above a tie's fork would have won, set once per tip `tipId`. */
interface FirstWin {
  readonly tipId: Uint8Array
  second?: number
}

export class BlockCreator {
  private readonly chain: Chain
  private readonly ed: Ed25519
  private readonly pool: TransactionSource | undefined
  private readonly now: () => number
  private readonly canCreate: () => boolean
  private readonly onPoolFailure: (err: ValidationError) => void
  private readonly onBuilding: BlockCreatorOptions['onBuilding']
  private readonly keys: { key: SigningKey; unlockHash: UnlockHash }[]
  /** Owned unspent block stake outputs by hex ID, kept current from chain events. */
  private readonly owned = new Map<string, OwnedStake>()
  private scannedTo = -1
  /** Main-chain block IDs of the recently scanned heights (to find the fork point after a reorg). */
  private readonly scannedIds = new Map<number, Uint8Array>()
  /** Owned outputs spent recently, with the height that spent them (a reorg may bring them back). */
  private readonly spent = new Map<string, { stake: OwnedStake; height: number }>()
  private timer: NodeJS.Timeout | undefined
  private onTip: (() => void) | undefined
  private wakeNow: (() => void) | undefined
  /** Blocks at the tip height beside our tip (see `noteCompetitor`). */
  private competitors: Competitor[] = []
  private firstWin: FirstWin | undefined
  /** True when `now` is the wall clock (wake-ups can use milliseconds). */
  private readonly realClock: boolean
  private running = false

  constructor(opts: BlockCreatorOptions) {
    this.chain = opts.chain
    this.ed = opts.ed
    this.pool = opts.pool
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000))
    this.canCreate = opts.canCreate ?? (() => true)
    this.onPoolFailure = opts.onPoolFailure ?? (() => undefined)
    this.onBuilding = opts.onBuilding
    this.realClock = opts.now === undefined
    this.keys = opts.keys.map((key) => ({ key, unlockHash: publicKeyUnlockHash(key.publicKey) }))
  }

  private ownerOf(condition: Condition): SigningKey | undefined {
    if (condition.type !== 1) return undefined
    return this.keys.find((k) => unlockHashEquals(k.unlockHash, condition.unlockHash))?.key
  }

  /**
   * Brings the owned-stake index up to the tip. After a reorg it goes back to the fork point: outputs
   * the abandoned blocks created go, outputs they spent that were created at or below the fork come
   * back (from a log of recent spends), and the new branch is scanned (a deeper reorg rescans all).
   * Positions come only from the branch being scanned: an output ID can sit at another position on
   * another branch (a respend of the same input is the same transaction, so the same output ID).
   */
  async refresh(): Promise<void> {
    const tip = this.chain.height
    if (this.scannedTo >= 0) {
      let fork = Math.min(this.scannedTo, tip)
      while (fork >= 0 && !this.scannedIdIs(fork)) fork--
      if (fork < this.scannedTo) {
        if (fork < 0 || fork < this.scannedTo - RECENT_HEIGHTS) this.scannedTo = -1
        else {
          for (const [k, s] of this.owned) if (s.position.blockHeight > fork) this.owned.delete(k)
          for (const [k, s] of this.spent) {
            if (s.height <= fork) continue
            this.spent.delete(k)
            if (s.stake.position.blockHeight <= fork) this.owned.set(k, s.stake)
          }
          for (let h = fork + 1; h <= this.scannedTo; h++) this.scannedIds.delete(h)
          this.scannedTo = fork
        }
      }
    }
    if (this.scannedTo < 0) {
      this.owned.clear()
      this.spent.clear()
      this.scannedIds.clear()
    }
    const spend = (k: string, height: number) => {
      const stake = this.owned.get(k)
      if (!stake) return
      this.owned.delete(k)
      this.spent.set(k, { stake, height })
    }
    for (let h = this.scannedTo + 1; h <= tip; h++) {
      // the ID first: a reorg during the scan then shows as a mismatch at the next refresh
      const id = this.chain.idAt(h)
      const block = id && (await this.chain.block(id))
      if (!id || !block) break
      for (const [t, tx] of block.transactions.entries()) {
        for (const input of tx.blockStakeInputs) spend(hexKey(input.parentId), h)
        for (const [o, output] of tx.blockStakeOutputs.entries()) {
          const key = this.ownerOf(output.condition)
          if (!key) continue
          const outputId = this.chain.registry.blockStakeOutputId(tx, o)
          this.owned.set(hexKey(outputId), {
            id: outputId,
            value: output.value,
            condition: output.condition,
            position: { blockHeight: h, transactionIndex: t, outputIndex: o },
            blockTimestamp: block.timestamp,
            key,
          })
        }
      }
      this.scannedTo = h
      this.scannedIds.set(h, id)
      this.scannedIds.delete(h - RECENT_HEIGHTS - 1)
    }
    // a safety net: anything the store does not hold as unspent goes (not into the spend log: no reorg
    // brings it back)
    for (const [k, s] of this.owned) if (!(await this.chain.blockStakeOutput(s.id))) this.owned.delete(k)
    for (const [k, s] of this.spent) if (s.height < tip - RECENT_HEIGHTS) this.spent.delete(k)
  }

  private scannedIdIs(height: number): boolean {
    const recorded = this.scannedIds.get(height)
    const id = this.chain.idAt(height)
    return recorded !== undefined && id !== undefined && equalBytes(recorded, id)
  }

  get stakes(): readonly OwnedStake[] {
    return [...this.owned.values()]
  }

  /** The earliest second in [from, from+10) at which one of our outputs meets the tip's child target. */
  async findSolution(from = this.now()): Promise<Solution | undefined> {
    await this.refresh()
    const tip = this.chain.tip
    // our outputs made above the fork with a tied competitor's branch win the same seconds as their
    // twins there (see `noteCompetitor`): they sit out while that branch is the one to extend
    const yielding = await this.yieldingTo()
    const c = this.chain.def.constants
    const height = tip.height + 1
    const modifier = stakeModifier(height, c.stakeModifierDelay, (h) => this.chain.idAt(h)!)
    const minimum = Math.max(
      tip.timestamp + 1,
      this.chain.def.rules.enforceMedianTimestamp
        ? minimumChildTimestamp(this.chain.recentTimestamps(c.medianTimestampWindow), c.medianTimestampWindow)
        : 0,
    )
    for (let t = Math.max(from, minimum); t < from + SEARCH_WINDOW_SECONDS; t++) {
      for (const stake of this.owned.values()) {
        const p = stake.position
        const respend = p.transactionIndex === 0 && p.outputIndex === 0
        if (!respend && stake.blockTimestamp + c.blockStakeAging > t) continue
        const hash = kernelHash(modifier, p, t)
        if (!kernelMeetsTarget(hash, stake.value, tip.childTarget)) continue
        if (yielding && p.blockHeight > yielding.forkHeight) {
          // the twin on the competitor's branch wins this second too: leave it the first one (and a grace)
          yielding.firstWin.second ??= t
          if (t < yielding.firstWin.second + TIE_SIT_OUT_SECONDS) continue
        }
        return { stake, timestamp: t, quality: kernelQuality(hash, stake.value, tip.childTarget) }
      }
    }
    return undefined
  }

  /** Builds the block for a solution on the current tip (spec §6.5, §5.4 payout order). */
  buildBlock(solution: Solution, opts: { readonly withoutPool?: boolean } = {}): Block {
    const { stake, timestamp } = solution
    this.onBuilding?.({ height: this.chain.height + 1, timestamp })
    const registry = this.chain.registry
    const c = this.chain.def.constants
    const unsigned: Transaction = {
      version: 1,
      coinInputs: [],
      coinOutputs: [],
      blockStakeInputs: [{ parentId: stake.id, fulfillment: { type: 0 } }],
      blockStakeOutputs: [{ value: stake.value, condition: stake.condition }],
      minerFees: [],
      arbitraryData: new Uint8Array(0),
    }
    const maxBytes = c.blockSizeLimit - 8192
    // checked again in this block's context: a transaction valid at the tip's time may not be at this one
    const at = { height: this.chain.height + 1, timestamp }
    const poolTxs = (!opts.withoutPool && this.pool?.transactionsForBlock(maxBytes, at)) || []
    // spec §6.5: a pool transaction that already spends the stake output (its owner's wallet moving these
    // block stakes) is the block's respend; otherwise the creator respends the output to itself, first
    const spentByPool = poolTxs.some((tx) =>
      tx.blockStakeInputs.some((i) => equalBytes(i.parentId, stake.id)),
    )
    const transactions = spentByPool
      ? [...poolTxs]
      : [signSingleSignature(registry, this.ed, unsigned, 'blockStakeInputs', 0, stake.key), ...poolTxs]
    const owner = conditionUnlockHash(stake.condition)
    const payouts: MinerPayout[] = []
    if (c.blockCreatorFee > 0n) payouts.push({ value: c.blockCreatorFee, unlockHash: owner })
    const fees = transactions.reduce((s, tx) => s + tx.minerFees.reduce((a, f) => a + f, 0n), 0n)
    if (fees > 0n) {
      const feeCondition = c.transactionFeeCondition
      payouts.push({
        value: fees,
        unlockHash: feeCondition.type === 0 ? owner : conditionUnlockHash(feeCondition),
      })
    }
    for (const tx of transactions) payouts.push(...registry.customMinerPayouts(tx))
    return {
      parentId: this.chain.tip.id,
      timestamp,
      pobsOutput: stake.position,
      minerPayouts: payouts,
      transactions,
    }
  }

  /** One round: search, build and submit. Returns the result, or undefined when no output won. */
  async createBlock(from = this.now()): Promise<{ block: Block; result: AddBlockResult } | undefined> {
    const solution = await this.findSolution(from)
    if (!solution) return undefined
    return this.submit(solution)
  }

  /**
   * Builds and adds the block of `solution`. Should the pool's transactions break a rule of the whole
   * block (an extension's block rule), the block is made without them: no transaction can stop the chain.
   */
  private async submit(solution: Solution): Promise<{ block: Block; result: AddBlockResult }> {
    const block = this.buildBlock(solution)
    try {
      return { block, result: await this.chain.addBlock(block) }
    } catch (err) {
      if (!(err instanceof ValidationError) || block.transactions.length <= 1) throw err
      this.onPoolFailure(err)
      const bare = this.buildBlock(solution, { withoutPool: true })
      return { block: bare, result: await this.chain.addBlock(bare) }
    }
  }

  /**
   * Creates a block only when a winning second has arrived (`timestamp ≤ now`; on the wall clock also
   * `offsetMs` into that second, see `PUBLISH_SPREAD_MS`): returns the block, the moment to come back
   * at (`waitUntil` + `offsetMs`), or nothing when no output wins in the window.
   */
  async createDueBlock(
    now = this.now(),
  ): Promise<{ block: Block; result: AddBlockResult } | { waitUntil: number; offsetMs: number } | undefined> {
    // a tip that changes during the (asynchronous) search makes the solution stale: search again on it
    for (let attempt = 0; ; attempt++) {
      const tipId = this.chain.tip.id
      const solution = await this.findSolution(now)
      if (!equalBytes(tipId, this.chain.tip.id) && attempt < 3) continue
      if (!solution) return undefined
      const offsetMs = this.realClock ? Math.floor(PUBLISH_SPREAD_MS * solution.quality) : 0
      const early = this.realClock && Date.now() < solution.timestamp * 1000 + offsetMs
      if (solution.timestamp > now || early) return { waitUntil: solution.timestamp, offsetMs }
      if (!equalBytes(tipId, this.chain.tip.id)) return { waitUntil: now, offsetMs: 0 }
      return this.submit(solution)
    }
  }

  /**
   * Notes a block stored beside the main chain (the chain's `side` event). One at the tip's height that
   * the tip does not outweigh either (spec §6.6: a block must outweigh the tip by a fifth of a block to
   * replace it) is a tie: a same-second win on one parent, or two branches of a healed partition grown
   * to about the same work. Each block's creator respends to position (height, 0, 0) of its own branch,
   * so above the fork both branches hold outputs at the same positions, and with the same stake modifier
   * (it comes from blocks `StakeModifierDelay` back) equal outputs there win the same seconds again and
   * again: each extends its own branch at the same second, and the tie goes on block after block (two
   * nodes cut off together did so for 30 s, two healed halves for 25 s). So the creator of the tip with
   * the higher ID leaves its outputs made above the fork out for the first second one of them wins
   * (for `TIE_SIT_OUT_SECONDS` from it): the twin on the lower-ID branch wins that second, and its block
   * ends the tie.
   * Outputs from below the fork (the same outputs on both branches) keep creating blocks on the branch
   * their node follows. The note goes when the tip moves on.
   */
  noteCompetitor(id: Uint8Array, height: number): void {
    if (height !== this.chain.height) return
    this.competitors = this.competitors.filter((c) => c.height >= height)
    if (this.competitors.some((c) => equalBytes(c.id, id))) return
    this.competitors.push({ id, height })
    // full: the highest ID goes (blocks ground for IDs cannot push out a real competitor with a lower one)
    if (this.competitors.length > MAX_COMPETITORS) {
      this.competitors.sort((a, b) => compareBytes(a.id, b.id))
      this.competitors.length = MAX_COMPETITORS
    }
  }

  /**
   * The tip's tie with competitors of a lower ID that it does not outweigh (nor they it), if any: the
   * deepest of their forks, and the tip's first win (one per tip, so however many competitors come, the
   * first win is skipped once: a new one cannot restart it).
   */
  private async yieldingTo(): Promise<{ forkHeight: number; firstWin: FirstWin } | undefined> {
    const tip = this.chain.tip
    this.competitors = this.competitors.filter((c) => c.height === tip.height)
    let fork: number | undefined
    for (const c of this.competitors) {
      if (compareBytes(c.id, tip.id) >= 0) continue
      const meta = await this.chain.meta(c.id)
      // a tip that outweighs the competitor replaces it wherever it arrives: no tie to break
      if (!meta || isHeavier(tip.depth, meta.depth, meta.childTarget)) continue
      if (!c.fork || !equalBytes(c.fork.tipId, tip.id))
        c.fork = { tipId: tip.id, height: await this.forkHeight(c.id) }
      if (c.fork.height >= 0) fork = Math.min(fork ?? c.fork.height, c.fork.height)
    }
    // the tip moved on meanwhile: the round searches again on the new one
    if (fork === undefined || !equalBytes(tip.id, this.chain.tip.id)) return undefined
    if (!this.firstWin || !equalBytes(this.firstWin.tipId, tip.id)) this.firstWin = { tipId: tip.id }
    return { forkHeight: fork, firstWin: this.firstWin }
  }

  /** The height where the branch of side block `id` leaves the main chain; -1 when deeper than MAX_TIE_DEPTH. */
  private async forkHeight(id: Uint8Array): Promise<number> {
    let at = id
    for (let steps = 0; steps <= MAX_TIE_DEPTH; steps++) {
      const meta = await this.chain.meta(at)
      if (!meta) return -1
      const main = this.chain.idAt(meta.height)
      if (main && equalBytes(main, at)) return meta.height
      at = meta.parentId
    }
    return -1
  }

  /** Runs a round at once (e.g. when the node becomes synced); no-op when stopped. */
  wake(): void {
    this.wakeNow?.()
  }

  /**
   * Runs rounds until stopped: each round searches [now, now+10) and publishes a winning block when its
   * second arrives, so block timestamps follow the clock.
   */
  start(onBlock?: (block: Block, result: AddBlockResult) => void, onError?: (err: unknown) => void): void {
    if (this.running) return
    this.running = true
    let busy = false
    /** A tip (or a wake-up) arrived during a round: the round's outcome may be stale, run again. */
    let again = false
    const schedule = (delay: number) => {
      if (this.timer) clearTimeout(this.timer)
      if (this.running) this.timer = setTimeout(round, delay)
    }
    const round = async () => {
      if (!this.running || busy) return
      busy = true
      again = false
      let delay = 1000
      try {
        const can = this.canCreate()
        // not synced yet: look again soon (the node also wakes the creator when it becomes synced)
        if (!can) delay = 250
        const outcome = can ? await this.createDueBlock() : undefined
        if (outcome && 'waitUntil' in outcome) {
          // wake at the winning second (on the real clock at its publication offset, to the millisecond)
          const ms = this.realClock
            ? outcome.waitUntil * 1000 + outcome.offsetMs - Date.now()
            : (outcome.waitUntil - this.now()) * 1000
          delay = Math.min(Math.max(0, ms), SEARCH_WINDOW_SECONDS * 1000)
        } else if (outcome) {
          onBlock?.(outcome.block, outcome.result)
          delay = 0
        }
      } catch (err) {
        onError?.(err)
      } finally {
        busy = false
      }
      schedule(again ? 0 : delay)
    }
    // a new tip makes any pending solution stale: search again on it at once (after a running round)
    this.onTip = () => {
      if (busy) again = true
      else schedule(0)
    }
    this.wakeNow = this.onTip
    this.chain.on('tip', this.onTip)
    schedule(0)
  }

  stop(): void {
    this.running = false
    this.wakeNow = undefined
    if (this.timer) clearTimeout(this.timer)
    if (this.onTip) this.chain.off('tip', this.onTip)
    this.onTip = undefined
  }
}
