// spec/tfchain.md §2.2–2.4 (Rivine `extensions/minting/minting.go`): the validity rules of minter
// definitions, coin creations and coin destructions, and the mint condition change a definition makes.
import { type Condition, conditionStandardError } from '../../types/conditions.js'
import { coinOutputSum, type Transaction } from '../../types/transaction.js'
import { UnlockType } from '../../types/unlockhash.js'
import { type RuleContext, ruleError, type TransactionRule } from '../api.js'
import { checkFulfilled, checkMinerFeeOption, checkNonce, checkNoTransfers } from '../checks.js'
import { conditionBytes } from '../history.js'
import type { MintingParams } from './params.js'
import { MINTING, mintConditionAt, mintConditions } from './state.js'
import { coinCreationOf, minterDefinitionOf, mintFulfillmentError } from './types.js'

const DEFINITION = `${MINTING}/minter-definition`
const CREATION = `${MINTING}/coin-creation`
const DESTRUCTION = `${MINTING}/coin-destruction`

/**
 * spec §2.2 rule 3: a mint condition is an unlock hash condition of a public key address, a multisig
 * condition, or a time lock around one of those; `undefined` when it is one.
 */
export function mintConditionKindError(c: Condition): string | undefined {
  switch (c.type) {
    case 1:
      return c.unlockHash.type === UnlockType.PubKey
        ? undefined
        : 'an unlock hash mint condition must be a public key address'
    case 4:
      return undefined
    case 3:
      return mintConditionKindError(c.condition)
    default:
      return `a condition of type ${c.type} cannot be a mint condition`
  }
}

/** spec §2.2 rule 4: the mint fulfillment of `tx` fulfils the mint condition in force at the height. */
function checkMintFulfillment(rule: string, tx: Transaction, ctx: RuleContext): void {
  const condition = mintConditionAt(ctx.state, ctx.blockHeight)
  const reason = mintFulfillmentError(ctx.registry, tx, condition, ctx)
  checkFulfilled(rule, 'mint-unfulfilled', 'the mint fulfillment does not fulfil the mint condition', reason)
}

/** v128 (spec §2.2): replaces the mint condition from its block's height on. */
function minterDefinitionRule(p: MintingParams): TransactionRule {
  return {
    name: DEFINITION,
    versions: [p.minterDefinitionVersion],
    validate: (tx, _spent, ctx) => {
      checkNoTransfers(DEFINITION, tx)
      checkMinerFeeOption(DEFINITION, tx, p.requireMinerFees)
      const ext = minterDefinitionOf(tx)
      checkNonce(DEFINITION, ext.nonce)
      const invalid = conditionStandardError(ext.mintCondition) ?? mintConditionKindError(ext.mintCondition)
      if (invalid) throw ruleError(DEFINITION, 'invalid-mint-condition', `the new mint condition: ${invalid}`)
      checkMintFulfillment(DEFINITION, tx, ctx)
    },
    apply: (tx, ctx, state) =>
      mintConditions.record(state, ctx.blockHeight, conditionBytes(minterDefinitionOf(tx).mintCondition)),
  }
}

/** v129 (spec §2.3): new coin outputs without inputs, authorized by the mint condition. */
function coinCreationRule(p: MintingParams): TransactionRule {
  return {
    name: CREATION,
    versions: [p.coinCreationVersion],
    validate: (tx, _spent, ctx) => {
      if (tx.coinOutputs.length === 0)
        throw ruleError(CREATION, 'no-coin-outputs', 'a coin creation needs at least one coin output')
      checkNoTransfers(CREATION, tx, { coinOutputs: true })
      checkMinerFeeOption(CREATION, tx, p.requireMinerFees)
      checkNonce(CREATION, coinCreationOf(tx).nonce)
      checkMintFulfillment(CREATION, tx, ctx)
    },
  }
}

/**
 * v130 (spec §2.4, Rivine only): spends coin inputs (signed like v1 inputs, checked by the engine) and
 * returns less than it spends; the difference is destroyed.
 */
function coinDestructionRule(version: number): TransactionRule {
  return {
    name: DESTRUCTION,
    versions: [version],
    validate: (tx, spent) => {
      if (tx.coinInputs.length === 0)
        throw ruleError(DESTRUCTION, 'no-coin-inputs', 'a coin destruction needs at least one coin input')
      checkNoTransfers(DESTRUCTION, tx, { coinInputs: true, coinOutputs: true })
      if (tx.minerFees.length === 0)
        throw ruleError(DESTRUCTION, 'missing-miner-fee', 'at least one miner fee is required')
      let coinsIn = 0n
      for (const o of spent.coins) coinsIn += o.value
      const coinsOut = coinOutputSum(tx)
      if (coinsOut > coinsIn) {
        throw ruleError(
          DESTRUCTION,
          'unbalanced-coins',
          `coin outputs plus fees (${coinsOut}) exceed the coin inputs (${coinsIn})`,
        )
      }
      if (coinsOut === coinsIn)
        throw ruleError(DESTRUCTION, 'nothing-destroyed', `all ${coinsIn} of the coin inputs are paid out`)
    },
  }
}

/** The rules of the minting versions a chain enables. */
export function mintingRules(p: MintingParams): TransactionRule[] {
  const rules = [minterDefinitionRule(p), coinCreationRule(p)]
  if (p.coinDestructionVersion !== undefined) rules.push(coinDestructionRule(p.coinDestructionVersion))
  return rules
}
