// The node's notary index (issue #14, docs/notary.md): document hash → the main-chain transactions whose
// arbitrary data starts with its record. Ordinary arbitrary data, no chain rule: the entries are written in
// each block's own batch and removed when the block leaves the main chain (node/chain/indexers.ts).

import { concatBytes } from '../../consensus/encoding/hex.js'
import { transactionNotaryHash } from '../../consensus/extensions/notary/record.js'
import type { Chain } from '../chain/chain.js'
import type { ChainIndexer } from '../chain/indexers.js'
import { indexKey, u64be } from '../chain/tables.js'

export const NOTARY_INDEX = 'notary'

/** One registration as indexed: the block and the transaction's index in it. */
export interface NotaryEntry {
  readonly height: number
  readonly index: number
  readonly blockId: Uint8Array
}

// key: hash(32) || u64be(height) || u64be(index in block); value: blockId(32)
const entryKey = (hash: Uint8Array, height: number, index: number): Uint8Array =>
  concatBytes(hash, u64be(height), u64be(index))

export const notaryIndexer: ChainIndexer = {
  name: NOTARY_INDEX,
  index(buf, { block, id, height }, op) {
    for (const [index, tx] of block.transactions.entries()) {
      const hash = transactionNotaryHash(tx)
      if (!hash) continue
      const k = indexKey(NOTARY_INDEX, entryKey(hash, height, index))
      if (op === 'put') buf.put(k, id)
      else buf.del(k)
    }
  },
}

const readU64be = (b: Uint8Array, at: number): number =>
  Number(new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0, false))

/** The registrations of `hash` on the main chain, oldest first, at most `limit`. */
export async function notaryEntries(chain: Chain, hash: Uint8Array, limit: number): Promise<NotaryEntry[]> {
  const found = await chain.indexEntries(NOTARY_INDEX, hash, limit)
  return found.map(({ key, value }) => ({
    height: readU64be(key, 32),
    index: readU64be(key, 40),
    blockId: value,
  }))
}
