// Structure-aware generators for the fuzz targets: valid values of every decoded type, built on the
// fast-check arbitraries the extension unit tests share (test/unit/consensus/extensions/helpers.ts).
import fc from 'fast-check'
import { toHex } from '../../consensus/encoding/hex.js'
import { registryFor } from '../../consensus/extensions/catalog.js'
import { mintingTransactionTypes } from '../../consensus/extensions/minting/index.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { preset, presetNames } from '../../consensus/params/presets.js'
import { tfchainStandard } from '../../consensus/params/tfchain.js'
import type { Block } from '../../consensus/types/block.js'
import { type Condition, conditionToJson } from '../../consensus/types/conditions.js'
import type { Fulfillment } from '../../consensus/types/fulfillments.js'
import type { PublicKey } from '../../consensus/types/publickey.js'
import {
  type CoinInput,
  type CoinOutput,
  emptyTransaction,
  type Transaction,
} from '../../consensus/types/transaction.js'
import type { UnlockHash } from '../../consensus/types/unlockhash.js'
import {
  arbitraryData,
  condition,
  currency,
  fulfillment,
  hash32,
  minerFees,
  nonce,
  unlockHash,
} from '../unit/consensus/extensions/helpers.js'

/**
 * The tfchain registry (v0, v1, minting 128/129 with Sia bodies, auth-coin 176/177 with rivbin bodies) plus
 * Rivine's rivbin minting layouts at spare versions (130 coin destruction, 131/132), so every extension
 * body layout in both codecs is decoded by the one registry the byte targets use.
 */
export const RIVBIN_MINTING = {
  minterDefinitionVersion: 131,
  coinCreationVersion: 132,
  coinDestructionVersion: 130,
}
export const fuzzRegistry = () =>
  registryFor(tfchainStandard).with(
    ...mintingTransactionTypes({ format: 'rivbin', requireMinerFees: false, ...RIVBIN_MINTING }),
  )

const u64 = (json: boolean) =>
  fc.bigInt({ min: 0n, max: json ? BigInt(Number.MAX_SAFE_INTEGER) : 2n ** 64n - 1n })
const safeNat = fc.nat({ max: Number.MAX_SAFE_INTEGER })
const standardAddress: fc.Arbitrary<UnlockHash> = hash32
  .filter((h) => h.some((b) => b !== 0))
  .map((hash) => ({ type: 1, hash }))

const publicKey: fc.Arbitrary<PublicKey> = fc.oneof(
  { weight: 5, arbitrary: hash32.map((key): PublicKey => ({ algorithm: 1, key })) },
  { weight: 1, arbitrary: fc.constant<PublicKey>({ algorithm: 0, key: new Uint8Array(0) }) },
)

/** The v0-era atomic swap fulfillment, which the shared arbitrary leaves out. */
const legacySwap = (json: boolean): fc.Arbitrary<Fulfillment> =>
  fc
    .record({
      sender: unlockHash,
      receiver: unlockHash,
      hashedSecret: hash32,
      timeLock: u64(json),
      publicKey,
      signature: fc.uint8Array({ maxLength: 70 }),
      secret: hash32,
    })
    .map((f): Fulfillment => ({ type: 2, legacy: true, ...f }))

export const anyFulfillment = (json: boolean): fc.Arbitrary<Fulfillment> =>
  fc.oneof({ weight: 4, arbitrary: fulfillment }, { weight: 1, arbitrary: legacySwap(json) })
export const anyCondition = (json: boolean): fc.Arbitrary<Condition> => condition(json)

const list = <T>(a: fc.Arbitrary<T>, maxLength = 3) => fc.array(a, { maxLength })
const coinInput = (json: boolean): fc.Arbitrary<CoinInput> =>
  fc.record({ parentId: hash32, fulfillment: anyFulfillment(json) })
const coinOutput = (json: boolean): fc.Arbitrary<CoinOutput> =>
  fc.record({ value: currency, condition: condition(json) })

const v0Fulfillment = (json: boolean): fc.Arbitrary<Fulfillment> =>
  fc.oneof(
    fc
      .record({ publicKey, signature: fc.uint8Array({ maxLength: 70 }) })
      .map((p): Fulfillment => ({ type: 1, ...p })),
    legacySwap(json),
  )
const v0Input = (json: boolean) => fc.record({ parentId: hash32, fulfillment: v0Fulfillment(json) })
const v0Output = fc.record({
  value: currency,
  condition: unlockHash.map((u): Condition => ({ type: 1, unlockHash: u })),
})

const v0 = (json: boolean): fc.Arbitrary<Transaction> =>
  fc.record({
    version: fc.constant(0),
    coinInputs: list(v0Input(json)),
    coinOutputs: list(v0Output),
    blockStakeInputs: list(v0Input(json), 2),
    blockStakeOutputs: list(v0Output, 2),
    minerFees,
    arbitraryData,
  })

const v1 = (json: boolean): fc.Arbitrary<Transaction> =>
  fc.record({
    version: fc.constant(1),
    coinInputs: list(coinInput(json)),
    coinOutputs: list(coinOutput(json)),
    blockStakeInputs: list(coinInput(json), 2),
    blockStakeOutputs: list(coinOutput(json), 2),
    minerFees,
    arbitraryData,
  })

const fees = (required: boolean | undefined) =>
  required === undefined
    ? minerFees
    : required
      ? fc.array(currency, { minLength: 1, maxLength: 3 })
      : fc.constant([])

const minterDefinition = (version: number, json: boolean, required?: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      nonce,
      mintFulfillment: fulfillment,
      mintCondition: condition(json),
      minerFees: fees(required),
      arbitraryData,
    })
    .map(({ minerFees, arbitraryData, ...extension }) => ({
      ...emptyTransaction(version),
      minerFees,
      arbitraryData,
      extension,
    }))

const coinCreation = (version: number, json: boolean, required?: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      nonce,
      mintFulfillment: fulfillment,
      coinOutputs: list(coinOutput(json)),
      minerFees: fees(required),
      arbitraryData,
    })
    .map(({ coinOutputs, minerFees, arbitraryData, ...extension }) => ({
      ...emptyTransaction(version),
      coinOutputs,
      minerFees,
      arbitraryData,
      extension,
    }))

const coinDestruction = (version: number, json: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      coinInputs: list(coinInput(json)),
      coinOutputs: list(coinOutput(json)),
      minerFees,
      arbitraryData,
    })
    .map((b) => ({ ...emptyTransaction(version), ...b }))

const addressUpdate = (required?: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      nonce,
      authAddresses: list(unlockHash, 4),
      deauthAddresses: list(unlockHash, 4),
      authFulfillment: fulfillment,
      minerFees: fees(required),
      arbitraryData,
    })
    .map(({ minerFees, arbitraryData, ...extension }) => ({
      ...emptyTransaction(176),
      minerFees,
      arbitraryData,
      extension,
    }))

const conditionUpdate = (json: boolean, required?: boolean): fc.Arbitrary<Transaction> =>
  fc
    .record({
      nonce,
      authCondition: condition(json),
      authFulfillment: fulfillment,
      minerFees: fees(required),
      arbitraryData,
    })
    .map(({ minerFees, arbitraryData, ...extension }) => ({
      ...emptyTransaction(177),
      minerFees,
      arbitraryData,
      extension,
    }))

/** A transaction of any version `fuzzRegistry` knows; `json` keeps uint64s JSON-exact (≤ 2^53 − 1). */
export const transaction = (json: boolean): fc.Arbitrary<Transaction> =>
  fc.oneof(
    { weight: 2, arbitrary: v0(json) },
    { weight: 4, arbitrary: v1(json) },
    minterDefinition(128, json),
    coinCreation(129, json),
    minterDefinition(RIVBIN_MINTING.minterDefinitionVersion, json),
    coinCreation(RIVBIN_MINTING.coinCreationVersion, json),
    coinDestruction(RIVBIN_MINTING.coinDestructionVersion, json),
    addressUpdate(),
    conditionUpdate(json),
  )

/**
 * A transaction of the extension chain of the API target (test/utils/extchain.ts: minting 128/129 and
 * auth-coin 176/177, both requiring miner fees), signable as far as the fee option goes.
 */
export const extChainTransaction: fc.Arbitrary<Transaction> = fc.oneof(
  { weight: 2, arbitrary: v0(true) },
  { weight: 4, arbitrary: v1(true) },
  minterDefinition(128, true, true),
  coinCreation(129, true, true),
  addressUpdate(true),
  conditionUpdate(true, true),
)

export const block = (json: boolean): fc.Arbitrary<Block> =>
  fc.record({
    parentId: hash32,
    timestamp: safeNat,
    pobsOutput: fc.record({ blockHeight: safeNat, transactionIndex: safeNat, outputIndex: safeNat }),
    minerPayouts: list(fc.record({ value: currency, unlockHash })),
    transactions: list(transaction(json)),
  })

// ---- chain definitions ----------------------------------------------------------------------------

const genesisCondition = standardAddress.map((u) => conditionToJson({ type: 1, unlockHash: u }))

const extensions = fc.record(
  {
    minting: fc.record(
      {
        genesisMintCondition: genesisCondition,
        minterDefinitionVersion: fc.constantFrom(128, 140),
        coinCreationVersion: fc.constantFrom(129, 141),
        encoding: fc.constantFrom('sia', 'rivbin'),
        requireMinerFees: fc.boolean(),
      },
      { requiredKeys: ['genesisMintCondition', 'encoding', 'requireMinerFees'] },
    ),
    authcoin: fc.record(
      {
        genesisAuthCondition: genesisCondition,
        addressUpdateVersion: fc.constantFrom(176, 150),
        conditionUpdateVersion: fc.constantFrom(177, 151),
        authorizedByDefault: fc.boolean(),
        requireMinerFees: fc.boolean(),
        selfTransferMaxCoinOutputs: fc.nat(5),
      },
      { requiredKeys: ['genesisAuthCondition', 'authorizedByDefault', 'requireMinerFees'] },
    ),
  },
  { requiredKeys: [] },
)

const ratioText = fc
  .tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }))
  .map(([n, d]) => `${n}/${d}`)
const genesisOutput = fc.record({
  value: currency,
  condition: standardAddress.map((u) => ({ type: 1 as const, unlockHash: u })),
})

/** A chain definition file (JSON value), valid by construction. */
export const chainDefinitionJson = fc
  .record({
    name: fc.string({ maxLength: 20 }),
    network: fc.string({ maxLength: 20 }),
    coinUnit: fc.string({ maxLength: 6 }),
    precision: fc.nat(30),
    blockFrequency: fc.integer({ min: 1, max: 1000 }),
    maturityDelay: fc.nat(1000),
    medianTimestampWindow: fc.integer({ min: 1, max: 20 }),
    targetWindow: fc.integer({ min: 2, max: 2000 }),
    up: ratioText,
    down: ratioText,
    futureThreshold: fc.nat(10_000),
    extra: fc.nat(10_000),
    stakeModifierDelay: fc.nat(3000),
    blockStakeAging: fc.nat(100_000),
    blockCreatorFee: currency,
    minimumTransactionFee: currency,
    blockSizeLimit: fc.integer({ min: 10_000, max: 5_000_000 }),
    arbitraryDataSizeLimit: fc.nat(1000),
    transactionFeeCondition: condition(true),
    rootDepth: fc.option(fc.bigInt({ min: 1n, max: 2n ** 256n - 1n }), { nil: undefined }),
    timestamp: safeNat,
    transactionVersion: fc.constantFrom(0, 1),
    coinOutputs: list(genesisOutput),
    blockStakeOutputs: fc.array(genesisOutput, { minLength: 1, maxLength: 3 }),
    rules: fc.record(
      {
        enforceMedianTimestamp: fc.boolean(),
        enforceMinimumFee: fc.boolean(),
        acceptV0BelowHeight: safeNat,
        feeRulesFromHeight: safeNat,
      },
      { requiredKeys: [] },
    ),
    bootstrapPeers: list(fc.string({ maxLength: 40 })),
    extensions,
  })
  .map((g) => ({
    name: g.name,
    network: g.network,
    coinUnit: g.coinUnit,
    precision: g.precision,
    constants: {
      blockFrequency: g.blockFrequency,
      maturityDelay: g.maturityDelay,
      medianTimestampWindow: g.medianTimestampWindow,
      targetWindow: g.targetWindow,
      maxAdjustmentUp: g.up,
      maxAdjustmentDown: g.down,
      futureThreshold: g.futureThreshold,
      extremeFutureThreshold: g.futureThreshold + g.extra,
      stakeModifierDelay: g.stakeModifierDelay,
      blockStakeAging: g.blockStakeAging,
      blockCreatorFee: g.blockCreatorFee.toString(),
      minimumTransactionFee: g.minimumTransactionFee.toString(),
      blockSizeLimit: g.blockSizeLimit,
      arbitraryDataSizeLimit: g.arbitraryDataSizeLimit,
      transactionFeeCondition: conditionToJson(g.transactionFeeCondition) as object,
      ...(g.rootDepth === undefined ? {} : { rootDepth: g.rootDepth.toString(16).padStart(64, '0') }),
    },
    rules: g.rules,
    genesis: {
      timestamp: g.timestamp,
      transactionVersion: g.transactionVersion,
      coinOutputs: g.coinOutputs.map((o) => ({
        value: o.value.toString(),
        condition: conditionToJson(o.condition),
      })),
      blockStakeOutputs: g.blockStakeOutputs.map((o) => ({
        value: o.value.toString(),
        condition: conditionToJson(o.condition),
      })),
    },
    bootstrapPeers: g.bootstrapPeers,
    extensions: g.extensions,
  }))

/** Every preset, as chain definitions to start mutations from. */
export const presetDefinitions = (): ChainDefinition[] => presetNames().map(preset)

// ---- keystores --------------------------------------------------------------------------------------

const hexOf = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(toHex)

/** A keystore file (JSON value) with parameters inside the parser's bounds. */
export const keystoreJson = fc
  .record({
    salt: hexOf(32),
    N: fc.integer({ min: 1, max: 17 }).map((k) => 2 ** k),
    r: fc.integer({ min: 1, max: 8 }),
    p: fc.integer({ min: 1, max: 4 }),
    iv: hexOf(12),
    ciphertext: hexOf(48),
    label: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  })
  .map((k) => ({
    version: 1,
    kind: 'blockstake-keystore',
    kdf: { name: 'scrypt', salt: k.salt, N: k.N, r: k.r, p: k.p },
    cipher: { name: 'aes-256-gcm', iv: k.iv },
    ciphertext: k.ciphertext,
    ...(k.label === undefined ? {} : { label: k.label }),
  }))

export { currency, hash32, unlockHash }
