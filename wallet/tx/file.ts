// The transaction file of the offline and multisig flows (docs/wallet.md): a v1 transaction as Rivine JSON
// with the chain it is for and the outputs its inputs spend, so a signer needs no node. Browser-safe.
import { DecodeError, inField } from '../../consensus/encoding/errors.js'
import { equalBytes, fromHex, toHex } from '../../consensus/encoding/hex.js'
import {
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonString,
  jsonUint,
  parseJson,
  stringifyJson,
} from '../../consensus/encoding/json.js'
import { type Condition, conditionFromJson, conditionToJson } from '../../consensus/types/conditions.js'
import { type Currency, currencyToJson, parseCurrency } from '../../consensus/types/currency.js'
import type { Transaction, TransactionRegistry } from '../../consensus/types/transaction.js'

export const TRANSACTION_FILE_KIND = 'blockstake-transaction'
export const TRANSACTION_FILE_VERSION = 1

/** Which chain a file or wallet belongs to: the genesis ID decides, the names are for people. */
export interface ChainRef {
  readonly name: string
  readonly network: string
  /** 64 hex characters. */
  readonly genesisId: string
  /** Decimals of the coin (9 when one coin is 10^9 base units), for showing amounts offline. */
  readonly precision: number
}

/** The output an input spends: what a signer needs to know which key signs and what is spent. */
export interface SpentOutput {
  readonly value: Currency
  readonly condition: Condition
  /** The wallet key index that owns it, when the building wallet knows (a hint; signers re-derive). */
  readonly keyIndex?: number
}

export interface TransactionFile {
  readonly chain: ChainRef
  readonly transaction: Transaction
  /** By input position: `spent.coinInputs[i]` is the output `transaction.coinInputs[i]` spends. */
  readonly spent: {
    readonly coinInputs: readonly SpentOutput[]
    readonly blockStakeInputs: readonly SpentOutput[]
  }
}

export class TransactionFileError extends DecodeError {}

export function chainRefToJson(c: ChainRef): JsonValue {
  return { name: c.name, network: c.network, genesisId: c.genesisId, precision: c.precision }
}

export function parseChainRef(value: unknown, field = 'chain'): ChainRef {
  const o = jsonObject(value, field)
  const genesisId = jsonString(o.genesisId, `${field}.genesisId`)
  fromHex(genesisId, 32, `${field}.genesisId`)
  return {
    name: jsonString(o.name, `${field}.name`),
    network: jsonString(o.network, `${field}.network`),
    genesisId: genesisId.toLowerCase(),
    precision: jsonUint(o.precision, `${field}.precision`),
  }
}

/** `chain x (network y, genesis 0123abcd…)`. */
export const describeChain = (c: ChainRef): string =>
  `chain "${c.name}" (network ${c.network}, genesis ${c.genesisId.slice(0, 16)}…)`

/** Throws unless `actual` is the chain `expected` (same genesis ID); `what` names the thing compared. */
export function assertSameChain(actual: ChainRef, expected: ChainRef, what: string): void {
  if (actual.genesisId !== expected.genesisId)
    throw new TransactionFileError(
      'invalid-value',
      `${what} is for ${describeChain(actual)}, not ${describeChain(expected)}`,
    )
}

const spentToJson = (s: SpentOutput, parentId: Uint8Array): JsonValue => ({
  parentId: toHex(parentId),
  value: currencyToJson(s.value),
  condition: conditionToJson(s.condition),
  keyIndex: s.keyIndex,
})

export function transactionFileToJson(file: TransactionFile, registry: TransactionRegistry): JsonValue {
  const tx = file.transaction
  return {
    kind: TRANSACTION_FILE_KIND,
    version: TRANSACTION_FILE_VERSION,
    chain: chainRefToJson(file.chain),
    transaction: registry.toJson(tx),
    spent: {
      coinInputs: file.spent.coinInputs.map((s, i) => spentToJson(s, tx.coinInputs[i]!.parentId)),
      blockStakeInputs: file.spent.blockStakeInputs.map((s, i) =>
        spentToJson(s, tx.blockStakeInputs[i]!.parentId),
      ),
    },
  }
}

export const transactionFileToText = (file: TransactionFile, registry: TransactionRegistry): string =>
  `${stringifyJson(transactionFileToJson(file, registry))}\n`

/**
 * Reads a transaction file, checking that every spent output lines up with its input. The transaction is
 * decoded from its JSON and re-encoded when written: nothing received is hashed as is.
 */
export function parseTransactionFile(value: unknown, registry: TransactionRegistry): TransactionFile {
  const o = jsonObject(value, 'transaction file')
  if (o.kind !== TRANSACTION_FILE_KIND)
    throw new TransactionFileError('invalid-value', `expected "${TRANSACTION_FILE_KIND}"`, 'kind')
  if (o.version !== TRANSACTION_FILE_VERSION)
    throw new TransactionFileError(
      'invalid-value',
      // not String(): a parsed object whose toString is not a function makes it throw a TypeError
      `version ${String(JSON.stringify(o.version)).slice(0, 40)} is not supported`,
      'version',
    )
  const chain = parseChainRef(o.chain)
  const transaction = inField('transaction', () => registry.fromJson(o.transaction))
  const spentObj = jsonObject(o.spent, 'spent')
  const spentList = (list: 'coinInputs' | 'blockStakeInputs'): SpentOutput[] => {
    const items = jsonArray(spentObj[list], `spent.${list}`)
    const inputs = transaction[list]
    if (items.length !== inputs.length)
      throw new TransactionFileError(
        'invalid-value',
        `lists ${items.length} spent outputs for ${inputs.length} inputs`,
        `spent.${list}`,
      )
    return items.map((item, i) => {
      const field = `spent.${list}[${i}]`
      const s = jsonObject(item, field)
      const parentId = fromHex(jsonString(s.parentId, `${field}.parentId`), 32, `${field}.parentId`)
      if (!equalBytes(parentId, inputs[i]!.parentId))
        throw new TransactionFileError(
          'invalid-value',
          `does not match the parent ID of transaction input ${i}`,
          `${field}.parentId`,
        )
      return {
        value: parseCurrency(s.value, `${field}.value`),
        condition: conditionFromJson(s.condition, `${field}.condition`),
        ...(s.keyIndex === undefined ? {} : { keyIndex: jsonUint(s.keyIndex, `${field}.keyIndex`) }),
      }
    })
  }
  return {
    chain,
    transaction,
    spent: { coinInputs: spentList('coinInputs'), blockStakeInputs: spentList('blockStakeInputs') },
  }
}

export const parseTransactionFileText = (text: string, registry: TransactionRegistry): TransactionFile =>
  parseTransactionFile(parseJson(text), registry)

/** The conditions of the spent outputs, as `signInputs` and `signatureStatus` take them. */
export const spentConditions = (
  file: TransactionFile,
): { coinInputs: Condition[]; blockStakeInputs: Condition[] } => ({
  coinInputs: file.spent.coinInputs.map((s) => s.condition),
  blockStakeInputs: file.spent.blockStakeInputs.map((s) => s.condition),
})
