// spec/rivine.md §4.4: transaction validity, stateless (structure) and stateful (spends and fulfillments),
// and the rule engine that runs a chain's version and global rules (DESIGN §3) over a sequence of them.
import type { Ed25519 } from '../crypto/ed25519.js'
import type { ExtensionStateWriter, RuleContext, SpentOutputs } from '../extensions/api.js'
import type { ChainDefinition } from '../params/chain.js'
import {
  EMPTY_EXTENSION_STATE,
  type ExtensionChange,
  ExtensionStateOverlay,
  type ExtensionStateView,
} from '../state/extensions.js'
import { hexKey, type OutputEntry, type OutputView, OverlayView } from '../state/outputs.js'
import { conditionStandardError } from '../types/conditions.js'
import { fulfillError, isTimeLockFailure } from '../types/fulfill.js'
import { fulfillmentStandardError } from '../types/fulfillments.js'
import type { Transaction, TransactionRegistry } from '../types/transaction.js'
import { checkCoreBalance } from './core.js'
import { ValidationError } from './errors.js'
import { CORE_RULES, type RuleSet } from './rules.js'

export interface TxContext {
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly verifier: Ed25519
  /** The including block's height and timestamp, or the tip's in the pool (spec §4.4). */
  readonly blockHeight: number
  readonly blockTime: number
  /**
   * The chain's rules, core and extensions (`chainConsensus(def).rules`). Without them only the core
   * versions 0 and 1 are valid: every other version is refused (fail closed).
   */
  readonly rules?: RuleSet
  /** Extension state before these transactions (the parent block's, or the tip's in the pool); default empty. */
  readonly state?: ExtensionStateView
}

/** The size limit of one transaction inside a block (spec §4.4 rule 1). */
export const maxTransactionSize = (def: ChainDefinition): number => def.constants.blockSizeLimit - 5000

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0)

/**
 * Structure rules that need no chain state: size, data limit, standardness, fees, double spends inside
 * the transaction and the version rules. `isBlockCreating` exempts the respend from the fee rule.
 */
export function checkTransactionStateless(
  tx: Transaction,
  ctx: Pick<TxContext, 'def' | 'registry' | 'blockHeight'>,
  isBlockCreating = false,
  encodedSize = ctx.registry.encode(tx).length,
): void {
  const { constants, rules } = ctx.def
  if (tx.version === 0 && ctx.blockHeight >= rules.acceptV0BelowHeight) {
    throw new ValidationError('version-not-allowed', 'v0 transactions are not accepted on this chain')
  }
  if (encodedSize > maxTransactionSize(ctx.def)) {
    throw new ValidationError(
      'tx-too-large',
      `transaction of ${encodedSize} bytes exceeds ${maxTransactionSize(ctx.def)}`,
    )
  }
  if (tx.arbitraryData.length > constants.arbitraryDataSizeLimit) {
    throw new ValidationError(
      'arbitrary-data-too-large',
      `arbitrary data of ${tx.arbitraryData.length} bytes exceeds ${constants.arbitraryDataSizeLimit}`,
    )
  }
  for (const list of ['coinInputs', 'blockStakeInputs'] as const) {
    const seen = new Set<string>()
    for (const [index, input] of tx[list].entries()) {
      if (isZero(input.parentId))
        throw new ValidationError('zero-parent-id', `${list}[${index}] has a zero parent ID`, {
          input: { list, index },
        })
      const err = fulfillmentStandardError(input.fulfillment)
      if (err)
        throw new ValidationError('nonstandard-input', `${list}[${index}]: ${err}`, {
          input: { list, index },
        })
      const k = hexKey(input.parentId)
      if (seen.has(k))
        throw new ValidationError('double-spend', `${list}[${index}] spends an output twice`, {
          input: { list, index },
        })
      seen.add(k)
    }
  }
  for (const list of ['coinOutputs', 'blockStakeOutputs'] as const) {
    for (const [index, output] of tx[list].entries()) {
      if (output.value <= 0n)
        throw new ValidationError('zero-value-output', `${list}[${index}] has no value`, {
          output: { list, index },
        })
      const err = conditionStandardError(output.condition)
      if (err)
        throw new ValidationError('nonstandard-output', `${list}[${index}]: ${err}`, {
          output: { list, index },
        })
    }
  }
  const feeRules = ctx.blockHeight >= rules.feeRulesFromHeight
  if (feeRules && rules.enforceMinimumFee) {
    for (const [fee, value] of tx.minerFees.entries()) {
      if (value < constants.minimumTransactionFee) {
        throw new ValidationError(
          'fee-too-low',
          `miner fee ${fee} is ${value}, below the minimum ${constants.minimumTransactionFee}`,
          { fee },
        )
      }
    }
  }
  // spec §4.4 v1 rule 3: a miner fee is required except on the block-creating transaction
  if (feeRules && tx.version <= 1 && tx.minerFees.length === 0 && !isBlockCreating) {
    throw new ValidationError('missing-miner-fee', 'a transaction needs at least one miner fee')
  }
}

/**
 * spec/rivine.md §4.4 rule 7: every input refers to an unspent output whose condition it fulfils (every
 * version). Returns the outputs it spends, in input order.
 */
export function spendOutputs(tx: Transaction, ctx: TxContext, view: OutputView): SpentOutputs {
  const spent = { coins: [] as OutputEntry[], blockStakes: [] as OutputEntry[] }
  for (const list of ['coinInputs', 'blockStakeInputs'] as const) {
    for (const [index, input] of tx[list].entries()) {
      const output =
        list === 'coinInputs' ? view.coinOutput(input.parentId) : view.blockStakeOutput(input.parentId)
      if (!output) {
        throw new ValidationError(
          'missing-output',
          `${list}[${index}] spends an output that does not exist or is already spent`,
          {
            input: { list, index },
          },
        )
      }
      const err = fulfillError(output.condition, input.fulfillment, {
        blockHeight: ctx.blockHeight,
        blockTime: ctx.blockTime,
        verifier: ctx.verifier,
        sigHash: (extras) => ctx.registry.inputSigHash(tx, index, extras),
      })
      if (err) {
        const code = isTimeLockFailure(output.condition, input.fulfillment, ctx)
          ? 'time-locked'
          : 'unfulfilled'
        throw new ValidationError(code, `${list}[${index}]: ${err}`, { input: { list, index } })
      }
      ;(list === 'coinInputs' ? spent.coins : spent.blockStakes).push(output)
    }
  }
  return spent
}

/**
 * Spends and, for v0/v1, the core balance (spec §4.4 rules 7 and v1 1–2): the core rules of one
 * transaction outside the engine. Returns the outputs it spends.
 */
export function checkTransactionSpends(tx: Transaction, ctx: TxContext, view: OutputView): SpentOutputs {
  const spent = spendOutputs(tx, ctx, view)
  if (tx.version <= 1) checkCoreBalance(tx, spent, ctx.registry)
  return spent
}

/** The transaction's created outputs with their IDs. */
export function createdOutputs(
  tx: Transaction,
  registry: TransactionRegistry,
): { coins: OutputEntry[]; blockStakes: OutputEntry[] } {
  const ids = registry.outputIds(tx)
  return {
    coins: tx.coinOutputs.map((o, i) => ({
      id: ids.coinOutputIds[i]!,
      value: o.value,
      condition: o.condition,
    })),
    blockStakes: tx.blockStakeOutputs.map((o, i) => ({
      id: ids.blockStakeOutputIds[i]!,
      value: o.value,
      condition: o.condition,
    })),
  }
}

export interface AppliedTransactions {
  overlay: OverlayView
  spentCoins: OutputEntry[]
  spentBlockStakes: OutputEntry[]
  createdCoins: OutputEntry[]
  createdBlockStakes: OutputEntry[]
  /** Extension state with the transactions applied (on top of `ctx.state`). */
  extensionState: ExtensionStateOverlay
  /** Every extension state change, in order, each with the value before. */
  extensionChanges: ExtensionChange[]
}

/** What rules see of `ctx`, with `state` for extension state. */
export const ruleContext = (ctx: TxContext, state: ExtensionStateView): RuleContext => ({
  def: ctx.def,
  registry: ctx.registry,
  verifier: ctx.verifier,
  blockHeight: ctx.blockHeight,
  blockTime: ctx.blockTime,
  state,
})

/** Writers into one extension's namespace of `overlay`, made once per extension that writes. */
export function stateWriters(overlay: ExtensionStateOverlay): (extension: string) => ExtensionStateWriter {
  const writers = new Map<string, ExtensionStateWriter>()
  return (extension) => {
    let w = writers.get(extension)
    if (!w) {
      w = {
        get: (key) => overlay.get(extension, key),
        set: (key, value) => overlay.set(extension, key, value),
      }
      writers.set(extension, w)
    }
    return w
  }
}

/**
 * The rule engine: validates a sequence of transactions on top of `view` and `ctx.state` (a block's or a
 * pool's), each seeing the outputs and extension state of the ones before it (spec/tfchain.md §1.6), and
 * returns what they spent, created and changed. Per transaction, in this order: its version must be
 * covered by a version rule of `ctx.rules` (else `unknown-version`: fail closed); the structure rules
 * every version shares (spec/rivine.md §4.4 global rules 1–6); its inputs exist and are fulfilled (rule
 * 7); its version rules; the global rules; then its outputs and state changes are applied.
 */
export function applyTransactions(
  txs: readonly Transaction[],
  ctx: TxContext,
  view: OutputView,
  isBlockCreating: (tx: Transaction, index: number) => boolean = () => false,
): AppliedTransactions {
  const rules = ctx.rules ?? CORE_RULES
  const overlay = new OverlayView(view)
  const extensionState = new ExtensionStateOverlay(ctx.state ?? EMPTY_EXTENSION_STATE)
  const rctx = ruleContext(ctx, extensionState)
  const writer = stateWriters(extensionState)
  const out: AppliedTransactions = {
    overlay,
    spentCoins: [],
    spentBlockStakes: [],
    createdCoins: [],
    createdBlockStakes: [],
    extensionState,
    extensionChanges: extensionState.changes,
  }
  for (const [i, tx] of txs.entries()) {
    try {
      const versionRules = rules.versionRules[tx.version]
      if (!versionRules) {
        throw new ValidationError(
          'unknown-version',
          `no rule of this chain covers transaction version ${tx.version}`,
        )
      }
      checkTransactionStateless(tx, ctx, isBlockCreating(tx, i))
      const spent = spendOutputs(tx, ctx, overlay)
      for (const { rule } of versionRules) rule.validate(tx, spent, rctx)
      for (const { rule } of rules.globalRules) rule.validate(tx, spent, rctx)
      for (const o of spent.coins) overlay.spendCoin(o.id)
      for (const o of spent.blockStakes) overlay.spendBlockStake(o.id)
      const created = createdOutputs(tx, ctx.registry)
      for (const o of created.coins) overlay.addCoin(o)
      for (const o of created.blockStakes) overlay.addBlockStake(o)
      out.spentCoins.push(...spent.coins)
      out.spentBlockStakes.push(...spent.blockStakes)
      out.createdCoins.push(...created.coins)
      out.createdBlockStakes.push(...created.blockStakes)
      const appliers = rules.appliers[tx.version]
      if (appliers?.length) {
        for (const { extension, rule } of appliers) rule.apply?.(tx, rctx, writer(extension))
      }
    } catch (err) {
      if (err instanceof ValidationError) throw err.inTransaction(i)
      throw err
    }
  }
  return out
}
