// DESIGN §4, spec/tfchain.md §3: the authorized-addresses extension as a chain enables it under
// `extensions.authcoin`.
import type { Extension } from '../api.js'
import { conditionBytes } from '../history.js'
import { type AuthCoinParams, authCoinParamsToJson, authCoinVersions, parseAuthCoinParams } from './params.js'
import { authCoinRules } from './rules.js'
import { AUTHCOIN, addressKey, authConditions, DEFAULT_KEY, encodeAddressState } from './state.js'
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
  }),
}
