// A notary receipt (docs/notary.md): everything needed to check offline that a transaction carrying a
// document's record is in a block: the transaction, its Merkle inclusion proof against the block's Merkle
// root (spec/rivine.md §2.5) and the header fields that hash to the block ID. Browser-safe: the light client
// verifies receipts with this code.
import { merkleLeafHash, merkleProof, merkleRootFromProof, merkleRootOfHashes } from '../../crypto/merkle.js'
import { DecodeError } from '../../encoding/errors.js'
import { equalBytes, fromHex, toHex } from '../../encoding/hex.js'
import {
  type JsonObject,
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonString,
  jsonUint,
} from '../../encoding/json.js'
import { type Block, type BlockCodec, type BlockHeader, blockHeaderId } from '../../types/block.js'
import { coreRegistry } from '../../types/registry.js'
import type { Transaction, TransactionRegistry } from '../../types/transaction.js'
import { notaryRecord, recordedHash } from './record.js'

export const NOTARY_RECEIPT_KIND = 'blockstake-notary-receipt'
export const NOTARY_RECEIPT_VERSION = 1

/** Where a leaf sits in a block's Merkle tree and the sibling hashes from it up to the root. */
export interface MerkleInclusionProof {
  /** The leaf's index: the block's miner payout count plus the transaction's index in the block. */
  readonly leafIndex: number
  /** The block's leaf count: miner payouts plus transactions. */
  readonly leafCount: number
  /** Sibling subtree roots, nearest the leaf first. */
  readonly path: readonly Uint8Array[]
}

export interface NotaryReceipt {
  /** The chain's genesis block ID. */
  readonly genesisId: Uint8Array
  /** blake2b-256 of the document. */
  readonly hash: Uint8Array
  readonly transactionId: Uint8Array
  /** The transaction's Sia encoding (spec §4.2), the Merkle leaf. */
  readonly transaction: Uint8Array
  readonly blockId: Uint8Array
  /** The block's height (not in the header: a node confirms it). */
  readonly height: number
  /** The block's timestamp (unix seconds), as in the header. */
  readonly timestamp: number
  readonly header: BlockHeader
  readonly proof: MerkleInclusionProof
}

/** The leaf hashes of `block`'s Merkle tree (spec §2.5): every payout, then every transaction. */
export const blockLeafHashes = (codec: BlockCodec, block: Block): Uint8Array[] =>
  codec.merkleLeaves(block).map(merkleLeafHash)

/** `block`'s header with the Merkle root of its leaf hashes (what `BlockCodec.header` gives). */
export const headerOfLeaves = (block: Block, leafHashes: readonly Uint8Array[]): BlockHeader => ({
  parentId: block.parentId,
  pobsOutput: block.pobsOutput,
  timestamp: block.timestamp,
  merkleRoot: merkleRootOfHashes(leafHashes),
})

/**
 * The proof of transaction `txIndex` of `block` against its Merkle root; `leafHashes` are the block's
 * (`blockLeafHashes`), given when several proofs of one block are made.
 */
export function transactionInclusionProof(
  codec: BlockCodec,
  block: Block,
  txIndex: number,
  leafHashes?: readonly Uint8Array[],
): MerkleInclusionProof {
  if (!Number.isSafeInteger(txIndex) || txIndex < 0 || txIndex >= block.transactions.length)
    throw new RangeError(`the block has no transaction ${txIndex}`)
  const leaves = leafHashes ?? blockLeafHashes(codec, block)
  if (leaves.length !== block.minerPayouts.length + block.transactions.length)
    throw new RangeError(
      `${leaves.length} leaf hashes given for a block of ${block.minerPayouts.length} payouts and ${block.transactions.length} transactions`,
    )
  const leafIndex = block.minerPayouts.length + txIndex
  return { leafIndex, leafCount: leaves.length, path: merkleProof(leaves, leafIndex) }
}

/** The receipt of transaction `txIndex` of `block`, a main-chain block at `height`, for `hash`. */
export function notaryReceipt(
  codec: BlockCodec,
  opts: {
    readonly genesisId: Uint8Array
    readonly hash: Uint8Array
    readonly block: Block
    readonly height: number
    readonly txIndex: number
    /** The block's leaf hashes and header (`blockLeafHashes`, `headerOfLeaves`), when already computed. */
    readonly precomputed?: { readonly leafHashes: readonly Uint8Array[]; readonly header: BlockHeader }
  },
): NotaryReceipt {
  const { block, txIndex } = opts
  const tx = block.transactions[txIndex]
  if (!tx) throw new RangeError(`the block has no transaction ${txIndex}`)
  const header = opts.precomputed?.header ?? codec.header(block)
  return {
    genesisId: opts.genesisId,
    hash: opts.hash,
    transactionId: codec.registry.id(tx),
    transaction: codec.registry.encode(tx),
    blockId: blockHeaderId(header),
    height: opts.height,
    timestamp: block.timestamp,
    header,
    proof: transactionInclusionProof(codec, block, txIndex, opts.precomputed?.leafHashes),
  }
}

// ---- JSON -----------------------------------------------------------------------------------------

export function notaryReceiptToJson(r: NotaryReceipt): JsonValue {
  return {
    kind: NOTARY_RECEIPT_KIND,
    version: NOTARY_RECEIPT_VERSION,
    genesisId: toHex(r.genesisId),
    hash: toHex(r.hash),
    transactionId: toHex(r.transactionId),
    transaction: toHex(r.transaction),
    blockId: toHex(r.blockId),
    height: r.height,
    timestamp: r.timestamp,
    header: {
      parentId: toHex(r.header.parentId),
      pobsIndexes: {
        blockHeight: r.header.pobsOutput.blockHeight,
        transactionIndex: r.header.pobsOutput.transactionIndex,
        outputIndex: r.header.pobsOutput.outputIndex,
      },
      timestamp: r.header.timestamp,
      merkleRoot: toHex(r.header.merkleRoot),
    },
    proof: {
      leafIndex: r.proof.leafIndex,
      leafCount: r.proof.leafCount,
      path: r.proof.path.map(toHex),
    },
  }
}

const RECEIPT_KEYS = [
  'kind',
  'version',
  'genesisId',
  'hash',
  'transactionId',
  'transaction',
  'blockId',
  'height',
  'timestamp',
  'header',
  'proof',
]

/** Every key of `o` is known, or a DecodeError names the first that is not. */
function onlyKeys(o: JsonObject, known: readonly string[], path: string): void {
  for (const k of Object.keys(o))
    if (!known.includes(k))
      throw new DecodeError('invalid-json', `unknown field "${k}"`, path ? `${path}.${k}` : k)
}

function required(o: JsonObject, k: string, path: string): unknown {
  const field = path ? `${path}.${k}` : k
  if (o[k] === undefined) throw new DecodeError('invalid-json', 'missing', field)
  return o[k]
}

const hash32 = (o: JsonObject, k: string, path = ''): Uint8Array => {
  const field = path ? `${path}.${k}` : k
  return fromHex(jsonString(required(o, k, path), field), 32, field)
}
const uint = (o: JsonObject, k: string, path = ''): number =>
  jsonUint(required(o, k, path), path ? `${path}.${k}` : k)

/** Reads a receipt's JSON; a DecodeError names the field that is missing, unknown or malformed. */
export function parseNotaryReceipt(value: unknown): NotaryReceipt {
  const o = jsonObject(value, 'receipt')
  onlyKeys(o, RECEIPT_KEYS, '')
  if (required(o, 'kind', '') !== NOTARY_RECEIPT_KIND)
    throw new DecodeError('invalid-value', `expected "${NOTARY_RECEIPT_KIND}"`, 'kind')
  if (required(o, 'version', '') !== NOTARY_RECEIPT_VERSION)
    throw new DecodeError(
      'invalid-value',
      `this program reads receipt version ${NOTARY_RECEIPT_VERSION}`,
      'version',
    )
  const transaction = jsonString(required(o, 'transaction', ''), 'transaction')
  const h = jsonObject(required(o, 'header', ''), 'header')
  onlyKeys(h, ['parentId', 'pobsIndexes', 'timestamp', 'merkleRoot'], 'header')
  const idx = jsonObject(required(h, 'pobsIndexes', 'header'), 'header.pobsIndexes')
  onlyKeys(idx, ['blockHeight', 'transactionIndex', 'outputIndex'], 'header.pobsIndexes')
  const p = jsonObject(required(o, 'proof', ''), 'proof')
  onlyKeys(p, ['leafIndex', 'leafCount', 'path'], 'proof')
  const path = jsonArray(required(p, 'path', 'proof'), 'proof.path')
  // a tree of 2^53 leaves is 53 levels deep: a longer path cannot be a proof
  if (path.length > 64)
    throw new DecodeError('invalid-value', `${path.length} hashes is too many`, 'proof.path')
  return {
    genesisId: hash32(o, 'genesisId'),
    hash: hash32(o, 'hash'),
    transactionId: hash32(o, 'transactionId'),
    transaction: fromHex(transaction, undefined, 'transaction'),
    blockId: hash32(o, 'blockId'),
    height: uint(o, 'height'),
    timestamp: uint(o, 'timestamp'),
    header: {
      parentId: hash32(h, 'parentId', 'header'),
      pobsOutput: {
        blockHeight: uint(idx, 'blockHeight', 'header.pobsIndexes'),
        transactionIndex: uint(idx, 'transactionIndex', 'header.pobsIndexes'),
        outputIndex: uint(idx, 'outputIndex', 'header.pobsIndexes'),
      },
      timestamp: uint(h, 'timestamp', 'header'),
      merkleRoot: hash32(h, 'merkleRoot', 'header'),
    },
    proof: {
      leafIndex: uint(p, 'leafIndex', 'proof'),
      leafCount: uint(p, 'leafCount', 'proof'),
      path: path.map((x, i) => fromHex(jsonString(x, `proof.path[${i}]`), 32, `proof.path[${i}]`)),
    },
  }
}

// ---- verification -----------------------------------------------------------------------------------

/** The checks of docs/notary.md "Verifying a receipt", in order. */
export type NotaryCheck =
  | 'hash'
  | 'transaction'
  | 'record'
  | 'transaction-id'
  | 'proof'
  | 'timestamp'
  | 'block-id'

export type NotaryVerdict =
  | { readonly valid: true; readonly transaction: Transaction }
  | { readonly valid: false; readonly check: NotaryCheck; readonly reason: string }

const fail = (check: NotaryCheck, reason: string): NotaryVerdict => ({ valid: false, check, reason })

/**
 * Checks offline that `receipt` proves `fileHash` was notarized in block `receipt.blockId`: the hash is the
 * receipt's, the transaction decodes (with `registry`, default the core v0/v1 one) and re-encodes to the same
 * bytes, its arbitrary data starts with the record of the hash, its ID is the receipt's, its Merkle proof
 * leads to the header's Merkle root, and the header hashes to the block ID. That the block is on a chain
 * (and at `height`) needs a node or a verified header chain.
 */
export function verifyNotaryReceipt(
  receipt: NotaryReceipt,
  fileHash: Uint8Array,
  registry: TransactionRegistry = coreRegistry(),
): NotaryVerdict {
  if (!equalBytes(fileHash, receipt.hash))
    return fail('hash', `the file's hash ${toHex(fileHash)} is not the receipt's hash ${toHex(receipt.hash)}`)
  let tx: Transaction
  try {
    tx = registry.decode(receipt.transaction)
  } catch (err) {
    return fail('transaction', `the receipt's transaction does not decode: ${(err as Error).message}`)
  }
  // never hash bytes from outside: the leaf and the ID are taken from the re-encoded transaction
  const encoded = registry.encode(tx)
  if (!equalBytes(encoded, receipt.transaction))
    return fail('transaction', "the receipt's transaction is not in its canonical encoding")
  const recorded = recordedHash(tx.arbitraryData)
  if (!recorded || !equalBytes(recorded, receipt.hash))
    return fail(
      'record',
      `the transaction's arbitrary data does not start with the record ${toHex(notaryRecord(receipt.hash))}`,
    )
  const id = registry.id(tx)
  if (!equalBytes(id, receipt.transactionId))
    return fail(
      'transaction-id',
      `the transaction's ID is ${toHex(id)}, not the receipt's ${toHex(receipt.transactionId)}`,
    )
  const { leafIndex, leafCount, path } = receipt.proof
  const root = merkleRootFromProof(merkleLeafHash(encoded), leafIndex, leafCount, path)
  if (!root) return fail('proof', `the Merkle proof does not fit leaf ${leafIndex} of ${leafCount}`)
  if (!equalBytes(root, receipt.header.merkleRoot))
    return fail('proof', "the Merkle proof does not lead to the header's Merkle root")
  if (receipt.timestamp !== receipt.header.timestamp)
    return fail(
      'timestamp',
      `the receipt's timestamp ${receipt.timestamp} is not the header's ${receipt.header.timestamp}`,
    )
  const blockId = blockHeaderId(receipt.header)
  if (!equalBytes(blockId, receipt.blockId))
    return fail(
      'block-id',
      `the header hashes to block ${toHex(blockId)}, not the receipt's block ${toHex(receipt.blockId)}`,
    )
  return { valid: true, transaction: tx }
}
