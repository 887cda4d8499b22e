// Helpers the extension transaction types share (spec/tfchain.md §1.5, §2, §3): the fields their bodies
// have in common (nonce, miner fees, arbitrary data, fulfillment, condition), a body layout that gives both
// the binary and the JSON form, the type around a body (codec, JSON, ID input, signature hash) and the
// signing and checking of the one fulfillment an extension transaction carries (auth or mint). Each
// extension keeps its own types, specifiers and layouts in its own folder.
import type { Ed25519 } from '../crypto/ed25519.js'
import { blake2b256 } from '../crypto/hash.js'
import { array, bytes, type Codec, currency, type Format, fixedBytes, Writer } from '../encoding/codec.js'
import { DecodeError, inField } from '../encoding/errors.js'
import {
  fromBase64,
  type JsonObject,
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonUint,
  toBase64,
} from '../encoding/json.js'
import { type Condition, conditionCodec, conditionFromJson, conditionToJson } from '../types/conditions.js'
import { currencyToJson, parseCurrency } from '../types/currency.js'
import { fulfillError } from '../types/fulfill.js'
import {
  type Fulfillment,
  fulfillmentCodec,
  fulfillmentFromJson,
  fulfillmentToJson,
} from '../types/fulfillments.js'
import type { PublicKey } from '../types/publickey.js'
import type { SigningKey } from '../types/sign.js'
import {
  type ExtraObject,
  emptyTransaction,
  type Transaction,
  type TransactionRegistry,
  type TransactionType,
} from '../types/transaction.js'

// ---- body fields ----------------------------------------------------------------------------------

/** One field of a body: its binary codec and its JSON form (`undefined` leaves it out, Go's omitempty). */
export interface BodyField<T> {
  readonly codec: Codec<T>
  readonly toJson: (value: T) => JsonValue | undefined
  readonly fromJson: (value: unknown, field: string) => T
}

/** A list field whose JSON is `null` when empty. */
export function listField<T>(
  codec: Codec<readonly T[]>,
  toJson: (value: T) => JsonValue,
  fromJson: (value: unknown, field: string) => T,
): BodyField<readonly T[]> {
  return {
    codec,
    toJson: (list) => (list.length ? list.map(toJson) : null),
    fromJson: (v, field) => jsonArray(v, field).map((e, i) => fromJson(e, `${field}[${i}]`)),
  }
}

const NONCE_SIZE = 8

/** The 8 nonce bytes as the signature hashes write them. */
export const nonceCodec = fixedBytes(NONCE_SIZE)

/**
 * The nonce: encoding refuses any size but 8 before writing anything (it leads every body that has it);
 * base64 in JSON, where decoding also takes a JSON array of 8 integers (Go's []byte JSON forms).
 */
export const nonceField: BodyField<Uint8Array> = {
  codec: {
    write: (w, nonce) => {
      if (nonce.length !== NONCE_SIZE) throw new RangeError(`a transaction nonce is ${NONCE_SIZE} bytes`)
      nonceCodec.write(w, nonce)
    },
    read: (r) => nonceCodec.read(r),
  },
  toJson: (nonce) => toBase64(nonce),
  fromJson: (v, field) => {
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
  },
}

export const feeList = array(currency, 1)

/** The miner fees (the shared `minerFees`); left out of the JSON when empty. */
export const feesField: BodyField<readonly bigint[]> = {
  codec: feeList,
  toJson: (fees) => (fees.length ? fees.map(currencyToJson) : undefined),
  fromJson: (v, field) => jsonArray(v, field).map((f, i) => parseCurrency(f, `${field}[${i}]`)),
}

/** The arbitrary data (the shared `arbitraryData`); left out of the JSON when empty. */
export const dataField: BodyField<Uint8Array> = {
  codec: bytes,
  toJson: (data) => (data.length ? toBase64(data) : undefined),
  fromJson: (v, field) => (v === undefined || v === null ? new Uint8Array(0) : fromBase64(v, field)),
}

/** An auth or mint fulfillment; a missing one reads as the nil fulfillment. */
export const fulfillmentField: BodyField<Fulfillment> = {
  codec: fulfillmentCodec,
  toJson: fulfillmentToJson,
  fromJson: (v, field) => fulfillmentFromJson(v ?? {}, field),
}

/** An auth or mint condition; a missing one reads as the nil condition. */
export const conditionField: BodyField<Condition> = {
  codec: conditionCodec,
  toJson: conditionToJson,
  fromJson: (v, field) => conditionFromJson(v ?? {}, field),
}

/** A body's binary codec and the `data` object of its JSON form. */
export interface BodyLayout<B> {
  /** The fields in layout order. */
  readonly keys: readonly (keyof B & string)[]
  readonly codec: Codec<B>
  readonly toJson: (body: B) => JsonValue
  readonly fromJson: (data: JsonObject) => B
}

/** Every field of a body `B`, in layout order. */
export type BodyFields<B> = { readonly [K in keyof B]-?: BodyField<B[K]> }

/**
 * A body from its fields in layout order (the key order of `fields`), which is also the key order of
 * its JSON (both follow the reference's Go struct). The JSON key, and the field a decoding error names,
 * is the key in lower case (`authAddresses`: `authaddresses`).
 */
export function bodyLayout<B extends object>(fields: BodyFields<B>): BodyLayout<B> {
  const entries = (Object.entries(fields) as [keyof B & string, BodyField<unknown>][]).map(
    ([key, field]) => [key, key.toLowerCase(), field] as const,
  )
  return {
    keys: entries.map(([key]) => key),
    codec: {
      write: (w, body) => {
        for (const [key, , field] of entries) field.codec.write(w, body[key])
      },
      read: (r) => {
        const body: Partial<Record<keyof B, unknown>> = {}
        for (const [key, name, field] of entries) body[key] = inField(name, () => field.codec.read(r))
        return body as B
      },
    },
    toJson: (body) => {
      const out: { [key: string]: JsonValue | undefined } = {}
      for (const [key, name, field] of entries) out[name] = field.toJson(body[key])
      return out
    },
    fromJson: (data) => {
      const body: Partial<Record<keyof B, unknown>> = {}
      for (const [key, name, field] of entries) body[key] = field.fromJson(data[name], `data.${name}`)
      return body as B
    },
  }
}

/**
 * The reference refuses to hash a transaction whose fees contradict the option: without
 * RequireMinerFees the fees would not be signed, so a transaction carrying them must not be signable.
 */
export function checkFeeOption(fees: readonly bigint[], requireMinerFees: boolean, name: string): void {
  const article = /^[aeiou]/.test(name) ? 'an' : 'a'
  if (requireMinerFees && fees.length === 0)
    throw new Error(`at least one miner fee is required for ${article} ${name} transaction`)
  if (!requireMinerFees && fees.length !== 0)
    throw new Error(`undesired miner fees: the ${name} transaction type takes none`)
}

// ---- the transaction type around a body -----------------------------------------------------------

/** The fields of `Transaction` a body field of the same name stands for; the others are the extension's. */
const SHARED_FIELDS = [
  'coinInputs',
  'coinOutputs',
  'blockStakeInputs',
  'blockStakeOutputs',
  'minerFees',
  'arbitraryData',
] as const
type SharedField = (typeof SHARED_FIELDS)[number]
const isShared = (key: string): boolean => (SHARED_FIELDS as readonly string[]).includes(key)

/** One extension transaction type: its body layout plus how its `Transaction` maps onto the body. */
export interface ExtensionTypeDefinition<B extends object> {
  readonly version: number
  readonly name: string
  /** The codec of the body, the ID input and the signature hash (the body follows the version byte). */
  readonly format: Format
  readonly specifier: Uint8Array
  /**
   * The body: a field named after a shared transaction field (miner fees, arbitrary data, coin lists) is
   * that field, every other one is a field of `Transaction.extension`.
   */
  readonly body: BodyLayout<B>
  /**
   * The extension object of `tx` (`undefined` for a type without one), after refusing with a TypeError a
   * transaction the layout cannot carry (it would drop what the body has no field for).
   */
  readonly extensionOf: (tx: Transaction) => Omit<B, SharedField> | undefined
  /** Writes what the signature hash covers after the version byte and the specifier. */
  readonly sigHash: (w: Writer, body: B, extras: readonly ExtraObject[]) => void
}

function encodeIn(format: Format, fn: (w: Writer) => void): Uint8Array {
  const w = new Writer(format, 256)
  fn(w)
  return w.finish()
}

const pick = (from: object, keys: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(keys.map((key) => [key, (from as Record<string, unknown>)[key]]))

export function extensionTransactionType<B extends object>(def: ExtensionTypeDefinition<B>): TransactionType {
  const { format } = def
  const body = def.body.codec
  const shared = def.body.keys.filter(isShared)
  const own = def.body.keys.filter((key) => !isShared(key))
  const bodyOf = (tx: Transaction): B => {
    const extension = def.extensionOf(tx) ?? {}
    return { ...pick(extension, own), ...pick(tx, shared) } as B
  }
  const txOf = (version: number, b: B): Transaction => {
    const tx = { ...emptyTransaction(version), ...pick(b, shared) }
    return own.length ? { ...tx, extension: pick(b, own) } : tx
  }
  return {
    version: def.version,
    name: def.name,
    writeData: (w, tx) => w.bytes(encodeIn(format, (s) => body.write(s, bodyOf(tx)))),
    readData: (r, version) =>
      txOf(
        version,
        r.withFormat(format, (s) => body.read(s)),
      ),
    dataToJson: (tx) => def.body.toJson(bodyOf(tx)),
    dataFromJson: (value, version) => txOf(version, def.body.fromJson(jsonObject(value ?? {}, 'data'))),
    // tfchain §1.5: specifier || body, in the type's codec
    idInput: (tx) =>
      encodeIn(format, (w) => {
        w.bytes(def.specifier)
        body.write(w, bodyOf(tx))
      }),
    sigHash: (tx, extras) =>
      blake2b256(
        encodeIn(format, (w) => {
          w.byte(tx.version)
          w.bytes(def.specifier)
          def.sigHash(w, bodyOf(tx), extras)
        }),
      ),
  }
}

// ---- the extension fulfillment (auth, mint) --------------------------------------------------------

/** Where a transaction carries the fulfillment its extension is authorized by. */
export interface ExtensionFulfillmentAccess {
  /** The fulfillment of `tx`; throws a TypeError when `tx` carries none. */
  readonly of: (tx: Transaction) => Fulfillment
  /** The same transaction with another fulfillment; throws a TypeError when `tx` carries none. */
  readonly with: (tx: Transaction, fulfillment: Fulfillment) => Transaction
}

/** Signing and checking one extension fulfillment (see `extensionFulfillment`). */
export interface ExtensionFulfillment {
  readonly sigHash: (registry: TransactionRegistry, tx: Transaction, multisigSigner?: PublicKey) => Uint8Array
  readonly sign: (
    registry: TransactionRegistry,
    ed: Ed25519,
    tx: Transaction,
    key: SigningKey,
    mode?: 'single' | 'multisig',
  ) => Transaction
  readonly error: (
    registry: TransactionRegistry,
    tx: Transaction,
    condition: Condition,
    ctx: { readonly blockHeight: number; readonly blockTime: number; readonly verifier: Ed25519 },
  ) => string | undefined
}

/**
 * The message an extension fulfillment signs (tfchain §1.5): no caller extras, so a single signature
 * signs with none and a multisig signer passes only its public key.
 */
function extensionFulfillmentSigHash(
  registry: TransactionRegistry,
  tx: Transaction,
  multisigSigner?: PublicKey,
): Uint8Array {
  const extras: ExtraObject[] = multisigSigner ? [{ kind: 'publicKey', value: multisigSigner }] : []
  return registry.sigHash(tx, extras)
}

/**
 * The signature hash, signing and check of the fulfillment `access` reaches. `sign`: `single` replaces it
 * with a single signature (unlock hash and time-locked conditions), `multisig` adds one co-signer's pair
 * (creating the fulfillment if it is not one yet). `error`: why the fulfillment does not fulfil
 * `condition` at the given block height and time, or `undefined`; which condition applies is the
 * caller's (state).
 */
export function extensionFulfillment(access: ExtensionFulfillmentAccess): ExtensionFulfillment {
  return {
    sigHash: extensionFulfillmentSigHash,
    sign: (registry, ed, tx, key, mode = 'single') => {
      if (key.publicKey.algorithm !== 1) throw new Error('only ed25519 keys can sign')
      if (mode === 'single') {
        const signature = ed.sign(key.secretSeed, extensionFulfillmentSigHash(registry, tx))
        return access.with(tx, { type: 1, publicKey: key.publicKey, signature })
      }
      const signature = ed.sign(key.secretSeed, extensionFulfillmentSigHash(registry, tx, key.publicKey))
      const current = access.of(tx)
      const pairs = current.type === 3 ? current.pairs : []
      return access.with(tx, { type: 3, pairs: [...pairs, { publicKey: key.publicKey, signature }] })
    },
    error: (registry, tx, condition, ctx) => {
      const sigHash = (extras: readonly ExtraObject[]) => registry.sigHash(tx, extras)
      return fulfillError(condition, access.of(tx), { ...ctx, sigHash })
    },
  }
}
