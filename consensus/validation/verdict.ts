// DESIGN §5, STYLE.md "errors are data": what a validation failure says about the peer that sent the object.
// REJECT: the object is invalid whatever the receiver's clock or tip (the sender should have checked it):
// penalise the sender. IGNORE: the failure may be ours (our clock, our tip, a block we have not seen yet):
// drop the object quietly, so an honest peer whose clock is a minute off is never banned.
import type { ValidationCode } from './errors.js'

export type Verdict = 'reject' | 'ignore'

/** Where the object failed: in a block (judged on the block's own branch) or offered to the pool. */
export type VerdictContext = 'block' | 'pool'

const both = (v: Verdict) => ({ block: v, pool: v }) as const
const REJECT = both('reject')
const IGNORE = both('ignore')
/** Decided by the block's own branch, but by our tip (which the sender may not share) in the pool. */
const TIP_DEPENDENT = { block: 'reject', pool: 'ignore' } as const

/** Every code, judged: a new code fails to compile until it is added here. */
export const VALIDATION_VERDICTS = {
  // transactions: structure, the same everywhere
  'tx-too-large': REJECT,
  'arbitrary-data-too-large': REJECT,
  'nonstandard-input': REJECT,
  'nonstandard-output': REJECT,
  'zero-parent-id': REJECT,
  'zero-value-output': REJECT,
  'fee-too-low': REJECT,
  'missing-miner-fee': REJECT,
  // two inputs of one transaction spend the same output
  'double-spend': REJECT,
  // the sender's tip may have the output (or not yet have spent it)
  'missing-output': TIP_DEPENDENT,
  // a signature that does not verify
  unfulfilled: REJECT,
  // a time lock not reached yet at our tip's height or time: clock-dependent in the pool
  'time-locked': TIP_DEPENDENT,
  'unbalanced-coins': REJECT,
  'unbalanced-block-stakes': REJECT,
  // v0 acceptance ends at a height: the sender's tip may be below it
  'version-not-allowed': TIP_DEPENDENT,
  // a version no rule of the chain covers: the same on every tip
  'unknown-version': REJECT,
  // extension transactions: their own structure
  'zero-nonce': REJECT,
  'undesired-miner-fee': REJECT,
  'unexpected-transfer': REJECT,
  'no-coin-outputs': REJECT,
  'no-coin-inputs': REJECT,
  'nothing-destroyed': REJECT,
  'invalid-mint-condition': REJECT,
  'invalid-auth-condition': REJECT,
  'no-auth-addresses': REJECT,
  'duplicate-auth-address': REJECT,
  // extension state (mint and auth conditions, authorized addresses) changes with blocks
  'mint-unfulfilled': TIP_DEPENDENT,
  'auth-unfulfilled': TIP_DEPENDENT,
  'already-authorized': TIP_DEPENDENT,
  'already-deauthorized': TIP_DEPENDENT,
  'auth-condition-unchanged': TIP_DEPENDENT,
  'unauthorized-address': TIP_DEPENDENT,
  'extension-rule': TIP_DEPENDENT,
  // grid capacity: structure, then the registered nodes, prices and reservations (state)
  'invalid-farmer-signature': REJECT,
  'invalid-payout-condition': REJECT,
  'invalid-owner-condition': REJECT,
  'invalid-reservation': REJECT,
  'not-node-farmer': TIP_DEPENDENT,
  'unknown-node': TIP_DEPENDENT,
  'below-reserved': TIP_DEPENDENT,
  'wrong-payment': TIP_DEPENDENT,
  'over-reservation': TIP_DEPENDENT,
  // blocks
  'unknown-parent': IGNORE,
  'known-invalid': REJECT,
  'timestamp-too-early': REJECT,
  // our clock decides both
  'timestamp-too-far-future': IGNORE,
  'timestamp-in-future': IGNORE,
  'block-too-large': REJECT,
  'stake-output-missing': REJECT,
  'stake-not-respent': REJECT,
  'stake-too-young': REJECT,
  'kernel-above-target': REJECT,
  'bad-payout': REJECT,
  'payout-sum': REJECT,
  'invalid-transaction': REJECT,
} as const satisfies Record<ValidationCode, Readonly<Record<VerdictContext, Verdict>>>

/** REJECT (penalise the sender) or IGNORE (drop quietly) for a failure with `code` in `context`. */
export function validationVerdict(code: ValidationCode, context: VerdictContext): Verdict {
  return VALIDATION_VERDICTS[code][context]
}
