import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { toHex } from '../../../consensus/encoding/hex.js'
import { genesisBlock } from '../../../consensus/params/chain.js'
import { ROOT_DEPTH } from '../../../consensus/pobs/target.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../../../devnet/chaingen.js'
import {
  FRAMING_BYTES,
  genesisPrefix,
  gossipTopics,
  locatorHeights,
  MAX_BLOCKS_PER_REQUEST,
  MAX_GOSSIP_SETS,
  MAX_LOCATOR_IDS,
  MAX_PEER_ADDRESSES,
  MAX_SET_TRANSACTIONS,
  maxMessageSize,
  protocolIds,
  type Status,
  WireMessages,
} from '../../../p2p/protocols/index.js'
import { devKey } from '../../utils/devchain.js'

const registry = coreRegistry()
const codec = new BlockCodec(registry)
const keys = [devKey(0), devKey(1)]
const def = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: 1_700_000_000 })
const limits = { blockSizeLimit: 20_000, transactionSetSizeLimit: 5_000 }
const wire = new WireMessages(codec, limits)

let blocks: Block[] = []
beforeAll(() => {
  blocks = [
    ...generateChain({
      def,
      registry,
      ed: nodeEd25519,
      stakeKey: keys[0]!,
      keys,
      blocks: 6,
      transactionsPerBlock: 2,
    }),
  ]
})

const u64le = (n: bigint) => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n, true)
  return b
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const id = (n: number) => new Uint8Array(32).fill(n)

/** Expects a DecodeError with `code`. */
function rejects(fn: () => unknown, code: DecodeError['code'], message?: RegExp): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
    expect((err as DecodeError).code).toBe(code)
    if (message) expect((err as DecodeError).message).toMatch(message)
    return
  }
  throw new Error('expected a DecodeError')
}

describe('protocol ids and topics', () => {
  const genesisId = codec.id(genesisBlock(def))

  it('scope every protocol and topic by the first 16 hex characters of the genesis ID', () => {
    const p = toHex(genesisId).slice(0, 16)
    expect(genesisPrefix(genesisId)).toBe(p)
    expect(protocolIds(genesisId)).toEqual({
      status: `/blockstake/${p}/status/1`,
      blocks: `/blockstake/${p}/blocks/1`,
      block: `/blockstake/${p}/block/1`,
      peers: `/blockstake/${p}/peers/1`,
    })
    expect(gossipTopics(genesisId)).toEqual({
      blocks: `blockstake/${p}/blocks/2`,
      txs: `blockstake/${p}/txs/2`,
    })
  })

  it('differ between chains', () => {
    const other = codec.id(genesisBlock({ ...def, genesis: { ...def.genesis, timestamp: 1 } }))
    expect(protocolIds(other).status).not.toBe(protocolIds(genesisId).status)
    expect(() => genesisPrefix(new Uint8Array(31))).toThrow(RangeError)
  })
})

describe('status', () => {
  const status: Status = { genesisId: id(1), height: 300, tipId: id(2), depth: ROOT_DEPTH / 7n }

  it('round-trips in exactly 104 bytes', () => {
    const bin = wire.encodeStatus(status)
    expect(bin.length).toBe(104)
    expect(wire.decodeStatus(bin)).toEqual(status)
  })

  it('round-trips any value', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.bigInt({ min: 0n, max: ROOT_DEPTH }),
        (genesisId, height, tipId, depth) => {
          const s = { genesisId, height, tipId, depth }
          expect(wire.decodeStatus(wire.encodeStatus(s))).toEqual(s)
        },
      ),
    )
  })

  it('rejects truncated, trailing and oversize input', () => {
    const bin = wire.encodeStatus(status)
    rejects(() => wire.decodeStatus(bin.subarray(0, 103)), 'truncated')
    rejects(() => wire.decodeStatus(concat(bin, new Uint8Array(1))), 'trailing-bytes')
    rejects(
      () => wire.decodeStatus(new Uint8Array(wire.maxRequestSize + 1)),
      'bad-length',
      /exceeds the limit/,
    )
  })

  it('rejects a height beyond 2^53 − 1', () => {
    const bin = wire.encodeStatus(status)
    bin.set(u64le(1n << 60n), 32)
    rejects(() => wire.decodeStatus(bin), 'invalid-value')
  })
})

describe('blocks request', () => {
  it('round-trips a locator and a range', () => {
    const locator = { kind: 'locator' as const, ids: [id(3), id(2), id(0)], count: 50 }
    const range = { kind: 'range' as const, from: 1234, count: MAX_BLOCKS_PER_REQUEST }
    expect(wire.decodeBlocksRequest(wire.encodeBlocksRequest(locator))).toEqual(locator)
    expect(wire.decodeBlocksRequest(wire.encodeBlocksRequest(range))).toEqual(range)
    const full = {
      kind: 'locator' as const,
      ids: Array.from({ length: MAX_LOCATOR_IDS }, (_, i) => id(i)),
      count: 1,
    }
    expect(wire.decodeBlocksRequest(wire.encodeBlocksRequest(full))).toEqual(full)
  })

  it('refuses to encode out-of-bounds requests', () => {
    expect(() => wire.encodeBlocksRequest({ kind: 'range', from: 0, count: 0 })).toThrow(RangeError)
    expect(() =>
      wire.encodeBlocksRequest({ kind: 'range', from: 0, count: MAX_BLOCKS_PER_REQUEST + 1 }),
    ).toThrow(RangeError)
    expect(() =>
      wire.encodeBlocksRequest({ kind: 'locator', ids: Array.from({ length: 33 }, () => id(1)), count: 1 }),
    ).toThrow(RangeError)
    expect(() => wire.encodeBlocksRequest({ kind: 'locator', ids: [], count: 1 })).toThrow(RangeError)
  })

  it('rejects counts, locators and tags out of bounds', () => {
    const range = (count: bigint) => concat(Uint8Array.of(1), u64le(0n), u64le(count))
    rejects(() => wire.decodeBlocksRequest(range(0n)), 'invalid-value')
    rejects(() => wire.decodeBlocksRequest(range(BigInt(MAX_BLOCKS_PER_REQUEST + 1))), 'invalid-value')
    const ids = Array.from({ length: 33 }, (_, i) => id(i))
    const tooLong = concat(Uint8Array.of(0), u64le(33n), ...ids, u64le(1n))
    rejects(() => wire.decodeBlocksRequest(tooLong), 'bad-length', /at most 32/)
    rejects(() => wire.decodeBlocksRequest(concat(Uint8Array.of(0), u64le(0n), u64le(1n))), 'bad-length')
    rejects(() => wire.decodeBlocksRequest(concat(Uint8Array.of(7), u64le(0n), u64le(1n))), 'unknown-type')
    // a huge prefix fails on the bytes left, before anything is allocated
    rejects(() => wire.decodeBlocksRequest(concat(Uint8Array.of(0), u64le(1n << 40n))), 'bad-length')
    rejects(() => wire.decodeBlocksRequest(new Uint8Array(4096)), 'bad-length', /exceeds the limit/)
  })

  it('never throws anything but a DecodeError on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          wire.decodeBlocksRequest(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError)
        }
      }),
    )
  })
})

describe('blocks response', () => {
  it('round-trips Sia blocks and the more flag', () => {
    for (const more of [true, false]) {
      const res = { blocks: blocks.slice(0, 4), more }
      const bin = wire.encodeBlocksResponse(res)
      const back = wire.decodeBlocksResponse(bin)
      expect(back.more).toBe(more)
      expect(back.blocks.map((b) => toHex(codec.id(b)))).toEqual(res.blocks.map((b) => toHex(codec.id(b))))
      // the layout is Sia []Block followed by a bool
      expect(bin.subarray(8, 8 + codec.encode(blocks[0]!).length)).toEqual(codec.encode(blocks[0]!))
    }
    expect(wire.decodeBlocksResponse(wire.encodeBlocksResponse({ blocks: [], more: false }))).toEqual({
      blocks: [],
      more: false,
    })
  })

  it('encodes pre-encoded blocks to the same bytes', () => {
    for (const n of [0, 1, 4]) {
      for (const more of [true, false]) {
        const res = { blocks: blocks.slice(0, n), more }
        const raw = wire.encodeBlocksResponseRaw(
          res.blocks.map((b) => codec.encode(b)),
          more,
        )
        expect(toHex(raw)).toBe(toHex(wire.encodeBlocksResponse(res)))
      }
    }
  })

  it('rejects oversize input, absurd prefixes, bad flags and bad blocks', () => {
    rejects(
      () => wire.decodeBlocksResponse(new Uint8Array(maxMessageSize(limits.blockSizeLimit) + 1)),
      'bad-length',
    )
    rejects(() => wire.decodeBlocksResponse(concat(u64le(1n << 50n), Uint8Array.of(0))), 'bad-length')
    const over = concat(u64le(BigInt(MAX_BLOCKS_PER_REQUEST + 1)), new Uint8Array(80 * 129))
    rejects(() => wire.decodeBlocksResponse(over), 'bad-length', /at most/)
    const bin = wire.encodeBlocksResponse({ blocks: blocks.slice(0, 1), more: true })
    const badFlag = bin.slice()
    badFlag[badFlag.length - 1] = 2
    rejects(() => wire.decodeBlocksResponse(badFlag), 'invalid-value')
    expect(() => wire.decodeBlocksResponse(bin.subarray(0, bin.length - 10))).toThrow(DecodeError)
  })
})

describe('block by ID', () => {
  it('round-trips a request and both answers', () => {
    expect(wire.decodeBlockRequest(wire.encodeBlockRequest({ id: id(9) }))).toEqual({ id: id(9) })
    expect(wire.decodeBlockResponse(wire.encodeBlockResponse(undefined))).toBeUndefined()
    const back = wire.decodeBlockResponse(wire.encodeBlockResponse(blocks[2]!))
    expect(toHex(codec.id(back!))).toBe(toHex(codec.id(blocks[2]!)))
  })

  it('rejects garbage', () => {
    rejects(() => wire.decodeBlockRequest(new Uint8Array(31)), 'truncated')
    rejects(() => wire.decodeBlockResponse(Uint8Array.of(2)), 'invalid-value')
    rejects(() => wire.decodeBlockResponse(Uint8Array.of(1, 0, 0)), 'truncated')
  })
})

describe('peers', () => {
  it('round-trips addresses', () => {
    const addresses = ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample', '/ip6/::1/tcp/1/p2p/x']
    expect(wire.decodePeersResponse(wire.encodePeersResponse({ addresses }))).toEqual({ addresses })
    expect(wire.decodePeersRequest(wire.encodePeersRequest({ max: 16 }))).toEqual({ max: 16 })
  })

  it('rejects too many, too long and non-UTF-8 addresses', () => {
    const many = Array.from({ length: MAX_PEER_ADDRESSES + 1 }, () => '/ip4/1.2.3.4/tcp/1')
    expect(() => wire.encodePeersResponse({ addresses: many })).toThrow(RangeError)
    const tooMany = concat(u64le(BigInt(MAX_PEER_ADDRESSES + 1)), ...many.map(() => u64le(0n)))
    rejects(() => wire.decodePeersResponse(tooMany), 'bad-length', /at most/)
    const long = concat(u64le(1n), u64le(257n), new Uint8Array(257).fill(0x61))
    rejects(() => wire.decodePeersResponse(long), 'bad-length', /at most 256/)
    const notUtf8 = concat(u64le(1n), u64le(2n), Uint8Array.of(0xff, 0xfe))
    rejects(() => wire.decodePeersResponse(notUtf8), 'invalid-value')
    rejects(() => wire.decodePeersRequest(u64le(0n)), 'invalid-value')
    rejects(() => wire.decodePeersRequest(u64le(65n)), 'invalid-value')
  })
})

describe('gossip payloads', () => {
  it('a block is its Sia encoding', () => {
    const bin = wire.encodeGossipBlock(blocks[3]!)
    expect(bin).toEqual(codec.encode(blocks[3]!))
    expect(toHex(codec.id(wire.decodeGossipBlock(bin)))).toBe(toHex(codec.id(blocks[3]!)))
    rejects(
      () => wire.decodeGossipBlock(new Uint8Array(limits.blockSizeLimit + FRAMING_BYTES + 1)),
      'bad-length',
    )
    rejects(() => wire.decodeGossipBlock(bin.subarray(0, 50)), 'truncated')
  })

  it('a txs gossip message is a Sia list of transaction sets, each a Sia list of transactions', () => {
    const txs = blocks[1]!.transactions.slice(1)
    const sets = [txs, txs.slice(0, 1)]
    const bin = wire.encodeGossipTransactionSets(sets)
    expect(bin.subarray(0, 8)).toEqual(u64le(2n))
    expect(bin.subarray(8, 16)).toEqual(u64le(BigInt(txs.length)))
    expect(wire.encodeGossipTransactionSetsRaw(sets.map(wire.encodeTransactionSet))).toEqual(bin)
    const back = wire.decodeGossipTransactionSets(bin)
    expect(back.map((set) => set.map((t) => toHex(registry.id(t))))).toEqual(
      sets.map((set) => set.map((t) => toHex(registry.id(t)))),
    )
    rejects(() => wire.decodeGossipTransactionSets(u64le(0n)), 'bad-length', /no transaction set/)
    rejects(() => wire.decodeGossipTransactionSets(concat(u64le(1n), u64le(0n))), 'bad-length', /empty/)
    rejects(
      () => wire.decodeGossipTransactionSets(new Uint8Array(wire.maxTransactionSetSize + 1)),
      'bad-length',
    )
    rejects(
      () => wire.decodeGossipTransactionSets(concat(u64le(1n), u64le(1n), Uint8Array.of(99))),
      'unknown-type',
    )
    // the counts are checked before any set or transaction is read
    const tooMany = concat(u64le(1n), u64le(BigInt(MAX_SET_TRANSACTIONS + 1)), new Uint8Array(4_000))
    rejects(() => wire.decodeGossipTransactionSets(tooMany), 'bad-length', /at most 256/)
    const tooManySets = concat(u64le(BigInt(MAX_GOSSIP_SETS + 1)), new Uint8Array(4_000))
    rejects(() => wire.decodeGossipTransactionSets(tooManySets), 'bad-length', /at most 1024/)
    expect(() => wire.encodeGossipTransactionSetsRaw([])).toThrow(RangeError)
  })

  it('never throws anything but a DecodeError on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        for (const decode of [
          wire.decodeGossipBlock,
          wire.decodeGossipTransactionSets,
          wire.decodeBlocksResponse,
          wire.decodeBlockResponse,
          wire.decodePeersResponse,
          wire.decodeStatus,
        ]) {
          try {
            decode(bytes)
          } catch (err) {
            expect(err).toBeInstanceOf(DecodeError)
          }
        }
      }),
    )
  })
})

describe('block locators', () => {
  it('are dense near the tip, exponentially sparser, and end at genesis', () => {
    expect(locatorHeights(0)).toEqual([0])
    expect(locatorHeights(5)).toEqual([5, 4, 3, 2, 1, 0])
    expect(locatorHeights(1000).slice(0, 12)).toEqual([
      1000, 999, 998, 997, 996, 995, 994, 993, 992, 991, 989, 985,
    ])
  })

  it('hold at most 32 strictly decreasing heights', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (tip) => {
        const hs = locatorHeights(tip)
        expect(hs.length).toBeLessThanOrEqual(MAX_LOCATOR_IDS)
        expect(hs[0]).toBe(tip)
        expect(hs[hs.length - 1]).toBe(0)
        for (let i = 1; i < hs.length; i++) expect(hs[i]!).toBeLessThan(hs[i - 1]!)
      }),
    )
  })
})
