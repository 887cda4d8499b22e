// DESIGN §3: a chain definition (JSON, validated on load) and the genesis block it implies (spec §5.5).
import { DecodeError } from '../encoding/errors.js'
import { type JsonValue, jsonArray, jsonObject, jsonString, jsonUint, parseJson } from '../encoding/json.js'
import { parseRatio, type Ratio, ROOT_DEPTH, ratioToString, rootTarget, type Target } from '../pobs/target.js'
import type { Block } from '../types/block.js'
import { type Condition, conditionFromJson, conditionToJson } from '../types/conditions.js'
import { type Currency, currencyToJson, parseCurrency, precisionOf } from '../types/currency.js'
import type { CoinOutput, Transaction } from '../types/transaction.js'
import { outputFromJson, outputToJson } from '../types/v1.js'

/** spec §6.7: the consensus constants of a chain. */
export interface ChainConstants {
  readonly blockFrequency: number
  readonly maturityDelay: number
  readonly medianTimestampWindow: number
  readonly targetWindow: number
  readonly maxAdjustmentUp: Ratio
  readonly maxAdjustmentDown: Ratio
  readonly futureThreshold: number
  readonly extremeFutureThreshold: number
  readonly stakeModifierDelay: number
  readonly blockStakeAging: number
  readonly blockCreatorFee: Currency
  readonly minimumTransactionFee: Currency
  readonly blockSizeLimit: number
  readonly arbitraryDataSizeLimit: number
  /** Where miner fees go; the nil condition means "to the block creator" (spec §5.4). */
  readonly transactionFeeCondition: Condition
  readonly rootDepth: Target
  /** Transaction pool limits (spec §4.4). */
  readonly transactionSizeLimit: number
  readonly transactionSetSizeLimit: number
  readonly poolSizeLimit: number
}

/** Rule switches where networks differ (DESIGN §2: reference quirks are not copied unless a preset must). */
export interface ChainRules {
  /** Enforce the median-of-11 minimum timestamp on every block (spec §5.3). */
  readonly enforceMedianTimestamp: boolean
  /** Every miner fee ≥ minimumTransactionFee and at least one fee per transaction (spec §4.4). */
  readonly enforceMinimumFee: boolean
  /** v0 transactions are accepted in blocks below this height (0 = never, spec §4.1). */
  readonly acceptV0BelowHeight: number
  /**
   * The miner fee rules (at least one fee; each at least the minimum when `enforceMinimumFee`) apply from
   * this height on (tfchain: 300000 on standard and testnet, spec/tfchain.md §7.3); 0 = always.
   */
  readonly feeRulesFromHeight: number
}

export interface GenesisDefinition {
  readonly timestamp: number
  readonly transactionVersion: 0 | 1
  readonly coinOutputs: readonly CoinOutput[]
  readonly blockStakeOutputs: readonly CoinOutput[]
}

export interface ChainDefinition {
  readonly name: string
  readonly network: string
  readonly coinUnit: string
  readonly oneCoin: Currency
  readonly constants: ChainConstants
  readonly rules: ChainRules
  readonly genesis: GenesisDefinition
  readonly bootstrapPeers: readonly string[]
  /**
   * Enabled extensions and their parameters as JSON (name → parameters). Each extension parses and
   * validates its own (`consensus/extensions/catalog.ts`): this layer names none.
   */
  readonly extensions: Readonly<Record<string, unknown>>
}

export class ChainDefinitionError extends DecodeError {}

/**
 * Validates the `extensions` object of a chain definition (throws a ChainDefinitionError naming the field);
 * the extension catalog provides it (`parseChainDefinitionWithExtensions`).
 */
export type ExtensionsValidator = (extensions: Record<string, unknown>, path: string) => void

// ---- genesis --------------------------------------------------------------------------------------

export function genesisTransaction(def: ChainDefinition): Transaction {
  return {
    version: def.genesis.transactionVersion,
    coinInputs: [],
    coinOutputs: def.genesis.coinOutputs,
    blockStakeInputs: [],
    blockStakeOutputs: def.genesis.blockStakeOutputs,
    minerFees: [],
    arbitraryData: new Uint8Array(0),
  }
}

/** spec §5.5: built from constants, never received from the network. */
export function genesisBlock(def: ChainDefinition): Block {
  return {
    parentId: new Uint8Array(32),
    timestamp: def.genesis.timestamp,
    pobsOutput: { blockHeight: 0, transactionIndex: 0, outputIndex: 0 },
    minerPayouts: [],
    transactions: [genesisTransaction(def)],
  }
}

export function totalGenesisBlockStakes(def: ChainDefinition): bigint {
  return def.genesis.blockStakeOutputs.reduce((sum, o) => sum + o.value, 0n)
}

export function chainRootTarget(def: ChainDefinition): Target {
  return rootTarget(def.constants.blockFrequency, totalGenesisBlockStakes(def), def.constants.rootDepth)
}

// ---- JSON file format -------------------------------------------------------------------------------

const num = (o: Record<string, unknown>, key: string, path: string, min = 0): number => {
  const v = jsonUint(o[key], `${path}.${key}`)
  if (v < min) throw new ChainDefinitionError('invalid-value', `must be at least ${min}`, `${path}.${key}`)
  return v
}

/** A 256-bit target as hex (what `chainDefinitionToJson` writes: 64 digits). */
function rootDepthField(value: unknown): Target {
  const hex = jsonString(value, 'constants.rootDepth')
  if (!/^[0-9a-fA-F]{1,64}$/.test(hex))
    throw new ChainDefinitionError('invalid-value', 'expected at most 64 hex digits', 'constants.rootDepth')
  return BigInt(`0x${hex}`)
}

const ratioField = (o: Record<string, unknown>, key: string, path: string): Ratio => {
  const r = parseRatio(jsonString(o[key], `${path}.${key}`))
  if (!r) throw new ChainDefinitionError('invalid-value', 'expected a ratio like "6/5"', `${path}.${key}`)
  return r
}

/** Runs `fn`, turning a plain DecodeError (from a shared JSON reader) into a ChainDefinitionError. */
export function asDefinitionError<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof DecodeError && !(err instanceof ChainDefinitionError)) {
      throw new ChainDefinitionError(
        err.code,
        err.message.slice(err.field ? err.field.length + 2 : 0),
        err.field,
      )
    }
    throw err
  }
}

/**
 * Parses and validates a chain definition; every error names the field. The `extensions` object is
 * checked by `validateExtensions` when given (the catalog's, `parseChainDefinitionWithExtensions`);
 * without it, it is kept as it is and checked when the chain's rules are composed (`chainConsensus`).
 */
export function parseChainDefinition(
  value: unknown,
  validateExtensions?: ExtensionsValidator,
): ChainDefinition {
  return asDefinitionError(() => {
    const o = jsonObject(value, 'chain')
    const c = jsonObject(o.constants, 'constants')
    const r = jsonObject(o.rules ?? {}, 'rules')
    const g = jsonObject(o.genesis, 'genesis')
    const precision = num(o, 'precision', 'chain')
    if (precision > 30)
      throw new ChainDefinitionError('invalid-value', 'precision must be at most 30', 'precision')
    const constants: ChainConstants = {
      blockFrequency: num(c, 'blockFrequency', 'constants', 1),
      maturityDelay: num(c, 'maturityDelay', 'constants'),
      medianTimestampWindow: num(c, 'medianTimestampWindow', 'constants', 1),
      targetWindow: num(c, 'targetWindow', 'constants', 2),
      maxAdjustmentUp: ratioField(c, 'maxAdjustmentUp', 'constants'),
      maxAdjustmentDown: ratioField(c, 'maxAdjustmentDown', 'constants'),
      futureThreshold: num(c, 'futureThreshold', 'constants'),
      extremeFutureThreshold: num(c, 'extremeFutureThreshold', 'constants'),
      stakeModifierDelay: num(c, 'stakeModifierDelay', 'constants'),
      blockStakeAging: num(c, 'blockStakeAging', 'constants'),
      blockCreatorFee: parseCurrency(c.blockCreatorFee, 'constants.blockCreatorFee'),
      minimumTransactionFee: parseCurrency(c.minimumTransactionFee, 'constants.minimumTransactionFee'),
      blockSizeLimit: num(c, 'blockSizeLimit', 'constants', 10_000),
      arbitraryDataSizeLimit: num(c, 'arbitraryDataSizeLimit', 'constants'),
      transactionFeeCondition: conditionFromJson(
        c.transactionFeeCondition ?? {},
        'constants.transactionFeeCondition',
      ),
      rootDepth: c.rootDepth === undefined ? ROOT_DEPTH : rootDepthField(c.rootDepth),
      transactionSizeLimit:
        c.transactionSizeLimit === undefined ? 16_000 : num(c, 'transactionSizeLimit', 'constants', 1),
      transactionSetSizeLimit:
        c.transactionSetSizeLimit === undefined ? 250_000 : num(c, 'transactionSetSizeLimit', 'constants', 1),
      poolSizeLimit: c.poolSizeLimit === undefined ? 1_745_000 : num(c, 'poolSizeLimit', 'constants', 1),
    }
    if (constants.extremeFutureThreshold < constants.futureThreshold) {
      throw new ChainDefinitionError(
        'invalid-value',
        'must not be below futureThreshold',
        'constants.extremeFutureThreshold',
      )
    }
    const version = jsonUint(g.transactionVersion ?? 1, 'genesis.transactionVersion')
    if (version !== 0 && version !== 1)
      throw new ChainDefinitionError('invalid-value', 'must be 0 or 1', 'genesis.transactionVersion')
    const outputs = (key: string) =>
      jsonArray(g[key], `genesis.${key}`).map((v, i) => {
        const output = outputFromJson(v, `genesis.${key}[${i}]`)
        // a v0 output is an unlock hash (spec §4.2): anything else has no v0 encoding, hence no genesis ID
        if (version === 0 && output.condition.type !== 1)
          throw new ChainDefinitionError(
            'invalid-value',
            'a v0 genesis output needs an unlock hash condition',
            `genesis.${key}[${i}].condition`,
          )
        return output
      })
    const genesis: GenesisDefinition = {
      timestamp: jsonUint(g.timestamp, 'genesis.timestamp'),
      transactionVersion: version,
      coinOutputs: outputs('coinOutputs'),
      blockStakeOutputs: outputs('blockStakeOutputs'),
    }
    if (genesis.blockStakeOutputs.length === 0) {
      throw new ChainDefinitionError(
        'invalid-value',
        'a chain needs at least one block stake output',
        'genesis.blockStakeOutputs',
      )
    }
    const bool = (key: string, fallback: boolean) => {
      if (r[key] === undefined) return fallback
      if (typeof r[key] !== 'boolean')
        throw new ChainDefinitionError('invalid-json', 'expected true or false', `rules.${key}`)
      return r[key] as boolean
    }
    return {
      name: jsonString(o.name, 'name'),
      network: jsonString(o.network, 'network'),
      coinUnit: jsonString(o.coinUnit ?? 'BST', 'coinUnit'),
      oneCoin: 10n ** BigInt(precision),
      constants,
      rules: {
        enforceMedianTimestamp: bool('enforceMedianTimestamp', true),
        enforceMinimumFee: bool('enforceMinimumFee', true),
        acceptV0BelowHeight: r.acceptV0BelowHeight === undefined ? 0 : num(r, 'acceptV0BelowHeight', 'rules'),
        feeRulesFromHeight: r.feeRulesFromHeight === undefined ? 0 : num(r, 'feeRulesFromHeight', 'rules'),
      },
      genesis,
      bootstrapPeers: jsonArray(o.bootstrapPeers, 'bootstrapPeers').map((p, i) =>
        jsonString(p, `bootstrapPeers[${i}]`),
      ),
      extensions: extensionsField(o.extensions, validateExtensions),
    }
  })
}

function extensionsField(value: unknown, validate: ExtensionsValidator | undefined): Record<string, unknown> {
  const obj = value === undefined ? {} : jsonObject(value, 'extensions')
  validate?.(obj, 'extensions')
  return obj
}

/** `parseChainDefinition` of a file's text; malformed JSON is a ChainDefinitionError too. */
export const parseChainDefinitionText = (
  text: string,
  validateExtensions?: ExtensionsValidator,
): ChainDefinition =>
  parseChainDefinition(
    asDefinitionError(() => parseJson(text)),
    validateExtensions,
  )

export function chainDefinitionToJson(def: ChainDefinition): JsonValue {
  const c = def.constants
  return {
    name: def.name,
    network: def.network,
    coinUnit: def.coinUnit,
    precision: precisionOf(def.oneCoin),
    constants: {
      blockFrequency: c.blockFrequency,
      maturityDelay: c.maturityDelay,
      medianTimestampWindow: c.medianTimestampWindow,
      targetWindow: c.targetWindow,
      maxAdjustmentUp: ratioToString(c.maxAdjustmentUp),
      maxAdjustmentDown: ratioToString(c.maxAdjustmentDown),
      futureThreshold: c.futureThreshold,
      extremeFutureThreshold: c.extremeFutureThreshold,
      stakeModifierDelay: c.stakeModifierDelay,
      blockStakeAging: c.blockStakeAging,
      blockCreatorFee: currencyToJson(c.blockCreatorFee),
      minimumTransactionFee: currencyToJson(c.minimumTransactionFee),
      blockSizeLimit: c.blockSizeLimit,
      arbitraryDataSizeLimit: c.arbitraryDataSizeLimit,
      transactionFeeCondition: conditionToJson(c.transactionFeeCondition),
      rootDepth: c.rootDepth.toString(16).padStart(64, '0'),
      transactionSizeLimit: c.transactionSizeLimit,
      transactionSetSizeLimit: c.transactionSetSizeLimit,
      poolSizeLimit: c.poolSizeLimit,
    },
    rules: {
      enforceMedianTimestamp: def.rules.enforceMedianTimestamp,
      enforceMinimumFee: def.rules.enforceMinimumFee,
      acceptV0BelowHeight: def.rules.acceptV0BelowHeight,
      feeRulesFromHeight: def.rules.feeRulesFromHeight,
    },
    genesis: {
      timestamp: def.genesis.timestamp,
      transactionVersion: def.genesis.transactionVersion,
      coinOutputs: def.genesis.coinOutputs.map(outputToJson),
      blockStakeOutputs: def.genesis.blockStakeOutputs.map(outputToJson),
    },
    bootstrapPeers: [...def.bootstrapPeers],
    extensions: def.extensions as JsonValue,
  }
}
