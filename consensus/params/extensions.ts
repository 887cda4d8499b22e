// DESIGN §3–4: the typed, validated form of `ChainDefinition.extensions` and the transaction registry a
// chain implies. A chain file may only enable extensions implemented here; every error names its field.

import type { Format } from '../encoding/codec.js'
import { type JsonObject, type JsonValue, jsonObject, jsonUint } from '../encoding/json.js'
import { authCoinTransactionTypes } from '../extensions/authcointx/index.js'
import { mintingTransactionTypes } from '../extensions/minting/index.js'
import {
  type Condition,
  conditionFromJson,
  conditionStandardError,
  conditionToJson,
} from '../types/conditions.js'
import { coreRegistry } from '../types/registry.js'
import type { TransactionRegistry, TransactionType } from '../types/transaction.js'
import {
  asDefinitionError,
  type ChainDefinition,
  ChainDefinitionError,
  parseChainDefinition,
} from './chain.js'

/** spec/tfchain.md §2 (Rivine `minting.NewMintingPlugin`). */
export interface MintingParams {
  /** The mint condition in force from genesis until the first minter definition (key 0). */
  readonly genesisMintCondition: Condition
  readonly minterDefinitionVersion: number
  readonly coinCreationVersion: number
  /** Coin destruction is registered only when set (Rivine option; not on tfchain). */
  readonly coinDestructionVersion?: number
  /** Body/ID/sig-hash codec: `'sia'` = tfchain's `UseLegacySiaEncoding`, `'rivbin'` = Rivine's default. */
  readonly encoding: Format
  readonly requireMinerFees: boolean
}

/** spec/tfchain.md §3 (Rivine `authcointx.NewPlugin`). */
export interface AuthCoinParams {
  readonly genesisAuthCondition: Condition
  readonly addressUpdateVersion: number
  readonly conditionUpdateVersion: number
  /** `true`: every address is authorized until deauthorized (tfchain's blocklist); `false`: whitelist. */
  readonly authorizedByDefault: boolean
  readonly requireMinerFees: boolean
  /**
   * spec/tfchain.md §3.4 rule 2: a v0/v1 transaction whose coin flow touches a single address skips the
   * authorization check when it has at most this many coin outputs (Rivine default 1, tfchain 2).
   */
  readonly selfTransferMaxCoinOutputs: number
}

/** The extensions a chain enables; an absent key means the extension is off. */
export interface ChainExtensions {
  readonly minting?: MintingParams
  readonly authcoin?: AuthCoinParams
}

/** The extension names a chain definition may use. */
export const KNOWN_EXTENSIONS = ['minting', 'authcoin'] as const

export const MINTING_DEFAULTS = { minterDefinitionVersion: 128, coinCreationVersion: 129 } as const
export const AUTHCOIN_DEFAULTS = {
  addressUpdateVersion: 176,
  conditionUpdateVersion: 177,
  selfTransferMaxCoinOutputs: 1,
} as const

// ---- parsing ----------------------------------------------------------------------------------

const fail = (message: string, field: string): never => {
  throw new ChainDefinitionError('invalid-value', message, field)
}

function rejectUnknownKeys(o: JsonObject, known: readonly string[], path: string, what: string): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k))
  if (unknown.length > 0) {
    throw new ChainDefinitionError(
      'invalid-value',
      `unknown ${what} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`,
      unknown.length === 1 ? `${path}.${unknown[0]}` : path,
    )
  }
}

const bool = (o: JsonObject, key: string, path: string): boolean => {
  const v = o[key]
  if (typeof v !== 'boolean')
    throw new ChainDefinitionError('invalid-json', 'expected true or false', `${path}.${key}`)
  return v
}

/** A transaction version of an extension: a byte, and not one of the core versions 0 and 1. */
const version = (o: JsonObject, key: string, path: string, fallback?: number): number => {
  if (o[key] === undefined) {
    if (fallback === undefined) fail('is required', `${path}.${key}`)
    return fallback as number
  }
  const v = jsonUint(o[key], `${path}.${key}`)
  if (v > 255) fail('a transaction version is a byte (at most 255)', `${path}.${key}`)
  if (v <= 1) fail('versions 0 and 1 are the core transaction versions', `${path}.${key}`)
  return v
}

/** A genesis condition: present, standard and not the nil condition (which any signature fulfils). */
function genesisCondition(o: JsonObject, key: string, path: string): Condition {
  const field = `${path}.${key}`
  if (o[key] === undefined) fail('is required', field)
  const c = conditionFromJson(o[key], field)
  if (c.type === 0) fail('must not be the nil condition (any signature would fulfil it)', field)
  const err = conditionStandardError(c)
  if (err) fail(err, field)
  return c
}

function parseMinting(value: unknown, path: string): MintingParams {
  const o = jsonObject(value, path)
  rejectUnknownKeys(
    o,
    [
      'genesisMintCondition',
      'minterDefinitionVersion',
      'coinCreationVersion',
      'coinDestructionVersion',
      'encoding',
      'requireMinerFees',
    ],
    path,
    'minting field',
  )
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

function parseAuthCoin(value: unknown, path: string): AuthCoinParams {
  const o = jsonObject(value, path)
  rejectUnknownKeys(
    o,
    [
      'genesisAuthCondition',
      'addressUpdateVersion',
      'conditionUpdateVersion',
      'authorizedByDefault',
      'requireMinerFees',
      'selfTransferMaxCoinOutputs',
    ],
    path,
    'authcoin field',
  )
  return {
    genesisAuthCondition: genesisCondition(o, 'genesisAuthCondition', path),
    addressUpdateVersion: version(o, 'addressUpdateVersion', path, AUTHCOIN_DEFAULTS.addressUpdateVersion),
    conditionUpdateVersion: version(
      o,
      'conditionUpdateVersion',
      path,
      AUTHCOIN_DEFAULTS.conditionUpdateVersion,
    ),
    authorizedByDefault: bool(o, 'authorizedByDefault', path),
    requireMinerFees: bool(o, 'requireMinerFees', path),
    selfTransferMaxCoinOutputs:
      o.selfTransferMaxCoinOutputs === undefined
        ? AUTHCOIN_DEFAULTS.selfTransferMaxCoinOutputs
        : jsonUint(o.selfTransferMaxCoinOutputs, `${path}.selfTransferMaxCoinOutputs`),
  }
}

/** Every transaction version the extensions claim, with the field that claims it. */
function claimedVersions(ext: ChainExtensions, path: string): [number, string][] {
  const list: [number, string][] = []
  const m = ext.minting
  if (m) {
    list.push([m.minterDefinitionVersion, `${path}.minting.minterDefinitionVersion`])
    list.push([m.coinCreationVersion, `${path}.minting.coinCreationVersion`])
    if (m.coinDestructionVersion !== undefined)
      list.push([m.coinDestructionVersion, `${path}.minting.coinDestructionVersion`])
  }
  const a = ext.authcoin
  if (a) {
    list.push([a.addressUpdateVersion, `${path}.authcoin.addressUpdateVersion`])
    list.push([a.conditionUpdateVersion, `${path}.authcoin.conditionUpdateVersion`])
  }
  return list
}

/**
 * Validates the `extensions` object of a chain definition. Unknown extension names and unknown fields
 * are errors, so a chain file cannot silently enable something this implementation does not enforce.
 */
export function parseExtensions(value: unknown, path = 'extensions'): ChainExtensions {
  return asDefinitionError(() => {
    const o = jsonObject(value ?? {}, path)
    rejectUnknownKeys(o, KNOWN_EXTENSIONS, path, 'extension')
    const ext: { minting?: MintingParams; authcoin?: AuthCoinParams } = {}
    if (o.minting !== undefined) ext.minting = parseMinting(o.minting, `${path}.minting`)
    if (o.authcoin !== undefined) ext.authcoin = parseAuthCoin(o.authcoin, `${path}.authcoin`)
    const seen = new Map<number, string>()
    for (const [v, field] of claimedVersions(ext, path)) {
      const other = seen.get(v)
      if (other) fail(`transaction version ${v} is already used by ${other}`, field)
      seen.set(v, field)
    }
    return ext
  })
}

/** The JSON form of `parseExtensions`' result (every field explicit); `parseExtensions` inverts it. */
export function extensionsToJson(ext: ChainExtensions): { [name: string]: JsonValue } {
  const out: { [name: string]: JsonValue } = {}
  const m = ext.minting
  if (m) {
    out.minting = {
      genesisMintCondition: conditionToJson(m.genesisMintCondition),
      minterDefinitionVersion: m.minterDefinitionVersion,
      coinCreationVersion: m.coinCreationVersion,
      ...(m.coinDestructionVersion === undefined ? {} : { coinDestructionVersion: m.coinDestructionVersion }),
      encoding: m.encoding,
      requireMinerFees: m.requireMinerFees,
    }
  }
  const a = ext.authcoin
  if (a) {
    out.authcoin = {
      genesisAuthCondition: conditionToJson(a.genesisAuthCondition),
      addressUpdateVersion: a.addressUpdateVersion,
      conditionUpdateVersion: a.conditionUpdateVersion,
      authorizedByDefault: a.authorizedByDefault,
      requireMinerFees: a.requireMinerFees,
      selfTransferMaxCoinOutputs: a.selfTransferMaxCoinOutputs,
    }
  }
  return out
}

/** The validated extensions of a chain definition. */
export const chainExtensions = (def: ChainDefinition): ChainExtensions => parseExtensions(def.extensions)

/**
 * `parseChainDefinition` plus validation of its extensions: what loads a chain file. Every error is a
 * `ChainDefinitionError` naming the field.
 */
export function parseChainDefinitionWithExtensions(value: unknown): ChainDefinition {
  const def = parseChainDefinition(value)
  parseExtensions(def.extensions)
  return def
}

/** The transaction types the enabled extensions add, in version order of their registration. */
export function extensionTransactionTypes(ext: ChainExtensions): TransactionType[] {
  const types: TransactionType[] = []
  const m = ext.minting
  if (m) {
    types.push(
      ...mintingTransactionTypes({
        minterDefinitionVersion: m.minterDefinitionVersion,
        coinCreationVersion: m.coinCreationVersion,
        ...(m.coinDestructionVersion === undefined
          ? {}
          : { coinDestructionVersion: m.coinDestructionVersion }),
        format: m.encoding,
        requireMinerFees: m.requireMinerFees,
      }),
    )
  }
  const a = ext.authcoin
  if (a) {
    types.push(
      ...authCoinTransactionTypes({
        addressUpdateVersion: a.addressUpdateVersion,
        conditionUpdateVersion: a.conditionUpdateVersion,
        requireMinerFees: a.requireMinerFees,
      }),
    )
  }
  return types
}

/**
 * The transaction registry of a chain: core v0/v1 plus the enabled extensions' types. A new registry
 * each call (registries cache encodings per instance): build it once per chain and share it.
 */
export function registryFor(def: ChainDefinition): TransactionRegistry {
  return coreRegistry().with(...extensionTransactionTypes(chainExtensions(def)))
}
