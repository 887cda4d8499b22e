// consensus/extensions/authcointx: codecs, JSON, IDs and signature hashes of versions 176/177 (spec/tfchain.md §3).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nobleEd25519 } from '../../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { array, encode } from '../../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../../consensus/encoding/errors.js'
import { concatBytes, fromHex, toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import {
  AUTH_ADDRESS_UPDATE_SPECIFIER,
  AUTH_CONDITION_UPDATE_SPECIFIER,
  type AuthAddressUpdateExtension,
  type AuthConditionUpdateExtension,
  authAddressUpdateOf,
  authCoinTransactionTypes,
  authConditionUpdateOf,
  authFulfillmentError,
  authFulfillmentSigHash,
  signAuthFulfillment,
} from '../../../../consensus/extensions/index.js'
import { BlockCodec } from '../../../../consensus/types/block.js'
import {
  type Condition,
  conditionCodec,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import type { Fulfillment } from '../../../../consensus/types/fulfillments.js'
import { type PublicKey, publicKeyCodec } from '../../../../consensus/types/publickey.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashCodec } from '../../../../consensus/types/unlockhash.js'
import {
  arbitraryData,
  assertJsonRoundTrip,
  assertTruncationRejected,
  at,
  condition,
  fulfillment,
  minerFees,
  nonce,
  testKey,
  unlockHash,
  verifiers,
} from './helpers.js'

// ---- transactions ------------------------------------------------------------------------------

const rivine = coreRegistry().with(...authCoinTransactionTypes({ requireMinerFees: false }))
const tfchain = coreRegistry().with(...authCoinTransactionTypes({ requireMinerFees: true }))

const addressUpdateTx: fc.Arbitrary<Transaction> = fc
  .record({
    nonce,
    authAddresses: fc.array(unlockHash, { maxLength: 4 }),
    deauthAddresses: fc.array(unlockHash, { maxLength: 4 }),
    authFulfillment: fulfillment,
    minerFees,
    arbitraryData,
  })
  .map(({ minerFees, arbitraryData, ...ext }) => ({
    ...emptyTransaction(176),
    minerFees,
    arbitraryData,
    extension: ext satisfies AuthAddressUpdateExtension,
  }))

const conditionUpdateTx = (json: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      nonce,
      authCondition: condition(json),
      authFulfillment: fulfillment,
      minerFees,
      arbitraryData,
    })
    .map(({ minerFees, arbitraryData, ...ext }) => ({
      ...emptyTransaction(177),
      minerFees,
      arbitraryData,
      extension: ext satisfies AuthConditionUpdateExtension,
    }))

const anyAuthTx = (json: boolean) => fc.oneof(addressUpdateTx, conditionUpdateTx(json))

const key = (n: number) => testKey(`auth test key ${n}`)
const [alice, bob] = [key(1), key(2)]
const addr = (k: { publicKey: PublicKey }) => publicKeyUnlockHash(k.publicKey)

const sampleAddressUpdate = (fees: bigint[] = [1_000_000_000n]): Transaction => ({
  ...emptyTransaction(176),
  minerFees: fees,
  arbitraryData: utf8('kyc'),
  extension: {
    nonce: fromHex('0102030405060708'),
    authAddresses: [addr(alice)],
    deauthAddresses: [addr(bob)],
    authFulfillment: { type: 0 },
  } satisfies AuthAddressUpdateExtension,
})

const sampleConditionUpdate = (fees: bigint[] = [1_000_000_000n]): Transaction => ({
  ...emptyTransaction(177),
  minerFees: fees,
  arbitraryData: new Uint8Array(0),
  extension: {
    nonce: fromHex('0807060504030201'),
    authCondition: unlockHashCondition(addr(bob)),
    authFulfillment: { type: 0 },
  } satisfies AuthConditionUpdateExtension,
})

// ---- tests ---------------------------------------------------------------------------------------

describe('auth-coin codecs (rivbin)', () => {
  it('round-trips random auth transactions through the binary codec', () => {
    fc.assert(
      fc.property(anyAuthTx(false), (tx) => {
        const bin = rivine.encode(tx)
        expect(bin[0]).toBe(tx.version)
        const back = rivine.decode(bin)
        expect(back).toEqual(tx)
        expect(toHex(rivine.encode(back))).toBe(toHex(bin))
        expect(toHex(tfchain.encode(tx))).toBe(toHex(bin)) // the fee option does not touch the body
      }),
      { numRuns: 300 },
    )
  })

  it('round-trips random auth transactions through JSON', () => {
    assertJsonRoundTrip(rivine, anyAuthTx(true))
  })

  it('rejects truncated input and trailing bytes with a DecodeError', () => {
    assertTruncationRejected(rivine, anyAuthTx(false))
  })

  it('writes the v176 and v177 bodies as laid out (tfchain §3.2–3.3)', () => {
    const a = addr(alice)
    const b = addr(bob)
    const uh = (u: UnlockHash) => toHex(encode(unlockHashCodec, u, 'rivbin'))
    expect(toHex(rivine.encode(sampleAddressUpdate()))).toBe(
      ['b0', '0102030405060708', `02${uh(a)}`, `02${uh(b)}`, '066b7963', '0000', '02083b9aca00'].join(''),
    )
    expect(toHex(rivine.encode(sampleConditionUpdate([])))).toBe(
      ['b1', '0807060504030201', '00', `0142${uh(b)}`, '0000', '00'].join(''),
    )
  })

  it('derives IDs from the specifier and the rivbin body', () => {
    for (const [tx, spec] of [
      [sampleAddressUpdate(), AUTH_ADDRESS_UPDATE_SPECIFIER],
      [sampleConditionUpdate(), AUTH_CONDITION_UPDATE_SPECIFIER],
    ] as const) {
      const input = concatBytes(spec, rivine.encode(tx).subarray(1))
      expect(toHex(rivine.id(tx))).toBe(toHex(blake2b256(input)))
      expect(rivine.outputIds(tx).coinOutputIds).toEqual([])
    }
  })

  it('writes JSON in the reference field order, with null and omitted empties', () => {
    const empty: Transaction = {
      ...emptyTransaction(176),
      extension: {
        nonce: fromHex('0000000000000001'),
        authAddresses: [],
        deauthAddresses: [],
        authFulfillment: { type: 0 },
      },
    }
    expect(rivine.toJsonString(empty)).toBe(
      '{"version":176,"data":{"nonce":"AAAAAAAAAAE=","authaddresses":null,"deauthaddresses":null,"authfulfillment":{}}}',
    )
    expect(
      Object.keys((JSON.parse(rivine.toJsonString(sampleConditionUpdate())) as { data: object }).data),
    ).toEqual(['nonce', 'authcondition', 'authfulfillment', 'minerfees'])
    // the nonce also reads as a JSON array of 8 bytes, and must be 8 bytes
    const json = JSON.parse(rivine.toJsonString(sampleConditionUpdate()))
    json.data.nonce = [8, 7, 6, 5, 4, 3, 2, 1]
    expect(rivine.fromJson(json)).toEqual(sampleConditionUpdate())
    json.data.nonce = [8, 7, 6]
    expect(() => rivine.fromJson(json)).toThrow(DecodeError)
  })

  it('decodes auth bodies inside a Sia block, followed by more transactions', () => {
    const blocks = new BlockCodec(tfchain)
    const v1: Transaction = { ...emptyTransaction(1), minerFees: [3n], arbitraryData: utf8('after') }
    const block = {
      parentId: new Uint8Array(32).fill(1),
      timestamp: 1_600_000_000,
      pobsOutput: { blockHeight: 1, transactionIndex: 0, outputIndex: 0 },
      minerPayouts: [{ value: 10n, unlockHash: addr(alice) }],
      transactions: [sampleAddressUpdate(), v1, sampleConditionUpdate()],
    }
    const bin = blocks.encode(block)
    expect(blocks.decode(bin)).toEqual(block)
  })

  it('refuses to encode coin or block stake transfers, foreign extensions and bad nonces', () => {
    const out = { value: 1n, condition: { type: 0 } as Condition }
    expect(() => rivine.encode({ ...sampleAddressUpdate(), coinOutputs: [out] })).toThrow(TypeError)
    expect(() => rivine.encode({ ...sampleConditionUpdate(), blockStakeOutputs: [out] })).toThrow(TypeError)
    expect(() =>
      rivine.encode({ ...sampleAddressUpdate(), extension: sampleConditionUpdate().extension }),
    ).toThrow(TypeError)
    const ext = { ...authConditionUpdateOf(sampleConditionUpdate()), nonce: new Uint8Array(9) }
    expect(() => rivine.encode({ ...sampleConditionUpdate(), extension: ext })).toThrow(RangeError)
  })

  it('takes custom version numbers', () => {
    const reg = coreRegistry().with(
      ...authCoinTransactionTypes({
        requireMinerFees: true,
        addressUpdateVersion: 190,
        conditionUpdateVersion: 191,
      }),
    )
    expect(reg.versions).toEqual([0, 1, 190, 191])
    const tx = { ...sampleConditionUpdate(), version: 191 }
    expect(reg.decode(reg.encode(tx))).toEqual(tx)
    expect(reg.encode(tx)[0]).toBe(191)
  })
})

describe('auth-coin signature hashes (rivbin, tfchain §3.2–3.3)', () => {
  it('v176: version, specifier, nonce, extras, addresses, data, then the fees with RequireMinerFees', () => {
    for (const [reg, fees] of [
      [tfchain, [1_000_000_000n]],
      [rivine, []],
    ] as const) {
      const tx = sampleAddressUpdate([...fees])
      const ext = authAddressUpdateOf(tx)
      const parts = [
        new Uint8Array([176]),
        AUTH_ADDRESS_UPDATE_SPECIFIER,
        ext.nonce,
        encode(publicKeyCodec, alice.publicKey, 'rivbin'), // 33 bytes under rivbin
        encode(array(unlockHashCodec), ext.authAddresses, 'rivbin'),
        encode(array(unlockHashCodec), ext.deauthAddresses, 'rivbin'),
        fromHex('066b7963'),
      ]
      if (reg === tfchain) parts.push(fromHex('02083b9aca00'))
      expect(parts[3]!.length).toBe(33)
      expect(toHex(authFulfillmentSigHash(reg, tx, alice.publicKey))).toBe(toHex(blake2b256(...parts)))
    }
  })

  it('v177: version, specifier, nonce, extras, condition, data, then the fees with RequireMinerFees', () => {
    const tx = sampleConditionUpdate()
    const ext = authConditionUpdateOf(tx)
    const expected = blake2b256(
      new Uint8Array([177]),
      AUTH_CONDITION_UPDATE_SPECIFIER,
      ext.nonce,
      encode(conditionCodec, ext.authCondition, 'rivbin'),
      fromHex('00'),
      fromHex('02083b9aca00'),
    )
    expect(toHex(authFulfillmentSigHash(tfchain, tx))).toBe(toHex(expected))
  })

  it('refuses to hash fees that contradict the option (they would go unsigned)', () => {
    expect(() => rivine.sigHash(sampleAddressUpdate(), [])).toThrow(/miner fees/)
    expect(() => tfchain.sigHash(sampleConditionUpdate([]), [])).toThrow(/miner fee/)
  })
})

describe('auth fulfillments', () => {
  const check = (tx: Transaction, c: Condition) =>
    verifiers.map((verifier) => authFulfillmentError(tfchain, tx, c, { ...at, verifier }))

  it('signs and verifies single-signature auth fulfillments with both verifiers', () => {
    for (const tx of [sampleAddressUpdate(), sampleConditionUpdate()]) {
      for (const ed of verifiers) {
        const signed = signAuthFulfillment(tfchain, ed, tx, alice)
        expect(check(signed, unlockHashCondition(addr(alice)))).toEqual([undefined, undefined])
        const f = (signed.extension as { authFulfillment: Fulfillment }).authFulfillment
        if (f.type !== 1) throw new Error('expected a single signature')
        expect(nodeEd25519.verify(alice.publicKey.key, tfchain.sigHash(signed, []), f.signature)).toBe(true)
        const tampered = { ...signed, minerFees: [2n] }
        expect(check(tampered, unlockHashCondition(addr(alice)))).toEqual([
          'invalid signature',
          'invalid signature',
        ])
        // the ID covers the fulfillment
        expect(toHex(tfchain.id(signed))).not.toBe(toHex(tfchain.id(tx)))
      }
    }
  })

  it('collects multisig pairs, each signer adding only its public key', () => {
    const multisig: Condition = { type: 4, minimumSignatureCount: 2, unlockHashes: [addr(alice), addr(bob)] }
    const once = signAuthFulfillment(tfchain, nobleEd25519, sampleAddressUpdate(), bob, 'multisig')
    expect(check(once, multisig)[0]).toMatch(/needs 2 signatures/)
    const twice = signAuthFulfillment(tfchain, nodeEd25519, once, alice, 'multisig')
    expect(check(twice, multisig)).toEqual([undefined, undefined])
    // a timelocked multisig auth condition: not before its time
    const locked: Condition = { type: 3, lockTime: 101n, condition: multisig }
    expect(check(twice, locked)[0]).toMatch(/time lock/)
  })
})
