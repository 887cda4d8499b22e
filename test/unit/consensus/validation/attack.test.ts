// Issue 12: extension transactions are only bytes unless a rule covers their version. An attacker's coin
// creation (v129) with a garbage mint fulfillment must not create coins out of nothing.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { chainConsensus, registryFor } from '../../../../consensus/extensions/catalog.js'
import { preset } from '../../../../consensus/params/presets.js'
import { MemoryExtensionState } from '../../../../consensus/state/extensions.js'
import { MapView } from '../../../../consensus/state/outputs.js'
import { unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { ed25519PublicKey } from '../../../../consensus/types/publickey.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { parseUnlockHash } from '../../../../consensus/types/unlockhash.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { applyTransactions, type TxContext } from '../../../../consensus/validation/transaction.js'

const ATTACKER = '01e3cbc41bd3cdfec9e01a6be46a35099ba0e1e1b793904fce6aa5a444496c6d815f5e3e981ccf'

/** A v129 coin creation of 10^18 units whose mint fulfillment is a signature by nobody in particular. */
const forgedCoinCreation = (): Transaction => ({
  ...emptyTransaction(129),
  coinOutputs: [{ value: 10n ** 18n, condition: unlockHashCondition(parseUnlockHash(ATTACKER)) }],
  minerFees: [1_000_000_000n],
  extension: {
    nonce: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
    mintFulfillment: {
      type: 1,
      publicKey: ed25519PublicKey(new Uint8Array(32).fill(7)),
      signature: new Uint8Array(64).fill(9),
    },
  },
})

describe('the 10^18 coin creation attack (issue 12)', () => {
  const def = preset('tfchain-devnet')
  const ctx = {
    def,
    registry: registryFor(def),
    verifier: nodeEd25519,
    blockHeight: 1,
    blockTime: def.genesis.timestamp + 12,
  }
  const refusal = (c: TxContext): ValidationError => {
    try {
      applyTransactions([forgedCoinCreation()], c, MapView.of([]))
    } catch (err) {
      if (err instanceof ValidationError) return err
      throw err
    }
    throw new Error('the forged coin creation was accepted')
  }

  it('is refused by applyTransactions on tfchain-devnet without the chain rules: fail closed', () => {
    expect(refusal(ctx).code).toBe('unknown-version')
  })

  it('is refused by the minting rule with the chain rules', () => {
    const { rules, registry } = chainConsensus(def)
    const state = new MemoryExtensionState()
    state.apply(rules.genesisState)
    const err = refusal({ ...ctx, registry, rules, state })
    expect(err.code).toBe('mint-unfulfilled')
    expect(err.rule).toBe('minting/coin-creation')
  })
})
