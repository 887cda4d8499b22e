import { describe, expect, it } from 'vitest'
import { nobleEd25519 } from '../../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256, sha256 } from '../../../../consensus/crypto/hash.js'
import {
  addMultisigSignature,
  type Condition,
  coreRegistry,
  ed25519PublicKey,
  emptyTransaction,
  fulfillError,
  publicKeyUnlockHash,
  type SignatureContext,
  signAtomicSwap,
  signSingleSignature,
  type Transaction,
  unlockHashCondition,
  utf8,
} from '../../../../consensus/index.js'

const registry = coreRegistry()
const key = (n: number) => {
  const secretSeed = blake2b256(utf8(`test key ${n}`))
  return { secretSeed, publicKey: ed25519PublicKey(nobleEd25519.publicKeyFromSeed(secretSeed)) }
}
const [alice, bob, carol] = [key(1), key(2), key(3)]
const addr = (k: ReturnType<typeof key>) => publicKeyUnlockHash(k.publicKey)

function spend(condition: Condition): Transaction {
  return {
    ...emptyTransaction(1),
    coinInputs: [{ parentId: blake2b256(utf8('parent')), fulfillment: { type: 0 } }],
    coinOutputs: [{ value: 10n, condition }],
    minerFees: [1_000_000_000n],
  }
}

const ctxFor = (tx: Transaction, at = { blockHeight: 100, blockTime: 1_600_000_000 }): SignatureContext => ({
  ...at,
  verifier: nodeEd25519,
  sigHash: (extras) => registry.inputSigHash(tx, 0, extras),
})

function check(condition: Condition, tx: Transaction, at?: { blockHeight: number; blockTime: number }) {
  const f = tx.coinInputs[0]!.fulfillment
  const results = [nodeEd25519, nobleEd25519].map((verifier) =>
    fulfillError(condition, f, { ...ctxFor(tx, at), verifier }),
  )
  expect(results[0]).toBe(results[1])
  return results[0]
}

describe('fulfillments', () => {
  it('a single signature fulfils its own address and no other', () => {
    const cond = unlockHashCondition(addr(alice))
    const signed = signSingleSignature(registry, nobleEd25519, spend(cond), 'coinInputs', 0, alice)
    expect(check(cond, signed)).toBeUndefined()
    expect(check(unlockHashCondition(addr(bob)), signed)).toMatch(/does not match/)
    const tampered = { ...signed, minerFees: [2_000_000_000n] }
    expect(check(cond, tampered)).toBe('invalid signature')
  })

  it('a nil condition takes any key', () => {
    const signed = signSingleSignature(registry, nobleEd25519, spend({ type: 0 }), 'coinInputs', 0, carol)
    expect(check({ type: 0 }, signed)).toBeUndefined()
  })

  it('a time lock delegates once reached (height and unix time)', () => {
    for (const lockTime of [100n, 1_600_000_000n]) {
      const cond: Condition = { type: 3, lockTime, condition: unlockHashCondition(addr(alice)) }
      const signed = signSingleSignature(registry, nobleEd25519, spend(cond), 'coinInputs', 0, alice)
      expect(check(cond, signed)).toBeUndefined()
      const early =
        lockTime < 500_000_000n
          ? { blockHeight: 99, blockTime: 1_600_000_000 }
          : { blockHeight: 100, blockTime: 1_599_999_999 }
      expect(check(cond, signed, early)).toBe('time lock has not been reached')
    }
  })

  it('multisig 2-of-3 needs two distinct members', () => {
    const cond: Condition = {
      type: 4,
      minimumSignatureCount: 2,
      unlockHashes: [addr(alice), addr(bob), addr(carol)],
    }
    const one = addMultisigSignature(registry, nobleEd25519, spend(cond), 'coinInputs', 0, alice)
    expect(check(cond, one)).toMatch(/needs 2 signatures/)
    const two = addMultisigSignature(registry, nobleEd25519, one, 'coinInputs', 0, carol)
    expect(check(cond, two)).toBeUndefined()
    const twice = addMultisigSignature(registry, nobleEd25519, one, 'coinInputs', 0, alice)
    expect(check(cond, twice)).toMatch(/unauthorized public key/)
    const outsider = addMultisigSignature(registry, nobleEd25519, one, 'coinInputs', 0, key(9))
    expect(check(cond, outsider)).toMatch(/unauthorized public key/)
  })

  it('atomic swap: claim any time with the secret, refund strictly after the lock', () => {
    const secret = blake2b256(utf8('secret'))
    const cond: Condition = {
      type: 2,
      sender: addr(alice),
      receiver: addr(bob),
      hashedSecret: sha256(secret),
      timeLock: 1_600_000_000n,
    }
    const claim = signAtomicSwap(registry, nobleEd25519, spend(cond), 'coinInputs', 0, bob, secret)
    expect(check(cond, claim)).toBeUndefined()
    expect(check(cond, claim, { blockHeight: 1, blockTime: 1_700_000_000 })).toBeUndefined()
    const wrongSecret = signAtomicSwap(
      registry,
      nobleEd25519,
      spend(cond),
      'coinInputs',
      0,
      bob,
      blake2b256(secret),
    )
    expect(check(cond, wrongSecret)).toMatch(/secret does not match/)
    const refund = signAtomicSwap(registry, nobleEd25519, spend(cond), 'coinInputs', 0, alice)
    expect(check(cond, refund)).toMatch(/before its time lock/)
    expect(check(cond, refund, { blockHeight: 1, blockTime: 1_600_000_001 })).toBeUndefined()
    const bobRefund = signAtomicSwap(registry, nobleEd25519, spend(cond), 'coinInputs', 0, bob)
    expect(check(cond, bobRefund, { blockHeight: 1, blockTime: 1_600_000_001 })).toMatch(/only the sender/)
  })
})
