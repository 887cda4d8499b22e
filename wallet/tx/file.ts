// The transaction file of the offline and multisig flows (docs/wallet.md): a transaction as Rivine JSON
// with the chain it is for (and its extension parameters, which say how extension transactions are
// encoded and signed), the outputs its inputs spend and, for a mint or auth transaction, the condition its
// own fulfillment answers to, so a signer needs no node. Browser-safe.

import { DecodeError, inField } from '../../consensus/encoding/errors.js'
import { equalBytes, fromHex, toHex } from '../../consensus/encoding/hex.js'
import {
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonPreview,
  jsonString,
  jsonUint,
  parseJson,
  stringifyJson,
} from '../../consensus/encoding/json.js'
import { BUILTIN_EXTENSIONS, extensionsToJson, parseExtensions } from '../../consensus/extensions/catalog.js'
import { type Condition, conditionFromJson, conditionToJson } from '../../consensus/types/conditions.js'
import { type Currency, currencyToJson, parseCurrency } from '../../consensus/types/currency.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import type { Transaction, TransactionRegistry } from '../../consensus/types/transaction.js'
import { authorityKindOf, type ExtensionAuthority, extensionKindOf } from './extensions.js'

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
  /**
   * The chain's extension parameters (the `extensions` object of its definition, every field explicit),
   * when it enables any: how its extension transactions are encoded and signed. Not covered by the
   * genesis ID, so compared on their own.
   */
  readonly extensions?: ExtensionsJson
}

/** The `extensions` object of a chain definition as JSON. */
export type ExtensionsJson = { readonly [name: string]: JsonValue }

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
  /** Mint and auth transactions: the condition their mint or auth fulfillment must fulfil. */
  readonly authority?: ExtensionAuthority
}

export class TransactionFileError extends DecodeError {}

export function chainRefToJson(c: ChainRef): JsonValue {
  return {
    name: c.name,
    network: c.network,
    genesisId: c.genesisId,
    precision: c.precision,
    extensions: c.extensions,
  }
}

/**
 * A chain definition's `extensions` object validated and written with every field explicit (so two
 * spellings of the same parameters compare equal); `undefined` when it enables none.
 */
export function canonicalExtensions(value: unknown, field = 'extensions'): ExtensionsJson | undefined {
  const json = extensionsToJson(parseExtensions(value ?? {}, field))
  return Object.keys(json).length ? json : undefined
}

/** Core v0/v1 plus the transaction types of the extensions `chain` enables. */
export function chainRegistry(chain: Pick<ChainRef, 'extensions'>): TransactionRegistry {
  const settings = parseExtensions(chain.extensions ?? {})
  const types = BUILTIN_EXTENSIONS.filter((e) => settings[e.name] !== undefined).flatMap(
    (e) => e.enable(settings[e.name]).transactionTypes,
  )
  return coreRegistry().with(...types)
}

const sameExtensions = (a: ChainRef, b: ChainRef): boolean =>
  stringifyJson(a.extensions ?? {}) === stringifyJson(b.extensions ?? {})

export function parseChainRef(value: unknown, field = 'chain'): ChainRef {
  const o = jsonObject(value, field)
  const genesisId = jsonString(o.genesisId, `${field}.genesisId`)
  fromHex(genesisId, 32, `${field}.genesisId`)
  return {
    name: jsonString(o.name, `${field}.name`),
    network: jsonString(o.network, `${field}.network`),
    genesisId: genesisId.toLowerCase(),
    precision: jsonUint(o.precision, `${field}.precision`),
    ...(o.extensions === undefined
      ? {}
      : (() => {
          const extensions = canonicalExtensions(o.extensions, `${field}.extensions`)
          return extensions ? { extensions } : {}
        })()),
  }
}

/** `chain x (network y, genesis 0123abcd…)`. */
export const describeChain = (c: ChainRef): string =>
  `chain "${c.name}" (network ${c.network}, genesis ${c.genesisId.slice(0, 16)}…)`

/**
 * Throws unless `actual` is the chain `expected`: the same genesis ID, and the same extension parameters
 * when both sides know them (a record written before they were kept has none); `what` names the thing
 * compared.
 */
export function assertSameChain(actual: ChainRef, expected: ChainRef, what: string): void {
  if (actual.genesisId !== expected.genesisId)
    throw new TransactionFileError(
      'invalid-value',
      `${what} is for ${describeChain(actual)}, not ${describeChain(expected)}`,
    )
  if (actual.extensions && expected.extensions && !sameExtensions(actual, expected))
    throw new TransactionFileError(
      'invalid-value',
      `${what} is for ${describeChain(actual)} with other extension parameters (${stringifyJson(actual.extensions)}) than ${stringifyJson(expected.extensions)}`,
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
    authority: file.authority && {
      kind: file.authority.kind,
      condition: conditionToJson(file.authority.condition),
      height: file.authority.height,
    },
  }
}

export const transactionFileToText = (file: TransactionFile, registry: TransactionRegistry): string =>
  `${stringifyJson(transactionFileToJson(file, registry))}\n`

/** The file's chain, read before the rest (its extension parameters say how to read the transaction). */
export function transactionFileChain(value: unknown): ChainRef {
  const o = jsonObject(value, 'transaction file')
  if (o.kind !== TRANSACTION_FILE_KIND)
    throw new TransactionFileError('invalid-value', `expected "${TRANSACTION_FILE_KIND}"`, 'kind')
  if (o.version !== TRANSACTION_FILE_VERSION)
    throw new TransactionFileError(
      'invalid-value',
      `version ${jsonPreview(o.version)} is not supported`,
      'version',
    )
  return parseChainRef(o.chain)
}

/** The `authority` of a file: present exactly when the transaction has a mint or auth fulfillment. */
function parseAuthority(value: unknown, tx: Transaction): ExtensionAuthority | undefined {
  const wanted = authorityKindOf(extensionKindOf(tx))
  if (value === undefined) {
    if (wanted)
      throw new TransactionFileError(
        'invalid-value',
        `a ${wanted} transaction file names the ${wanted} condition it answers to`,
        'authority',
      )
    return undefined
  }
  const o = jsonObject(value, 'authority')
  if (!wanted)
    throw new TransactionFileError(
      'invalid-value',
      'only mint and auth transactions answer to an authority',
      'authority',
    )
  if (o.kind !== wanted)
    throw new TransactionFileError(
      'invalid-value',
      `expected "${wanted}" for this transaction, got ${jsonPreview(o.kind)}`,
      'authority.kind',
    )
  return {
    kind: wanted,
    condition: conditionFromJson(o.condition, 'authority.condition'),
    height: jsonUint(o.height, 'authority.height'),
  }
}

/**
 * Reads a transaction file, checking that every spent output lines up with its input. The transaction is
 * decoded from its JSON with `registry` (default: the one of the file's own chain and extensions) and
 * re-encoded when written: nothing received is hashed as is.
 */
export function parseTransactionFile(value: unknown, registry?: TransactionRegistry): TransactionFile {
  const chain = transactionFileChain(value)
  const o = value as Record<string, unknown>
  const reg = registry ?? chainRegistry(chain)
  const transaction = inField('transaction', () => reg.fromJson(o.transaction))
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
  const authority = parseAuthority(o.authority, transaction)
  return {
    chain,
    transaction,
    spent: { coinInputs: spentList('coinInputs'), blockStakeInputs: spentList('blockStakeInputs') },
    ...(authority ? { authority } : {}),
  }
}

export const parseTransactionFileText = (text: string, registry?: TransactionRegistry): TransactionFile =>
  parseTransactionFile(parseJson(text), registry)

/** The conditions of the spent outputs, as `signInputs` and `signatureStatus` take them. */
export const spentConditions = (
  file: TransactionFile,
): { coinInputs: Condition[]; blockStakeInputs: Condition[] } => ({
  coinInputs: file.spent.coinInputs.map((s) => s.condition),
  blockStakeInputs: file.spent.blockStakeInputs.map((s) => s.condition),
})
