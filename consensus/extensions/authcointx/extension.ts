// DESIGN §4, spec/tfchain.md §3: the authorized-addresses extension as a chain enables it under
// `extensions.authcoin`.
import { DecodeError } from '../../encoding/errors.js'
import { parseUnlockHash, unlockHashToString } from '../../types/unlockhash.js'
import { type Extension, type ExtensionQuery, QueryError } from '../api.js'
import { conditionBytes, conditionQueries } from '../history.js'
import { ADDRESS, int, nullable, obj } from '../schemas.js'
import { type AuthCoinParams, authCoinParamsToJson, authCoinVersions, parseAuthCoinParams } from './params.js'
import { authCoinRules } from './rules.js'
import {
  AUTHCOIN,
  addressKey,
  authConditionAt,
  authConditions,
  authStatus,
  DEFAULT_KEY,
  encodeAddressState,
} from './state.js'
import { authCoinTransactionTypes } from './types.js'

export const authCoinExtension: Extension<AuthCoinParams> = {
  name: AUTHCOIN,
  parseParams: parseAuthCoinParams,
  paramsToJson: authCoinParamsToJson,
  versions: authCoinVersions,
  enable: (p) => ({
    name: AUTHCOIN,
    transactionTypes: authCoinTransactionTypes({
      addressUpdateVersion: p.addressUpdateVersion,
      conditionUpdateVersion: p.conditionUpdateVersion,
      requireMinerFees: p.requireMinerFees,
    }),
    genesisState: [
      [DEFAULT_KEY, new Uint8Array([p.authorizedByDefault ? 1 : 0])],
      ...authConditions.genesis(conditionBytes(p.genesisAuthCondition)),
      // authorized since height 0, as if an address update in the genesis block had listed them
      ...(p.genesisAuthorizedAddresses ?? []).map(
        (uh) => [addressKey(uh), encodeAddressState(true, 0)] as [string, Uint8Array],
      ),
    ],
    rules: authCoinRules(p),
    queries: authCoinQueries,
  }),
}

/** `GET /auth/condition[/:height]` and `GET /auth/status/:address`. */
const authCoinQueries: readonly ExtensionQuery[] = [
  ...conditionQueries('/auth/condition', 'auth condition', authConditionAt),
  {
    path: '/auth/status/:address',
    description: 'whether an address is authorized now, and since which height: {address, authorized, since}',
    response: obj({
      address: ADDRESS,
      authorized: { type: 'boolean' },
      since: nullable(int('the height of the update that set the status; null when it is the default')),
    }),
    answer: (params, ctx) => {
      let address: ReturnType<typeof parseUnlockHash>
      if (!params.address) throw new QueryError(400, 'invalid-address', 'an address is needed')
      try {
        address = parseUnlockHash(params.address)
      } catch (err) {
        if (err instanceof DecodeError) throw new QueryError(400, 'invalid-address', err.message)
        throw err
      }
      const status = authStatus(ctx.state, address)
      return {
        address: unlockHashToString(address),
        authorized: status.authorized,
        since: status.since ?? null,
      }
    },
  },
]
