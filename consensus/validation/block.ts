// spec/rivine.md §5.2–5.4 and §6.4: block validity and the diff of applying a block.
import type { Ed25519 } from '../crypto/ed25519.js'
import { equalBytes } from '../encoding/hex.js'
import type { ChainDefinition } from '../params/chain.js'
import { kernelHash, kernelMeetsTarget } from '../pobs/kernel.js'
import type { Target } from '../pobs/target.js'
import { minimumChildTimestamp } from '../pobs/timestamps.js'
import { compactChanges, type ExtensionStateView } from '../state/extensions.js'
import type { BlockDiff, DelayedOutput, OutputEntry, OutputView } from '../state/outputs.js'
import { hexKey } from '../state/outputs.js'
import { type Block, minerPayoutId } from '../types/block.js'
import { unlockHashCondition } from '../types/conditions.js'
import type { Transaction, TransactionRegistry } from '../types/transaction.js'
import { isNilUnlockHash } from '../types/unlockhash.js'
import { ValidationError } from './errors.js'
import { CORE_RULES, type RuleSet } from './rules.js'
import { applyTransactions, ruleContext, stateWriters } from './transaction.js'

/** The block stake output a block uses (spec §6.4), looked up on the block's own branch. */
export interface StakeOutput extends OutputEntry {
  /** Timestamp of the block that created the output (for aging). */
  readonly blockTimestamp: number
}

export interface BlockContext {
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly verifier: Ed25519
  readonly height: number
  readonly parent: { readonly id: Uint8Array; readonly timestamp: number; readonly childTarget: Target }
  /** Timestamps of the parent and its ancestors, parent first (at least one). */
  readonly recentTimestamps: readonly number[]
  readonly stakeModifier: Uint8Array
  /** The output at `block.pobsOutput` on this branch, if it exists. */
  readonly stake: StakeOutput | undefined
  /** The local clock, unix seconds. */
  readonly now: number
  /** The chain's rules (`chainConsensus(def).rules`); default: the core rules alone (see `TxContext`). */
  readonly rules?: RuleSet
  /** Extension state after the parent block; default empty. */
  readonly state?: ExtensionStateView
}

/** Miner fees and custom payouts a block's transactions owe (spec §5.4). */
export function blockFees(block: Block, registry: TransactionRegistry): bigint {
  let fees = 0n
  for (const tx of block.transactions) {
    for (const f of tx.minerFees) fees += f
    for (const p of registry.customMinerPayouts(tx)) fees += p.value
  }
  return fees
}

/** spec §6.4: the respend is a transaction with exactly the stake as its one block stake input. */
export function isBlockCreatingTransaction(tx: Transaction, stakeId: Uint8Array): boolean {
  return (
    tx.coinInputs.length === 0 &&
    tx.coinOutputs.length === 0 &&
    tx.blockStakeInputs.length === 1 &&
    tx.blockStakeOutputs.length === 1 &&
    equalBytes(tx.blockStakeInputs[0]!.parentId, stakeId)
  )
}

/**
 * The checks made when a block arrives, before its transactions are applied (spec §5.2 steps 2–8).
 * Returns `futureUntil` when the block is valid but too far ahead of the local clock to accept yet.
 */
export function checkBlockHeader(
  block: Block,
  ctx: BlockContext,
  encodedSize: number,
): { futureUntil?: number } {
  const c = ctx.def.constants
  if (ctx.def.rules.enforceMedianTimestamp) {
    const min = minimumChildTimestamp(ctx.recentTimestamps, c.medianTimestampWindow)
    if (block.timestamp < min) {
      throw new ValidationError(
        'timestamp-too-early',
        `timestamp ${block.timestamp} is below the median ${min} of the last ${c.medianTimestampWindow} blocks`,
      )
    }
  }
  // cheap and time-dependent, so checked before the kernel (the reference checks it later, spec §5.2 step 6)
  if (block.timestamp > ctx.now + c.extremeFutureThreshold) {
    throw new ValidationError(
      'timestamp-too-far-future',
      `timestamp ${block.timestamp} is more than ${c.extremeFutureThreshold} s ahead`,
    )
  }
  const stake = ctx.stake
  const at = block.pobsOutput
  const where = `(${at.blockHeight}, ${at.transactionIndex}, ${at.outputIndex})`
  if (!stake)
    throw new ValidationError(
      'stake-output-missing',
      `block stake output ${where} does not exist on this branch`,
    )
  if (!block.transactions.some((tx) => tx.blockStakeInputs.some((i) => equalBytes(i.parentId, stake.id)))) {
    throw new ValidationError('stake-not-respent', `the block does not spend its block stake output ${where}`)
  }
  const hash = kernelHash(ctx.stakeModifier, at, block.timestamp)
  if (!kernelMeetsTarget(hash, stake.value, ctx.parent.childTarget)) {
    throw new ValidationError(
      'kernel-above-target',
      `the PoBS kernel of ${where} at ${block.timestamp} does not meet the target`,
    )
  }
  if (
    (at.transactionIndex !== 0 || at.outputIndex !== 0) &&
    stake.blockTimestamp + c.blockStakeAging > block.timestamp
  ) {
    throw new ValidationError(
      'stake-too-young',
      `block stake output ${where} is younger than ${c.blockStakeAging} s`,
    )
  }
  if (encodedSize > c.blockSizeLimit) {
    throw new ValidationError('block-too-large', `block of ${encodedSize} bytes exceeds ${c.blockSizeLimit}`)
  }
  checkPayouts(block, ctx.def, ctx.registry)
  if (block.timestamp > ctx.now + c.futureThreshold)
    return { futureUntil: block.timestamp - c.futureThreshold }
  return {}
}

/** spec §5.4: every payout > 0 and Σ payouts = creator fee + fees. */
export function checkPayouts(block: Block, def: ChainDefinition, registry: TransactionRegistry): void {
  const feeToCreator = def.constants.transactionFeeCondition.type === 0
  let total = 0n
  for (const [index, p] of block.minerPayouts.entries()) {
    if (p.value <= 0n)
      throw new ValidationError('bad-payout', `miner payout ${index} has no value`, {
        output: { list: 'minerPayouts', index },
      })
    if (feeToCreator && isNilUnlockHash(p.unlockHash)) {
      throw new ValidationError('bad-payout', `miner payout ${index} goes to the nil address`, {
        output: { list: 'minerPayouts', index },
      })
    }
    total += p.value
  }
  const expected = def.constants.blockCreatorFee + blockFees(block, registry)
  if (total !== expected)
    throw new ValidationError('payout-sum', `miner payouts total ${total}, expected ${expected}`)
}

/**
 * Validates every transaction of a block in order on top of the parent's state (outputs in `view`,
 * extension state in `ctx.state`), runs the block rules of the chain's extensions, and returns the diff
 * (spec §5.2 step 9). `maturing` are the delayed outputs whose maturity height is this block's height.
 */
export function applyBlock(
  block: Block,
  blockId: Uint8Array,
  ctx: Pick<BlockContext, 'def' | 'registry' | 'verifier' | 'height' | 'rules' | 'state'> & {
    readonly stakeId: Uint8Array
  },
  view: OutputView,
  maturing: readonly DelayedOutput[],
): BlockDiff {
  const txCtx = {
    def: ctx.def,
    registry: ctx.registry,
    verifier: ctx.verifier,
    blockHeight: ctx.height,
    blockTime: block.timestamp,
    ...(ctx.rules ? { rules: ctx.rules } : {}),
    ...(ctx.state ? { state: ctx.state } : {}),
  }
  const result = applyTransactions(block.transactions, txCtx, view, (tx) =>
    isBlockCreatingTransaction(tx, ctx.stakeId),
  )
  const blockRules = (ctx.rules ?? CORE_RULES).blockRules
  if (blockRules.length > 0) {
    const rctx = ruleContext(txCtx, result.extensionState)
    const writer = stateWriters(result.extensionState)
    for (const { extension, rule } of blockRules) rule.apply(block, rctx, writer(extension))
  }
  // outputs created and spent inside the block never reach the state
  const createdCoins = new Set(result.createdCoins.map((o) => hexKey(o.id)))
  const createdStakes = new Set(result.createdBlockStakes.map((o) => hexKey(o.id)))
  const spentCoins = new Set(result.spentCoins.map((o) => hexKey(o.id)))
  const spentStakes = new Set(result.spentBlockStakes.map((o) => hexKey(o.id)))
  const maturityHeight = ctx.height + ctx.def.constants.maturityDelay
  return {
    height: ctx.height,
    coinOutputsCreated: result.createdCoins.filter((o) => !spentCoins.has(hexKey(o.id))),
    coinOutputsSpent: result.spentCoins.filter((o) => !createdCoins.has(hexKey(o.id))),
    blockStakeOutputsCreated: result.createdBlockStakes.filter((o) => !spentStakes.has(hexKey(o.id))),
    blockStakeOutputsSpent: result.spentBlockStakes.filter((o) => !createdStakes.has(hexKey(o.id))),
    delayedOutputsCreated: block.minerPayouts.map((p, i) => ({
      id: minerPayoutId(blockId, i),
      value: p.value,
      condition: unlockHashCondition(p.unlockHash),
      maturityHeight,
    })),
    delayedOutputsMatured: [...maturing],
    extensionChanges: compactChanges(result.extensionChanges),
  }
}

/**
 * The genesis block's outputs are added without validation (spec §5.5), and the extensions' genesis
 * state (`rules`, default: the core's, which has none).
 */
export function genesisDiff(
  genesis: Block,
  registry: TransactionRegistry,
  rules: RuleSet = CORE_RULES,
): BlockDiff {
  const coins: OutputEntry[] = []
  const stakes: OutputEntry[] = []
  for (const tx of genesis.transactions) {
    const ids = registry.outputIds(tx)
    for (const [i, o] of tx.coinOutputs.entries())
      coins.push({ id: ids.coinOutputIds[i]!, value: o.value, condition: o.condition })
    for (const [i, o] of tx.blockStakeOutputs.entries()) {
      stakes.push({ id: ids.blockStakeOutputIds[i]!, value: o.value, condition: o.condition })
    }
  }
  return {
    height: 0,
    coinOutputsCreated: coins,
    coinOutputsSpent: [],
    blockStakeOutputsCreated: stakes,
    blockStakeOutputsSpent: [],
    delayedOutputsCreated: [],
    delayedOutputsMatured: [],
    extensionChanges: [...rules.genesisState],
  }
}
