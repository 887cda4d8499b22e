// consensus/extensions/minting: codecs, JSON, IDs and signature hashes of versions 128/129/130 (spec/tfchain.md §2).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nobleEd25519 } from '../../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { array, encode, type Format } from '../../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../../consensus/encoding/errors.js'
import { concatBytes, fromHex, toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import {
  COIN_CREATION_SPECIFIER,
  COIN_DESTRUCTION_SPECIFIER,
  type CoinCreationExtension,
  coinCreationOf,
  MINTER_DEFINITION_SPECIFIER,
  type MinterDefinitionExtension,
  minterDefinitionOf,
  mintFulfillmentError,
  mintFulfillmentSigHash,
  mintingTransactionTypes,
  signMintFulfillment,
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
import {
  COIN_OUTPUT_SPECIFIER,
  type CoinInput,
  type CoinOutput,
  emptyTransaction,
  type Transaction,
  type TransactionRegistry,
} from '../../../../consensus/types/transaction.js'
import { type UnlockHash, u64le } from '../../../../consensus/types/unlockhash.js'
import { outputCodec } from '../../../../consensus/types/v1.js'
import {
  arbitraryData,
  assertJsonRoundTrip,
  assertTruncationRejected,
  at,
  condition,
  currency,
  fulfillment,
  hash32,
  minerFees,
  nonce,
  testKey,
  verifiers,
} from './helpers.js'

const coinOutput = (json: boolean): fc.Arbitrary<CoinOutput> =>
  fc.record({ value: currency, condition: condition(json) })
const coinInput: fc.Arbitrary<CoinInput> = fc.record({ parentId: hash32, fulfillment })

// ---- transactions ------------------------------------------------------------------------------

const registryFor = (format: Format, requireMinerFees: boolean): TransactionRegistry =>
  coreRegistry().with(...mintingTransactionTypes({ format, requireMinerFees, coinDestructionVersion: 130 }))
const tfchain = coreRegistry().with(...mintingTransactionTypes({ format: 'sia', requireMinerFees: true }))

const minterDefinitionTx = (json: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      nonce,
      mintFulfillment: fulfillment,
      mintCondition: condition(json),
      minerFees,
      arbitraryData,
    })
    .map(({ nonce, mintFulfillment, mintCondition, minerFees, arbitraryData }) => ({
      ...emptyTransaction(128),
      minerFees,
      arbitraryData,
      extension: { nonce, mintFulfillment, mintCondition } satisfies MinterDefinitionExtension,
    }))

const coinCreationTx = (json: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      nonce,
      mintFulfillment: fulfillment,
      coinOutputs: fc.array(coinOutput(json), { maxLength: 3 }),
      minerFees,
      arbitraryData,
    })
    .map(({ nonce, mintFulfillment, coinOutputs, minerFees, arbitraryData }) => ({
      ...emptyTransaction(129),
      coinOutputs,
      minerFees,
      arbitraryData,
      extension: { nonce, mintFulfillment } satisfies CoinCreationExtension,
    }))

const coinDestructionTx = (json: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      coinInputs: fc.array(coinInput, { maxLength: 3 }),
      coinOutputs: fc.array(coinOutput(json), { maxLength: 3 }),
      minerFees,
      arbitraryData,
    })
    .map((b) => ({ ...emptyTransaction(130), ...b }))

const anyMintingTx = (json: boolean) =>
  fc.oneof(minterDefinitionTx(json), coinCreationTx(json), coinDestructionTx(json))

const key = (n: number) => testKey(`minting test key ${n}`)
const [alice, bob] = [key(1), key(2)]

const sampleCreation = (fees: bigint[] = [1_000_000_000n]): Transaction => ({
  ...emptyTransaction(129),
  coinOutputs: [{ value: 5n, condition: unlockHashCondition(publicKeyUnlockHash(bob.publicKey)) }],
  minerFees: fees,
  arbitraryData: utf8('minted'),
  extension: { nonce: fromHex('0102030405060708'), mintFulfillment: { type: 0 } },
})

const sampleDefinition = (fees: bigint[] = [1_000_000_000n]): Transaction => ({
  ...emptyTransaction(128),
  minerFees: fees,
  arbitraryData: utf8('abc'),
  extension: {
    nonce: fromHex('0807060504030201'),
    mintFulfillment: { type: 0 },
    mintCondition: unlockHashCondition(publicKeyUnlockHash(bob.publicKey)),
  },
})

// ---- tests ---------------------------------------------------------------------------------------

describe.each(['sia', 'rivbin'] as const)('minting codecs under %s', (format) => {
  const reg = registryFor(format, false)

  it('round-trips random minting transactions through the binary codec', () => {
    fc.assert(
      fc.property(anyMintingTx(false), (tx) => {
        const bin = reg.encode(tx)
        expect(bin[0]).toBe(tx.version)
        const back = reg.decode(bin)
        expect(back).toEqual(tx)
        expect(toHex(reg.encode(back))).toBe(toHex(bin))
        expect(toHex(reg.id(back))).toBe(toHex(reg.id(tx)))
      }),
      { numRuns: 300 },
    )
  })

  it('round-trips random minting transactions through JSON', () => {
    assertJsonRoundTrip(reg, anyMintingTx(true))
  })

  it('rejects truncated input and trailing bytes with a DecodeError', () => {
    assertTruncationRejected(reg, anyMintingTx(false))
  })

  it('derives IDs from the specifier and the body (tfchain §1.5)', () => {
    const txs = [sampleDefinition([]), sampleCreation([])]
    const specs = [MINTER_DEFINITION_SPECIFIER, COIN_CREATION_SPECIFIER]
    txs.forEach((tx, i) => {
      const body = reg.encode(tx).subarray(1)
      const input = concatBytes(specs[i]!, body)
      expect(toHex(reg.id(tx))).toBe(toHex(blake2b256(input)))
      if (tx.coinOutputs.length)
        expect(toHex(reg.coinOutputId(tx, 0))).toBe(toHex(blake2b256(COIN_OUTPUT_SPECIFIER, input, u64le(0))))
    })
    const destroy: Transaction = {
      ...emptyTransaction(130),
      coinInputs: [{ parentId: new Uint8Array(32).fill(7), fulfillment: { type: 0 } }],
      minerFees: [1n],
    }
    const input = concatBytes(COIN_DESTRUCTION_SPECIFIER, reg.encode(destroy).subarray(1))
    expect(toHex(reg.id(destroy))).toBe(toHex(blake2b256(input)))
  })

  it('decodes extension bodies inside a Sia block, followed by more transactions', () => {
    const blocks = new BlockCodec(reg)
    const v1: Transaction = { ...emptyTransaction(1), minerFees: [3n], arbitraryData: utf8('after') }
    const block = {
      parentId: new Uint8Array(32).fill(1),
      timestamp: 1_600_000_000,
      pobsOutput: { blockHeight: 1, transactionIndex: 0, outputIndex: 0 },
      minerPayouts: [{ value: 10n, unlockHash: publicKeyUnlockHash(alice.publicKey) }],
      transactions: [sampleCreation([]), v1, sampleDefinition([])],
    }
    const bin = blocks.encode(block)
    expect(blocks.decode(bin)).toEqual(block)
    expect(toHex(blocks.encode(blocks.decode(bin)))).toBe(toHex(bin))
  })
})

describe('minting layouts', () => {
  it('writes the v128 body under rivbin as laid out (compact prefixes, 1-byte algorithm)', () => {
    const reg = registryFor('rivbin', true)
    const sig = new Uint8Array(64).fill(0xaa)
    const tx: Transaction = {
      ...sampleDefinition(),
      extension: {
        ...minterDefinitionOf(sampleDefinition()),
        mintFulfillment: { type: 1, publicKey: alice.publicKey, signature: sig },
      },
    }
    const uh = publicKeyUnlockHash(bob.publicKey)
    const expected = [
      '80',
      '0807060504030201',
      `01c401${toHex(alice.publicKey.key)}80${toHex(sig)}`,
      `014201${toHex(uh.hash)}`,
      '02083b9aca00',
      '06616263',
    ].join('')
    expect(toHex(reg.encode(tx))).toBe(expected)
  })

  it('writes the v129 body under Sia as laid out (u64 prefixes, 56-byte public keys)', () => {
    const tx = sampleCreation()
    const uh = publicKeyUnlockHash(bob.publicKey)
    const expected = [
      '81',
      '0102030405060708',
      '000000000000000000', // nil fulfillment: type 0, u64le(0)
      `0100000000000000 0100000000000000 05 01 2100000000000000 01${toHex(uh.hash)}`,
      '0100000000000000 0400000000000000 3b9aca00',
      `0600000000000000 ${toHex(utf8('minted'))}`,
    ]
      .join('')
      .replaceAll(' ', '')
    expect(toHex(tfchain.encode(tx))).toBe(expected)
  })

  it('writes JSON in the reference field order, with null and omitted empties', () => {
    const reg = registryFor('sia', false)
    const creation: Transaction = { ...sampleCreation([]), coinOutputs: [], arbitraryData: new Uint8Array(0) }
    expect(reg.toJsonString(creation)).toBe(
      '{"version":129,"data":{"nonce":"AQIDBAUGBwg=","mintfulfillment":{},"coinoutputs":null}}',
    )
    const def = sampleDefinition([])
    expect(Object.keys((JSON.parse(reg.toJsonString(def)) as { data: object }).data)).toEqual([
      'nonce',
      'mintfulfillment',
      'mintcondition',
      'arbitrarydata',
    ])
    expect(reg.toJsonString({ ...emptyTransaction(130) })).toBe(
      '{"version":130,"data":{"coininputs":null,"coinoutputs":null}}',
    )
  })

  it('refuses to encode what the layout cannot carry', () => {
    const out: CoinOutput = { value: 1n, condition: { type: 0 } }
    const input: CoinInput = { parentId: new Uint8Array(32), fulfillment: { type: 0 } }
    expect(() => tfchain.encode({ ...sampleDefinition(), coinOutputs: [out] })).toThrow(TypeError)
    expect(() => tfchain.encode({ ...sampleCreation(), coinInputs: [input] })).toThrow(TypeError)
    expect(() => tfchain.encode({ ...sampleCreation(), blockStakeOutputs: [out] })).toThrow(TypeError)
    expect(() => tfchain.encode({ ...sampleDefinition(), extension: undefined })).toThrow(TypeError)
    // a coin creation extension lacks the mint condition of a minter definition
    expect(() =>
      tfchain.encode({ ...sampleDefinition(), extension: coinCreationOf(sampleCreation()) }),
    ).toThrow(TypeError)
    const shortNonce = { ...minterDefinitionOf(sampleDefinition()), nonce: new Uint8Array(7) }
    expect(() => tfchain.encode({ ...sampleDefinition(), extension: shortNonce })).toThrow(RangeError)
  })

  it('registers only the versions asked for; tfchain rejects coin destruction', () => {
    expect(tfchain.versions).toEqual([0, 1, 128, 129])
    const bin = registryFor('rivbin', false).encode({
      ...emptyTransaction(130),
      coinInputs: [{ parentId: new Uint8Array(32).fill(1), fulfillment: { type: 0 } }],
    })
    try {
      tfchain.decode(bin)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError)
      expect((err as DecodeError).code).toBe('unknown-type')
    }
    const custom = coreRegistry().with(
      ...mintingTransactionTypes({
        format: 'rivbin',
        requireMinerFees: false,
        minterDefinitionVersion: 200,
        coinCreationVersion: 201,
      }),
    )
    expect(custom.versions).toEqual([0, 1, 200, 201])
    const tx = { ...sampleDefinition([]), version: 200 }
    expect(custom.decode(custom.encode(tx))).toEqual(tx)
  })
})

describe('minting signature hashes (tfchain §2.2–2.4)', () => {
  const siaBytes = <T>(codec: { write: (w: never, v: T) => void }, v: T, format: Format = 'sia') =>
    encode(codec as never, v as never, format)

  it('v128 hashes version, specifier, nonce, extras, condition, fees (always) and data', () => {
    for (const requireMinerFees of [true, false]) {
      for (const format of ['sia', 'rivbin'] as const) {
        const reg = registryFor(format, requireMinerFees)
        const tx = sampleDefinition(requireMinerFees ? [1_000_000_000n] : [])
        const md = minterDefinitionOf(tx)
        const fees =
          format === 'sia'
            ? requireMinerFees
              ? '0100000000000000 0400000000000000 3b9aca00'
              : '0000000000000000'
            : requireMinerFees
              ? '02 08 3b9aca00'
              : '00'
        const data = format === 'sia' ? '0300000000000000 616263' : '06 616263'
        const expected = blake2b256(
          new Uint8Array([128]),
          MINTER_DEFINITION_SPECIFIER,
          md.nonce,
          siaBytes(publicKeyCodec, alice.publicKey, format),
          siaBytes(conditionCodec, md.mintCondition, format),
          fromHex(fees.replaceAll(' ', '')),
          fromHex(data.replaceAll(' ', '')),
        )
        expect(toHex(mintFulfillmentSigHash(reg, tx, alice.publicKey))).toBe(toHex(expected))
      }
    }
  })

  it('v129 hashes the miner fees only with RequireMinerFees', () => {
    for (const requireMinerFees of [true, false]) {
      const reg = registryFor('sia', requireMinerFees)
      const tx = sampleCreation(requireMinerFees ? [1_000_000_000n] : [])
      const parts = [
        new Uint8Array([129]),
        COIN_CREATION_SPECIFIER,
        coinCreationOf(tx).nonce,
        encode(array(outputCodec), tx.coinOutputs),
      ]
      if (requireMinerFees) parts.push(fromHex('010000000000000004000000000000003b9aca00'))
      parts.push(fromHex('0600000000000000'), utf8('minted'))
      expect(toHex(mintFulfillmentSigHash(reg, tx))).toBe(toHex(blake2b256(...parts)))
    }
  })

  it('refuses to hash fees that contradict the option (they would go unsigned)', () => {
    expect(() => registryFor('sia', false).sigHash(sampleCreation(), [])).toThrow(/miner fees/)
    expect(() => registryFor('sia', true).sigHash(sampleCreation([]), [])).toThrow(/miner fee/)
    expect(() => registryFor('sia', false).sigHash(sampleDefinition(), [])).toThrow(/miner fees/)
  })

  it('v130 hashes extras (input index first), parent IDs, outputs, fees and data', () => {
    const reg = registryFor('rivbin', false)
    const parentId = new Uint8Array(32).fill(9)
    const tx: Transaction = {
      ...emptyTransaction(130),
      coinInputs: [{ parentId, fulfillment: { type: 0 } }],
      minerFees: [1n],
    }
    const expected = blake2b256(
      new Uint8Array([130]),
      COIN_DESTRUCTION_SPECIFIER,
      u64le(0),
      fromHex('02'),
      parentId,
      fromHex('00'), // no outputs
      fromHex('020201'), // one fee of 1
      fromHex('00'), // no data
    )
    expect(toHex(reg.inputSigHash(tx, 0))).toBe(toHex(expected))
  })

  it('the extras go right after the nonce, so every extra changes the hash', () => {
    const reg = registryFor('sia', true)
    const tx = sampleCreation()
    const a = toHex(reg.sigHash(tx, []))
    const b = toHex(reg.sigHash(tx, [{ kind: 'publicKey', value: alice.publicKey }]))
    const c = toHex(reg.sigHash(tx, [{ kind: 'u64', value: 0 }]))
    expect(new Set([a, b, c]).size).toBe(3)
  })
})

describe('mint fulfillments', () => {
  const reg = registryFor('sia', true)
  const cond = (k: { publicKey: PublicKey }): Condition =>
    unlockHashCondition(publicKeyUnlockHash(k.publicKey))
  const check = (tx: Transaction, c: Condition) =>
    verifiers.map((verifier) => mintFulfillmentError(reg, tx, c, { ...at, verifier }))

  it('signs and verifies a single-signature mint fulfillment with both verifiers', () => {
    for (const tx of [sampleCreation(), sampleDefinition()]) {
      for (const ed of verifiers) {
        const signed = signMintFulfillment(reg, ed, tx, alice)
        expect(check(signed, cond(alice))).toEqual([undefined, undefined])
        // signed with no extras at all (tfchain §1.5)
        const f = coinCreationOf(signed).mintFulfillment as Fulfillment & { signature: Uint8Array }
        expect(nodeEd25519.verify(alice.publicKey.key, reg.sigHash(signed, []), f.signature)).toBe(true)
        expect(check(signed, cond(bob))[0]).toMatch(/does not match/)
        // the signature covers the data, fees and the body
        const tampered = { ...signed, arbitraryData: utf8('other') }
        expect(check(tampered, cond(alice))).toEqual(['invalid signature', 'invalid signature'])
        const refeed = { ...signed, minerFees: [2_000_000_000n] }
        expect(check(refeed, cond(alice))).toEqual(['invalid signature', 'invalid signature'])
      }
    }
  })

  it('collects multisig pairs, each signer adding only its public key', () => {
    const multisig: Condition = {
      type: 4,
      minimumSignatureCount: 2,
      unlockHashes: [alice, bob].map((k) => publicKeyUnlockHash(k.publicKey)) as UnlockHash[],
    }
    const once = signMintFulfillment(reg, nobleEd25519, sampleDefinition(), alice, 'multisig')
    expect(check(once, multisig)[0]).toMatch(/needs 2 signatures/)
    const twice = signMintFulfillment(reg, nodeEd25519, once, bob, 'multisig')
    expect(check(twice, multisig)).toEqual([undefined, undefined])
    const f = minterDefinitionOf(twice).mintFulfillment
    if (f.type !== 3) throw new Error('expected a multisig fulfillment')
    expect(
      nobleEd25519.verify(
        bob.publicKey.key,
        mintFulfillmentSigHash(reg, twice, bob.publicKey),
        f.pairs[1]!.signature,
      ),
    ).toBe(true)
    // the mint fulfillment is part of the ID: each signature changes it
    expect(toHex(reg.id(once))).not.toBe(toHex(reg.id(twice)))
  })

  it('respects time-locked mint conditions', () => {
    const signed = signMintFulfillment(reg, nobleEd25519, sampleCreation(), alice)
    const locked = (lockTime: bigint): Condition => ({ type: 3, lockTime, condition: cond(alice) })
    expect(check(signed, locked(100n))).toEqual([undefined, undefined])
    expect(check(signed, locked(101n))[0]).toMatch(/time lock/)
    expect(check(signed, locked(1_600_000_000n))).toEqual([undefined, undefined])
    expect(check(signed, locked(1_600_000_001n))[0]).toMatch(/time lock/)
  })
})
