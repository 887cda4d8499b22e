// Converters for neutral transcriptions that ./neutral.ts does not cover (blocks).
import { fromHex } from '../../consensus/encoding/hex.js'
import type { Block } from '../../consensus/types/block.js'
import { neutralToTransaction, neutralToUnlockHash, type Placeholders } from './neutral.js'

/**
 * `{parent_id, timestamp, pobs_output: {block_height, transaction_index, output_index},
 * miner_payouts: [{value, unlockhash}], transactions: [neutral transaction]}` → Block.
 */
export function neutralToBlock(n: unknown, ph?: Placeholders): Block {
  const b = n as Record<string, any>
  return {
    parentId: fromHex(b.parent_id, 32),
    timestamp: Number(b.timestamp),
    pobsOutput: {
      blockHeight: Number(b.pobs_output.block_height),
      transactionIndex: Number(b.pobs_output.transaction_index),
      outputIndex: Number(b.pobs_output.output_index),
    },
    minerPayouts: ((b.miner_payouts ?? []) as Record<string, unknown>[]).map((p) => ({
      value: BigInt(p.value as string),
      unlockHash: neutralToUnlockHash(p.unlockhash, ph),
    })),
    transactions: ((b.transactions ?? []) as unknown[]).map((t) => neutralToTransaction(t, ph)),
  }
}
