// A chain's rule engine in memory for the extension rule tests: rules composed from enabled extensions,
// the extension state and the unspent outputs, transactions applied "in a block" at a chosen height.
import { nobleEd25519 } from '../../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import type { EnabledExtension } from '../../../../consensus/extensions/api.js'
import type { ChainDefinition } from '../../../../consensus/params/chain.js'
import { MemoryExtensionState } from '../../../../consensus/state/extensions.js'
import { hexKey, MapView, type OutputEntry } from '../../../../consensus/state/outputs.js'
import {
  type Condition,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import type { SigningKey } from '../../../../consensus/types/sign.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import type { UnlockHash } from '../../../../consensus/types/unlockhash.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { composeRules, type RuleSet } from '../../../../consensus/validation/rules.js'
import {
  type AppliedTransactions,
  applyTransactions,
  type TxContext,
} from '../../../../consensus/validation/transaction.js'

export const ed = nobleEd25519
export const TFT = 1_000_000_000n

export const addressOf = (key: SigningKey): UnlockHash => publicKeyUnlockHash(key.publicKey)
export const conditionOf = (key: SigningKey): Condition => unlockHashCondition(addressOf(key))

/** A nonce from a small number (non-zero unless `n` is 0). */
export const nonce = (n: number): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setUint32(4, n)
  return out
}

export class Harness {
  readonly rules: RuleSet
  readonly state = new MemoryExtensionState()
  readonly outputs = new MapView()
  height = 1

  constructor(
    readonly def: ChainDefinition,
    extensions: readonly EnabledExtension[],
  ) {
    this.rules = composeRules(extensions)
    this.state.apply(this.rules.genesisState)
  }

  get registry() {
    return this.rules.registry
  }

  context(height = this.height): TxContext {
    return {
      def: this.def,
      registry: this.rules.registry,
      verifier: nodeEd25519,
      blockHeight: height,
      blockTime: this.def.genesis.timestamp + height * this.def.constants.blockFrequency,
      rules: this.rules,
      state: this.state,
    }
  }

  /** Adds an unspent coin output (as if created earlier). */
  fund(id: Uint8Array, value: bigint, condition: Condition): OutputEntry {
    const o = { id, value, condition }
    this.outputs.coins.set(hexKey(id), o)
    return o
  }

  /** Applies `txs` as one block at the current height (then moves to the next); throws when invalid. */
  block(...txs: Transaction[]): AppliedTransactions {
    const result = applyTransactions(txs, this.context(), this.outputs)
    for (const o of result.spentCoins) this.outputs.coins.delete(hexKey(o.id))
    for (const o of result.createdCoins) this.outputs.coins.set(hexKey(o.id), o)
    this.state.apply(result.extensionChanges)
    this.height++
    return result
  }

  /** The ValidationError `txs` get as one block at the current height (nothing is applied). */
  refusal(...txs: Transaction[]): ValidationError {
    try {
      applyTransactions(txs, this.context(), this.outputs)
    } catch (err) {
      if (err instanceof ValidationError) return err
      throw err
    }
    throw new Error('the transactions were accepted')
  }
}
