// The light-client wire format (docs/light-client.md): headers with what their PoBS kernel check needs,
// transaction inclusion proofs and checkpoints. The node builds these (node/api/light.ts); the SDK parses
// them here and never trusts a field it can recompute. Proofs have the shape of notary receipts
// (consensus/extensions/notary/receipt.ts): a transaction's Sia encoding and its Merkle path to the
// block's Merkle root.
import { DecodeError } from '../consensus/encoding/errors.js'
import { bigintToFixed, bytesToBigint, fromHex, toHex } from '../consensus/encoding/hex.js'
import {
  type JsonObject,
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonString,
  jsonUint,
} from '../consensus/encoding/json.js'
import {
  type MerkleInclusionProof,
  transactionInclusionProof,
} from '../consensus/extensions/notary/receipt.js'
import type { Target } from '../consensus/pobs/target.js'
import {
  type Block,
  type BlockCodec,
  type BlockHeader,
  blockHeaderId,
  decodeHeader,
  encodeHeader,
} from '../consensus/types/block.js'

export const LIGHT_FORMAT_VERSION = 1
/** The most headers one `GET /light/headers` answers with. */
export const MAX_LIGHT_HEADERS = 500
/** A tree of 2^53 leaves is 53 levels deep: a longer path cannot be a proof. */
const MAX_PATH = 64

/** A transaction of a block and its Merkle path to the block's Merkle root. */
export interface TransactionProof {
  /** The transaction's Sia encoding (spec §4.2): the Merkle leaf. */
  readonly transaction: Uint8Array
  readonly proof: MerkleInclusionProof
}

/** One main-chain header and what its PoBS kernel check needs (none for genesis or without proofs). */
export interface LightHeader {
  readonly height: number
  readonly header: BlockHeader
  /** The transaction that created the staked output, proven against the header at `pobsOutput.blockHeight`. */
  readonly stake?: TransactionProof
  /** The transaction of this block that spends the staked output, proven against this header. */
  readonly respend?: TransactionProof
}

export interface LightHeaders {
  readonly genesisId: Uint8Array
  /** The node's tip when it answered. */
  readonly tip: { readonly height: number; readonly id: Uint8Array }
  readonly headers: readonly LightHeader[]
}

/** A transaction proven against the main-chain block at `height`. */
export interface LightTransactionProof extends TransactionProof {
  readonly transactionId: Uint8Array
  readonly height: number
  readonly blockId: Uint8Array
}

/** A checkpoint: a trusted header's ID and the targets that follow from the chain below it (DESIGN §7.4). */
export interface Checkpoint {
  readonly height: number
  readonly id: Uint8Array
  readonly childTarget: Target
  readonly depth: Target
}

// ---- building (node side) ------------------------------------------------------------------------

/** The proof of transaction `txIndex` of `block`. */
export function transactionProof(codec: BlockCodec, block: Block, txIndex: number): TransactionProof {
  const tx = block.transactions[txIndex]
  if (!tx) throw new RangeError(`the block has no transaction ${txIndex}`)
  return { transaction: codec.registry.encode(tx), proof: transactionInclusionProof(codec, block, txIndex) }
}

/**
 * The light header of `block` at `height`; `blockAt` reads main-chain blocks (the stake's creating block).
 * Spec §6.4: the respend is the first transaction with a block stake input spending the staked output.
 */
export async function lightHeader(
  codec: BlockCodec,
  block: Block,
  height: number,
  blockAt: (height: number) => Promise<Block | undefined> | Block | undefined,
  withProofs = true,
): Promise<LightHeader> {
  const header = codec.header(block)
  if (height === 0 || !withProofs) return { height, header }
  const at = block.pobsOutput
  const holder = await blockAt(at.blockHeight)
  const creating = holder?.transactions[at.transactionIndex]
  if (!holder || !creating?.blockStakeOutputs[at.outputIndex])
    throw new Error(
      `block ${height} stakes output (${at.blockHeight}, ${at.transactionIndex}, ${at.outputIndex}), which is not on the main chain`,
    )
  const stakeId = codec.registry.blockStakeOutputId(creating, at.outputIndex)
  const respendIndex = block.transactions.findIndex((tx) =>
    tx.blockStakeInputs.some((i) => equal(i.parentId, stakeId)),
  )
  if (respendIndex < 0) throw new Error(`block ${height} does not respend its stake`)
  return {
    height,
    header,
    stake: transactionProof(codec, holder, at.transactionIndex),
    respend: transactionProof(codec, block, respendIndex),
  }
}

const equal = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

// ---- JSON ------------------------------------------------------------------------------------------

export const targetToHex = (t: Target): string => toHex(bigintToFixed(t, 32))

const proofToJson = (p: TransactionProof): JsonValue => ({
  transaction: toHex(p.transaction),
  leafIndex: p.proof.leafIndex,
  leafCount: p.proof.leafCount,
  path: p.proof.path.map(toHex),
})

export function lightHeaderToJson(h: LightHeader): JsonValue {
  return {
    height: h.height,
    id: toHex(blockHeaderId(h.header)),
    header: toHex(encodeHeader(h.header)),
    ...(h.stake ? { stake: proofToJson(h.stake) } : {}),
    ...(h.respend ? { respend: proofToJson(h.respend) } : {}),
  }
}

export function lightHeadersToJson(r: LightHeaders): JsonValue {
  return {
    version: LIGHT_FORMAT_VERSION,
    genesisId: toHex(r.genesisId),
    tip: { height: r.tip.height, id: toHex(r.tip.id) },
    headers: r.headers.map(lightHeaderToJson),
  }
}

export function lightTransactionProofToJson(p: LightTransactionProof): JsonValue {
  return {
    version: LIGHT_FORMAT_VERSION,
    transactionId: toHex(p.transactionId),
    height: p.height,
    blockId: toHex(p.blockId),
    transaction: toHex(p.transaction),
    leafIndex: p.proof.leafIndex,
    leafCount: p.proof.leafCount,
    path: p.proof.path.map(toHex),
  }
}

export function checkpointToJson(c: Checkpoint): JsonValue {
  return {
    height: c.height,
    id: toHex(c.id),
    childTarget: targetToHex(c.childTarget),
    depth: targetToHex(c.depth),
  }
}

// ---- parsing (SDK side): every field checked, unknown fields refused ------------------------------

function onlyKeys(o: JsonObject, known: readonly string[], path: string): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new DecodeError('invalid-json', `unknown field "${k}"`, `${path}.${k}`)
}

function field(o: JsonObject, k: string, path: string): unknown {
  if (o[k] === undefined) throw new DecodeError('invalid-json', 'missing', `${path}.${k}`)
  return o[k]
}

const hash32 = (o: JsonObject, k: string, path: string): Uint8Array =>
  fromHex(jsonString(field(o, k, path), `${path}.${k}`), 32, `${path}.${k}`)
const uint = (o: JsonObject, k: string, path: string): number => jsonUint(field(o, k, path), `${path}.${k}`)

function version(o: JsonObject, path: string): void {
  if (field(o, 'version', path) !== LIGHT_FORMAT_VERSION)
    throw new DecodeError(
      'invalid-value',
      `this program reads version ${LIGHT_FORMAT_VERSION}`,
      `${path}.version`,
    )
}

const PROOF_KEYS = ['transaction', 'leafIndex', 'leafCount', 'path']

function parseProofFields(o: JsonObject, path: string): TransactionProof {
  const hashes = jsonArray(field(o, 'path', path), `${path}.path`)
  if (hashes.length > MAX_PATH)
    throw new DecodeError('invalid-value', `${hashes.length} hashes is too many`, `${path}.path`)
  return {
    transaction: fromHex(
      jsonString(field(o, 'transaction', path), `${path}.transaction`),
      undefined,
      `${path}.transaction`,
    ),
    proof: {
      leafIndex: uint(o, 'leafIndex', path),
      leafCount: uint(o, 'leafCount', path),
      path: hashes.map((x, i) => fromHex(jsonString(x, `${path}.path[${i}]`), 32, `${path}.path[${i}]`)),
    },
  }
}

function parseProof(value: unknown, path: string): TransactionProof {
  const o = jsonObject(value, path)
  onlyKeys(o, PROOF_KEYS, path)
  return parseProofFields(o, path)
}

/** Reads a header entry; the claimed `id` must be the header's hash (checked here: it costs one hash). */
export function parseLightHeader(value: unknown, path: string): LightHeader {
  const o = jsonObject(value, path)
  onlyKeys(o, ['height', 'id', 'header', 'stake', 'respend'], path)
  const bytes = fromHex(jsonString(field(o, 'header', path), `${path}.header`), 96, `${path}.header`)
  let header: BlockHeader
  try {
    header = decodeHeader(bytes)
  } catch (err) {
    throw new DecodeError('invalid-value', `not a header: ${(err as Error).message}`, `${path}.header`)
  }
  const id = hash32(o, 'id', path)
  if (!equal(blockHeaderId(header), id))
    throw new DecodeError('invalid-value', 'the header does not hash to this ID', `${path}.id`)
  return {
    height: uint(o, 'height', path),
    header,
    ...(o.stake !== undefined ? { stake: parseProof(o.stake, `${path}.stake`) } : {}),
    ...(o.respend !== undefined ? { respend: parseProof(o.respend, `${path}.respend`) } : {}),
  }
}

export function parseLightHeaders(value: unknown): LightHeaders {
  const o = jsonObject(value, 'headers')
  onlyKeys(o, ['version', 'genesisId', 'tip', 'headers'], '')
  version(o, '')
  const tip = jsonObject(field(o, 'tip', ''), 'tip')
  const list = jsonArray(field(o, 'headers', ''), 'headers')
  if (list.length > MAX_LIGHT_HEADERS)
    throw new DecodeError(
      'invalid-value',
      `${list.length} headers is more than ${MAX_LIGHT_HEADERS}`,
      'headers',
    )
  return {
    genesisId: hash32(o, 'genesisId', ''),
    tip: { height: uint(tip, 'height', 'tip'), id: hash32(tip, 'id', 'tip') },
    headers: list.map((h, i) => parseLightHeader(h, `headers[${i}]`)),
  }
}

export function parseLightTransactionProof(value: unknown): LightTransactionProof {
  const o = jsonObject(value, 'proof')
  onlyKeys(o, ['version', 'transactionId', 'height', 'blockId', ...PROOF_KEYS], '')
  version(o, '')
  return {
    transactionId: hash32(o, 'transactionId', ''),
    height: uint(o, 'height', ''),
    blockId: hash32(o, 'blockId', ''),
    ...parseProofFields(o, ''),
  }
}

/** Reads a checkpoint (what `GET /light/checkpoint/:height` answers, or an app's own constant). */
export function parseCheckpoint(value: unknown): Checkpoint {
  const o = jsonObject(value, 'checkpoint')
  onlyKeys(o, ['height', 'id', 'childTarget', 'depth', 'timestamp'], 'checkpoint')
  const target = (k: string) => bytesToBigint(hash32(o, k, 'checkpoint'))
  return {
    height: uint(o, 'height', 'checkpoint'),
    id: hash32(o, 'id', 'checkpoint'),
    childTarget: target('childTarget'),
    depth: target('depth'),
  }
}
