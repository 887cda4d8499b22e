// Fuzz targets for every p2p message decoder (p2p/protocols/messages.ts): requests, responses and gossip
// payloads of a tfchain-sized wire format, each re-encoded by its own encoder.
import fc from 'fast-check'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { tfchainStandard } from '../../../consensus/params/tfchain.js'
import { BlockCodec } from '../../../consensus/types/block.js'
import {
  type BlocksResponse,
  MAX_ADDRESS_LENGTH,
  MAX_BLOCKS_PER_REQUEST,
  MAX_LOCATOR_IDS,
  MAX_PEER_ADDRESSES,
  WireMessages,
} from '../../../p2p/protocols/messages.js'
import { block, fuzzRegistry, hash32, transaction } from '../arbitraries.js'
import type { Target } from '../engine.js'
import { assertEqual, assertSameBytes } from '../equal.js'

const wire = () =>
  new WireMessages(new BlockCodec(fuzzRegistry()), {
    blockSizeLimit: tfchainStandard.constants.blockSizeLimit,
    transactionSetSizeLimit: tfchainStandard.constants.transactionSetSizeLimit,
  })

const safeNat = fc.nat({ max: Number.MAX_SAFE_INTEGER })
const count = fc.integer({ min: 1, max: MAX_BLOCKS_PER_REQUEST })

/** One message: its arbitrary, encoder and decoder. */
function messageTarget<T>(
  name: string,
  values: fc.Arbitrary<T>,
  pick: (w: WireMessages) => {
    encode: (v: T) => Uint8Array
    decode: (b: Uint8Array) => T
    /** A further check of an accepted value and its canonical bytes. */
    also?: (v: T, bin: Uint8Array) => void
  },
): () => Target<Uint8Array, T> {
  return () => {
    const codec = pick(wire())
    return {
      name: `p2p-${name}`,
      input: 'bytes',
      format: 'sia',
      seeds: [],
      generate: values.map(codec.encode),
      decode: codec.decode,
      isRejection: (err) => err instanceof DecodeError,
      check: (v) => {
        const bin = codec.encode(v)
        const back = codec.decode(bin)
        assertEqual(back, v, `${name} round trip`)
        assertSameBytes(codec.encode(back), bin, `canonical ${name}`)
        codec.also?.(back, bin)
      },
    }
  }
}

export const p2pTargets = [
  messageTarget(
    'status',
    fc.record({
      genesisId: hash32,
      height: safeNat,
      tipId: hash32,
      depth: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    }),
    (w) => ({ encode: w.encodeStatus, decode: w.decodeStatus }),
  ),
  messageTarget(
    'blocks-request',
    fc.oneof(
      fc.record({
        kind: fc.constant('locator' as const),
        ids: fc.array(hash32, { minLength: 1, maxLength: MAX_LOCATOR_IDS }),
        count,
      }),
      fc.record({ kind: fc.constant('range' as const), from: safeNat, count }),
    ),
    (w) => ({ encode: w.encodeBlocksRequest, decode: w.decodeBlocksRequest }),
  ),
  messageTarget(
    'blocks-response',
    fc.record({
      blocks: fc.array(block(false), { maxLength: 3 }),
      more: fc.boolean(),
    }) as fc.Arbitrary<BlocksResponse>,
    (w) => ({
      encode: w.encodeBlocksResponse,
      decode: w.decodeBlocksResponse,
      // the raw form a node answers with (blocks already encoded) must be the same bytes
      also: (res, bin) =>
        assertSameBytes(
          w.encodeBlocksResponseRaw(
            res.blocks.map((b) => w.blockCodec.encode(b)),
            res.more,
          ),
          bin,
          'raw blocks response',
        ),
    }),
  ),
  messageTarget('block-request', fc.record({ id: hash32 }), (w) => ({
    encode: w.encodeBlockRequest,
    decode: w.decodeBlockRequest,
  })),
  messageTarget('block-response', fc.option(block(false), { nil: undefined }), (w) => ({
    encode: w.encodeBlockResponse,
    decode: w.decodeBlockResponse,
  })),
  messageTarget(
    'peers-request',
    fc.record({ max: fc.integer({ min: 1, max: MAX_PEER_ADDRESSES }) }),
    (w) => ({
      encode: w.encodePeersRequest,
      decode: w.decodePeersRequest,
    }),
  ),
  messageTarget(
    'peers-response',
    fc.record({
      addresses: fc.array(fc.string({ maxLength: MAX_ADDRESS_LENGTH / 4 }), {
        maxLength: MAX_PEER_ADDRESSES,
      }),
    }),
    (w) => ({ encode: w.encodePeersResponse, decode: w.decodePeersResponse }),
  ),
  messageTarget('gossip-block', block(false), (w) => ({
    encode: w.encodeGossipBlock,
    decode: w.decodeGossipBlock,
  })),
  messageTarget(
    'gossip-transactions',
    fc.array(fc.array(transaction(false), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    (w) => ({
      encode: w.encodeGossipTransactionSets,
      decode: w.decodeGossipTransactionSets,
    }),
  ),
]
