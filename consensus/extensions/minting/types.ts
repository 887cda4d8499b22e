// spec/tfchain.md §2 (Rivine `extensions/minting`): minter definition (128), coin creation (129) and coin
// destruction (130): bodies, JSON, IDs and signature hashes. The body codec is a chain option (tfchain:
// siabin, "UseLegacySiaEncoding"; plain Rivine: rivbin). The state rules (mint condition tracking and
// the checks against it) are added by the consensus layer through the same types.
import { array, bytes, type Format } from '../../encoding/codec.js'
import { type Condition, conditionCodec } from '../../types/conditions.js'
import type { Fulfillment } from '../../types/fulfillments.js'
import { specifier } from '../../types/publickey.js'
import { type Transaction, type TransactionType, writeExtraObjects } from '../../types/transaction.js'
import {
  inputCodec,
  inputFromJson,
  inputToJson,
  outputCodec,
  outputFromJson,
  outputToJson,
} from '../../types/v1.js'
import {
  bodyLayout,
  checkFeeOption,
  conditionField,
  dataField,
  extensionFulfillment,
  extensionTransactionType,
  feeList,
  feesField,
  fulfillmentField,
  listField,
  nonceCodec,
  nonceField,
} from '../common.js'

/** tfchain's version numbers (spec §0); coin destruction is Rivine's example number, not on tfchain. */
export const MINTER_DEFINITION_VERSION = 128
export const COIN_CREATION_VERSION = 129
export const COIN_DESTRUCTION_VERSION = 130

export const MINTER_DEFINITION_SPECIFIER = specifier('minter defin tx')
export const COIN_CREATION_SPECIFIER = specifier('coin mint tx')
export const COIN_DESTRUCTION_SPECIFIER = specifier('coin destroy tx')

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

const outputList = array(outputCodec, 2)
const inputList = array(inputCodec, 34)
const outputsField = listField(outputList, outputToJson, outputFromJson)
const inputsField = listField(inputList, inputToJson, inputFromJson)

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

// ---- v128: minter definition (spec §2.2) --------------------------------------------------------

type MinterDefinitionBody = MinterDefinitionExtension & Pick<Transaction, 'minerFees' | 'arbitraryData'>

/** nonce | mintfulfillment | mintcondition | minerfees | arbitrarydata */
const minterDefinitionBody = bodyLayout<MinterDefinitionBody>({
  nonce: nonceField,
  mintFulfillment: fulfillmentField,
  mintCondition: conditionField,
  minerFees: feesField,
  arbitraryData: dataField,
})

function minterDefinitionType(version: number, format: Format, requireMinerFees: boolean): TransactionType {
  const name = 'minter definition'
  return extensionTransactionType<MinterDefinitionBody>({
    version,
    name,
    format,
    specifier: MINTER_DEFINITION_SPECIFIER,
    body: minterDefinitionBody,
    extensionOf: (tx) => {
      assertOnly(tx, name, {})
      return minterDefinitionOf(tx)
    },
    // the miner fees are always hashed here, whatever RequireMinerFees says (spec §2.2)
    sigHash: (w, b, extras) => {
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

type CoinCreationBody = CoinCreationExtension &
  Pick<Transaction, 'coinOutputs' | 'minerFees' | 'arbitraryData'>

/** nonce | mintfulfillment | coinoutputs | minerfees | arbitrarydata */
const coinCreationBody = bodyLayout<CoinCreationBody>({
  nonce: nonceField,
  mintFulfillment: fulfillmentField,
  coinOutputs: outputsField,
  minerFees: feesField,
  arbitraryData: dataField,
})

function coinCreationType(version: number, format: Format, requireMinerFees: boolean): TransactionType {
  const name = 'coin creation'
  return extensionTransactionType<CoinCreationBody>({
    version,
    name,
    format,
    specifier: COIN_CREATION_SPECIFIER,
    body: coinCreationBody,
    extensionOf: (tx) => {
      assertOnly(tx, name, { coinOutputs: true })
      return coinCreationOf(tx)
    },
    // the miner fees are hashed only with RequireMinerFees (spec §2.3, §12.3)
    sigHash: (w, b, extras) => {
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

type CoinDestructionBody = Pick<Transaction, 'coinInputs' | 'coinOutputs' | 'minerFees' | 'arbitraryData'>

/** coininputs | coinoutputs | minerfees | arbitrarydata (no nonce, whatever the readme says) */
const coinDestructionBody = bodyLayout<CoinDestructionBody>({
  coinInputs: inputsField,
  coinOutputs: outputsField,
  minerFees: feesField,
  arbitraryData: dataField,
})

function coinDestructionType(version: number, format: Format): TransactionType {
  const name = 'coin destruction'
  return extensionTransactionType<CoinDestructionBody>({
    version,
    name,
    format,
    specifier: COIN_DESTRUCTION_SPECIFIER,
    body: coinDestructionBody,
    extensionOf: (tx) => {
      assertOnly(tx, name, { coinInputs: true, coinOutputs: true })
      return undefined
    },
    // inputs are signed like v1 inputs (extras start with the input index); fees always hashed
    sigHash: (w, b, extras) => {
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

/** The same v128/v129 transaction with another mint fulfillment. */
export function withMintFulfillment(tx: Transaction, mintFulfillment: Fulfillment): Transaction {
  if (!isCoinCreationExtension(tx.extension))
    throw new TypeError(`transaction version ${tx.version} has no mint fulfillment`)
  return { ...tx, extension: { ...tx.extension, mintFulfillment } }
}

const mintFulfillment = extensionFulfillment({
  of: (tx) => coinCreationOf(tx).mintFulfillment,
  with: withMintFulfillment,
})

/**
 * The message the mint fulfillment signs (tfchain §1.5): no caller extras, so a single signature signs
 * with none and a multisig signer passes only its public key.
 */
export const mintFulfillmentSigHash = mintFulfillment.sigHash

/**
 * Signs the mint fulfillment: `single` replaces it with a single signature (unlock hash and time-locked
 * conditions), `multisig` adds one co-signer's pair (creating the fulfillment if it is not one yet).
 */
export const signMintFulfillment = mintFulfillment.sign

/**
 * Why the mint fulfillment of `tx` does not fulfil `mintCondition` at the given block height and time, or
 * `undefined` (signatures, time locks, multisig members). Which condition applies is the caller's (state).
 */
export const mintFulfillmentError = mintFulfillment.error
