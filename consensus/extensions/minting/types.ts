// spec/tfchain.md §2 (Rivine `extensions/minting`): minter definition (128), coin creation (129) and coin
// destruction (130): bodies, JSON, IDs and signature hashes. The body codec is a chain option (tfchain:
// siabin, "UseLegacySiaEncoding"; plain Rivine: rivbin). The state rules (mint condition tracking and
// the checks against it) are added by the consensus layer through the same types.
import type { Ed25519 } from '../../crypto/ed25519.js'
import { blake2b256 } from '../../crypto/hash.js'
import {
  array,
  bytes,
  type Codec,
  currency,
  type Format,
  fixedBytes,
  type Reader,
  Writer,
} from '../../encoding/codec.js'
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
  type CoinInput,
  type CoinOutput,
  type ExtraObject,
  emptyTransaction,
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

/** tfchain's version numbers (spec §0); coin destruction is Rivine's example number, not on tfchain. */
export const MINTER_DEFINITION_VERSION = 128
export const COIN_CREATION_VERSION = 129
export const COIN_DESTRUCTION_VERSION = 130

export const MINTER_DEFINITION_SPECIFIER = specifier('minter defin tx')
export const COIN_CREATION_SPECIFIER = specifier('coin mint tx')
export const COIN_DESTRUCTION_SPECIFIER = specifier('coin destroy tx')

const NONCE_SIZE = 8

/** `Transaction.extension` of a v128 transaction; miner fees and arbitrary data use the shared fields. */
export interface MinterDefinitionExtension {
  readonly nonce: Uint8Array
  readonly mintFulfillment: Fulfillment
  readonly mintCondition: Condition
}

/** `Transaction.extension` of a v129 transaction; outputs, fees and arbitrary data use the shared fields. */
export interface CoinCreationExtension {
  readonly nonce: Uint8Array
  readonly mintFulfillment: Fulfillment
}

export interface MintingOptions {
  /** Versions to register; tfchain: 128 and 129. Coin destruction is registered only when given. */
  readonly minterDefinitionVersion?: number
  readonly coinCreationVersion?: number
  readonly coinDestructionVersion?: number
  /** Codec of bodies, IDs and signature hashes: tfchain `'sia'` (UseLegacySiaEncoding), Rivine `'rivbin'`. */
  readonly format: Format
  /** tfchain: true. Coin creation hashes its miner fees only with it (spec §2.3, §12.3). */
  readonly requireMinerFees: boolean
}

const nonceCodec = fixedBytes(NONCE_SIZE)
const feeList = array(currency, 1)
const outputList = array(outputCodec, 2)
const inputList = array(inputCodec, 34)

// ---- extension access ---------------------------------------------------------------------------

export function isMinterDefinitionExtension(e: unknown): e is MinterDefinitionExtension {
  if (typeof e !== 'object' || e === null) return false
  const x = e as Record<string, unknown>
  return (
    x.nonce instanceof Uint8Array &&
    typeof x.mintFulfillment === 'object' &&
    x.mintFulfillment !== null &&
    typeof x.mintCondition === 'object' &&
    x.mintCondition !== null
  )
}

export function isCoinCreationExtension(e: unknown): e is CoinCreationExtension {
  if (typeof e !== 'object' || e === null) return false
  const x = e as Record<string, unknown>
  return x.nonce instanceof Uint8Array && typeof x.mintFulfillment === 'object' && x.mintFulfillment !== null
}

/** The v128 extension of `tx`; throws when `tx` does not carry one. */
export function minterDefinitionOf(tx: Transaction): MinterDefinitionExtension {
  if (!isMinterDefinitionExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no minter definition extension`)
  return tx.extension
}

/** The v129 extension of `tx`; throws when `tx` does not carry one. */
export function coinCreationOf(tx: Transaction): CoinCreationExtension {
  if (!isCoinCreationExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no coin creation extension`)
  return tx.extension
}

/** Throws when `tx` uses a shared list the layout of `name` cannot carry (it would be dropped). */
function assertOnly(
  tx: Transaction,
  name: string,
  allowed: { coinInputs?: boolean; coinOutputs?: boolean },
): void {
  if (
    (!allowed.coinInputs && tx.coinInputs.length) ||
    (!allowed.coinOutputs && tx.coinOutputs.length) ||
    tx.blockStakeInputs.length ||
    tx.blockStakeOutputs.length
  ) {
    throw new TypeError(`a ${name} transaction cannot carry these inputs/outputs`)
  }
}

function assertNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_SIZE) throw new RangeError(`a transaction nonce is ${NONCE_SIZE} bytes`)
}

/** Without RequireMinerFees the fees would go unsigned: the reference refuses to hash such a tx. */
function checkFeeOption(fees: readonly bigint[], requireMinerFees: boolean, name: string): void {
  if (requireMinerFees && fees.length === 0)
    throw new Error(`at least one miner fee is required for a ${name} transaction`)
  if (!requireMinerFees && fees.length !== 0)
    throw new Error(`undesired miner fees: the ${name} transaction type takes none`)
}

// ---- JSON helpers -------------------------------------------------------------------------------

/** base64 of the 8 bytes; decoding also takes a JSON array of 8 integers (Go's []byte JSON forms). */
function nonceFromJson(v: unknown, field: string): Uint8Array {
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
const outputsToJson = (list: readonly CoinOutput[]): JsonValue =>
  list.length ? list.map(outputToJson) : null
const outputsFromJson = (v: unknown, field: string): CoinOutput[] =>
  jsonArray(v, field).map((o, i) => outputFromJson(o, `${field}[${i}]`))

function encodeIn(format: Format, fn: (w: Writer) => void): Uint8Array {
  const w = new Writer(format, 256)
  fn(w)
  return w.finish()
}

/** One minting type: the body codec plus how its `Transaction` maps onto the body. */
function mintingType<B>(def: {
  version: number
  name: string
  format: Format
  spec: Uint8Array
  body: Codec<B>
  bodyOf: (tx: Transaction) => B
  txOf: (version: number, body: B) => Transaction
  toJson: (body: B) => JsonValue
  fromJson: (data: Record<string, unknown>) => B
  sigHash: (w: Writer, tx: Transaction, body: B, extras: readonly ExtraObject[]) => void
}): TransactionType {
  const { format } = def
  return {
    version: def.version,
    name: def.name,
    writeData: (w, tx) => w.bytes(encodeIn(format, (s) => def.body.write(s, def.bodyOf(tx)))),
    readData: (r: Reader, version) =>
      def.txOf(
        version,
        r.withFormat(format, (s) => def.body.read(s)),
      ),
    dataToJson: (tx) => def.toJson(def.bodyOf(tx)),
    dataFromJson: (value, version) => def.txOf(version, def.fromJson(jsonObject(value ?? {}, 'data'))),
    // tfchain §1.5: specifier || body, in the type's codec
    idInput: (tx) =>
      encodeIn(format, (w) => {
        w.bytes(def.spec)
        def.body.write(w, def.bodyOf(tx))
      }),
    sigHash: (tx, extras) =>
      blake2b256(
        encodeIn(format, (w) => {
          w.byte(tx.version)
          w.bytes(def.spec)
          def.sigHash(w, tx, def.bodyOf(tx), extras)
        }),
      ),
  }
}

// ---- v128: minter definition (spec §2.2) --------------------------------------------------------

interface MinterDefinitionBody extends MinterDefinitionExtension {
  readonly minerFees: readonly bigint[]
  readonly arbitraryData: Uint8Array
}

/** nonce | mintfulfillment | mintcondition | minerfees | arbitrarydata */
const minterDefinitionBody: Codec<MinterDefinitionBody> = {
  write: (w, b) => {
    assertNonce(b.nonce)
    nonceCodec.write(w, b.nonce)
    fulfillmentCodec.write(w, b.mintFulfillment)
    conditionCodec.write(w, b.mintCondition)
    feeList.write(w, b.minerFees)
    bytes.write(w, b.arbitraryData)
  },
  read: (r) => ({
    nonce: inField('nonce', () => nonceCodec.read(r)),
    mintFulfillment: inField('mintfulfillment', () => fulfillmentCodec.read(r)),
    mintCondition: inField('mintcondition', () => conditionCodec.read(r)),
    minerFees: inField('minerfees', () => feeList.read(r)),
    arbitraryData: inField('arbitrarydata', () => bytes.read(r)),
  }),
}

function minterDefinitionType(version: number, format: Format, requireMinerFees: boolean): TransactionType {
  const name = 'minter definition'
  return mintingType<MinterDefinitionBody>({
    version,
    name,
    format,
    spec: MINTER_DEFINITION_SPECIFIER,
    body: minterDefinitionBody,
    bodyOf: (tx) => {
      assertOnly(tx, name, {})
      const ext = minterDefinitionOf(tx)
      return {
        nonce: ext.nonce,
        mintFulfillment: ext.mintFulfillment,
        mintCondition: ext.mintCondition,
        minerFees: tx.minerFees,
        arbitraryData: tx.arbitraryData,
      }
    },
    txOf: (v, b) => ({
      ...emptyTransaction(v),
      minerFees: b.minerFees,
      arbitraryData: b.arbitraryData,
      extension: {
        nonce: b.nonce,
        mintFulfillment: b.mintFulfillment,
        mintCondition: b.mintCondition,
      } satisfies MinterDefinitionExtension,
    }),
    toJson: (b) => ({
      nonce: toBase64(b.nonce),
      mintfulfillment: fulfillmentToJson(b.mintFulfillment),
      mintcondition: conditionToJson(b.mintCondition),
      minerfees: feesToJson(b.minerFees),
      arbitrarydata: dataToJsonField(b.arbitraryData),
    }),
    fromJson: (d) => ({
      nonce: nonceFromJson(d.nonce, 'data.nonce'),
      mintFulfillment: fulfillmentFromJson(d.mintfulfillment ?? {}, 'data.mintfulfillment'),
      mintCondition: conditionFromJson(d.mintcondition ?? {}, 'data.mintcondition'),
      minerFees: feesFromJson(d.minerfees, 'data.minerfees'),
      arbitraryData: dataFromJsonField(d.arbitrarydata, 'data.arbitrarydata'),
    }),
    // the miner fees are always hashed here, whatever RequireMinerFees says (spec §2.2)
    sigHash: (w, _tx, b, extras) => {
      checkFeeOption(b.minerFees, requireMinerFees, name)
      nonceCodec.write(w, b.nonce)
      writeExtraObjects(w, extras)
      conditionCodec.write(w, b.mintCondition)
      feeList.write(w, b.minerFees)
      bytes.write(w, b.arbitraryData)
    },
  })
}

// ---- v129: coin creation (spec §2.3) ------------------------------------------------------------

interface CoinCreationBody extends CoinCreationExtension {
  readonly coinOutputs: readonly CoinOutput[]
  readonly minerFees: readonly bigint[]
  readonly arbitraryData: Uint8Array
}

/** nonce | mintfulfillment | coinoutputs | minerfees | arbitrarydata */
const coinCreationBody: Codec<CoinCreationBody> = {
  write: (w, b) => {
    assertNonce(b.nonce)
    nonceCodec.write(w, b.nonce)
    fulfillmentCodec.write(w, b.mintFulfillment)
    outputList.write(w, b.coinOutputs)
    feeList.write(w, b.minerFees)
    bytes.write(w, b.arbitraryData)
  },
  read: (r) => ({
    nonce: inField('nonce', () => nonceCodec.read(r)),
    mintFulfillment: inField('mintfulfillment', () => fulfillmentCodec.read(r)),
    coinOutputs: inField('coinoutputs', () => outputList.read(r)),
    minerFees: inField('minerfees', () => feeList.read(r)),
    arbitraryData: inField('arbitrarydata', () => bytes.read(r)),
  }),
}

function coinCreationType(version: number, format: Format, requireMinerFees: boolean): TransactionType {
  const name = 'coin creation'
  return mintingType<CoinCreationBody>({
    version,
    name,
    format,
    spec: COIN_CREATION_SPECIFIER,
    body: coinCreationBody,
    bodyOf: (tx) => {
      assertOnly(tx, name, { coinOutputs: true })
      const ext = coinCreationOf(tx)
      return {
        nonce: ext.nonce,
        mintFulfillment: ext.mintFulfillment,
        coinOutputs: tx.coinOutputs,
        minerFees: tx.minerFees,
        arbitraryData: tx.arbitraryData,
      }
    },
    txOf: (v, b) => ({
      ...emptyTransaction(v),
      coinOutputs: b.coinOutputs,
      minerFees: b.minerFees,
      arbitraryData: b.arbitraryData,
      extension: { nonce: b.nonce, mintFulfillment: b.mintFulfillment } satisfies CoinCreationExtension,
    }),
    toJson: (b) => ({
      nonce: toBase64(b.nonce),
      mintfulfillment: fulfillmentToJson(b.mintFulfillment),
      coinoutputs: outputsToJson(b.coinOutputs),
      minerfees: feesToJson(b.minerFees),
      arbitrarydata: dataToJsonField(b.arbitraryData),
    }),
    fromJson: (d) => ({
      nonce: nonceFromJson(d.nonce, 'data.nonce'),
      mintFulfillment: fulfillmentFromJson(d.mintfulfillment ?? {}, 'data.mintfulfillment'),
      coinOutputs: outputsFromJson(d.coinoutputs, 'data.coinoutputs'),
      minerFees: feesFromJson(d.minerfees, 'data.minerfees'),
      arbitraryData: dataFromJsonField(d.arbitrarydata, 'data.arbitrarydata'),
    }),
    // the miner fees are hashed only with RequireMinerFees (spec §2.3, §12.3)
    sigHash: (w, _tx, b, extras) => {
      checkFeeOption(b.minerFees, requireMinerFees, name)
      nonceCodec.write(w, b.nonce)
      writeExtraObjects(w, extras)
      outputList.write(w, b.coinOutputs)
      if (requireMinerFees) feeList.write(w, b.minerFees)
      bytes.write(w, b.arbitraryData)
    },
  })
}

// ---- v130: coin destruction (spec §2.4, Rivine only) -------------------------------------------

interface CoinDestructionBody {
  readonly coinInputs: readonly CoinInput[]
  readonly coinOutputs: readonly CoinOutput[]
  readonly minerFees: readonly bigint[]
  readonly arbitraryData: Uint8Array
}

/** coininputs | coinoutputs | minerfees | arbitrarydata (no nonce, whatever the readme says) */
const coinDestructionBody: Codec<CoinDestructionBody> = {
  write: (w, b) => {
    inputList.write(w, b.coinInputs)
    outputList.write(w, b.coinOutputs)
    feeList.write(w, b.minerFees)
    bytes.write(w, b.arbitraryData)
  },
  read: (r) => ({
    coinInputs: inField('coininputs', () => inputList.read(r)),
    coinOutputs: inField('coinoutputs', () => outputList.read(r)),
    minerFees: inField('minerfees', () => feeList.read(r)),
    arbitraryData: inField('arbitrarydata', () => bytes.read(r)),
  }),
}

function coinDestructionType(version: number, format: Format): TransactionType {
  const name = 'coin destruction'
  return mintingType<CoinDestructionBody>({
    version,
    name,
    format,
    spec: COIN_DESTRUCTION_SPECIFIER,
    body: coinDestructionBody,
    bodyOf: (tx) => {
      assertOnly(tx, name, { coinInputs: true, coinOutputs: true })
      return {
        coinInputs: tx.coinInputs,
        coinOutputs: tx.coinOutputs,
        minerFees: tx.minerFees,
        arbitraryData: tx.arbitraryData,
      }
    },
    txOf: (v, b) => ({ ...emptyTransaction(v), ...b }),
    toJson: (b) => ({
      coininputs: b.coinInputs.length ? b.coinInputs.map(inputToJson) : null,
      coinoutputs: outputsToJson(b.coinOutputs),
      minerfees: feesToJson(b.minerFees),
      arbitrarydata: dataToJsonField(b.arbitraryData),
    }),
    fromJson: (d) => ({
      coinInputs: jsonArray(d.coininputs, 'data.coininputs').map((v, i) =>
        inputFromJson(v, `data.coininputs[${i}]`),
      ),
      coinOutputs: outputsFromJson(d.coinoutputs, 'data.coinoutputs'),
      minerFees: feesFromJson(d.minerfees, 'data.minerfees'),
      arbitraryData: dataFromJsonField(d.arbitrarydata, 'data.arbitrarydata'),
    }),
    // inputs are signed like v1 inputs (extras start with the input index); fees always hashed
    sigHash: (w, _tx, b, extras) => {
      writeExtraObjects(w, extras)
      w.length(b.coinInputs.length)
      for (const i of b.coinInputs) w.bytes(i.parentId)
      outputList.write(w, b.coinOutputs)
      feeList.write(w, b.minerFees)
      bytes.write(w, b.arbitraryData)
    },
  })
}

// ---- the factory and signing helpers ----------------------------------------------------------

/**
 * The minting transaction types of a chain. tfchain: `{ format: 'sia', requireMinerFees: true }` (128 and
 * 129, no coin destruction); Rivine's example chain: `{ format: 'rivbin', coinDestructionVersion: 130, … }`.
 */
export function mintingTransactionTypes(opts: MintingOptions): TransactionType[] {
  const types = [
    minterDefinitionType(
      opts.minterDefinitionVersion ?? MINTER_DEFINITION_VERSION,
      opts.format,
      opts.requireMinerFees,
    ),
    coinCreationType(opts.coinCreationVersion ?? COIN_CREATION_VERSION, opts.format, opts.requireMinerFees),
  ]
  if (opts.coinDestructionVersion !== undefined)
    types.push(coinDestructionType(opts.coinDestructionVersion, opts.format))
  return types
}

/**
 * The message the mint fulfillment signs (tfchain §1.5): no caller extras, so a single signature signs
 * with none and a multisig signer passes only its public key.
 */
export function mintFulfillmentSigHash(
  registry: TransactionRegistry,
  tx: Transaction,
  multisigSigner?: PublicKey,
): Uint8Array {
  const extras: ExtraObject[] = multisigSigner ? [{ kind: 'publicKey', value: multisigSigner }] : []
  return registry.sigHash(tx, extras)
}

/** The same v128/v129 transaction with another mint fulfillment. */
export function withMintFulfillment(tx: Transaction, mintFulfillment: Fulfillment): Transaction {
  if (!isCoinCreationExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no mint fulfillment`)
  return { ...tx, extension: { ...tx.extension, mintFulfillment } }
}

/**
 * Signs the mint fulfillment: `single` replaces it with a single signature (unlock hash and time-locked
 * conditions), `multisig` adds one co-signer's pair (creating the fulfillment if it is not one yet).
 */
export function signMintFulfillment(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  key: SigningKey,
  mode: 'single' | 'multisig' = 'single',
): Transaction {
  if (key.publicKey.algorithm !== 1) throw new Error('only ed25519 keys can sign')
  if (mode === 'single') {
    const signature = ed.sign(key.secretSeed, mintFulfillmentSigHash(registry, tx))
    return withMintFulfillment(tx, { type: 1, publicKey: key.publicKey, signature })
  }
  const signature = ed.sign(key.secretSeed, mintFulfillmentSigHash(registry, tx, key.publicKey))
  const current = coinCreationOf(tx).mintFulfillment
  const pairs = current.type === 3 ? current.pairs : []
  return withMintFulfillment(tx, { type: 3, pairs: [...pairs, { publicKey: key.publicKey, signature }] })
}

/**
 * Why the mint fulfillment of `tx` does not fulfil `mintCondition` at the given block height and time, or
 * `undefined` (signatures, time locks, multisig members). Which condition applies is the caller's (state).
 */
export function mintFulfillmentError(
  registry: TransactionRegistry,
  tx: Transaction,
  mintCondition: Condition,
  ctx: { readonly blockHeight: number; readonly blockTime: number; readonly verifier: Ed25519 },
): string | undefined {
  const sigHash = (extras: readonly ExtraObject[]) => registry.sigHash(tx, extras)
  return fulfillError(mintCondition, coinCreationOf(tx).mintFulfillment, { ...ctx, sigHash })
}
