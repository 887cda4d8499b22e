// spec/tfchain.md §3.2–3.3 (Rivine `extensions/authcointx`): the auth address update (176) and auth
// condition update (177) transactions: rivbin bodies, JSON, IDs and signature hashes. Their state rules
// (auth condition tracking, address authorization) are added by the consensus layer through the same types.
import { array, bytes, type Writer } from '../../encoding/codec.js'
import { type Condition, conditionCodec } from '../../types/conditions.js'
import type { Fulfillment } from '../../types/fulfillments.js'
import { specifier } from '../../types/publickey.js'
import { type Transaction, type TransactionType, writeExtraObjects } from '../../types/transaction.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashCodec,
  unlockHashToString,
} from '../../types/unlockhash.js'
import {
  type BodyLayout,
  bodyLayout,
  checkFeeOption,
  conditionField,
  dataField,
  type ExtensionTypeDefinition,
  extensionFulfillment,
  extensionTransactionType,
  feeList,
  feesField,
  fulfillmentField,
  listField,
  nonceCodec,
  nonceField,
} from '../common.js'

/** tfchain's version numbers (spec §0); other chains may choose others. */
export const AUTH_ADDRESS_UPDATE_VERSION = 176
export const AUTH_CONDITION_UPDATE_VERSION = 177

export const AUTH_ADDRESS_UPDATE_SPECIFIER = specifier('auth addr update')
export const AUTH_CONDITION_UPDATE_SPECIFIER = specifier('auth cond update')

/** `Transaction.extension` of a v176 transaction; arbitrary data and miner fees use the shared fields. */
export interface AuthAddressUpdateExtension {
  readonly nonce: Uint8Array
  readonly authAddresses: readonly UnlockHash[]
  readonly deauthAddresses: readonly UnlockHash[]
  readonly authFulfillment: Fulfillment
}

/** `Transaction.extension` of a v177 transaction; arbitrary data and miner fees use the shared fields. */
export interface AuthConditionUpdateExtension {
  readonly nonce: Uint8Array
  readonly authCondition: Condition
  readonly authFulfillment: Fulfillment
}

export interface AuthCoinOptions {
  readonly addressUpdateVersion?: number
  readonly conditionUpdateVersion?: number
  /** tfchain: true. Decides whether the miner fees are part of the signature hash (spec §3.2). */
  readonly requireMinerFees: boolean
}

const uhList = array(unlockHashCodec, 33)
const addressesField = listField(uhList, unlockHashToString, parseUnlockHash)

// ---- extension access ---------------------------------------------------------------------------

export function isAuthAddressUpdateExtension(e: unknown): e is AuthAddressUpdateExtension {
  if (typeof e !== 'object' || e === null) return false
  const x = e as Record<string, unknown>
  return (
    x.nonce instanceof Uint8Array &&
    Array.isArray(x.authAddresses) &&
    Array.isArray(x.deauthAddresses) &&
    typeof x.authFulfillment === 'object' &&
    x.authFulfillment !== null
  )
}

export function isAuthConditionUpdateExtension(e: unknown): e is AuthConditionUpdateExtension {
  if (typeof e !== 'object' || e === null) return false
  const x = e as Record<string, unknown>
  return (
    x.nonce instanceof Uint8Array &&
    typeof x.authCondition === 'object' &&
    x.authCondition !== null &&
    typeof x.authFulfillment === 'object' &&
    x.authFulfillment !== null
  )
}

/** The v176 extension of `tx`; throws when `tx` does not carry one. */
export function authAddressUpdateOf(tx: Transaction): AuthAddressUpdateExtension {
  if (!isAuthAddressUpdateExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no auth address update extension`)
  return tx.extension
}

/** The v177 extension of `tx`; throws when `tx` does not carry one. */
export function authConditionUpdateOf(tx: Transaction): AuthConditionUpdateExtension {
  if (!isAuthConditionUpdateExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no auth condition update extension`)
  return tx.extension
}

/** The auth types carry no coin or block stake lists: refuse to drop them silently. */
function assertNoTransfers(tx: Transaction, name: string): void {
  if (
    tx.coinInputs.length ||
    tx.coinOutputs.length ||
    tx.blockStakeInputs.length ||
    tx.blockStakeOutputs.length
  ) {
    throw new TypeError(`an ${name} transaction has no coin or block stake inputs/outputs`)
  }
}

// ---- the auth types ---------------------------------------------------------------------------

type AuthBody = { readonly nonce: Uint8Array } & Pick<Transaction, 'minerFees' | 'arbitraryData'>

/**
 * Both auth types: rivbin bodies, no coin or block stake lists, and one signature hash layout (tfchain
 * §3.2–3.3): version, specifier, nonce, extras, the type's own signed fields, arbitrary data, then the
 * miner fees with RequireMinerFees.
 */
function authType<B extends AuthBody>(
  version: number,
  requireMinerFees: boolean,
  def: {
    readonly name: string
    readonly specifier: Uint8Array
    readonly body: BodyLayout<B>
    readonly extensionOf: ExtensionTypeDefinition<B>['extensionOf']
    readonly signedFields: (w: Writer, body: B) => void
  },
): TransactionType {
  const { name } = def
  return extensionTransactionType<B>({
    version,
    name,
    format: 'rivbin',
    specifier: def.specifier,
    body: def.body,
    extensionOf: (tx) => {
      assertNoTransfers(tx, name)
      return def.extensionOf(tx)
    },
    sigHash: (w, b, extras) => {
      checkFeeOption(b.minerFees, requireMinerFees, name)
      nonceCodec.write(w, b.nonce)
      writeExtraObjects(w, extras)
      def.signedFields(w, b)
      bytes.write(w, b.arbitraryData)
      if (requireMinerFees) feeList.write(w, b.minerFees)
    },
  })
}

// ---- v176: auth address update (spec §3.2) -----------------------------------------------------

type AddressUpdateBody = AuthAddressUpdateExtension & Pick<Transaction, 'minerFees' | 'arbitraryData'>

/** nonce | authaddresses | deauthaddresses | arbitrarydata | authfulfillment | minerfees */
const addressUpdateBody = bodyLayout<AddressUpdateBody>({
  nonce: nonceField,
  authAddresses: addressesField,
  deauthAddresses: addressesField,
  arbitraryData: dataField,
  authFulfillment: fulfillmentField,
  minerFees: feesField,
})

function addressUpdateType(version: number, requireMinerFees: boolean): TransactionType {
  return authType(version, requireMinerFees, {
    name: 'auth address update',
    specifier: AUTH_ADDRESS_UPDATE_SPECIFIER,
    body: addressUpdateBody,
    extensionOf: authAddressUpdateOf,
    signedFields: (w, b) => {
      uhList.write(w, b.authAddresses)
      uhList.write(w, b.deauthAddresses)
    },
  })
}

// ---- v177: auth condition update (spec §3.3) ---------------------------------------------------

type ConditionUpdateBody = AuthConditionUpdateExtension & Pick<Transaction, 'minerFees' | 'arbitraryData'>

/** nonce | arbitrarydata | authcondition | authfulfillment | minerfees */
const conditionUpdateBody = bodyLayout<ConditionUpdateBody>({
  nonce: nonceField,
  arbitraryData: dataField,
  authCondition: conditionField,
  authFulfillment: fulfillmentField,
  minerFees: feesField,
})

function conditionUpdateType(version: number, requireMinerFees: boolean): TransactionType {
  return authType(version, requireMinerFees, {
    name: 'auth condition update',
    specifier: AUTH_CONDITION_UPDATE_SPECIFIER,
    body: conditionUpdateBody,
    extensionOf: authConditionUpdateOf,
    signedFields: (w, b) => conditionCodec.write(w, b.authCondition),
  })
}

// ---- the factory and signing helpers ----------------------------------------------------------

/** The auth-coin transaction types (rivbin bodies), tfchain: `{ requireMinerFees: true }` at 176/177. */
export function authCoinTransactionTypes(opts: AuthCoinOptions): TransactionType[] {
  return [
    addressUpdateType(opts.addressUpdateVersion ?? AUTH_ADDRESS_UPDATE_VERSION, opts.requireMinerFees),
    conditionUpdateType(opts.conditionUpdateVersion ?? AUTH_CONDITION_UPDATE_VERSION, opts.requireMinerFees),
  ]
}

function authFulfillmentOf(tx: Transaction): Fulfillment {
  const ext = tx.extension as { authFulfillment?: Fulfillment } | undefined
  if (!isAuthAddressUpdateExtension(ext) && !isAuthConditionUpdateExtension(ext))
    throw new TypeError(`transaction version ${tx.version} has no auth fulfillment`)
  return ext.authFulfillment
}

/** The same v176/v177 transaction with another auth fulfillment. */
export function withAuthFulfillment(tx: Transaction, authFulfillment: Fulfillment): Transaction {
  authFulfillmentOf(tx)
  return { ...tx, extension: { ...(tx.extension as object), authFulfillment } }
}

const authFulfillment = extensionFulfillment({ of: authFulfillmentOf, with: withAuthFulfillment })

/**
 * The message the auth fulfillment signs (tfchain §1.5): no caller extras, so a single signature
 * signs with none and a multisig signer passes only its public key.
 */
export const authFulfillmentSigHash = authFulfillment.sigHash

/**
 * Signs the auth fulfillment: `single` replaces it with a single signature (unlock hash and time-locked
 * conditions), `multisig` adds one co-signer's pair (creating the fulfillment if it is not one yet).
 */
export const signAuthFulfillment = authFulfillment.sign

/**
 * Why the auth fulfillment of `tx` does not fulfil `authCondition` at the given block height and time, or
 * `undefined`. Which auth condition applies is the caller's (state).
 */
export const authFulfillmentError = authFulfillment.error
