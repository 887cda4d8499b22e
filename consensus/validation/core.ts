// spec/rivine.md §4.4: the version rules of the core transactions v0 and v1, as an extension of the same
// shape as every other (DESIGN §3), so core and extension versions go through one rule engine.
import type { EnabledExtension, SpentOutputs, TransactionRule } from '../extensions/api.js'
import type { Transaction, TransactionRegistry } from '../types/transaction.js'
import { v0TransactionType } from '../types/v0.js'
import { v1TransactionType } from '../types/v1.js'
import { ValidationError } from './errors.js'

const sum = (xs: readonly { readonly value: bigint }[]): bigint => {
  let s = 0n
  for (const x of xs) s += x.value
  return s
}

/**
 * spec/rivine.md §4.4 v1 rules 1–2 (v0 alike): spent coins = coin outputs + miner fees + custom payouts,
 * spent block stakes = block stake outputs, both exactly.
 */
export function checkCoreBalance(tx: Transaction, spent: SpentOutputs, registry: TransactionRegistry): void {
  const coinsIn = sum(spent.coins)
  let coinsOut = sum(tx.coinOutputs) + sum(registry.customMinerPayouts(tx))
  for (const f of tx.minerFees) coinsOut += f
  if (coinsIn !== coinsOut) {
    throw new ValidationError(
      'unbalanced-coins',
      `coin inputs (${coinsIn}) do not equal coin outputs plus fees (${coinsOut})`,
    )
  }
  const stakesIn = sum(spent.blockStakes)
  const stakesOut = sum(tx.blockStakeOutputs)
  if (stakesIn !== stakesOut) {
    throw new ValidationError(
      'unbalanced-block-stakes',
      `block stake inputs (${stakesIn}) do not equal outputs (${stakesOut})`,
    )
  }
}

/** The balance rule of v0 and v1 (the rules every version shares run before it, see `applyTransactions`). */
const balance: TransactionRule = {
  name: 'core/balance',
  versions: [0, 1],
  validate: (tx, spent, ctx) => checkCoreBalance(tx, spent, ctx.registry),
}

/** The core "extension": v0 and v1, no state. Every chain has it. */
export const CORE_EXTENSION: EnabledExtension = {
  name: 'core',
  transactionTypes: [v0TransactionType, v1TransactionType],
  rules: [balance],
}
