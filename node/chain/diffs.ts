// A block's changes to the output tables (spendable coins and block stakes, delayed payouts) and its undo
// record: written when the block joins the main chain, reverted from the undo record when it leaves.

import { toHex } from '../../consensus/encoding/hex.js'
import { type BlockDiff, type DelayedOutput, hexKey, MapView } from '../../consensus/state/outputs.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import type { WriteBuffer } from './buffer.js'
import {
  blockDiffCodec,
  decodeValue,
  delayedListCodec,
  encodeValue,
  key,
  outputValueCodec,
  Table,
  u64be,
} from './tables.js'

/** Writes what a block changes in the output tables, its undo record and its place in the height index. */
export function writeDiff(buf: WriteBuffer, id: Uint8Array, diff: BlockDiff): void {
  const h = diff.height
  for (const o of diff.coinOutputsSpent) buf.del(key(Table.Coin, o.id))
  for (const o of diff.blockStakeOutputsSpent) buf.del(key(Table.BlockStake, o.id))
  for (const o of diff.coinOutputsCreated) buf.put(key(Table.Coin, o.id), encodeValue(outputValueCodec, o))
  for (const o of diff.blockStakeOutputsCreated)
    buf.put(key(Table.BlockStake, o.id), encodeValue(outputValueCodec, o))
  if (diff.delayedOutputsCreated.length > 0) {
    buf.put(
      key(Table.Delayed, u64be(diff.delayedOutputsCreated[0]!.maturityHeight)),
      encodeValue(delayedListCodec, diff.delayedOutputsCreated),
    )
  }
  for (const o of diff.delayedOutputsMatured) buf.put(key(Table.Coin, o.id), encodeValue(outputValueCodec, o))
  if (diff.delayedOutputsMatured.length > 0) buf.del(key(Table.Delayed, u64be(h)))
  buf.put(key(Table.Undo, id), encodeValue(blockDiffCodec, diff))
  buf.put(key(Table.Height, u64be(h)), id)
}

/** Undoes `writeDiff` for the main-chain block `id` at `height`; returns the diff it reverted. */
export async function revertDiff(buf: WriteBuffer, id: Uint8Array, height: number): Promise<BlockDiff> {
  const undo = await buf.get(key(Table.Undo, id))
  if (!undo) throw new Error(`no undo data for block ${toHex(id)} at height ${height}`)
  const diff = decodeValue(blockDiffCodec, undo)
  for (const o of diff.delayedOutputsMatured) buf.del(key(Table.Coin, o.id))
  if (diff.delayedOutputsMatured.length > 0)
    buf.put(key(Table.Delayed, u64be(height)), encodeValue(delayedListCodec, diff.delayedOutputsMatured))
  if (diff.delayedOutputsCreated.length > 0)
    buf.del(key(Table.Delayed, u64be(diff.delayedOutputsCreated[0]!.maturityHeight)))
  for (const o of diff.coinOutputsCreated) buf.del(key(Table.Coin, o.id))
  for (const o of diff.blockStakeOutputsCreated) buf.del(key(Table.BlockStake, o.id))
  for (const o of diff.coinOutputsSpent) buf.put(key(Table.Coin, o.id), encodeValue(outputValueCodec, o))
  for (const o of diff.blockStakeOutputsSpent)
    buf.put(key(Table.BlockStake, o.id), encodeValue(outputValueCodec, o))
  buf.del(key(Table.Undo, id))
  buf.del(key(Table.Height, u64be(height)))
  return diff
}

/** Payouts that mature at `height`. */
export async function delayedAt(buf: WriteBuffer, height: number): Promise<DelayedOutput[]> {
  const v = await buf.get(key(Table.Delayed, u64be(height)))
  return v ? [...decodeValue(delayedListCodec, v)] : []
}

/** Every output the transactions spend, loaded in one read per table. */
export async function spentOutputs(buf: WriteBuffer, txs: readonly Transaction[]): Promise<MapView> {
  const coinIds = txs.flatMap((t) => t.coinInputs.map((i) => i.parentId))
  const stakeIds = txs.flatMap((t) => t.blockStakeInputs.map((i) => i.parentId))
  const [coins, stakes] = await Promise.all([
    buf.getMany(coinIds.map((i) => key(Table.Coin, i))),
    buf.getMany(stakeIds.map((i) => key(Table.BlockStake, i))),
  ])
  const view = new MapView()
  for (const [i, v] of coins.entries()) {
    if (v) view.coins.set(hexKey(coinIds[i]!), { id: coinIds[i]!, ...decodeValue(outputValueCodec, v) })
  }
  for (const [i, v] of stakes.entries()) {
    if (v)
      view.blockStakes.set(hexKey(stakeIds[i]!), { id: stakeIds[i]!, ...decodeValue(outputValueCodec, v) })
  }
  return view
}
