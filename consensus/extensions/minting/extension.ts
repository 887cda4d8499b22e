// DESIGN §4, spec/tfchain.md §2: the minting extension as a chain enables it under `extensions.minting`.
import type { Extension } from '../api.js'
import { conditionBytes, conditionQueries } from '../history.js'
import { type MintingParams, mintingParamsToJson, mintingVersions, parseMintingParams } from './params.js'
import { mintingRules } from './rules.js'
import { MINTING, mintConditionAt, mintConditions } from './state.js'
import { mintingTransactionTypes } from './types.js'

export const mintingExtension: Extension<MintingParams> = {
  name: MINTING,
  parseParams: parseMintingParams,
  paramsToJson: mintingParamsToJson,
  versions: mintingVersions,
  enable: (p) => ({
    name: MINTING,
    transactionTypes: mintingTransactionTypes({
      minterDefinitionVersion: p.minterDefinitionVersion,
      coinCreationVersion: p.coinCreationVersion,
      ...(p.coinDestructionVersion === undefined ? {} : { coinDestructionVersion: p.coinDestructionVersion }),
      format: p.encoding,
      requireMinerFees: p.requireMinerFees,
    }),
    genesisState: mintConditions.genesis(conditionBytes(p.genesisMintCondition)),
    rules: mintingRules(p),
    queries: mintingQueries,
  }),
}

/** `GET /mint/condition[/:height]`: the mint condition in force at the tip, or at a height. */
const mintingQueries = conditionQueries('/mint/condition', 'mint condition', mintConditionAt)
