// STYLE: errors are data. Every validation failure carries a code from a closed union, the rule and the index.

export type ValidationCode =
  // transactions (spec §4.4)
  | 'tx-too-large'
  | 'arbitrary-data-too-large'
  | 'nonstandard-input'
  | 'nonstandard-output'
  | 'zero-parent-id'
  | 'zero-value-output'
  | 'fee-too-low'
  | 'missing-miner-fee'
  | 'double-spend'
  | 'missing-output'
  | 'unfulfilled'
  // a time lock (or an atomic swap's refund lock) not reached at the height and time it is judged by
  | 'time-locked'
  | 'unbalanced-coins'
  | 'unbalanced-block-stakes'
  | 'version-not-allowed'
  // fail closed (DESIGN §3): a version no rule of the chain covers
  | 'unknown-version'
  // extension transactions in general (spec/tfchain.md §2, §3)
  | 'zero-nonce'
  | 'undesired-miner-fee'
  | 'unexpected-transfer'
  // minting (spec/tfchain.md §2)
  | 'mint-unfulfilled'
  | 'invalid-mint-condition'
  | 'no-coin-outputs'
  | 'no-coin-inputs'
  | 'nothing-destroyed'
  // authorized addresses (spec/tfchain.md §3)
  | 'auth-unfulfilled'
  | 'no-auth-addresses'
  | 'duplicate-auth-address'
  | 'already-authorized'
  | 'already-deauthorized'
  | 'auth-condition-unchanged'
  | 'invalid-auth-condition'
  | 'unauthorized-address'
  // grid capacity (docs/capacity.md)
  | 'invalid-farmer-signature'
  | 'invalid-payout-condition'
  | 'invalid-owner-condition'
  | 'invalid-reservation'
  | 'not-node-farmer'
  | 'unknown-node'
  | 'below-reserved'
  | 'wrong-payment'
  | 'over-reservation'
  // an extension of the chain's own (the example in docs/extensions.md uses it)
  | 'extension-rule'
  // blocks (spec §5.2–5.4, §6.4)
  | 'unknown-parent'
  | 'known-invalid'
  | 'timestamp-too-early'
  | 'timestamp-too-far-future'
  | 'timestamp-in-future'
  | 'block-too-large'
  | 'stake-output-missing'
  | 'stake-not-respent'
  | 'stake-too-young'
  | 'kernel-above-target'
  | 'bad-payout'
  | 'payout-sum'
  | 'invalid-transaction'

export interface ValidationDetails {
  /** Index of the transaction in its block. */
  readonly transaction?: number
  /** Which list and which index inside the transaction. */
  readonly input?: { readonly list: 'coinInputs' | 'blockStakeInputs'; readonly index: number }
  readonly output?: {
    readonly list: 'coinOutputs' | 'blockStakeOutputs' | 'minerPayouts'
    readonly index: number
  }
  readonly fee?: number
  /** The rule that failed, as `extension/rule` (e.g. `minting/coin-creation`), when an extension's. */
  readonly rule?: string
  /** The address a rule refused (auth-coin). */
  readonly address?: string
}

export class ValidationError extends Error {
  override readonly name = 'ValidationError'
  constructor(
    readonly code: ValidationCode,
    message: string,
    readonly details: ValidationDetails = {},
  ) {
    super(message)
  }

  /** The rule that failed (`details.rule`), if an extension's. */
  get rule(): string | undefined {
    return this.details.rule
  }

  /** The same error, located in transaction `index` of a block. */
  inTransaction(index: number): ValidationError {
    if (this.details.transaction !== undefined) return this
    return new ValidationError(this.code, `transaction ${index}: ${this.message}`, {
      ...this.details,
      transaction: index,
    })
  }
}
