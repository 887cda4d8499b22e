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

  /** The same error, located in transaction `index` of a block. */
  inTransaction(index: number): ValidationError {
    if (this.details.transaction !== undefined) return this
    return new ValidationError(this.code, `transaction ${index}: ${this.message}`, {
      ...this.details,
      transaction: index,
    })
  }
}
