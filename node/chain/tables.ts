// DESIGN §5: one key prefix per table; values are Sia-encoded. The layout is versioned (SCHEMA_VERSION).
import {
  array,
  bytes,
  type Codec,
  currency,
  fixedBytes,
  pointer,
  Reader,
  string,
  struct,
  u64n,
  Writer,
} from '../../consensus/encoding/codec.js'
import { bigintToFixed, bytesToBigint, concatBytes } from '../../consensus/encoding/hex.js'
import type { Target } from '../../consensus/pobs/target.js'
import type { ExtensionChange } from '../../consensus/state/extensions.js'
import type { BlockDiff, DelayedOutput, OutputEntry } from '../../consensus/state/outputs.js'
import { conditionCodec } from '../../consensus/types/conditions.js'

export const SCHEMA_VERSION = 1

export const Table = {
  /** blockId → Sia block */
  Block: 0x01,
  /** blockId → BlockMeta */
  Meta: 0x02,
  /** u64be(height) → blockId of the main chain */
  Height: 0x03,
  /** coinOutputId → OutputValue (spendable coin outputs) */
  Coin: 0x04,
  /** blockStakeOutputId → OutputValue */
  BlockStake: 0x05,
  /** u64be(maturityHeight) → DelayedOutput[] (miner payouts waiting for maturity) */
  Delayed: 0x06,
  /** blockId → BlockDiff (undo data of an applied block) */
  Undo: 0x07,
  /** transactionId → TxLocation (main chain only) */
  Tx: 0x08,
  /** unlockHash(33) || u64be(height) || txId → empty (address activity, main chain only) */
  Address: 0x09,
  /** name → value: tip, genesis, schema version */
  Info: 0x0a,
  /** extension state, sub-keyed by each extension */
  Extension: 0x0b,
  /** indexes an extension adds (`ChainIndexer`), sub-keyed by the indexer's name */
  Index: 0x0c,
} as const

export const key = (table: number, ...parts: Uint8Array[]): Uint8Array =>
  concatBytes(new Uint8Array([table]), ...parts)

export function u64be(n: number): Uint8Array {
  const out = new Uint8Array(8)
  writeU64be(out, 0, n)
  return out
}

/** A non-negative safe integer as 8 big-endian bytes at `at`. */
function writeU64be(out: Uint8Array, at: number, n: number): void {
  const hi = Math.floor(n / 0x1_0000_0000)
  const lo = n >>> 0
  out[at] = hi >>> 24
  out[at + 1] = (hi >>> 16) & 0xff
  out[at + 2] = (hi >>> 8) & 0xff
  out[at + 3] = hi & 0xff
  out[at + 4] = lo >>> 24
  out[at + 5] = (lo >>> 16) & 0xff
  out[at + 6] = (lo >>> 8) & 0xff
  out[at + 7] = lo & 0xff
}

/** `Address` key `table || type || hash || u64be(height) || id`, in one allocation (many per block). */
export function addressKey(type: number, hash: Uint8Array, height: number, id: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + hash.length + 8 + id.length)
  out[0] = Table.Address
  out[1] = type
  out.set(hash, 2)
  writeU64be(out, 2 + hash.length, height)
  out.set(id, 10 + hash.length)
  return out
}

export const infoKey = (name: string): Uint8Array => key(Table.Info, new TextEncoder().encode(name))

/** A value codec over the Sia format. */
export function encodeValue<T>(codec: Codec<T>, value: T): Uint8Array {
  const w = new Writer('sia', 128)
  codec.write(w, value)
  return w.finish()
}

export function decodeValue<T>(codec: Codec<T>, bytes: Uint8Array): T {
  const r = new Reader(bytes, 'sia')
  const v = codec.read(r)
  r.end()
  return v
}

const hash32 = fixedBytes(32)
const target: Codec<Target> = {
  write: (w, t) => w.bytes(bigintToFixed(t, 32)),
  read: (r) => bytesToBigint(r.bytes(32)),
  minSize: 32,
}

export enum BlockStatus {
  /** Stored with depth and target; its transactions were not validated yet (a lighter fork). */
  Stored = 0,
  /** Its transactions were validated (it is or was on the main chain). */
  Valid = 1,
  /** Failed validation; never reconsidered. */
  Invalid = 2,
}

export interface BlockMeta {
  readonly height: number
  readonly parentId: Uint8Array
  readonly timestamp: number
  readonly depth: Target
  readonly childTarget: Target
  readonly status: BlockStatus
}

const statusCodec: Codec<BlockStatus> = {
  write: (w, v) => w.byte(v),
  read: (r) => r.byte() as BlockStatus,
  minSize: 1,
}

export const blockMetaCodec: Codec<BlockMeta> = struct({
  height: u64n,
  parentId: hash32,
  timestamp: u64n,
  depth: target,
  childTarget: target,
  status: statusCodec,
})

/** An unspent output's value and condition (its ID is the key). */
export const outputValueCodec: Codec<{ value: bigint; condition: OutputEntry['condition'] }> = struct({
  value: currency,
  condition: conditionCodec,
})

export const outputEntryCodec: Codec<OutputEntry> = struct({
  id: hash32,
  value: currency,
  condition: conditionCodec,
})
export const delayedOutputCodec: Codec<DelayedOutput> = struct({
  id: hash32,
  value: currency,
  condition: conditionCodec,
  maturityHeight: u64n,
})
export const delayedListCodec = array(delayedOutputCodec)

/** One extension state change: its namespace, key and the values before and after (absent = none). */
export const extensionChangeCodec: Codec<ExtensionChange> = struct({
  extension: string,
  key: string,
  before: pointer(bytes),
  after: pointer(bytes),
})

const outputDiffCodec = struct({
  height: u64n,
  coinOutputsCreated: array(outputEntryCodec),
  coinOutputsSpent: array(outputEntryCodec),
  blockStakeOutputsCreated: array(outputEntryCodec),
  blockStakeOutputsSpent: array(outputEntryCodec),
  delayedOutputsCreated: array(delayedOutputCodec),
  delayedOutputsMatured: array(delayedOutputCodec),
})
const extensionChangesCodec = array(extensionChangeCodec)

/**
 * The undo record of a block: its output changes, then its extension state changes when it has any. A
 * record without the second part (every block of a chain without extensions, and every record written
 * before extension state was stored) reads as no extension changes, so older data directories open as
 * they are.
 */
export const blockDiffCodec: Codec<BlockDiff> = {
  write(w, diff) {
    outputDiffCodec.write(w, diff)
    if (diff.extensionChanges.length > 0) extensionChangesCodec.write(w, diff.extensionChanges)
  },
  read(r) {
    const outputs = outputDiffCodec.read(r)
    return { ...outputs, extensionChanges: r.remaining > 0 ? extensionChangesCodec.read(r) : [] }
  },
}

const utf8 = new TextEncoder()

/** A key of an extension's index (`ChainIndexer`): its name, a 0 byte, then its own key bytes. */
export const indexKey = (indexer: string, k: Uint8Array): Uint8Array =>
  key(Table.Index, utf8.encode(indexer), new Uint8Array([0]), k)

/** The key of an extension state pair: the extension's name, a 0 byte, the key (names never hold 0). */
export const extensionKey = (extension: string, k: string): Uint8Array =>
  key(Table.Extension, utf8.encode(extension), new Uint8Array([0]), utf8.encode(k))

export interface TxLocation {
  readonly blockId: Uint8Array
  readonly height: number
  readonly index: number
}
export const txLocationCodec: Codec<TxLocation> = struct({ blockId: hash32, height: u64n, index: u64n })
