// The per-block fields the oracle-* block files share (siabin, rivbin, JSON, header, ID, merkle leaves and
// root, payout IDs, fees, transaction IDs), checked against our BlockCodec; plus the field bookkeeping that
// makes sure every expected field of a vector is either checked or explicitly handed to later work.
import { expect } from 'vitest'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { merkleLeafHash, merkleRootOfHashes } from '../../consensus/crypto/merkle.js'
import { Writer } from '../../consensus/encoding/codec.js'
import { fromHex, toHex } from '../../consensus/encoding/hex.js'
import { stringifyJson } from '../../consensus/encoding/json.js'
import {
  type Block,
  type BlockCodec,
  decodeHeader,
  encodeHeader,
  writeMinerPayout,
} from '../../consensus/types/block.js'

/** The expected fields `checkBlock` knows. */
export const BLOCK_FIELDS = [
  'siabin',
  'rivbin',
  'json',
  'header_siabin',
  'id',
  'merkle_leaf_hashes',
  'merkle_root',
  'miner_payout_ids',
  'total_miner_fees',
  'transaction_ids',
] as const

/** Checks every field of `expected` that `checkBlock` knows; returns the ones it checked. */
export function checkBlock(codec: BlockCodec, block: Block, expected: Record<string, unknown>): Set<string> {
  const e = expected as Record<string, any>
  const checked = new Set<string>()
  const reg = codec.registry
  const sia = codec.encode(block)
  if (e.siabin !== undefined) {
    expect(toHex(sia), 'siabin').toBe(e.siabin)
    const again = codec.decode(fromHex(e.siabin))
    expect(toHex(codec.encode(again)), 'siabin re-encoded').toBe(e.siabin)
    expect(codec.toJsonString(again), 'JSON of the decoded siabin').toBe(codec.toJsonString(block))
    checked.add('siabin')
  }
  if (e.rivbin !== undefined) {
    expect(toHex(codec.encode(block, 'rivbin')), 'rivbin').toBe(e.rivbin)
    const again = codec.decode(fromHex(e.rivbin), 'rivbin')
    expect(toHex(codec.encode(again)), 'rivbin decoded, Sia re-encoded').toBe(toHex(sia))
    checked.add('rivbin')
  }
  if (e.json !== undefined) {
    const json = stringifyJson(e.json)
    expect(codec.toJsonString(block), 'json').toBe(json)
    expect(toHex(codec.encode(codec.fromJson(e.json))), 'json decoded, Sia encoded').toBe(toHex(sia))
    checked.add('json')
  }
  const header = codec.header(block)
  const headerBin = encodeHeader(header)
  expect(headerBin.length).toBe(96)
  if (e.header_siabin !== undefined) {
    expect(toHex(headerBin), 'header_siabin').toBe(e.header_siabin)
    expect(toHex(encodeHeader(decodeHeader(fromHex(e.header_siabin))))).toBe(e.header_siabin)
    checked.add('header_siabin')
  }
  const id = codec.id(block)
  expect(toHex(id)).toBe(toHex(blake2b256(headerBin)))
  if (e.id !== undefined) {
    expect(toHex(id), 'id').toBe(e.id)
    checked.add('id')
  }
  // leaves: every payout, then every transaction, in their Sia encoding (spec §2.5)
  const leaves = [
    ...block.minerPayouts.map((p) => {
      const w = new Writer('sia')
      writeMinerPayout(w, p)
      return merkleLeafHash(w.finish())
    }),
    ...block.transactions.map((tx) => merkleLeafHash(reg.encode(tx))),
  ]
  const root = codec.merkleRoot(block)
  expect(toHex(root)).toBe(toHex(merkleRootOfHashes(leaves)))
  expect(toHex(header.merkleRoot)).toBe(toHex(root))
  if (e.merkle_leaf_hashes !== undefined) {
    expect(leaves.map(toHex), 'merkle_leaf_hashes').toEqual(e.merkle_leaf_hashes)
    checked.add('merkle_leaf_hashes')
  }
  if (e.merkle_root !== undefined) {
    expect(toHex(root), 'merkle_root').toBe(e.merkle_root)
    checked.add('merkle_root')
  }
  if (e.miner_payout_ids !== undefined) {
    expect(codec.minerPayoutIds(block).map(toHex), 'miner_payout_ids').toEqual(e.miner_payout_ids)
    expect(
      block.minerPayouts.map((_, i) => {
        const index = new Uint8Array(8)
        new DataView(index.buffer).setBigUint64(0, BigInt(i), true)
        return toHex(blake2b256(id, index))
      }),
    ).toEqual(e.miner_payout_ids)
    checked.add('miner_payout_ids')
  }
  if (e.total_miner_fees !== undefined) {
    let fees = 0n
    // Σ miner fees + Σ custom miner payouts of every transaction (spec §5.4)
    for (const tx of block.transactions) {
      for (const f of tx.minerFees) fees += f
      for (const p of reg.customMinerPayouts(tx)) fees += p.value
    }
    expect(fees.toString(), 'total_miner_fees').toBe(e.total_miner_fees)
    checked.add('total_miner_fees')
  }
  if (e.transaction_ids !== undefined) {
    expect(
      block.transactions.map((tx) => toHex(reg.id(tx))),
      'transaction_ids',
    ).toEqual(e.transaction_ids)
    checked.add('transaction_ids')
  }
  return checked
}

/**
 * Every key of `expected` must be in `checked` or in `deferred` (fields that belong to later work): an
 * unknown field fails the vector, so nothing is skipped silently. Returns whether anything was deferred.
 */
export function accountFields(
  expected: Record<string, unknown>,
  checked: ReadonlySet<string>,
  deferred: readonly string[] = [],
): boolean {
  const unaccounted = Object.keys(expected).filter((k) => !checked.has(k) && !deferred.includes(k))
  expect(unaccounted, 'expected fields nobody checked').toEqual([])
  return Object.keys(expected).some((k) => deferred.includes(k) && !checked.has(k))
}
