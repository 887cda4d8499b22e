// The `extensions.authcoin` object of a chain definition (spec/tfchain.md §3.1, Rivine
// `authcointx.NewPlugin`): parsed and validated here; every error names its field.
import { type JsonValue, jsonArray, jsonObject, jsonUint } from '../../encoding/json.js'
import { type Condition, conditionToJson } from '../../types/conditions.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashEquals,
  unlockHashToString,
} from '../../types/unlockhash.js'
import { bool, fail, genesisCondition, rejectUnknownKeys, version } from '../params.js'
import { authorizationApplies } from './state.js'
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
  /**
   * Whitelist chains only: addresses authorized from genesis (height 0), so the genesis coins can move
   * before the first address update. Absent: none (the reference's behaviour).
   */
  readonly genesisAuthorizedAddresses?: readonly UnlockHash[]
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
  'genesisAuthorizedAddresses',
] as const

/**
 * `genesisAuthorizedAddresses`: distinct addresses the authorization applies to (not nil or atomic swap),
 * on a whitelist chain only (on a blocklist chain every address is authorized already).
 */
function parseGenesisAuthorized(value: unknown, path: string, authorizedByDefault: boolean): UnlockHash[] {
  const field = `${path}.genesisAuthorizedAddresses`
  if (!Array.isArray(value)) fail('expected a list of addresses', field)
  if (authorizedByDefault)
    fail('only a whitelist chain (authorizedByDefault false) lists addresses authorized at genesis', field)
  const out: UnlockHash[] = []
  for (const [i, text] of jsonArray(value, field).entries()) {
    const at = `${field}[${i}]`
    const uh = parseUnlockHash(text, at)
    if (!authorizationApplies(uh))
      fail('nil and atomic swap addresses are never checked: they need no authorization', at)
    const first = out.findIndex((other) => unlockHashEquals(other, uh))
    if (first >= 0) fail(`repeats ${field}[${first}]`, at)
    out.push(uh)
  }
  return out
}

export function parseAuthCoinParams(value: unknown, path: string): AuthCoinParams {
  const o = jsonObject(value, path)
  rejectUnknownKeys(o, FIELDS, path, 'authcoin field')
  const authorizedByDefault = bool(o, 'authorizedByDefault', path)
  const params: AuthCoinParams = {
    genesisAuthCondition: genesisCondition(o, 'genesisAuthCondition', path),
    addressUpdateVersion: version(o, 'addressUpdateVersion', path, AUTHCOIN_DEFAULTS.addressUpdateVersion),
    conditionUpdateVersion: version(
      o,
      'conditionUpdateVersion',
      path,
      AUTHCOIN_DEFAULTS.conditionUpdateVersion,
    ),
    authorizedByDefault,
    requireMinerFees: bool(o, 'requireMinerFees', path),
    selfTransferMaxCoinOutputs:
      o.selfTransferMaxCoinOutputs === undefined
        ? AUTHCOIN_DEFAULTS.selfTransferMaxCoinOutputs
        : jsonUint(o.selfTransferMaxCoinOutputs, `${path}.selfTransferMaxCoinOutputs`),
  }
  return o.genesisAuthorizedAddresses === undefined
    ? params
    : {
        ...params,
        genesisAuthorizedAddresses: parseGenesisAuthorized(
          o.genesisAuthorizedAddresses,
          path,
          authorizedByDefault,
        ),
      }
}

/** Every field explicit (`genesisAuthorizedAddresses` when given); `parseAuthCoinParams` inverts it. */
export function authCoinParamsToJson(a: AuthCoinParams): JsonValue {
  return {
    genesisAuthCondition: conditionToJson(a.genesisAuthCondition),
    addressUpdateVersion: a.addressUpdateVersion,
    conditionUpdateVersion: a.conditionUpdateVersion,
    authorizedByDefault: a.authorizedByDefault,
    requireMinerFees: a.requireMinerFees,
    selfTransferMaxCoinOutputs: a.selfTransferMaxCoinOutputs,
    ...(a.genesisAuthorizedAddresses === undefined
      ? {}
      : { genesisAuthorizedAddresses: a.genesisAuthorizedAddresses.map(unlockHashToString) }),
  }
}

/** The versions the parameters claim, with the field that sets each. */
export function authCoinVersions(a: AuthCoinParams): { version: number; field: string }[] {
  return [
    { version: a.addressUpdateVersion, field: 'addressUpdateVersion' },
    { version: a.conditionUpdateVersion, field: 'conditionUpdateVersion' },
  ]
}
