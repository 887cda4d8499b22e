// consensus/extensions/minting: the rules of minter definitions (128), coin creations (129) and coin
// destructions (130), and the mint condition history by height (spec/tfchain.md §2, §1.6).
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import {
  type MintingParams,
  mintConditionAt,
  mintConditionHistory,
  mintingExtension,
  mintingRules,
  signMintFulfillment,
} from '../../../../consensus/extensions/minting/index.js'
import { preset } from '../../../../consensus/params/presets.js'
import { type Condition, NIL_CONDITION, unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { ed25519PublicKey } from '../../../../consensus/types/publickey.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import type { ValidationError } from '../../../../consensus/validation/errors.js'
import { addressOf, conditionOf, ed, Harness, nonce, TFT } from './harness.js'
import { testKey } from './helpers.js'

const [a, b, c, outsider] = [testKey('mint a'), testKey('mint b'), testKey('mint c'), testKey('outsider')]
const receiver = conditionOf(testKey('receiver'))

/** tfchain's options (Sia bodies, RequireMinerFees) with `a` as the genesis mint condition. */
const TFCHAIN: MintingParams = {
  genesisMintCondition: conditionOf(a),
  minterDefinitionVersion: 128,
  coinCreationVersion: 129,
  encoding: 'sia',
  requireMinerFees: true,
}

const tfchain = () => new Harness(preset('tfchain-devnet'), [mintingExtension.enable(TFCHAIN)])

const twoOfThree: Condition = {
  type: 4,
  minimumSignatureCount: 2,
  unlockHashes: [addressOf(a), addressOf(b), addressOf(c)],
}

const definition = (mintCondition: Condition, n = 1, minerFees = [TFT]): Transaction => ({
  ...emptyTransaction(128),
  minerFees,
  extension: { nonce: nonce(n), mintFulfillment: { type: 0 }, mintCondition },
})

const creation = (value: bigint, n = 2, minerFees = [TFT]): Transaction => ({
  ...emptyTransaction(129),
  coinOutputs: value > 0n ? [{ value, condition: receiver }] : [],
  minerFees,
  extension: { nonce: nonce(n), mintFulfillment: { type: 0 } },
})

describe('minting rules (tfchain options)', () => {
  it('refuses the 10^18 coin creation with a garbage mint fulfillment, naming the rule and transaction', () => {
    const h = tfchain()
    const forged: Transaction = {
      ...creation(10n ** 18n),
      extension: {
        nonce: nonce(7),
        mintFulfillment: {
          type: 1,
          publicKey: ed25519PublicKey(new Uint8Array(32).fill(7)),
          signature: new Uint8Array(64).fill(9),
        },
      },
    }
    const err = h.refusal(forged)
    expect(err.code).toBe('mint-unfulfilled')
    expect(err.rule).toBe('minting/coin-creation')
    expect(err.details.transaction).toBe(0)
    expect(err.message).toMatch(/^transaction 0: minting\/coin-creation: the mint fulfillment/)
    // a valid signature by a key that is not the mint condition's is refused too
    const err2 = h.refusal(signMintFulfillment(h.registry, ed, creation(10n ** 18n), outsider))
    expect(err2.code).toBe('mint-unfulfilled')
    expect(err2.message).toMatch(/public key does not match/)
  })

  it('a coin creation signed under the genesis condition creates its outputs out of no inputs', () => {
    const h = tfchain()
    const tx = signMintFulfillment(h.registry, ed, creation(500n * TFT), a)
    const result = h.block(tx)
    expect(result.createdCoins).toHaveLength(1)
    expect(result.createdCoins[0]).toMatchObject({ value: 500n * TFT, condition: receiver })
    expect(result.spentCoins).toEqual([])
    expect(result.extensionChanges).toEqual([]) // a creation changes no minting state
  })

  it('a minter definition changes the condition from its block on: 2 of 3 signatures mint, 1 does not', () => {
    const h = tfchain()
    h.height = 10
    const result = h.block(signMintFulfillment(h.registry, ed, definition(twoOfThree), a))
    expect(result.extensionChanges.map((c) => c.key)).toEqual(['mintconditions/00000001', 'mintconditions'])
    expect(mintConditionAt(h.state, 9)).toEqual(conditionOf(a))
    expect(mintConditionAt(h.state, 10)).toEqual(twoOfThree)
    expect(mintConditionAt(h.state, 1_000)).toEqual(twoOfThree)
    expect(mintConditionHistory(h.state).map((e) => e.height)).toEqual([0, 10])

    // height 11: the old key alone no longer mints
    const single = signMintFulfillment(h.registry, ed, creation(TFT), a)
    expect(h.refusal(single).message).toMatch(/multisig condition needs a multisig fulfillment/)
    const one = signMintFulfillment(h.registry, ed, creation(TFT), a, 'multisig')
    expect(h.refusal(one)).toMatchObject({ code: 'mint-unfulfilled' })
    expect(h.refusal(one).message).toMatch(/multisig needs 2 signatures, got 1/)
    const withOutsider = signMintFulfillment(h.registry, ed, one, outsider, 'multisig')
    expect(h.refusal(withOutsider).message).toMatch(/unauthorized public key/)
    const two = signMintFulfillment(h.registry, ed, one, c, 'multisig')
    expect(h.block(two).createdCoins).toHaveLength(1)
  })

  it('a later transaction of the same block already sees a definition (spec §1.6)', () => {
    const h = tfchain()
    const define = signMintFulfillment(h.registry, ed, definition(conditionOf(b)), a)
    const byB = signMintFulfillment(h.registry, ed, creation(TFT), b)
    const byA = signMintFulfillment(h.registry, ed, creation(TFT), a)
    const err = h.refusal(define, byA)
    expect(err).toMatchObject({ code: 'mint-unfulfilled' })
    expect(err.details.transaction).toBe(1)
    h.block(define, byB)
    expect(mintConditionAt(h.state, h.height)).toEqual(conditionOf(b))
  })

  it('two definitions in one block: the later wins, one history entry', () => {
    const h = tfchain()
    h.height = 5
    const first = signMintFulfillment(h.registry, ed, definition(conditionOf(b)), a)
    const second = signMintFulfillment(h.registry, ed, definition(conditionOf(c), 2), b)
    const result = h.block(first, second)
    expect(mintConditionHistory(h.state)).toEqual([
      { height: 0, condition: conditionOf(a) },
      { height: 5, condition: conditionOf(c) },
    ])
    // the block's writes in order: entry 1 and count, then entry 1 again
    expect(result.extensionChanges.map((x) => x.key)).toEqual([
      'mintconditions/00000001',
      'mintconditions',
      'mintconditions/00000001',
    ])
  })

  it('refuses definitions of conditions that cannot mint', () => {
    const h = tfchain()
    const swap: Condition = {
      type: 2,
      sender: addressOf(a),
      receiver: addressOf(b),
      hashedSecret: blake2b256(utf8('s')),
      timeLock: 1n,
    }
    const multisigAddress = unlockHashCondition({ type: 3, hash: blake2b256(utf8('ms')) })
    for (const bad of [
      NIL_CONDITION,
      swap,
      multisigAddress,
      { type: 3, lockTime: 5n, condition: NIL_CONDITION },
    ]) {
      const err = h.refusal(signMintFulfillment(h.registry, ed, definition(bad as Condition), a))
      expect(err.code, JSON.stringify(bad.type)).toBe('invalid-mint-condition')
      expect(err.rule).toBe('minting/minter-definition')
    }
    // a time lock around a multisig is a valid mint condition
    const locked: Condition = { type: 3, lockTime: 20n, condition: twoOfThree }
    h.block(signMintFulfillment(h.registry, ed, definition(locked), a))
  })

  it('a time-locked mint condition cannot be fulfilled before its lock', () => {
    const h = tfchain()
    const locked: Condition = { type: 3, lockTime: 5n, condition: conditionOf(b) }
    h.block(signMintFulfillment(h.registry, ed, definition(locked), a)) // height 1
    const mint = signMintFulfillment(h.registry, ed, creation(TFT), b)
    expect(h.refusal(mint).message).toMatch(/time lock has not been reached/)
    h.height = 5
    h.block(mint)
  })

  it('checks nonce, fees, outputs and the lists a type has no place for', () => {
    const h = tfchain()
    const sign = (tx: Transaction) => signMintFulfillment(h.registry, ed, tx, a)
    expect(h.refusal(sign(creation(TFT, 0))).code).toBe('zero-nonce')
    expect(h.refusal(sign(definition(conditionOf(b), 0))).code).toBe('zero-nonce')
    expect(h.refusal(creation(TFT, 2, [])).code).toBe('missing-miner-fee')
    expect(h.refusal(definition(conditionOf(b), 2, [])).code).toBe('missing-miner-fee')
    // tfchain devnet's 1 TFT minimum fee is the core's rule and covers extension versions too
    expect(h.refusal(sign(creation(TFT, 2, [TFT / 10n]))).code).toBe('fee-too-low')
    expect(h.refusal(creation(0n)).code).toBe('no-coin-outputs')
    // lists the layouts have no place for cannot be encoded (so never arrive), and the rules refuse them
    // too (in-memory transactions): checked on the rules themselves
    const stake = { value: 1n, condition: receiver }
    const [defineRule, createRule] = mintingRules(TFCHAIN)
    const ctx = { ...h.context(), state: h.state }
    const spent = { coins: [], blockStakes: [] }
    const refusal = (run: () => void) => {
      try {
        run()
      } catch (err) {
        return err as ValidationError
      }
      throw new Error('accepted')
    }
    const err = refusal(() =>
      createRule!.validate({ ...creation(TFT), blockStakeOutputs: [stake] }, spent, ctx),
    )
    expect(err).toMatchObject({ code: 'unexpected-transfer', rule: 'minting/coin-creation' })
    const tx = { ...definition(conditionOf(b)), coinOutputs: [stake] }
    expect(refusal(() => defineRule!.validate(tx, spent, ctx)).code).toBe('unexpected-transfer')
  })
})

describe('minting rules (Rivine options: rivbin, no fees, coin destruction)', () => {
  const RIVINE: MintingParams = {
    ...TFCHAIN,
    encoding: 'rivbin',
    requireMinerFees: false,
    coinDestructionVersion: 130,
  }
  const rivine = () => new Harness(preset('rivchain-devnet'), [mintingExtension.enable(RIVINE)])

  it('takes no miner fees on minting transactions', () => {
    const h = rivine()
    const sign = (tx: Transaction) => signMintFulfillment(h.registry, ed, tx, a)
    h.block(sign(creation(TFT, 1, [])))
    expect(h.refusal(creation(TFT, 2)).code).toBe('undesired-miner-fee')
  })

  it('a coin destruction destroys what its inputs have beyond its outputs and fees', () => {
    const h = rivine()
    const owner = testKey('burner')
    const burnTx = (id: Uint8Array, out: bigint, fee: bigint): Transaction => ({
      ...emptyTransaction(130),
      coinInputs: [{ parentId: id, fulfillment: { type: 0 } }],
      coinOutputs: out > 0n ? [{ value: out, condition: conditionOf(owner) }] : [],
      minerFees: fee > 0n ? [fee] : [],
    })
    const signed = (tx: Transaction) => signSingleSignature(h.registry, ed, tx, 'coinInputs', 0, owner)
    const id = blake2b256(utf8('burn me'))
    h.fund(id, 10n * TFT, conditionOf(owner))
    expect(h.refusal(signed(burnTx(id, 9n * TFT, TFT))).code).toBe('nothing-destroyed')
    expect(h.refusal(signed(burnTx(id, 10n * TFT, TFT))).code).toBe('unbalanced-coins')
    expect(h.refusal(signed(burnTx(id, TFT, 0n))).code).toBe('missing-miner-fee')
    expect(h.refusal(burnTx(id, TFT, TFT)).code).toBe('nonstandard-input') // unsigned
    const result = h.block(signed(burnTx(id, 4n * TFT, TFT)))
    expect(result.spentCoins.map((o) => o.value)).toEqual([10n * TFT])
    expect(result.createdCoins.map((o) => o.value)).toEqual([4n * TFT]) // 5 TFT are gone
  })

  it('tfchain has no coin destruction: version 130 is refused', () => {
    const h = tfchain()
    const err = h.refusal({ ...emptyTransaction(130), minerFees: [TFT] })
    expect(err.code).toBe('unknown-version')
  })
})
