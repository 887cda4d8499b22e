// Indexes written in a block's own batch when it joins the main chain and removed when it leaves it: the
// transaction index and the address index here; more (an extension's) plug in through `ChainIndexer`.

import type { BlockDiff } from '../../consensus/state/outputs.js'
import { hexKey } from '../../consensus/state/outputs.js'
import type { Block } from '../../consensus/types/block.js'
import { conditionUnlockHash } from '../../consensus/types/conditions.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import type { UnlockHash } from '../../consensus/types/unlockhash.js'
import type { WriteBuffer } from './buffer.js'
import { addressKey, encodeValue, key, Table, txLocationCodec } from './tables.js'

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
