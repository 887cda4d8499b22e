// The `extensions.minting` object of a chain definition (spec/tfchain.md §2.1, Rivine
// `minting.NewMintingPlugin`): parsed and validated here; every error names its field.
import type { Format } from '../../encoding/codec.js'
import { type JsonValue, jsonObject } from '../../encoding/json.js'
import { type Condition, conditionToJson } from '../../types/conditions.js'
import { bool, fail, genesisCondition, rejectUnknownKeys, version } from '../params.js'
import { COIN_CREATION_VERSION, MINTER_DEFINITION_VERSION } from './types.js'

export interface MintingParams {
  /** The mint condition in force from genesis until the first minter definition. */
  readonly genesisMintCondition: Condition
  readonly minterDefinitionVersion: number
  readonly coinCreationVersion: number
  /** Coin destruction is registered only when set (Rivine option; not on tfchain). */
  readonly coinDestructionVersion?: number
  /** Body/ID/sig-hash codec: `'sia'` = tfchain's `UseLegacySiaEncoding`, `'rivbin'` = Rivine's default. */
  readonly encoding: Format
  readonly requireMinerFees: boolean
}

export const MINTING_DEFAULTS = {
  minterDefinitionVersion: MINTER_DEFINITION_VERSION,
  coinCreationVersion: COIN_CREATION_VERSION,
} as const

const FIELDS = [
  'genesisMintCondition',
  'minterDefinitionVersion',
  'coinCreationVersion',
  'coinDestructionVersion',
  'encoding',
  'requireMinerFees',
] as const

export function parseMintingParams(value: unknown, path: string): MintingParams {
  const o = jsonObject(value, path)
  rejectUnknownKeys(o, FIELDS, path, 'minting field')
  const encoding = o.encoding
  if (encoding !== 'sia' && encoding !== 'rivbin') fail('expected "sia" or "rivbin"', `${path}.encoding`)
  const params: MintingParams = {
    genesisMintCondition: genesisCondition(o, 'genesisMintCondition', path),
    minterDefinitionVersion: version(
      o,
      'minterDefinitionVersion',
      path,
      MINTING_DEFAULTS.minterDefinitionVersion,
    ),
    coinCreationVersion: version(o, 'coinCreationVersion', path, MINTING_DEFAULTS.coinCreationVersion),
    encoding: encoding as Format,
    requireMinerFees: bool(o, 'requireMinerFees', path),
  }
  return o.coinDestructionVersion === undefined
    ? params
    : { ...params, coinDestructionVersion: version(o, 'coinDestructionVersion', path) }
}

/** Every field explicit; `parseMintingParams` inverts it. */
export function mintingParamsToJson(m: MintingParams): JsonValue {
  return {
    genesisMintCondition: conditionToJson(m.genesisMintCondition),
    minterDefinitionVersion: m.minterDefinitionVersion,
    coinCreationVersion: m.coinCreationVersion,
    ...(m.coinDestructionVersion === undefined ? {} : { coinDestructionVersion: m.coinDestructionVersion }),
    encoding: m.encoding,
    requireMinerFees: m.requireMinerFees,
  }
}

/** The versions the parameters claim, with the field that sets each. */
export function mintingVersions(m: MintingParams): { version: number; field: string }[] {
  return [
    { version: m.minterDefinitionVersion, field: 'minterDefinitionVersion' },
    { version: m.coinCreationVersion, field: 'coinCreationVersion' },
    ...(m.coinDestructionVersion === undefined
      ? []
      : [{ version: m.coinDestructionVersion, field: 'coinDestructionVersion' }]),
  ]
}
