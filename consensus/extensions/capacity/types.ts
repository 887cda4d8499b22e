// DESIGN §4, docs/capacity.md: capacity registration (224) and capacity reservation (225): bodies, JSON,
// IDs and signature hashes in the style of spec/tfchain.md (rivbin body after the version byte, 16-byte
// specifier in the ID input and the signature hash). Coin inputs are signed like v1 inputs (the extras
// start with the input index); the farmer signs the same hash with no extras.
import type { Ed25519 } from '../../crypto/ed25519.js'
import {
  array,
  bytes,
  type Codec,
  currency as currencyCodec,
  type Format,
  uint,
} from '../../encoding/codec.js'
import { DecodeError } from '../../encoding/errors.js'
import { fromBase64, type JsonValue, jsonObject, jsonUint, toBase64 } from '../../encoding/json.js'
import { type Condition, conditionCodec, publicKeyUnlockHash } from '../../types/conditions.js'
import { currencyToJson, parseCurrency } from '../../types/currency.js'
import {
  type PublicKey,
  parsePublicKey,
  publicKeyCodec,
  publicKeyToString,
  specifier,
} from '../../types/publickey.js'
import type { SigningKey } from '../../types/sign.js'
import {
  type Transaction,
  type TransactionRegistry,
  type TransactionType,
  writeExtraObjects,
} from '../../types/transaction.js'
import {
  inputCodec,
  inputFromJson,
  inputToJson,
  outputCodec,
  outputFromJson,
  outputToJson,
} from '../../types/v1.js'
import {
  type BodyField,
  bodyLayout,
  conditionField,
  dataField,
  extensionTransactionType,
  feeList,
  feesField,
  listField,
} from '../common.js'

export const CAPACITY_REGISTRATION_VERSION = 224
export const CAPACITY_RESERVATION_VERSION = 225

export const CAPACITY_REGISTRATION_SPECIFIER = specifier('capacity reg tx')
export const CAPACITY_RESERVATION_SPECIFIER = specifier('capacity rsv tx')

/** Every capacity body, ID input and signature hash is rivbin (DESIGN §4). */
export const CAPACITY_FORMAT: Format = 'rivbin'

/** The resource kinds of a grid node: cores, memory GiB, SSD GiB, HDD GiB. */
export const RESOURCES = ['cru', 'mru', 'sru', 'hru'] as const
export type Resource = (typeof RESOURCES)[number]

/** An amount of each resource (u32 each). */
export type Resources = { readonly [R in Resource]: number }
/** A price per unit per hour of each resource (currency, base units). */
export type Prices = { readonly [R in Resource]: bigint }

export const NO_RESOURCES: Resources = Object.freeze({ cru: 0, mru: 0, sru: 0, hru: 0 })

/** A node ID: 1–64 characters of `[a-z0-9-]` (DESIGN §4). */
export const NODE_ID = /^[a-z0-9-]{1,64}$/

/** Why `id` is not a node ID, or `undefined`. */
export function nodeIdError(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'a node ID is a string'
  if (!NODE_ID.test(id)) return `node ID "${id.slice(0, 80)}" is not 1–64 characters of a-z, 0-9 and -`
  return undefined
}

/** `Transaction.extension` of a v224 transaction; inputs, outputs, fees and data use the shared fields. */
export interface CapacityRegistrationExtension {
  readonly nodeId: string
  readonly resources: Resources
  readonly prices: Prices
  readonly payoutCondition: Condition
  readonly farmerKey: PublicKey
  readonly farmerSignature: Uint8Array
}

/** `Transaction.extension` of a v225 transaction; inputs, outputs, fees and data use the shared fields. */
export interface CapacityReservationExtension {
  readonly nodeId: string
  readonly resources: Resources
  readonly hours: number
  readonly ownerCondition: Condition
}

// ---- fields -------------------------------------------------------------------------------------

const U32_MAX = 2 ** 32 - 1
const u32 = uint(4)

const nodeIdCodec: Codec<string> = {
  write: (w, id) => {
    const err = nodeIdError(id)
    if (err) throw new RangeError(err)
    bytes.write(w, new TextEncoder().encode(id))
  },
  read: (r) => {
    const n = r.length(1)
    if (n < 1 || n > 64) throw new DecodeError('invalid-value', `a node ID has 1–64 characters, got ${n}`)
    const id = String.fromCharCode(...r.bytes(n))
    const err = nodeIdError(id)
    if (err) throw new DecodeError('invalid-value', err)
    return id
  },
}

export const nodeIdField: BodyField<string> = {
  codec: nodeIdCodec,
  toJson: (id) => id,
  fromJson: (v, field) => {
    const err = nodeIdError(v)
    if (err) throw new DecodeError('invalid-value', err, field)
    return v as string
  },
}

export const resourcesCodec: Codec<Resources> = {
  write: (w, r) => {
    for (const k of RESOURCES) {
      if (!Number.isInteger(r[k]) || r[k] < 0 || r[k] > U32_MAX) throw new RangeError(`${k} is not a u32`)
      u32.write(w, r[k])
    }
  },
  read: (rd) => {
    const out: Record<string, number> = {}
    for (const k of RESOURCES) out[k] = u32.read(rd)
    return out as Resources
  },
  minSize: 16,
}

/** `{cru, mru, sru, hru}` of u32 numbers; an error names the resource. */
export function resourcesFromJson(v: unknown, field: string): Resources {
  const o = jsonObject(v, field)
  for (const k of Object.keys(o)) {
    if (!(RESOURCES as readonly string[]).includes(k))
      throw new DecodeError(
        'invalid-value',
        `unknown resource "${k}" (known: ${RESOURCES.join(', ')})`,
        field,
      )
  }
  const out: Record<string, number> = {}
  for (const k of RESOURCES) {
    const n = jsonUint(o[k] ?? 0, `${field}.${k}`)
    if (n > U32_MAX) throw new DecodeError('invalid-value', `${k} exceeds ${U32_MAX}`, `${field}.${k}`)
    out[k] = n
  }
  return out as Resources
}

export const resourcesToJson = (r: Resources): JsonValue => ({
  cru: r.cru,
  mru: r.mru,
  sru: r.sru,
  hru: r.hru,
})

const resourcesField: BodyField<Resources> = {
  codec: resourcesCodec,
  toJson: resourcesToJson,
  fromJson: resourcesFromJson,
}

export const pricesCodec: Codec<Prices> = {
  write: (w, p) => {
    for (const k of RESOURCES) currencyCodec.write(w, p[k])
  },
  read: (r) => {
    const out: Record<string, bigint> = {}
    for (const k of RESOURCES) out[k] = currencyCodec.read(r)
    return out as Prices
  },
  minSize: 4,
}

export const pricesToJson = (p: Prices): JsonValue => ({
  cru: currencyToJson(p.cru),
  mru: currencyToJson(p.mru),
  sru: currencyToJson(p.sru),
  hru: currencyToJson(p.hru),
})

export function pricesFromJson(v: unknown, field: string): Prices {
  const o = jsonObject(v, field)
  for (const k of Object.keys(o)) {
    if (!(RESOURCES as readonly string[]).includes(k))
      throw new DecodeError(
        'invalid-value',
        `unknown resource "${k}" (known: ${RESOURCES.join(', ')})`,
        field,
      )
  }
  const out: Record<string, bigint> = {}
  for (const k of RESOURCES) out[k] = parseCurrency(o[k] ?? '0', `${field}.${k}`)
  return out as Prices
}

const pricesField: BodyField<Prices> = { codec: pricesCodec, toJson: pricesToJson, fromJson: pricesFromJson }

const hoursField: BodyField<number> = {
  codec: u32,
  toJson: (h) => h,
  fromJson: (v, field) => {
    const n = jsonUint(v, field)
    if (n > U32_MAX) throw new DecodeError('invalid-value', `hours exceed ${U32_MAX}`, field)
    return n
  },
}

const publicKeyField: BodyField<PublicKey> = {
  codec: publicKeyCodec,
  toJson: publicKeyToString,
  fromJson: (v, field) => parsePublicKey(v, field),
}

const signatureField: BodyField<Uint8Array> = {
  codec: bytes,
  toJson: (s) => toBase64(s),
  fromJson: (v, field) => (v === undefined || v === null ? new Uint8Array(0) : fromBase64(v, field)),
}

const outputList = array(outputCodec, 2)
const inputList = array(inputCodec, 34)
const outputsField = listField(outputList, outputToJson, outputFromJson)
const inputsField = listField(inputList, inputToJson, inputFromJson)

// ---- extension access -----------------------------------------------------------------------------

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null

export function isCapacityRegistrationExtension(e: unknown): e is CapacityRegistrationExtension {
  return (
    isObject(e) &&
    typeof e.nodeId === 'string' &&
    isObject(e.resources) &&
    isObject(e.prices) &&
    isObject(e.payoutCondition) &&
    isObject(e.farmerKey) &&
    e.farmerSignature instanceof Uint8Array
  )
}

export function isCapacityReservationExtension(e: unknown): e is CapacityReservationExtension {
  return (
    isObject(e) &&
    typeof e.nodeId === 'string' &&
    isObject(e.resources) &&
    typeof e.hours === 'number' &&
    isObject(e.ownerCondition)
  )
}

/** The v224 extension of `tx`; throws when `tx` does not carry one. */
export function capacityRegistrationOf(tx: Transaction): CapacityRegistrationExtension {
  if (!isCapacityRegistrationExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no capacity registration extension`)
  return tx.extension
}

/** The v225 extension of `tx`; throws when `tx` does not carry one. */
export function capacityReservationOf(tx: Transaction): CapacityReservationExtension {
  if (!isCapacityReservationExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no capacity reservation extension`)
  return tx.extension
}

function assertNoBlockStakes(tx: Transaction, name: string): void {
  if (tx.blockStakeInputs.length || tx.blockStakeOutputs.length)
    throw new TypeError(`a ${name} transaction cannot carry block stakes`)
}

type Shared = Pick<Transaction, 'coinInputs' | 'coinOutputs' | 'minerFees' | 'arbitraryData'>

/** What both signature hashes end with: the input parent IDs, the outputs, the fees and the data. */
function writeSharedSigHash(w: import('../../encoding/codec.js').Writer, b: Shared): void {
  w.length(b.coinInputs.length)
  for (const i of b.coinInputs) w.bytes(i.parentId)
  outputList.write(w, b.coinOutputs)
  feeList.write(w, b.minerFees)
  bytes.write(w, b.arbitraryData)
}

// ---- v224: capacity registration ------------------------------------------------------------------

type RegistrationBody = CapacityRegistrationExtension & Shared

/** nodeid | resources | prices | payoutcondition | farmerkey | farmersignature | coininputs | coinoutputs | minerfees | arbitrarydata */
const registrationBody = bodyLayout<RegistrationBody>({
  nodeId: nodeIdField,
  resources: resourcesField,
  prices: pricesField,
  payoutCondition: conditionField,
  farmerKey: publicKeyField,
  farmerSignature: signatureField,
  coinInputs: inputsField,
  coinOutputs: outputsField,
  minerFees: feesField,
  arbitraryData: dataField,
})

function registrationType(version: number): TransactionType {
  const name = 'capacity registration'
  const type = extensionTransactionType<RegistrationBody>({
    version,
    name,
    format: CAPACITY_FORMAT,
    specifier: CAPACITY_REGISTRATION_SPECIFIER,
    body: registrationBody,
    extensionOf: (tx) => {
      assertNoBlockStakes(tx, name)
      return capacityRegistrationOf(tx)
    },
    // everything but the fulfillments: the farmer signature and the input fulfillments
    sigHash: (w, b, extras) => {
      writeExtraObjects(w, extras)
      nodeIdCodec.write(w, b.nodeId)
      resourcesCodec.write(w, b.resources)
      pricesCodec.write(w, b.prices)
      conditionCodec.write(w, b.payoutCondition)
      publicKeyCodec.write(w, b.farmerKey)
      writeSharedSigHash(w, b)
    },
  })
  // the farmer acts in the transaction besides its coin flow (address policies such as authorization)
  return { ...type, parties: (tx) => [publicKeyUnlockHash(capacityRegistrationOf(tx).farmerKey)] }
}

// ---- v225: capacity reservation -------------------------------------------------------------------

type ReservationBody = CapacityReservationExtension & Shared

/** nodeid | resources | hours | ownercondition | coininputs | coinoutputs | minerfees | arbitrarydata */
const reservationBody = bodyLayout<ReservationBody>({
  nodeId: nodeIdField,
  resources: resourcesField,
  hours: hoursField,
  ownerCondition: conditionField,
  coinInputs: inputsField,
  coinOutputs: outputsField,
  minerFees: feesField,
  arbitraryData: dataField,
})

function reservationType(version: number): TransactionType {
  const name = 'capacity reservation'
  return extensionTransactionType<ReservationBody>({
    version,
    name,
    format: CAPACITY_FORMAT,
    specifier: CAPACITY_RESERVATION_SPECIFIER,
    body: reservationBody,
    extensionOf: (tx) => {
      assertNoBlockStakes(tx, name)
      return capacityReservationOf(tx)
    },
    sigHash: (w, b, extras) => {
      writeExtraObjects(w, extras)
      nodeIdCodec.write(w, b.nodeId)
      resourcesCodec.write(w, b.resources)
      u32.write(w, b.hours)
      conditionCodec.write(w, b.ownerCondition)
      writeSharedSigHash(w, b)
    },
  })
}

export interface CapacityTypeOptions {
  readonly registrationVersion?: number
  readonly reservationVersion?: number
}

/** The capacity transaction types (224 and 225 unless the chain chooses other versions). */
export function capacityTransactionTypes(opts: CapacityTypeOptions = {}): TransactionType[] {
  return [
    registrationType(opts.registrationVersion ?? CAPACITY_REGISTRATION_VERSION),
    reservationType(opts.reservationVersion ?? CAPACITY_RESERVATION_VERSION),
  ]
}

// ---- farmer signature -----------------------------------------------------------------------------

/** The message the farmer signs: the type's signature hash with no extras. */
export const farmerSigHash = (registry: TransactionRegistry, tx: Transaction): Uint8Array =>
  registry.sigHash(tx, [])

/** The same v224 transaction with `key` as the farmer key and its signature. */
export function signFarmer(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  key: SigningKey,
): Transaction {
  if (key.publicKey.algorithm !== 1) throw new Error('only ed25519 keys can sign')
  const ext = capacityRegistrationOf(tx)
  const unsigned = {
    ...tx,
    extension: { ...ext, farmerKey: key.publicKey, farmerSignature: new Uint8Array(0) },
  }
  const signature = ed.sign(key.secretSeed, farmerSigHash(registry, unsigned))
  return { ...tx, extension: { ...ext, farmerKey: key.publicKey, farmerSignature: signature } }
}

/** Why the farmer signature of `tx` is not valid, or `undefined`. */
export function farmerSignatureError(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
): string | undefined {
  const ext = capacityRegistrationOf(tx)
  if (ext.farmerKey.algorithm !== 1) return 'the farmer key must be an ed25519 key'
  if (ext.farmerKey.key.length !== 32) return 'the farmer key must have 32 bytes'
  if (ext.farmerSignature.length !== 64) return 'the farmer signature must have 64 bytes'
  return ed.verify(ext.farmerKey.key, farmerSigHash(registry, tx), ext.farmerSignature)
    ? undefined
    : 'the farmer signature is not valid'
}

/** Σ units × price × hours (DESIGN §4): what a reservation pays the node's payout condition. */
export function reservationPrice(resources: Resources, prices: Prices, hours: number): bigint {
  let perHour = 0n
  for (const k of RESOURCES) perHour += BigInt(resources[k]) * prices[k]
  return perHour * BigInt(hours)
}
