// spec/tfchain.md §3.2–3.3 (Rivine `extensions/authcointx`): the auth address update (176) and auth
// condition update (177) transactions: rivbin bodies, JSON, IDs and signature hashes. Their state rules
// (auth condition tracking, address authorization) are added by the consensus layer through the same types.
import type { Ed25519 } from '../../crypto/ed25519.js'
import { blake2b256 } from '../../crypto/hash.js'
import { array, bytes, type Codec, currency, fixedBytes, type Reader, Writer } from '../../encoding/codec.js'
import { DecodeError, inField } from '../../encoding/errors.js'
import { fromBase64, type JsonValue, jsonArray, jsonObject, jsonUint, toBase64 } from '../../encoding/json.js'
import { type Condition, conditionCodec, conditionFromJson, conditionToJson } from '../../types/conditions.js'
import { currencyToJson, parseCurrency } from '../../types/currency.js'
import { fulfillError } from '../../types/fulfill.js'
import {
  type Fulfillment,
  fulfillmentCodec,
  fulfillmentFromJson,
  fulfillmentToJson,
} from '../../types/fulfillments.js'
import { type PublicKey, specifier } from '../../types/publickey.js'
import type { SigningKey } from '../../types/sign.js'
import {
  type ExtraObject,
  emptyTransaction,
  type Transaction,
  type TransactionRegistry,
  type TransactionType,
  writeExtraObjects,
} from '../../types/transaction.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashCodec,
  unlockHashToString,
} from '../../types/unlockhash.js'

/** tfchain's version numbers (spec §0); other chains may choose others. */
export const AUTH_ADDRESS_UPDATE_VERSION = 176
export const AUTH_CONDITION_UPDATE_VERSION = 177

export const AUTH_ADDRESS_UPDATE_SPECIFIER = specifier('auth addr update')
export const AUTH_CONDITION_UPDATE_SPECIFIER = specifier('auth cond update')

const NONCE_SIZE = 8

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

const nonceCodec = fixedBytes(NONCE_SIZE)
const uhList = array(unlockHashCodec, 33)
const feeList = array(currency, 1)

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

function assertNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_SIZE) throw new RangeError(`a transaction nonce is ${NONCE_SIZE} bytes`)
}

// ---- JSON helpers -------------------------------------------------------------------------------

/** base64 of the 8 bytes; decoding also takes a JSON array of 8 integers (Go's []byte JSON forms). */
function nonceToJson(nonce: Uint8Array): string {
  return toBase64(nonce)
}

function nonceFromJson(v: unknown, field = 'nonce'): Uint8Array {
  let out: Uint8Array
  if (Array.isArray(v)) {
    out = new Uint8Array(
      v.map((b, i) => {
        const n = jsonUint(b, `${field}[${i}]`)
        if (n > 255) throw new DecodeError('invalid-value', 'byte out of range', `${field}[${i}]`)
        return n
      }),
    )
  } else {
    out = fromBase64(v, field)
  }
  if (out.length !== NONCE_SIZE) throw new DecodeError('invalid-value', 'invalid tx nonce length', field)
  return out
}

const feesToJson = (fees: readonly bigint[]): JsonValue | undefined =>
  fees.length ? fees.map(currencyToJson) : undefined
const dataToJsonField = (data: Uint8Array): JsonValue | undefined =>
  data.length ? toBase64(data) : undefined
const feesFromJson = (v: unknown, field: string): bigint[] =>
  jsonArray(v, field).map((f, i) => parseCurrency(f, `${field}[${i}]`))
const dataFromJsonField = (v: unknown, field: string): Uint8Array =>
  v === undefined || v === null ? new Uint8Array(0) : fromBase64(v, field)
const uhsToJson = (list: readonly UnlockHash[]): JsonValue =>
  list.length ? list.map(unlockHashToString) : null
const uhsFromJson = (v: unknown, field: string): UnlockHash[] =>
  jsonArray(v, field).map((u, i) => parseUnlockHash(u, `${field}[${i}]`))

/** Reads a rivbin body that follows the (Sia) version byte directly. */
function readRivbin<T>(r: Reader, codec: Codec<T>): T {
  return r.withFormat('rivbin', (sub) => codec.read(sub))
}

function rivbinBytes(fn: (w: Writer) => void): Uint8Array {
  const w = new Writer('rivbin', 256)
  fn(w)
  return w.finish()
}

// ---- v176: auth address update (spec §3.2) -----------------------------------------------------

interface AddressUpdateBody extends AuthAddressUpdateExtension {
  readonly arbitraryData: Uint8Array
  readonly minerFees: readonly bigint[]
}

/** nonce | authaddresses | deauthaddresses | arbitrarydata | authfulfillment | minerfees */
const addressUpdateBody: Codec<AddressUpdateBody> = {
  write: (w, b) => {
    assertNonce(b.nonce)
    nonceCodec.write(w, b.nonce)
    uhList.write(w, b.authAddresses)
    uhList.write(w, b.deauthAddresses)
    bytes.write(w, b.arbitraryData)
    fulfillmentCodec.write(w, b.authFulfillment)
    feeList.write(w, b.minerFees)
  },
  read: (r) => ({
    nonce: inField('nonce', () => nonceCodec.read(r)),
    authAddresses: inField('authaddresses', () => uhList.read(r)),
    deauthAddresses: inField('deauthaddresses', () => uhList.read(r)),
    arbitraryData: inField('arbitrarydata', () => bytes.read(r)),
    authFulfillment: inField('authfulfillment', () => fulfillmentCodec.read(r)),
    minerFees: inField('minerfees', () => feeList.read(r)),
  }),
}

function addressUpdateBodyOf(tx: Transaction): AddressUpdateBody {
  assertNoTransfers(tx, 'auth address update')
  const ext = authAddressUpdateOf(tx)
  return {
    nonce: ext.nonce,
    authAddresses: ext.authAddresses,
    deauthAddresses: ext.deauthAddresses,
    authFulfillment: ext.authFulfillment,
    arbitraryData: tx.arbitraryData,
    minerFees: tx.minerFees,
  }
}

function addressUpdateTx(version: number, b: AddressUpdateBody): Transaction {
  const extension: AuthAddressUpdateExtension = {
    nonce: b.nonce,
    authAddresses: b.authAddresses,
    deauthAddresses: b.deauthAddresses,
    authFulfillment: b.authFulfillment,
  }
  return { ...emptyTransaction(version), minerFees: b.minerFees, arbitraryData: b.arbitraryData, extension }
}

function addressUpdateType(version: number, requireMinerFees: boolean): TransactionType {
  return {
    version,
    name: 'auth address update',
    writeData: (w, tx) => w.bytes(rivbinBytes((s) => addressUpdateBody.write(s, addressUpdateBodyOf(tx)))),
    readData: (r, v) => addressUpdateTx(v, readRivbin(r, addressUpdateBody)),
    dataToJson: (tx) => {
      const b = addressUpdateBodyOf(tx)
      return {
        nonce: nonceToJson(b.nonce),
        authaddresses: uhsToJson(b.authAddresses),
        deauthaddresses: uhsToJson(b.deauthAddresses),
        arbitrarydata: dataToJsonField(b.arbitraryData),
        authfulfillment: fulfillmentToJson(b.authFulfillment),
        minerfees: feesToJson(b.minerFees),
      }
    },
    dataFromJson: (value, v) => {
      const d = jsonObject(value ?? {}, 'data')
      return addressUpdateTx(v, {
        nonce: nonceFromJson(d.nonce, 'data.nonce'),
        authAddresses: uhsFromJson(d.authaddresses, 'data.authaddresses'),
        deauthAddresses: uhsFromJson(d.deauthaddresses, 'data.deauthaddresses'),
        arbitraryData: dataFromJsonField(d.arbitrarydata, 'data.arbitrarydata'),
        authFulfillment: fulfillmentFromJson(d.authfulfillment ?? {}, 'data.authfulfillment'),
        minerFees: feesFromJson(d.minerfees, 'data.minerfees'),
      })
    },
    // tfchain §1.5: specifier || body (rivbin)
    idInput: (tx) =>
      rivbinBytes((w) => {
        w.bytes(AUTH_ADDRESS_UPDATE_SPECIFIER)
        addressUpdateBody.write(w, addressUpdateBodyOf(tx))
      }),
    sigHash: (tx, extras) => {
      const b = addressUpdateBodyOf(tx)
      checkFeeOption(b.minerFees, requireMinerFees, 'auth address update')
      return blake2b256(
        rivbinBytes((w) => {
          w.byte(tx.version)
          w.bytes(AUTH_ADDRESS_UPDATE_SPECIFIER)
          nonceCodec.write(w, b.nonce)
          writeExtraObjects(w, extras)
          uhList.write(w, b.authAddresses)
          uhList.write(w, b.deauthAddresses)
          bytes.write(w, b.arbitraryData)
          if (requireMinerFees) feeList.write(w, b.minerFees)
        }),
      )
    },
  }
}

// ---- v177: auth condition update (spec §3.3) ---------------------------------------------------

interface ConditionUpdateBody extends AuthConditionUpdateExtension {
  readonly arbitraryData: Uint8Array
  readonly minerFees: readonly bigint[]
}

/** nonce | arbitrarydata | authcondition | authfulfillment | minerfees */
const conditionUpdateBody: Codec<ConditionUpdateBody> = {
  write: (w, b) => {
    assertNonce(b.nonce)
    nonceCodec.write(w, b.nonce)
    bytes.write(w, b.arbitraryData)
    conditionCodec.write(w, b.authCondition)
    fulfillmentCodec.write(w, b.authFulfillment)
    feeList.write(w, b.minerFees)
  },
  read: (r) => ({
    nonce: inField('nonce', () => nonceCodec.read(r)),
    arbitraryData: inField('arbitrarydata', () => bytes.read(r)),
    authCondition: inField('authcondition', () => conditionCodec.read(r)),
    authFulfillment: inField('authfulfillment', () => fulfillmentCodec.read(r)),
    minerFees: inField('minerfees', () => feeList.read(r)),
  }),
}

function conditionUpdateBodyOf(tx: Transaction): ConditionUpdateBody {
  assertNoTransfers(tx, 'auth condition update')
  const ext = authConditionUpdateOf(tx)
  return {
    nonce: ext.nonce,
    authCondition: ext.authCondition,
    authFulfillment: ext.authFulfillment,
    arbitraryData: tx.arbitraryData,
    minerFees: tx.minerFees,
  }
}

function conditionUpdateTx(version: number, b: ConditionUpdateBody): Transaction {
  const extension: AuthConditionUpdateExtension = {
    nonce: b.nonce,
    authCondition: b.authCondition,
    authFulfillment: b.authFulfillment,
  }
  return { ...emptyTransaction(version), minerFees: b.minerFees, arbitraryData: b.arbitraryData, extension }
}

function conditionUpdateType(version: number, requireMinerFees: boolean): TransactionType {
  return {
    version,
    name: 'auth condition update',
    writeData: (w, tx) =>
      w.bytes(rivbinBytes((s) => conditionUpdateBody.write(s, conditionUpdateBodyOf(tx)))),
    readData: (r, v) => conditionUpdateTx(v, readRivbin(r, conditionUpdateBody)),
    dataToJson: (tx) => {
      const b = conditionUpdateBodyOf(tx)
      return {
        nonce: nonceToJson(b.nonce),
        arbitrarydata: dataToJsonField(b.arbitraryData),
        authcondition: conditionToJson(b.authCondition),
        authfulfillment: fulfillmentToJson(b.authFulfillment),
        minerfees: feesToJson(b.minerFees),
      }
    },
    dataFromJson: (value, v) => {
      const d = jsonObject(value ?? {}, 'data')
      return conditionUpdateTx(v, {
        nonce: nonceFromJson(d.nonce, 'data.nonce'),
        arbitraryData: dataFromJsonField(d.arbitrarydata, 'data.arbitrarydata'),
        authCondition: conditionFromJson(d.authcondition ?? {}, 'data.authcondition'),
        authFulfillment: fulfillmentFromJson(d.authfulfillment ?? {}, 'data.authfulfillment'),
        minerFees: feesFromJson(d.minerfees, 'data.minerfees'),
      })
    },
    idInput: (tx) =>
      rivbinBytes((w) => {
        w.bytes(AUTH_CONDITION_UPDATE_SPECIFIER)
        conditionUpdateBody.write(w, conditionUpdateBodyOf(tx))
      }),
    sigHash: (tx, extras) => {
      const b = conditionUpdateBodyOf(tx)
      checkFeeOption(b.minerFees, requireMinerFees, 'auth condition update')
      return blake2b256(
        rivbinBytes((w) => {
          w.byte(tx.version)
          w.bytes(AUTH_CONDITION_UPDATE_SPECIFIER)
          nonceCodec.write(w, b.nonce)
          writeExtraObjects(w, extras)
          conditionCodec.write(w, b.authCondition)
          bytes.write(w, b.arbitraryData)
          if (requireMinerFees) feeList.write(w, b.minerFees)
        }),
      )
    },
  }
}

/**
 * The reference refuses to hash a transaction whose fees contradict the option: without
 * RequireMinerFees the fees would not be signed, so a transaction carrying them must not be signable.
 */
function checkFeeOption(fees: readonly bigint[], requireMinerFees: boolean, name: string): void {
  if (requireMinerFees && fees.length === 0)
    throw new Error(`at least one miner fee is required for an ${name} transaction`)
  if (!requireMinerFees && fees.length !== 0)
    throw new Error(`undesired miner fees: the ${name} transaction type takes none`)
}

// ---- the factory and signing helpers ----------------------------------------------------------

/** The auth-coin transaction types (rivbin bodies), tfchain: `{ requireMinerFees: true }` at 176/177. */
export function authCoinTransactionTypes(opts: AuthCoinOptions): TransactionType[] {
  return [
    addressUpdateType(opts.addressUpdateVersion ?? AUTH_ADDRESS_UPDATE_VERSION, opts.requireMinerFees),
    conditionUpdateType(opts.conditionUpdateVersion ?? AUTH_CONDITION_UPDATE_VERSION, opts.requireMinerFees),
  ]
}

/**
 * The message the auth fulfillment signs (tfchain §1.5): no caller extras, so a single signature
 * signs with none and a multisig signer passes only its public key.
 */
export function authFulfillmentSigHash(
  registry: TransactionRegistry,
  tx: Transaction,
  multisigSigner?: PublicKey,
): Uint8Array {
  const extras: ExtraObject[] = multisigSigner ? [{ kind: 'publicKey', value: multisigSigner }] : []
  return registry.sigHash(tx, extras)
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

/**
 * Signs the auth fulfillment: `single` replaces it with a single signature (unlock hash and time-locked
 * conditions), `multisig` adds one co-signer's pair (creating the fulfillment if it is not one yet).
 */
export function signAuthFulfillment(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  key: SigningKey,
  mode: 'single' | 'multisig' = 'single',
): Transaction {
  if (key.publicKey.algorithm !== 1) throw new Error('only ed25519 keys can sign')
  if (mode === 'single') {
    const signature = ed.sign(key.secretSeed, authFulfillmentSigHash(registry, tx))
    return withAuthFulfillment(tx, { type: 1, publicKey: key.publicKey, signature })
  }
  const signature = ed.sign(key.secretSeed, authFulfillmentSigHash(registry, tx, key.publicKey))
  const current = authFulfillmentOf(tx)
  const pairs = current.type === 3 ? current.pairs : []
  return withAuthFulfillment(tx, { type: 3, pairs: [...pairs, { publicKey: key.publicKey, signature }] })
}

/**
 * Why the auth fulfillment of `tx` does not fulfil `authCondition` at the given block height and time, or
 * `undefined`. Which auth condition applies is the caller's (state).
 */
export function authFulfillmentError(
  registry: TransactionRegistry,
  tx: Transaction,
  authCondition: Condition,
  ctx: { readonly blockHeight: number; readonly blockTime: number; readonly verifier: Ed25519 },
): string | undefined {
  const sigHash = (extras: readonly ExtraObject[]) => registry.sigHash(tx, extras)
  return fulfillError(authCondition, authFulfillmentOf(tx), { ...ctx, sigHash })
}
