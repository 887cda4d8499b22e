// spec/rivine.md §6.5: the block creator. For every owned unspent block stake output and every whole
// second of [now, now+10) it evaluates the kernel; on a hit it builds the respend, takes pool
// transactions, sets the payouts and hands the block to the chain.
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../consensus/pobs/kernel.js'
import { minimumChildTimestamp } from '../../consensus/pobs/timestamps.js'
import { hexKey } from '../../consensus/state/outputs.js'
import type { Block, BlockStakeOutputIndexes, MinerPayout } from '../../consensus/types/block.js'
import { type Condition, conditionUnlockHash, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../consensus/types/sign.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashEquals } from '../../consensus/types/unlockhash.js'
import type { AddBlockResult, Chain } from '../chain/chain.js'

/** How far ahead of the clock a creator searches (spec §6.5). */
export const SEARCH_WINDOW_SECONDS = 10

/** Supplies pool transactions for a new block (the transaction pool implements it). */
export interface TransactionSource {
  /** Transactions valid on the current tip, in an order they can be applied, within `maxBytes`. */
  transactionsForBlock(maxBytes: number): readonly Transaction[]
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
}

export interface BlockCreatorOptions {
  readonly chain: Chain
  readonly keys: readonly SigningKey[]
  readonly ed: Ed25519
  readonly pool?: TransactionSource
  readonly now?: () => number
  /** Rounds are skipped while this says no (a node creates blocks only once it is synced). */
  readonly canCreate?: () => boolean
}

export class BlockCreator {
  private readonly chain: Chain
  private readonly ed: Ed25519
  private readonly pool: TransactionSource | undefined
  private readonly now: () => number
  private readonly canCreate: () => boolean
  private readonly keys: { key: SigningKey; unlockHash: UnlockHash }[]
  /** Owned unspent block stake outputs by hex ID, kept current from chain events. */
  private readonly owned = new Map<string, OwnedStake>()
  private scannedTo = -1
  private timer: NodeJS.Timeout | undefined
  private onTip: (() => void) | undefined
  /** True when `now` is the wall clock (wake-ups can use milliseconds). */
  private readonly realClock: boolean
  private running = false

  constructor(opts: BlockCreatorOptions) {
    this.chain = opts.chain
    this.ed = opts.ed
    this.pool = opts.pool
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000))
    this.canCreate = opts.canCreate ?? (() => true)
    this.realClock = opts.now === undefined
    this.keys = opts.keys.map((key) => ({ key, unlockHash: publicKeyUnlockHash(key.publicKey) }))
  }

  private ownerOf(condition: Condition): SigningKey | undefined {
    if (condition.type !== 1) return undefined
    return this.keys.find((k) => unlockHashEquals(k.unlockHash, condition.unlockHash))?.key
  }

  /** Brings the owned-stake index up to the tip (after reorgs it rescans from the fork point). */
  async refresh(): Promise<void> {
    const tip = this.chain.height
    if (this.scannedTo > tip || (this.scannedTo >= 0 && !this.chain.idAt(this.scannedTo))) this.scannedTo = -1
    if (this.scannedTo < 0) this.owned.clear()
    for (let h = this.scannedTo + 1; h <= tip; h++) {
      const block = (await this.chain.blockAt(h))!
      for (const [t, tx] of block.transactions.entries()) {
        for (const input of tx.blockStakeInputs) this.owned.delete(hexKey(input.parentId))
        for (const [o, output] of tx.blockStakeOutputs.entries()) {
          const key = this.ownerOf(output.condition)
          if (!key) continue
          const id = this.chain.registry.blockStakeOutputId(tx, o)
          this.owned.set(hexKey(id), {
            id,
            value: output.value,
            condition: output.condition,
            position: { blockHeight: h, transactionIndex: t, outputIndex: o },
            blockTimestamp: block.timestamp,
            key,
          })
        }
      }
      this.scannedTo = h
    }
    // drop anything no longer unspent (e.g. spent by a transaction another node made)
    for (const [k, s] of this.owned) if (!(await this.chain.blockStakeOutput(s.id))) this.owned.delete(k)
  }

  get stakes(): readonly OwnedStake[] {
    return [...this.owned.values()]
  }

  /** The earliest second in [from, from+10) at which one of our outputs meets the tip's child target. */
  async findSolution(from = this.now()): Promise<Solution | undefined> {
    await this.refresh()
    const tip = this.chain.tip
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
        if ((p.transactionIndex !== 0 || p.outputIndex !== 0) && stake.blockTimestamp + c.blockStakeAging > t)
          continue
        if (kernelMeetsTarget(kernelHash(modifier, p, t), stake.value, tip.childTarget))
          return { stake, timestamp: t }
      }
    }
    return undefined
  }

  /** Builds the block for a solution on the current tip (spec §6.5, §5.4 payout order). */
  buildBlock(solution: Solution): Block {
    const { stake, timestamp } = solution
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
    const respend = signSingleSignature(registry, this.ed, unsigned, 'blockStakeInputs', 0, stake.key)
    const maxBytes = c.blockSizeLimit - 8192
    // a pool transaction spending our stake conflicts with the respend; it goes, with its dependants
    const dropped = new Set([hexKey(stake.id)])
    const poolTxs = (this.pool?.transactionsForBlock(maxBytes) ?? []).filter((tx) => {
      const spends = [...tx.coinInputs, ...tx.blockStakeInputs].some((i) => dropped.has(hexKey(i.parentId)))
      if (!spends) return true
      const ids = registry.outputIds(tx)
      for (const id of [...ids.coinOutputIds, ...ids.blockStakeOutputIds]) dropped.add(hexKey(id))
      return false
    })
    const transactions = [respend, ...poolTxs]
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
    const block = this.buildBlock(solution)
    return { block, result: await this.chain.addBlock(block) }
  }

  /**
   * Creates a block only when a winning second has arrived (`timestamp ≤ now`): returns the block, the
   * second to come back at (`waitUntil`), or nothing when no output wins in the window.
   */
  async createDueBlock(
    now = this.now(),
  ): Promise<{ block: Block; result: AddBlockResult } | { waitUntil: number } | undefined> {
    const solution = await this.findSolution(now)
    if (!solution) return undefined
    if (solution.timestamp > now) return { waitUntil: solution.timestamp }
    const block = this.buildBlock(solution)
    return { block, result: await this.chain.addBlock(block) }
  }

  /**
   * Runs rounds until stopped: each round searches [now, now+10) and publishes a winning block when its
   * second arrives, so block timestamps follow the clock.
   */
  start(onBlock?: (block: Block, result: AddBlockResult) => void, onError?: (err: unknown) => void): void {
    if (this.running) return
    this.running = true
    let busy = false
    const schedule = (delay: number) => {
      if (this.timer) clearTimeout(this.timer)
      if (this.running) this.timer = setTimeout(round, delay)
    }
    const round = async () => {
      if (!this.running || busy) return
      busy = true
      let delay = 1000
      try {
        const outcome = this.canCreate() ? await this.createDueBlock() : undefined
        if (outcome && 'waitUntil' in outcome) {
          // wake at the start of the winning second (millisecond precision on the real clock)
          const ms = this.realClock
            ? outcome.waitUntil * 1000 - Date.now()
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
      schedule(delay)
    }
    // a new tip makes any pending solution stale: search again on it at once
    this.onTip = () => {
      if (!busy) schedule(0)
    }
    this.chain.on('tip', this.onTip)
    schedule(0)
  }

  stop(): void {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    if (this.onTip) this.chain.off('tip', this.onTip)
    this.onTip = undefined
  }
}
