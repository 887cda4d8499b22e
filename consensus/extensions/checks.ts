// Rule checks the extension transactions share (spec/tfchain.md §2.2–2.3, §3.2–3.3): the miner fee
// option, the nonce, the coin and block stake lists a type may not carry, and the extension fulfillment.
import type { Transaction } from '../types/transaction.js'
import type { ValidationCode } from '../validation/errors.js'
import { ruleError } from './api.js'

/** With RequireMinerFees at least one miner fee, without it none (the reference's controllers). */
export function checkMinerFeeOption(rule: string, tx: Transaction, requireMinerFees: boolean): void {
  if (requireMinerFees && tx.minerFees.length === 0)
    throw ruleError(rule, 'missing-miner-fee', 'at least one miner fee is required')
  if (!requireMinerFees && tx.minerFees.length > 0) {
    throw ruleError(rule, 'undesired-miner-fee', 'this chain takes no miner fees on this transaction type', {
      fee: 0,
    })
  }
}

/** The nonce must not be all zeros. */
export function checkNonce(rule: string, nonce: Uint8Array): void {
  if (nonce.every((b) => b === 0)) throw ruleError(rule, 'zero-nonce', 'the nonce must not be all zeros')
}

/** Refuses the coin and block stake lists the type has no place for. */
export function checkNoTransfers(
  rule: string,
  tx: Transaction,
  allowed: { readonly coinInputs?: boolean; readonly coinOutputs?: boolean } = {},
): void {
  const refuse = (list: string) =>
    ruleError(rule, 'unexpected-transfer', `this transaction type carries no ${list}`)
  if (!allowed.coinInputs && tx.coinInputs.length > 0) throw refuse('coin inputs')
  if (!allowed.coinOutputs && tx.coinOutputs.length > 0) throw refuse('coin outputs')
  if (tx.blockStakeInputs.length > 0) throw refuse('block stake inputs')
  if (tx.blockStakeOutputs.length > 0) throw refuse('block stake outputs')
}

/** Turns a fulfillment check's reason into the rule's error. */
export function checkFulfilled(
  rule: string,
  code: ValidationCode,
  what: string,
  reason: string | undefined,
): void {
  if (reason !== undefined) throw ruleError(rule, code, `${what}: ${reason}`)
}
