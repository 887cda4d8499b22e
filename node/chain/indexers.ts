// Indexes written in a block's own batch when it joins the main chain and removed when it leaves it: the
// transaction index, the address index, the spent coin output index and the multisig wallet index here; more
// (an extension's) plug in through `ChainIndexer`.

import { type Codec, currency, fixedBytes, struct } from '../../consensus/encoding/codec.js'
import { equalBytes } from '../../consensus/encoding/hex.js'
import type { BlockDiff } from '../../consensus/state/outputs.js'
import { hexKey } from '../../consensus/state/outputs.js'
import type { Block } from '../../consensus/types/block.js'
import { type Condition, conditionCodec, conditionUnlockHash } from '../../consensus/types/conditions.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashBytes } from '../../consensus/types/unlockhash.js'
import { type KVStore, prefixRange } from '../db/kvstore.js'
import { WriteBuffer } from './buffer.js'
import {
  addressKey,
  type BlockMeta,
  blockDiffCodec,
  decodeValue,
  encodeValue,
  indexKey,
  infoKey,
  key,
  Table,
  txLocationCodec,
  u64be,
} from './tables.js'

/** What an index sees of a main-chain block: written with `op` put when applied, del when reverted. */
export interface IndexedBlock {
  readonly block: Block
  readonly id: Uint8Array
  readonly height: number
  readonly diff: BlockDiff
}

/**
 * An index kept with the main chain (DESIGN §3: the node-level hook for an extension's indexer). It writes
 * its entries under its own keys (`indexKey(name, …)` in ./tables.ts) and only into `buf`, the block's
 * atomic batch, so a crash or a reorg never leaves it out of step with the chain.
 */
export interface ChainIndexer {
  readonly name: string
  /** Adds (`put`) or removes (`del`) the block's entries. */
  index(buf: WriteBuffer, at: IndexedBlock, op: 'put' | 'del'): void
}

const EMPTY = new Uint8Array(0)

/** Transaction ID → (block, height, index), and address → the transactions and payout blocks touching it. */
export function transactionIndexer(registry: TransactionRegistry): ChainIndexer {
  return {
    name: 'transactions',
    index(buf, { block, id: blockId, height, diff }, op) {
      const write = (k: Uint8Array, v: Uint8Array) => (op === 'put' ? buf.put(k, v) : buf.del(k))
      const spentBy = new Map<string, UnlockHash>()
      for (const o of diff.coinOutputsSpent) spentBy.set(hexKey(o.id), conditionUnlockHash(o.condition))
      for (const o of diff.blockStakeOutputsSpent) spentBy.set(hexKey(o.id), conditionUnlockHash(o.condition))
      const addresses = new Map<string, UnlockHash>()
      const add = (uh: UnlockHash | undefined) => {
        if (uh) addresses.set(uh.type + hexKey(uh.hash), uh)
      }
      for (const [index, tx] of block.transactions.entries()) {
        const txId = registry.id(tx)
        addresses.clear()
        for (const o of tx.coinOutputs) add(conditionUnlockHash(o.condition))
        for (const o of tx.blockStakeOutputs) add(conditionUnlockHash(o.condition))
        for (const i of tx.coinInputs) add(spentBy.get(hexKey(i.parentId)))
        for (const i of tx.blockStakeInputs) add(spentBy.get(hexKey(i.parentId)))
        write(
          key(Table.Tx, txId),
          op === 'put' ? encodeValue(txLocationCodec, { blockId, height, index }) : EMPTY,
        )
        for (const uh of addresses.values()) write(addressKey(uh.type, uh.hash, height, txId), EMPTY)
      }
      for (const p of block.minerPayouts)
        write(addressKey(p.unlockHash.type, p.unlockHash.hash, height, blockId), EMPTY)
    },
  }
}

/** The name of the spent coin output index (its keys: `indexKey(SPENT_COINS_INDEX, outputId)`). */
export const SPENT_COINS_INDEX = 'spent-coins'

/** What the spent coin output index keeps of an output: who spent it, and the output as it was. */
export interface SpentCoinOutput {
  readonly transactionId: Uint8Array
  readonly value: bigint
  readonly condition: Condition
}

export const spentCoinOutputCodec: Codec<SpentCoinOutput> = struct({
  transactionId: fixedBytes(32),
  value: currency,
  condition: conditionCodec,
})

/**
 * Coin output ID → the main-chain transaction that spent it, with the output's value and condition (the
 * output itself leaves the coin table when spent). Wallets read it to find the transaction that redeemed
 * an atomic swap contract, whose fulfillment reveals the secret (spec §8.4), and to audit a spent contract.
 */
export function spentCoinIndexer(registry: TransactionRegistry): ChainIndexer {
  return {
    name: SPENT_COINS_INDEX,
    index(buf, { block, diff }, op) {
      const spent = new Map<string, { value: bigint; condition: Condition }>()
      for (const o of diff.coinOutputsSpent) spent.set(hexKey(o.id), o)
      // an output created and spent inside the block is in neither list of the diff: found among the
      // block's own outputs (hashed only when the block has such an input)
      let created: Map<string, { value: bigint; condition: Condition }> | undefined
      const createdInBlock = () => {
        if (created) return created
        created = new Map()
        for (const tx of block.transactions) {
          const ids = registry.outputIds(tx).coinOutputIds
          for (const [i, o] of tx.coinOutputs.entries()) created.set(hexKey(ids[i]!), o)
        }
        return created
      }
      for (const tx of block.transactions) {
        if (tx.coinInputs.length === 0) continue
        const transactionId = registry.id(tx)
        for (const input of tx.coinInputs) {
          const parent = hexKey(input.parentId)
          const o = spent.get(parent) ?? createdInBlock().get(parent)
          if (!o) continue
          const k = indexKey(SPENT_COINS_INDEX, input.parentId)
          if (op === 'del') buf.del(k)
          else
            buf.put(
              k,
              encodeValue(spentCoinOutputCodec, { transactionId, value: o.value, condition: o.condition }),
            )
        }
      }
    },
  }
}

/** The name of the multisig wallet index (its keys: `multisigKey`). */
export const MULTISIG_INDEX = 'multisig-wallets'

/** The multisig condition an output's condition is, or holds under a time lock (same address), else none. */
export function multisigOf(c: Condition): Extract<Condition, { type: 4 }> | undefined {
  if (c.type === 4) return c
  if (c.type === 3 && c.condition.type === 4) return c.condition
  return undefined
}

/**
 * `member(33) || wallet(33) || u64be(height)` under MULTISIG_INDEX: one entry per member, multisig wallet
 * and main-chain block that created an output to the wallet. Per block, so that reverting a block removes
 * its own entries and leaves those of the earlier blocks that paid the same wallet.
 */
export const multisigKey = (member: UnlockHash, wallet: UnlockHash, height: number): Uint8Array =>
  indexKey(MULTISIG_INDEX, concat(unlockHashBytes(member), unlockHashBytes(wallet), u64be(height)))

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * Member address → the multisig wallets (addresses of a multisig condition, plain or time-locked) it
 * belongs to, as the main chain's coin and block stake outputs reveal them; the value is the multisig
 * condition. Issue #17: the explorer's address page lists them.
 */
export function multisigIndexer(): ChainIndexer {
  return {
    name: MULTISIG_INDEX,
    index(buf, { block, height }, op) {
      const written = new Set<string>()
      for (const tx of block.transactions)
        for (const o of [...tx.coinOutputs, ...tx.blockStakeOutputs]) {
          const ms = multisigOf(o.condition)
          if (!ms) continue
          const wallet = conditionUnlockHash(o.condition)
          const value = encodeValue(conditionCodec, ms)
          for (const member of ms.unlockHashes) {
            const k = multisigKey(member, wallet, height)
            const seen = hexKey(k)
            if (written.has(seen)) continue
            written.add(seen)
            if (op === 'del') buf.del(k)
            else buf.put(k, value)
          }
        }
    },
  }
}

/**
 * Where an extension's index is complete up to: the main-chain block whose entries it wrote last (an info
 * key written in every block's batch with the entries). A data directory where the indexer did not run
 * (made by an older build, or a program without it) is caught up when it opens: `catchUpIndexer`.
 */
export const indexerMarkerKey = (name: string): Uint8Array => infoKey(`indexed/${name}`)

/** The committed chain `catchUpIndexer` reads (the chain's own reads, before any write is queued). */
export interface IndexerCatchUpSource {
  readonly store: KVStore
  readonly tipId: Uint8Array
  readonly tipHeight: number
  idAt(height: number): Uint8Array | undefined
  isOnMainChain(id: Uint8Array, height: number): boolean
  meta(id: Uint8Array): Promise<BlockMeta | undefined>
  block(id: Uint8Array): Promise<Block | undefined>
}

/** Blocks indexed per batch while catching up (each batch moves the marker: a crash resumes there). */
const CATCH_UP_BATCH = 256

/**
 * Brings `indexer`'s entries to the tip: from its marker when the marker is on the main chain, else (no
 * marker, or one on a branch that left the main chain while the indexer was not running) from genesis after
 * removing every entry it has. Returns the number of blocks indexed.
 */
export async function catchUpIndexer(src: IndexerCatchUpSource, indexer: ChainIndexer): Promise<number> {
  const markerKey = indexerMarkerKey(indexer.name)
  const marker = await src.store.get(markerKey)
  if (marker && equalBytes(marker, src.tipId)) return 0
  const meta = marker && (await src.meta(marker))
  let from: number
  if (marker && meta && src.isOnMainChain(marker, meta.height)) from = meta.height + 1
  else {
    const all = prefixRange(indexKey(indexer.name, EMPTY))
    for (;;) {
      const keys: Uint8Array[] = []
      for await (const [k] of src.store.entries({ ...all, limit: 4096 })) keys.push(k)
      if (keys.length === 0) break
      await src.store.batch(keys.map((k) => ({ type: 'del', key: k })))
    }
    from = 0
  }
  for (let start = from; start <= src.tipHeight; start += CATCH_UP_BATCH) {
    const buf = new WriteBuffer(src.store)
    let last: Uint8Array | undefined
    for (let height = start; height <= Math.min(src.tipHeight, start + CATCH_UP_BATCH - 1); height++) {
      const id = src.idAt(height)
      const block = id && (await src.block(id))
      const undo = id && (await src.store.get(key(Table.Undo, id)))
      if (!id || !block || !undo)
        throw new Error(`catching up the ${indexer.name} index: main-chain block ${height} is not stored`)
      indexer.index(buf, { block, id, height, diff: decodeValue(blockDiffCodec, undo) }, 'put')
      last = id
    }
    if (last) buf.put(markerKey, last)
    await buf.commit()
  }
  return src.tipHeight - from + 1
}
