// spec/rivine.md §5.1 (blocks), §2.5 (header, ID, merkle root), §2.6 (miner payout IDs).
import { blake2b256 } from '../crypto/hash.js'
import { merkleRoot } from '../crypto/merkle.js'
import { currency, type Format, fixedBytes, Reader, Writer } from '../encoding/codec.js'
import { DecodeError, inField } from '../encoding/errors.js'
import { fromHex, toHex } from '../encoding/hex.js'
import {
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonUint,
  parseJson,
  stringifyJson,
} from '../encoding/json.js'
import { type Currency, currencyToJson, parseCurrency } from './currency.js'
import type { Transaction, TransactionRegistry } from './transaction.js'
import { parseUnlockHash, type UnlockHash, u64le, unlockHashCodec, unlockHashToString } from './unlockhash.js'

/** Where the block stake output used to create a block sits (spec §5.1). */
export interface BlockStakeOutputIndexes {
  readonly blockHeight: number
  readonly transactionIndex: number
  readonly outputIndex: number
}

export interface MinerPayout {
  readonly value: Currency
  readonly unlockHash: UnlockHash
}

export interface Block {
  readonly parentId: Uint8Array
  readonly timestamp: number
  readonly pobsOutput: BlockStakeOutputIndexes
  readonly minerPayouts: readonly MinerPayout[]
  readonly transactions: readonly Transaction[]
}

export interface BlockHeader {
  readonly parentId: Uint8Array
  readonly pobsOutput: BlockStakeOutputIndexes
  readonly timestamp: number
  readonly merkleRoot: Uint8Array
}

export const BLOCK_HEADER_SIZE = 96
const hash32 = fixedBytes(32)

function writeIndexes(w: Writer, p: BlockStakeOutputIndexes): void {
  w.u64(p.blockHeight)
  w.u64(p.transactionIndex)
  w.u64(p.outputIndex)
}

function readIndexes(r: Reader): BlockStakeOutputIndexes {
  return { blockHeight: r.u64n(), transactionIndex: r.u64n(), outputIndex: r.u64n() }
}

export function writeMinerPayout(w: Writer, p: MinerPayout): void {
  currency.write(w, p.value)
  unlockHashCodec.write(w, p.unlockHash)
}

/** Binary blocks, headers and IDs; needs the chain's transaction registry. */
export class BlockCodec {
  private readonly ids = new WeakMap<Block, Uint8Array>()

  constructor(readonly registry: TransactionRegistry) {}

  write(w: Writer, b: Block): void {
    hash32.write(w, b.parentId)
    w.u64(b.timestamp)
    writeIndexes(w, b.pobsOutput)
    // count prefixes follow the codec (u64le under Sia, compact under rivbin); each transaction is written
    // by its version (v0/v1 data is Sia in both forms, spec §1.4)
    w.length(b.minerPayouts.length)
    for (const p of b.minerPayouts) writeMinerPayout(w, p)
    w.length(b.transactions.length)
    for (const tx of b.transactions) this.registry.writeTransaction(w, tx)
  }

  read(r: Reader): Block {
    const parentId = inField('parentid', () => hash32.read(r))
    const timestamp = inField('timestamp', () => r.u64n())
    const pobsOutput = inField('pobsindexes', () => readIndexes(r))
    const payouts = inField('minerpayouts', () => {
      // the smallest payout: a zero currency (its prefix alone) and an unlock hash (33)
      const n = r.length(r.format === 'sia' ? 8 + 33 : 1 + 33)
      return Array.from({ length: n }, (_, i) =>
        inField(`[${i}]`, () => ({ value: currency.read(r), unlockHash: unlockHashCodec.read(r) })),
      )
    })
    const transactions = inField('transactions', () => {
      const n = r.length(1)
      return Array.from({ length: n }, (_, i) => inField(`[${i}]`, () => this.registry.readTransaction(r)))
    })
    return { parentId, timestamp, pobsOutput, minerPayouts: payouts, transactions }
  }

  /** The Sia encoding (wire, IDs, size limits); `rivbin` gives the reference's Rivine form (spec §1.4). */
  encode(b: Block, format: Format = 'sia'): Uint8Array {
    const w = new Writer(format, 4096)
    this.write(w, b)
    return w.finish()
  }

  decode(bin: Uint8Array, format: Format = 'sia'): Block {
    const r = new Reader(bin.slice(), format)
    const b = this.read(r)
    r.end()
    return b
  }

  /** spec §2.5: the merkle leaves, every payout then every transaction, in their Sia encoding. */
  merkleLeaves(b: Block): Uint8Array[] {
    const leaves: Uint8Array[] = []
    for (const p of b.minerPayouts) {
      const w = new Writer('sia', 64)
      writeMinerPayout(w, p)
      leaves.push(w.finish())
    }
    for (const tx of b.transactions) leaves.push(this.registry.encode(tx))
    return leaves
  }

  merkleRoot(b: Block): Uint8Array {
    return merkleRoot(this.merkleLeaves(b))
  }

  header(b: Block): BlockHeader {
    return {
      parentId: b.parentId,
      pobsOutput: b.pobsOutput,
      timestamp: b.timestamp,
      merkleRoot: this.merkleRoot(b),
    }
  }

  /** The block ID, cached per block object (blocks are immutable, like their transactions). */
  id(b: Block): Uint8Array {
    let id = this.ids.get(b)
    if (!id) {
      id = blockHeaderId(this.header(b))
      this.ids.set(b, id)
    }
    return id
  }

  /** spec §2.6: `H(blockID || u64le(i))`, no specifier. */
  minerPayoutIds(b: Block, blockId = this.id(b)): Uint8Array[] {
    return b.minerPayouts.map((_, i) => minerPayoutId(blockId, i))
  }

  // ---- JSON -----------------------------------------------------------------------------------

  toJson(b: Block): JsonValue {
    return {
      parentid: toHex(b.parentId),
      timestamp: b.timestamp,
      pobsindexes: {
        BlockHeight: b.pobsOutput.blockHeight,
        TransactionIndex: b.pobsOutput.transactionIndex,
        OutputIndex: b.pobsOutput.outputIndex,
      },
      minerpayouts: b.minerPayouts.length
        ? b.minerPayouts.map((p) => ({
            value: currencyToJson(p.value),
            unlockhash: unlockHashToString(p.unlockHash),
          }))
        : null,
      transactions: b.transactions.length ? b.transactions.map((tx) => this.registry.toJson(tx)) : null,
    }
  }

  toJsonString(b: Block): string {
    return stringifyJson(this.toJson(b))
  }

  fromJson(value: unknown): Block {
    const o = jsonObject(value, 'block')
    const idx = jsonObject(o.pobsindexes ?? {}, 'pobsindexes')
    return {
      parentId: fromHex(o.parentid as string, 32, 'parentid'),
      timestamp: jsonUint(o.timestamp, 'timestamp'),
      pobsOutput: {
        blockHeight: jsonUint(idx.BlockHeight ?? 0, 'pobsindexes.BlockHeight'),
        transactionIndex: jsonUint(idx.TransactionIndex ?? 0, 'pobsindexes.TransactionIndex'),
        outputIndex: jsonUint(idx.OutputIndex ?? 0, 'pobsindexes.OutputIndex'),
      },
      minerPayouts: jsonArray(o.minerpayouts, 'minerpayouts').map((p, i) => {
        const po = jsonObject(p, `minerpayouts[${i}]`)
        return {
          value: parseCurrency(po.value, `minerpayouts[${i}].value`),
          unlockHash: parseUnlockHash(po.unlockhash ?? '', `minerpayouts[${i}].unlockhash`),
        }
      }),
      transactions: jsonArray(o.transactions, 'transactions').map((t, i) => {
        try {
          return this.registry.fromJson(t)
        } catch (err) {
          if (err instanceof DecodeError) throw err.within(`transactions[${i}]`)
          throw err
        }
      }),
    }
  }

  fromJsonString(text: string): Block {
    return this.fromJson(parseJson(text))
  }
}

/** The 96-byte header: note the field order differs from the block's (spec §2.5). */
export function encodeHeader(h: BlockHeader): Uint8Array {
  const w = new Writer('sia', BLOCK_HEADER_SIZE)
  hash32.write(w, h.parentId)
  writeIndexes(w, h.pobsOutput)
  w.u64(h.timestamp)
  hash32.write(w, h.merkleRoot)
  return w.finish()
}

export function decodeHeader(bin: Uint8Array): BlockHeader {
  const r = new Reader(bin.slice(), 'sia')
  const h = {
    parentId: hash32.read(r),
    pobsOutput: readIndexes(r),
    timestamp: r.u64n(),
    merkleRoot: hash32.read(r),
  }
  r.end()
  return h
}

export const blockHeaderId = (h: BlockHeader): Uint8Array => blake2b256(encodeHeader(h))
export const minerPayoutId = (blockId: Uint8Array, index: number): Uint8Array =>
  blake2b256(blockId, u64le(index))
