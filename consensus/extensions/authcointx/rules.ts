// spec/tfchain.md §3.2–3.4 (Rivine `extensions/authcointx/csplugin.go`): the rules of auth address updates
// and auth condition updates, the state they change, and the global rule that every transaction's coin
// flow touches only authorized addresses.
import { equalBytes } from '../../encoding/hex.js'
import { conditionUnlockHash } from '../../types/conditions.js'
import type { Transaction } from '../../types/transaction.js'
import { type UnlockHash, UnlockType, unlockHashToString } from '../../types/unlockhash.js'
import type { ValidationDetails } from '../../validation/errors.js'
import { type RuleContext, ruleError, type TransactionRule } from '../api.js'
import { checkFulfilled, checkMinerFeeOption, checkNonce, checkNoTransfers } from '../checks.js'
import { conditionBytes } from '../history.js'
import type { AuthCoinParams } from './params.js'
import {
  AUTHCOIN,
  addressKey,
  addressState,
  authConditionAt,
  authConditions,
  authorizationApplies,
  encodeAddressState,
} from './state.js'
import { authAddressUpdateOf, authConditionUpdateOf, authFulfillmentError } from './types.js'

const ADDRESS_UPDATE = `${AUTHCOIN}/address-update`
const CONDITION_UPDATE = `${AUTHCOIN}/condition-update`
const TRANSFERS = `${AUTHCOIN}/transfers`

const show = (uh: UnlockHash): string => unlockHashToString(uh) || 'the nil address'
const uhKey = (uh: UnlockHash): string => addressKey(uh)

/** spec §3.2 rule 3, §3.3: the auth fulfillment fulfils the auth condition in force at the height. */
function checkAuthFulfillment(rule: string, tx: Transaction, ctx: RuleContext) {
  const condition = authConditionAt(ctx.state, ctx.blockHeight)
  const reason = authFulfillmentError(ctx.registry, tx, condition, ctx)
  checkFulfilled(rule, 'auth-unfulfilled', 'the auth fulfillment does not fulfil the auth condition', reason)
}

/** v176 (spec §3.2): authorizes and deauthorizes addresses from its block's height on. */
function addressUpdateRule(p: AuthCoinParams): TransactionRule {
  return {
    name: ADDRESS_UPDATE,
    versions: [p.addressUpdateVersion],
    validate: (tx, _spent, ctx) => {
      checkNoTransfers(ADDRESS_UPDATE, tx)
      checkMinerFeeOption(ADDRESS_UPDATE, tx, p.requireMinerFees)
      const ext = authAddressUpdateOf(tx)
      checkNonce(ADDRESS_UPDATE, ext.nonce)
      if (ext.authAddresses.length === 0 && ext.deauthAddresses.length === 0) {
        throw ruleError(
          ADDRESS_UPDATE,
          'no-auth-addresses',
          'at least one address to (de)authorize is required',
        )
      }
      const seen = new Set<string>()
      for (const [list, addresses, wanted] of [
        ['authAddresses', ext.authAddresses, false],
        ['deauthAddresses', ext.deauthAddresses, true],
      ] as const) {
        for (const [index, uh] of addresses.entries()) {
          const address = show(uh)
          if (seen.has(uhKey(uh))) {
            throw ruleError(
              ADDRESS_UPDATE,
              'duplicate-auth-address',
              `${list}[${index}]: ${address} appears more than once in the update`,
              { address },
            )
          }
          seen.add(uhKey(uh))
          // spec §3.2 rule 5: no nil/atomic-swap exemption here
          if (addressState(ctx.state, uh).authorized !== wanted) {
            throw wanted
              ? ruleError(
                  ADDRESS_UPDATE,
                  'already-deauthorized',
                  `${list}[${index}]: ${address} is not authorized`,
                  {
                    address,
                  },
                )
              : ruleError(
                  ADDRESS_UPDATE,
                  'already-authorized',
                  `${list}[${index}]: ${address} is already authorized`,
                  {
                    address,
                  },
                )
          }
        }
      }
      checkAuthFulfillment(ADDRESS_UPDATE, tx, ctx)
    },
    apply: (tx, ctx, state) => {
      const ext = authAddressUpdateOf(tx)
      for (const uh of ext.authAddresses) state.set(addressKey(uh), encodeAddressState(true, ctx.blockHeight))
      for (const uh of ext.deauthAddresses)
        state.set(addressKey(uh), encodeAddressState(false, ctx.blockHeight))
    },
  }
}

/** v177 (spec §3.3): replaces the auth condition from its block's height on. */
function conditionUpdateRule(p: AuthCoinParams): TransactionRule {
  return {
    name: CONDITION_UPDATE,
    versions: [p.conditionUpdateVersion],
    validate: (tx, _spent, ctx) => {
      checkNoTransfers(CONDITION_UPDATE, tx)
      checkMinerFeeOption(CONDITION_UPDATE, tx, p.requireMinerFees)
      const ext = authConditionUpdateOf(tx)
      checkNonce(CONDITION_UPDATE, ext.nonce)
      const current = authConditionAt(ctx.state, ctx.blockHeight)
      if (equalBytes(conditionBytes(current), conditionBytes(ext.authCondition))) {
        throw ruleError(
          CONDITION_UPDATE,
          'auth-condition-unchanged',
          'the new auth condition is the current one',
        )
      }
      const type = conditionUnlockHash(ext.authCondition).type
      if (type !== UnlockType.PubKey && type !== UnlockType.MultiSig) {
        throw ruleError(
          CONDITION_UPDATE,
          'invalid-auth-condition',
          `the new auth condition has an address of type ${type} (a public key or multisig address is required)`,
        )
      }
      checkAuthFulfillment(CONDITION_UPDATE, tx, ctx)
    },
    apply: (tx, ctx, state) =>
      authConditions.record(state, ctx.blockHeight, conditionBytes(authConditionUpdateOf(tx).authCondition)),
  }
}

/**
 * spec §3.4, every version: the distinct addresses of the coin outputs and of the spent coin outputs must
 * be authorized (nil and atomic swap addresses excepted), unless there are none, or the transaction is a
 * v0/v1 one whose coin flow touches a single address with at most `selfTransferMaxCoinOutputs` outputs.
 * Block stakes and miner payouts are not checked.
 */
function transfersRule(p: AuthCoinParams): TransactionRule {
  return {
    name: TRANSFERS,
    versions: 'all',
    validate: (tx, spent, ctx) => {
      const parties = ctx.registry.parties(tx)
      if (tx.coinOutputs.length === 0 && spent.coins.length === 0 && parties.length === 0) return
      const touched = new Map<string, { uh: UnlockHash; where: ValidationDetails }>()
      for (const [index, o] of tx.coinOutputs.entries()) {
        const uh = conditionUnlockHash(o.condition)
        const k = uhKey(uh)
        if (!touched.has(k)) touched.set(k, { uh, where: { output: { list: 'coinOutputs', index } } })
      }
      for (const [index, o] of spent.coins.entries()) {
        const uh = conditionUnlockHash(o.condition)
        const k = uhKey(uh)
        if (!touched.has(k)) touched.set(k, { uh, where: { input: { list: 'coinInputs', index } } })
      }
      if (tx.version <= 1 && touched.size === 1 && tx.coinOutputs.length <= p.selfTransferMaxCoinOutputs)
        return
      // addresses a transaction type names as acting parties (e.g. a capacity farmer) must be authorized too
      for (const uh of parties) {
        const k = uhKey(uh)
        if (!touched.has(k)) touched.set(k, { uh, where: {} })
      }
      for (const { uh, where } of touched.values()) {
        if (!authorizationApplies(uh) || addressState(ctx.state, uh).authorized) continue
        const address = show(uh)
        const what = where.output
          ? `coinOutputs[${where.output.index}] pays to ${address}`
          : where.input
            ? `coinInputs[${where.input.index}] spends from ${address}`
            : `the transaction acts for ${address}`
        throw ruleError(TRANSFERS, 'unauthorized-address', `${what}, which is not authorized`, {
          ...where,
          address,
        })
      }
    },
  }
}

/** The rules of the auth-coin extension. */
export function authCoinRules(p: AuthCoinParams): TransactionRule[] {
  return [addressUpdateRule(p), conditionUpdateRule(p), transfersRule(p)]
}
