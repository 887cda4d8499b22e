import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import {
  type Condition,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import { fulfillError } from '../../../../consensus/types/fulfill.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import {
  buildTransaction,
  buildTransfer,
  keyring,
  signatureStatus,
  signInputs,
  WalletError,
} from '../../../../wallet/tx/build.js'
import { devKey } from '../../../utils/devchain.js'

const registry = coreRegistry()
const [a, b, c] = [devKey(0), devKey(1), devKey(2)]
const to = (k: typeof a): Condition => unlockHashCondition(publicKeyUnlockHash(k.publicKey))
const out = (n: number, value: bigint, condition = to(a)) => ({
  id: blake2b256(utf8(`out ${n}`)),
  value,
  condition,
})

describe('wallet transfers', () => {
  it('selects the largest outputs first, pays change and the fee, and signs every owned input', () => {
    const available = [out(1, 5n), out(2, 50n), out(3, 20n)]
    const tx = buildTransfer({
      available,
      outputs: [{ value: 60n, condition: to(b) }],
      fee: 1n,
      change: to(c),
    })
    expect(tx.coinInputs.map((i) => i.parentId)).toEqual([available[1]!.id, available[2]!.id])
    expect(tx.coinOutputs.map((o) => o.value)).toEqual([60n, 9n])
    expect(tx.minerFees).toEqual([1n])
    const { tx: signed, signed: count } = signInputs(
      registry,
      nodeEd25519,
      tx,
      { coinInputs: [to(a), to(a)] },
      keyring([a]),
    )
    expect(count).toBe(2)
    for (const [i, input] of signed.coinInputs.entries()) {
      const err = fulfillError(to(a), input.fulfillment, {
        blockHeight: 1,
        blockTime: 1,
        verifier: nodeEd25519,
        sigHash: (extras) => registry.inputSigHash(signed, i, extras),
      })
      expect(err).toBeUndefined()
    }
  })

  it('says how much is missing', () => {
    try {
      buildTransfer({
        available: [out(1, 5n)],
        outputs: [{ value: 10n, condition: to(b) }],
        fee: 1n,
        change: to(a),
      })
      throw new Error('expected a WalletError')
    } catch (err) {
      expect(err).toBeInstanceOf(WalletError)
      expect((err as WalletError).details.missing).toBe(6n)
      expect((err as WalletError).message).toMatch(/6 base units missing/)
    }
  })

  it('co-signs a 2-of-3 multisig input one key at a time', () => {
    const multisig: Condition = {
      type: 4,
      minimumSignatureCount: 2,
      unlockHashes: [a, b, c].map((k) => publicKeyUnlockHash(k.publicKey)),
    }
    const tx = buildTransfer({
      available: [out(1, 10n, multisig)],
      outputs: [{ value: 9n, condition: to(a) }],
      fee: 1n,
      change: multisig,
    })
    const first = signInputs(registry, nodeEd25519, tx, { coinInputs: [multisig] }, keyring([a]))
    const second = signInputs(registry, nodeEd25519, first.tx, { coinInputs: [multisig] }, keyring([c, a]))
    expect(second.signed).toBe(1)
    const f = second.tx.coinInputs[0]!.fulfillment
    expect(f.type === 3 && f.pairs.length).toBe(2)
    expect(
      fulfillError(multisig, f, {
        blockHeight: 1,
        blockTime: 1,
        verifier: nodeEd25519,
        sigHash: (e) => registry.inputSigHash(second.tx, 0, e),
      }),
    ).toBeUndefined()
  })

  it('moves block stakes with their change, paying the coin fee from coin inputs (spec §4.4)', () => {
    const stakes = [out(10, 700n), out(11, 300n)]
    const coins = [out(1, 5n), out(2, 2n)]
    const tx = buildTransaction({
      coins: { available: coins, outputs: [] },
      blockStakes: { available: stakes, outputs: [{ value: 800n, condition: to(b) }] },
      fee: 1n,
      change: to(c),
    })
    expect(tx.blockStakeInputs.map((i) => i.parentId)).toEqual([stakes[0]!.id, stakes[1]!.id])
    expect(tx.blockStakeOutputs).toEqual([
      { value: 800n, condition: to(b) },
      { value: 200n, condition: to(c) },
    ])
    expect(tx.coinInputs.map((i) => i.parentId)).toEqual([coins[0]!.id])
    expect(tx.coinOutputs).toEqual([{ value: 4n, condition: to(c) }])
    expect(tx.minerFees).toEqual([1n])
    const signed = signInputs(
      registry,
      nodeEd25519,
      tx,
      { coinInputs: [to(a)], blockStakeInputs: [to(a), to(a)] },
      keyring([a]),
    )
    expect(signed.signed).toBe(3)
    expect(
      signatureStatus(signed.tx, { coinInputs: [to(a)], blockStakeInputs: [to(a), to(a)] }).every(
        (s) => s.have >= s.need,
      ),
    ).toBe(true)
  })

  it('refuses missing block stakes, empty transactions and zero outputs', () => {
    expect(() =>
      buildTransaction({
        coins: { available: [out(1, 5n)], outputs: [] },
        blockStakes: { available: [out(10, 3n)], outputs: [{ value: 4n, condition: to(b) }] },
        fee: 1n,
        change: to(a),
      }),
    ).toThrow(/insufficient block stakes: 1 missing/)
    expect(() =>
      buildTransaction({ coins: { available: [out(1, 5n)], outputs: [] }, fee: 1n, change: to(a) }),
    ).toThrow(/at least one output/)
    expect(() =>
      buildTransfer({
        available: [out(1, 5n)],
        outputs: [{ value: 0n, condition: to(b) }],
        fee: 1n,
        change: to(a),
      }),
    ).toThrow(/positive amount/)
  })

  it('counts the signatures each input has and needs, time-locked multisig included', () => {
    const multisig: Condition = {
      type: 4,
      minimumSignatureCount: 2,
      unlockHashes: [a, b, c].map((k) => publicKeyUnlockHash(k.publicKey)),
    }
    const locked: Condition = { type: 3, lockTime: 5n, condition: multisig }
    const tx = buildTransfer({
      available: [out(1, 10n, locked), out(2, 10n, to(a))],
      outputs: [{ value: 15n, condition: to(a) }],
      fee: 1n,
      change: multisig,
    })
    const spent = { coinInputs: [locked, to(a)] }
    expect(signatureStatus(tx, spent).map((s) => [s.kind, s.have, s.need])).toEqual([
      ['multisig', 0, 2],
      ['single', 0, 1],
    ])
    const once = signInputs(registry, nodeEd25519, tx, spent, keyring([b, a]))
    expect(signatureStatus(once.tx, spent).map((s) => [s.have, s.need])).toEqual([
      [2, 2],
      [1, 1],
    ])
  })
})

describe('data-only transactions (a notary record)', () => {
  it('pay only their fee, the rest back as change; without data they are refused', () => {
    const data = utf8('nty1'.padEnd(36, '.'))
    const tx = buildTransaction({
      coins: { available: [out(1, 5n)], outputs: [] },
      fee: 1n,
      change: to(a),
      arbitraryData: data,
    })
    expect(tx.coinOutputs).toEqual([{ value: 4n, condition: to(a) }])
    expect(tx.minerFees).toEqual([1n])
    expect(tx.arbitraryData).toEqual(data)
    // an input of exactly the fee leaves nothing to pay back
    const exact = buildTransaction({
      coins: { available: [out(1, 1n)], outputs: [] },
      fee: 1n,
      change: to(a),
      arbitraryData: data,
    })
    expect(exact.coinOutputs).toEqual([])
    expect(exact.coinInputs).toHaveLength(1)
    expect(() =>
      buildTransaction({ coins: { available: [out(1, 5n)], outputs: [] }, fee: 1n, change: to(a) }),
    ).toThrow(/at least one output or arbitrary data/)
  })
})
