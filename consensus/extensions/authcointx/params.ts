// The `extensions.authcoin` object of a chain definition (spec/tfchain.md §3.1, Rivine
// `authcointx.NewPlugin`): parsed and validated here; every error names its field.
import { type JsonValue, jsonObject, jsonUint } from '../../encoding/json.js'
import { type Condition, conditionToJson } from '../../types/conditions.js'
import { bool, genesisCondition, rejectUnknownKeys, version } from '../params.js'
import { AUTH_ADDRESS_UPDATE_VERSION, AUTH_CONDITION_UPDATE_VERSION } from './types.js'

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

export const AUTHCOIN_DEFAULTS = {
  addressUpdateVersion: AUTH_ADDRESS_UPDATE_VERSION,
  conditionUpdateVersion: AUTH_CONDITION_UPDATE_VERSION,
  selfTransferMaxCoinOutputs: 1,
} as const

const FIELDS = [
  'genesisAuthCondition',
  'addressUpdateVersion',
  'conditionUpdateVersion',
  'authorizedByDefault',
  'requireMinerFees',
  'selfTransferMaxCoinOutputs',
] as const

export function parseAuthCoinParams(value: unknown, path: string): AuthCoinParams {
  const o = jsonObject(value, path)
  rejectUnknownKeys(o, FIELDS, path, 'authcoin field')
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

/** Every field explicit; `parseAuthCoinParams` inverts it. */
export function authCoinParamsToJson(a: AuthCoinParams): JsonValue {
  return {
    genesisAuthCondition: conditionToJson(a.genesisAuthCondition),
    addressUpdateVersion: a.addressUpdateVersion,
    conditionUpdateVersion: a.conditionUpdateVersion,
    authorizedByDefault: a.authorizedByDefault,
    requireMinerFees: a.requireMinerFees,
    selfTransferMaxCoinOutputs: a.selfTransferMaxCoinOutputs,
  }
}

/** The versions the parameters claim, with the field that sets each. */
export function authCoinVersions(a: AuthCoinParams): { version: number; field: string }[] {
  return [
    { version: a.addressUpdateVersion, field: 'addressUpdateVersion' },
    { version: a.conditionUpdateVersion, field: 'conditionUpdateVersion' },
  ]
}
