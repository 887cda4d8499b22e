// DESIGN §5 (P2P): the request/response and gossip messages, declared once with the Sia codec combinators.
// Every decoder checks the input length against its limit before it copies or allocates anything, and
// every list prefix against its own bound.
import {
  bool,
  type Codec,
  decode,
  encode,
  fixedBytes,
  type Infer,
  mapped,
  type Reader,
  struct,
  u64n,
  Writer,
} from '../../consensus/encoding/codec.js'
import { DecodeError } from '../../consensus/encoding/errors.js'
import { fromUtf8, utf8 } from '../../consensus/encoding/hex.js'
import { type Target, targetFromBytes, targetToBytes } from '../../consensus/pobs/target.js'
import type { Block, BlockCodec } from '../../consensus/types/block.js'
import type { Transaction, TransactionRegistry } from '../../consensus/types/transaction.js'

/** A locator holds at most this many block IDs. */
export const MAX_LOCATOR_IDS = 32
/** The most blocks one `blocks` request may ask for. */
export const MAX_BLOCKS_PER_REQUEST = 128
/** The most addresses one `peers` response carries. */
export const MAX_PEER_ADDRESSES = 64
/**
 * The most transactions one set may hold (gossip and POST /txpool): sets are a transaction and the parents
 * it spends from the pool, a handful in practice; checked before any transaction is decoded.
 */
export const MAX_SET_TRANSACTIONS = 256
/**
 * The most transaction sets one `txs` gossip message carries (a node gathers the sets its API accepted
 * for a few milliseconds into one message); checked before any set is decoded.
 */
export const MAX_GOSSIP_SETS = 1024
/** The longest multiaddr string accepted from a peer. */
export const MAX_ADDRESS_LENGTH = 256
/** Requests are small: the largest is a full locator (≈ 1 KiB). */
export const MAX_REQUEST_SIZE = 2048
/** Room for prefixes and flags around the blocks of a response. */
export const FRAMING_BYTES = 1024

/** The largest message of any protocol: one block of the maximum size plus framing. */
export const maxMessageSize = (blockSizeLimit: number): number => blockSizeLimit + FRAMING_BYTES

// ---- combinators ------------------------------------------------------------------------------------

const hash32 = fixedBytes(32)

/** A 256-bit target or depth as 32 big-endian bytes. */
const target32: Codec<Target> = { ...mapped(fixedBytes(32), targetFromBytes, targetToBytes), minSize: 32 }

/** A length-prefixed list of at most `max` elements (checked before any element is read). */
function boundedArray<T>(elem: Codec<T>, max: number, what: string): Codec<readonly T[]> {
  return {
    write: (w: Writer, v: readonly T[]) => {
      if (v.length > max) throw new RangeError(`${what}: ${v.length} entries, at most ${max}`)
      w.length(v.length)
      for (const e of v) elem.write(w, e)
    },
    read: (r: Reader) => {
      const n = r.length(elem.minSize ?? 1)
      if (n > max) throw new DecodeError('bad-length', `${n} entries, at most ${max}`, what)
      const out: T[] = []
      for (let i = 0; i < n; i++) {
        try {
          out.push(elem.read(r))
        } catch (err) {
          if (err instanceof DecodeError) throw err.within(`${what}[${i}]`)
          throw err
        }
      }
      return out
    },
    minSize: 8,
  }
}

/** A UTF-8 string of at most `max` bytes. */
function boundedString(max: number): Codec<string> {
  return {
    write: (w, v) => {
      const b = utf8(v)
      if (b.length > max) throw new RangeError(`string of ${b.length} bytes, at most ${max}`)
      w.length(b.length)
      w.bytes(b)
    },
    read: (r) => {
      const n = r.length(1)
      if (n > max) throw new DecodeError('bad-length', `string of ${n} bytes, at most ${max}`)
      try {
        return fromUtf8(r.bytes(n))
      } catch (err) {
        if (err instanceof DecodeError) throw err
        throw new DecodeError('invalid-value', 'string is not valid UTF-8')
      }
    },
    minSize: 8,
  }
}

/** A block count of 1…MAX_BLOCKS_PER_REQUEST. */
const blockCount: Codec<number> = {
  write: (w, v) => {
    if (!Number.isSafeInteger(v) || v < 1 || v > MAX_BLOCKS_PER_REQUEST)
      throw new RangeError(`block count ${v} is not in 1…${MAX_BLOCKS_PER_REQUEST}`)
    w.u64(v)
  },
  read: (r) => {
    const v = r.u64n()
    if (v < 1 || v > MAX_BLOCKS_PER_REQUEST)
      throw new DecodeError('invalid-value', `block count ${v} is not in 1…${MAX_BLOCKS_PER_REQUEST}`)
    return v
  },
  minSize: 8,
}

/** The smallest Sia block: parent, timestamp, three indexes and two empty list prefixes. */
const MIN_BLOCK_SIZE = 32 + 8 + 24 + 8 + 8

function blockCodecOf(codec: BlockCodec): Codec<Block> {
  return { write: (w, b) => codec.write(w, b), read: (r) => codec.read(r), minSize: MIN_BLOCK_SIZE }
}

function transactionCodecOf(registry: TransactionRegistry): Codec<Transaction> {
  return { write: (w, tx) => registry.writeTransaction(w, tx), read: (r) => registry.readTransaction(r) }
}

// ---- messages ---------------------------------------------------------------------------------------

/** `status`: sent by the requester, answered with the responder's own. */
export const statusCodec = struct({ genesisId: hash32, height: u64n, tipId: hash32, depth: target32 })
export type Status = Infer<typeof statusCodec>

export type BlocksRequest =
  /** Blocks after the newest locator ID on the responder's main chain (the common ancestor). */
  | { readonly kind: 'locator'; readonly ids: readonly Uint8Array[]; readonly count: number }
  /** Main-chain blocks at heights `from`, `from + 1`, …. */
  | { readonly kind: 'range'; readonly from: number; readonly count: number }

const locatorIds = boundedArray(hash32, MAX_LOCATOR_IDS, 'ids')
const LOCATOR = 0
const RANGE = 1

/** `blocks` request: a tag byte (0 locator, 1 range), then the fields. */
export const blocksRequestCodec: Codec<BlocksRequest> = {
  write: (w, v) => {
    if (v.kind === 'locator') {
      if (v.ids.length === 0) throw new RangeError('a locator holds at least one ID')
      w.byte(LOCATOR)
      locatorIds.write(w, v.ids)
    } else {
      w.byte(RANGE)
      u64n.write(w, v.from)
    }
    blockCount.write(w, v.count)
  },
  read: (r) => {
    const tag = r.byte()
    if (tag === LOCATOR) {
      const ids = locatorIds.read(r)
      if (ids.length === 0) throw new DecodeError('bad-length', 'empty locator', 'ids')
      return { kind: 'locator', ids, count: blockCount.read(r) }
    }
    if (tag === RANGE) return { kind: 'range', from: u64n.read(r), count: blockCount.read(r) }
    throw new DecodeError('unknown-type', `unknown blocks request kind ${tag}`)
  },
}

export interface BlocksResponse {
  /** Consecutive main-chain blocks, oldest first. */
  readonly blocks: readonly Block[]
  /** The responder's main chain continues after the last block sent. */
  readonly more: boolean
}

export const blocksResponseCodec = (codec: BlockCodec): Codec<BlocksResponse> =>
  struct({ blocks: boundedArray(blockCodecOf(codec), MAX_BLOCKS_PER_REQUEST, 'blocks'), more: bool })

/** `block` request: one block by ID. */
export const blockRequestCodec = struct({ id: hash32 })
export type BlockRequest = Infer<typeof blockRequestCodec>

/** `block` response: `00` (unknown) or `01` + the block. */
export const blockResponseCodec = (codec: BlockCodec): Codec<Block | undefined> => {
  const block = blockCodecOf(codec)
  return {
    write: (w, v) => {
      if (v === undefined) return w.byte(0)
      w.byte(1)
      block.write(w, v)
    },
    read: (r) => (bool.read(r) ? block.read(r) : undefined),
  }
}

/** `peers` request: how many addresses the requester wants (1…MAX_PEER_ADDRESSES). */
export const peersRequestCodec: Codec<{ readonly max: number }> = {
  write: (w, v) => {
    if (!Number.isSafeInteger(v.max) || v.max < 1 || v.max > MAX_PEER_ADDRESSES)
      throw new RangeError(`peers max ${v.max} is not in 1…${MAX_PEER_ADDRESSES}`)
    w.u64(v.max)
  },
  read: (r) => {
    const max = r.u64n()
    if (max < 1 || max > MAX_PEER_ADDRESSES)
      throw new DecodeError('invalid-value', `peers max ${max} is not in 1…${MAX_PEER_ADDRESSES}`)
    return { max }
  },
}

/** `peers` response: multiaddr strings with a `/p2p/<id>` suffix. */
export const peersResponseCodec = struct({
  addresses: boundedArray(boundedString(MAX_ADDRESS_LENGTH), MAX_PEER_ADDRESSES, 'addresses'),
})
export type PeersResponse = Infer<typeof peersResponseCodec>

/** One transaction set: Sia `[]Transaction`, at least one. */
export const transactionSetCodec = (registry: TransactionRegistry): Codec<readonly Transaction[]> => {
  const list = boundedArray(transactionCodecOf(registry), MAX_SET_TRANSACTIONS, 'transactions')
  return {
    write: (w, v) => list.write(w, v),
    read: (r) => {
      const txs = list.read(r)
      if (txs.length === 0) throw new DecodeError('bad-length', 'empty transaction set')
      return txs
    },
  }
}

/** The `txs` gossip payload (topic version 2): a Sia list of transaction sets, at least one, none empty. */
export const transactionSetsCodec = (
  registry: TransactionRegistry,
): Codec<readonly (readonly Transaction[])[]> => {
  const list = boundedArray(transactionSetCodec(registry), MAX_GOSSIP_SETS, 'transaction sets')
  return {
    write: (w, v) => list.write(w, v),
    read: (r) => {
      const sets = list.read(r)
      if (sets.length === 0) throw new DecodeError('bad-length', 'no transaction set')
      return sets
    },
  }
}

// ---- one chain's wire format ------------------------------------------------------------------------

export interface MessageLimits {
  /** The chain's block size limit (the largest block any message carries). */
  readonly blockSizeLimit: number
  /** The chain's transaction set size limit (about the largest `txs` gossip payload). */
  readonly transactionSetSizeLimit: number
}

/** Fails before the input is copied when it is larger than `max`. */
export function checkSize(bytes: Uint8Array, max: number, what: string): void {
  if (bytes.length > max)
    throw new DecodeError('bad-length', `${what} of ${bytes.length} bytes exceeds the limit of ${max}`)
}

function decodeBounded<T>(codec: Codec<T>, bytes: Uint8Array, max: number, what: string): T {
  checkSize(bytes, max, what)
  return decode(codec, bytes)
}

/** Encoders and size-checked decoders of every message, for one chain (its block codec and limits). */
export class WireMessages {
  /** The largest message any protocol reads (stream reads are capped at it too). */
  readonly maxMessageSize: number
  /** The largest request. */
  readonly maxRequestSize = MAX_REQUEST_SIZE
  /** The largest `txs` gossip payload (its sets together, with their length prefixes). */
  readonly maxTransactionSetSize: number
  private readonly blocksResponse: Codec<BlocksResponse>
  private readonly blockResponse: Codec<Block | undefined>
  private readonly transactionSet: Codec<readonly Transaction[]>
  private readonly transactionSets: Codec<readonly (readonly Transaction[])[]>

  constructor(
    readonly blockCodec: BlockCodec,
    limits: MessageLimits,
  ) {
    this.maxMessageSize = maxMessageSize(limits.blockSizeLimit)
    this.maxTransactionSetSize = limits.transactionSetSizeLimit + FRAMING_BYTES
    this.blocksResponse = blocksResponseCodec(blockCodec)
    this.blockResponse = blockResponseCodec(blockCodec)
    this.transactionSet = transactionSetCodec(blockCodec.registry)
    this.transactionSets = transactionSetsCodec(blockCodec.registry)
  }

  encodeStatus = (s: Status): Uint8Array => encode(statusCodec, s)
  decodeStatus = (b: Uint8Array): Status => decodeBounded(statusCodec, b, MAX_REQUEST_SIZE, 'status')

  encodeBlocksRequest = (req: BlocksRequest): Uint8Array => encode(blocksRequestCodec, req)
  decodeBlocksRequest = (b: Uint8Array): BlocksRequest =>
    decodeBounded(blocksRequestCodec, b, MAX_REQUEST_SIZE, 'blocks request')

  encodeBlocksResponse = (res: BlocksResponse): Uint8Array => encode(this.blocksResponse, res)
  /** The same bytes as `encodeBlocksResponse`, from blocks already in their Sia encoding. */
  encodeBlocksResponseRaw = (blocks: readonly Uint8Array[], more: boolean): Uint8Array => {
    if (blocks.length > MAX_BLOCKS_PER_REQUEST)
      throw new RangeError(`blocks: ${blocks.length} entries, at most ${MAX_BLOCKS_PER_REQUEST}`)
    let size = 9
    for (const b of blocks) size += b.length
    const w = new Writer('sia', size)
    w.length(blocks.length)
    for (const b of blocks) w.bytes(b)
    bool.write(w, more)
    return w.finish()
  }
  decodeBlocksResponse = (b: Uint8Array): BlocksResponse =>
    decodeBounded(this.blocksResponse, b, this.maxMessageSize, 'blocks response')

  encodeBlockRequest = (req: BlockRequest): Uint8Array => encode(blockRequestCodec, req)
  decodeBlockRequest = (b: Uint8Array): BlockRequest =>
    decodeBounded(blockRequestCodec, b, MAX_REQUEST_SIZE, 'block request')

  encodeBlockResponse = (block: Block | undefined): Uint8Array => encode(this.blockResponse, block)
  decodeBlockResponse = (b: Uint8Array): Block | undefined =>
    decodeBounded(this.blockResponse, b, this.maxMessageSize, 'block response')

  encodePeersRequest = (req: { readonly max: number }): Uint8Array => encode(peersRequestCodec, req)
  decodePeersRequest = (b: Uint8Array): { readonly max: number } =>
    decodeBounded(peersRequestCodec, b, MAX_REQUEST_SIZE, 'peers request')

  encodePeersResponse = (res: PeersResponse): Uint8Array => encode(peersResponseCodec, res)
  decodePeersResponse = (b: Uint8Array): PeersResponse =>
    decodeBounded(peersResponseCodec, b, this.maxMessageSize, 'peers response')

  /** The `blocks` gossip payload: the block's Sia encoding. */
  encodeGossipBlock = (block: Block): Uint8Array => this.blockCodec.encode(block)
  decodeGossipBlock = (b: Uint8Array): Block => {
    checkSize(b, this.maxMessageSize, 'gossiped block')
    return this.blockCodec.decode(b)
  }

  /** One set's encoding (an element of a `txs` gossip message, see `encodeGossipTransactionSetsRaw`). */
  encodeTransactionSet = (txs: readonly Transaction[]): Uint8Array => encode(this.transactionSet, txs)

  encodeGossipTransactionSets = (sets: readonly (readonly Transaction[])[]): Uint8Array =>
    encode(this.transactionSets, sets)
  /** The same bytes as `encodeGossipTransactionSets`, from sets already encoded (`encodeTransactionSet`). */
  encodeGossipTransactionSetsRaw = (sets: readonly Uint8Array[]): Uint8Array => {
    if (sets.length === 0 || sets.length > MAX_GOSSIP_SETS)
      throw new RangeError(`transaction sets: ${sets.length} entries, 1 to ${MAX_GOSSIP_SETS}`)
    let size = 8
    for (const s of sets) size += s.length
    const w = new Writer('sia', size)
    w.length(sets.length)
    for (const s of sets) w.bytes(s)
    return w.finish()
  }
  decodeGossipTransactionSets = (b: Uint8Array): readonly (readonly Transaction[])[] =>
    decodeBounded(this.transactionSets, b, this.maxTransactionSetSize, 'gossiped transaction sets')
}
