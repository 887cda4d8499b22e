// Signature checks across the blocks of one vector file: every input whose parent output (transaction output
// or miner payout) appears in the file must fulfil that output's condition at its block's height and time.
import { expect } from 'vitest'
import { toHex } from '../../consensus/encoding/hex.js'
import { type Block, BlockCodec, blockHeaderId, minerPayoutId } from '../../consensus/types/block.js'
import { type Condition, unlockHashCondition } from '../../consensus/types/conditions.js'
import { fulfillError } from '../../consensus/types/fulfill.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import { verifiers } from './oracle.js'

export interface HeightBlock {
  readonly height: number
  readonly block: Block
}

const indexes = new WeakMap<
  readonly HeightBlock[],
  { coins: Map<string, Condition>; stakes: Map<string, Condition> }
>()

/** Output ID → condition of every output the blocks create (payouts become unlock-hash conditions). */
function outputIndex(registry: TransactionRegistry, blocks: readonly HeightBlock[]) {
  const cached = indexes.get(blocks)
  if (cached) return cached
  const idx = { coins: new Map<string, Condition>(), stakes: new Map<string, Condition>() }
  const codec = new BlockCodec(registry)
  for (const { block } of blocks) {
    const id = blockHeaderId(codec.header(block))
    for (const [i, p] of block.minerPayouts.entries())
      idx.coins.set(toHex(minerPayoutId(id, i)), unlockHashCondition(p.unlockHash))
    for (const tx of block.transactions) {
      const ids = registry.outputIds(tx)
      for (const [i, o] of tx.coinOutputs.entries()) idx.coins.set(toHex(ids.coinOutputIds[i]!), o.condition)
      for (const [i, o] of tx.blockStakeOutputs.entries())
        idx.stakes.set(toHex(ids.blockStakeOutputIds[i]!), o.condition)
    }
  }
  indexes.set(blocks, idx)
  return idx
}

/**
 * Verifies (with every verifier) each input of `block` whose parent is created somewhere in `blocks`;
 * returns how many inputs were verified.
 */
export function verifyKnownInputs(
  registry: TransactionRegistry,
  blocks: readonly HeightBlock[],
  height: number,
  block: Block,
): number {
  const idx = outputIndex(registry, blocks)
  let verified = 0
  for (const [t, tx] of block.transactions.entries()) {
    for (const [list, known] of [
      ['coinInputs', idx.coins],
      ['blockStakeInputs', idx.stakes],
    ] as const) {
      for (const [index, input] of tx[list].entries()) {
        const condition = known.get(toHex(input.parentId))
        if (!condition) continue
        for (const verifier of verifiers) {
          const err = fulfillError(condition, input.fulfillment, {
            blockHeight: height,
            blockTime: block.timestamp,
            verifier,
            sigHash: (extras) => registry.inputSigHash(tx, index, extras),
          })
          expect(err, `block ${height} tx ${t} ${list}[${index}] (${verifier.name})`).toBeUndefined()
        }
        verified++
      }
    }
  }
  return verified
}
