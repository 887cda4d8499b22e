// Found by review: a chain builder's block rule is not part of the creator's recheck: every block fails.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import { jsonObject } from '../../../../consensus/encoding/json.js'
import {
  BUILTIN_EXTENSIONS,
  chainConsensus,
  type Extension,
  ruleError,
} from '../../../../consensus/extensions/index.js'
import { genesisTransaction } from '../../../../consensus/params/chain.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction } from '../../../../consensus/types/transaction.js'
import { BlockCreator } from '../../../../node/blockcreator/creator.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { TransactionPool } from '../../../../node/mempool/index.js'
import { devKey, devnetWithStakers, SimClock } from '../../../utils/devchain.js'

/** A chain builder's block rule: at most one transaction with arbitrary data per block. */
const oneNote: Extension<Record<string, never>> = {
  name: 'onenote',
  parseParams: (value, path) => {
    jsonObject(value ?? {}, path)
    return {}
  },
  paramsToJson: () => ({}),
  versions: () => [],
  enable: () => ({
    name: 'onenote',
    transactionTypes: [],
    rules: [],
    blockRules: [
      {
        name: 'onenote/per-block',
        apply(block) {
          if (block.transactions.filter((t) => t.arbitraryData.length > 0).length > 1)
            throw ruleError('onenote/per-block', 'extension-rule', 'more than one note in the block')
        },
      },
    ],
  }),
}

describe('block rules and the creator recheck', () => {
  it('two valid notes in the pool make every block the creator makes invalid', async () => {
    const key = devKey(0)
    const clock = new SimClock(1_800_000_000)
    const def = { ...devnetWithStakers([key], clock.t), extensions: { onenote: {} } }
    const { registry, rules } = chainConsensus(def, [...BUILTIN_EXTENSIONS, oneNote])
    const chain = await Chain.open({
      store: createMemoryStore(),
      def,
      registry,
      rules,
      verifier: nodeEd25519,
      now: clock.now,
    })
    const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: clock.now }).attach()
    const creator = new BlockCreator({ chain, keys: [key], ed: nodeEd25519, pool, now: clock.now })
    const g = genesisTransaction(def)
    const total = g.coinOutputs[0]!.value
    const fee = def.constants.minimumTransactionFee
    const me = unlockHashCondition(publicKeyUnlockHash(key.publicKey))
    const t1 = signSingleSignature(
      registry,
      nodeEd25519,
      {
        ...emptyTransaction(1),
        coinInputs: [{ parentId: registry.coinOutputId(g, 0), fulfillment: { type: 0 } }],
        coinOutputs: [{ value: total - fee, condition: me }],
        minerFees: [fee],
        arbitraryData: utf8('note one'),
      },
      'coinInputs',
      0,
      key,
    )
    const t2 = signSingleSignature(
      registry,
      nodeEd25519,
      {
        ...emptyTransaction(1),
        coinInputs: [{ parentId: registry.coinOutputId(t1, 0), fulfillment: { type: 0 } }],
        coinOutputs: [{ value: total - 2n * fee, condition: me }],
        minerFees: [fee],
        arbitraryData: utf8('note two'),
      },
      'coinInputs',
      0,
      key,
    )
    await pool.addSet([t1])
    await pool.addSet([t2])
    expect(pool.size).toBe(2)
    const outcomes: string[] = []
    for (let i = 0; i < 400 && outcomes.length < 5; i++) {
      try {
        const made = await creator.createBlock()
        if (made) outcomes.push(made.result.status)
      } catch (err) {
        outcomes.push(String((err as Error).message).slice(0, 60))
      }
      clock.advance(1)
    }
    expect(chain.height).toBeGreaterThan(0)
    await chain.close()
  })
})
