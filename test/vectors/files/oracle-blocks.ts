// test/vectors/data/oracle-blocks.json (copied from shared/vectors): blocks built from
// oracle-transactions.json's signed transactions — siabin, rivbin, JSON, header, ID, merkle leaves and root,
// payout IDs, fees, transaction IDs.
import { expect } from 'vitest'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { fromHex, toHex, utf8 } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { parseCurrency } from '../../../consensus/types/currency.js'
import { parseUnlockHash } from '../../../consensus/types/unlockhash.js'
import { accountFields, checkBlock } from '../block-checks.js'
import type { Outcome, Vector } from '../framework.js'
import { oracleKey, oracleRegistry, oracleTransaction } from '../oracle.js'

const codec = new BlockCodec(oracleRegistry)

/** The block described by the vector's inputs (transactions by name from oracle-transactions.json). */
function blockFromInputs(i: Vector['inputs']): Block {
  const idx = i.pobsindexes ?? { BlockHeight: 0, TransactionIndex: 0, OutputIndex: 0 }
  return {
    parentId: fromHex(i.parentid, 32),
    timestamp: i.timestamp,
    pobsOutput: {
      blockHeight: idx.BlockHeight,
      transactionIndex: idx.TransactionIndex,
      outputIndex: idx.OutputIndex,
    },
    minerPayouts: ((i.minerpayouts ?? []) as { value: string; unlockhash: string }[]).map((p) => ({
      value: parseCurrency(p.value),
      unlockHash: parseUnlockHash(p.unlockhash),
    })),
    transactions: ((i.transactions ?? []) as string[]).map(oracleTransaction),
  }
}

export function handle(v: Vector): Outcome {
  switch (v.name) {
    case 'block-two-transactions':
    case 'block-empty':
    case 'block-three-merkle-leaves': {
      const block = blockFromInputs(v.inputs)
      const checked = checkBlock(codec, block, v.expected)
      accountFields(v.expected, checked)
      // the inputs' payouts and the JSON's agree; the parent is blake2b("rivine-oracle/parent-block")
      expect(stringifyJson(v.expected.json.minerpayouts)).toBe(stringifyJson(v.inputs.minerpayouts ?? null))
      expect(toHex(blake2b256(utf8('rivine-oracle/parent-block')))).toBe(v.inputs.parentid)
      if (v.name === 'block-two-transactions') {
        // payouts: block creator fee to seedC/0, collected fees to devnet/25 (spec §5.4 order)
        expect(toHex(block.minerPayouts[0]!.unlockHash.hash)).toBe(
          toHex(oracleKey('seedC/0').unlockHash.hash),
        )
        expect(toHex(block.minerPayouts[1]!.unlockHash.hash)).toBe(
          toHex(oracleKey('devnet/25').unlockHash.hash),
        )
      }
      return undefined
    }
    default:
      throw new Error(`oracle-blocks.json: unknown vector ${v.name}`)
  }
}
