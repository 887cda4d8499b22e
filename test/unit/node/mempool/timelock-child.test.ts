// Found by review: the creator's recheck kept a set waiting for a time lock but evicted its (valid) child.
// Sets that fail in a block's context now only stay out of that block.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { genesisTransaction } from '../../../../consensus/params/chain.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction } from '../../../../consensus/types/transaction.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { TransactionPool } from '../../../../node/mempool/index.js'
import { devKey, devnetWithStakers } from '../../../utils/devchain.js'

describe('recheck and time-locked parents', () => {
  it('keeps both a set waiting for its time lock and its child', async () => {
    const key = devKey(0)
    const T = 1_800_000_000
    const base = devnetWithStakers([key], T)
    const me = unlockHashCondition(publicKeyUnlockHash(key.publicKey))
    const lock = BigInt(T + 1000)
    const def = {
      ...base,
      genesis: {
        ...base.genesis,
        coinOutputs: [
          {
            value: base.genesis.coinOutputs[0]!.value,
            condition: { type: 3 as const, lockTime: lock, condition: me },
          },
        ],
      },
    }
    const registry = coreRegistry()
    const now = T + 2000
    const chain = await Chain.open({
      store: createMemoryStore(),
      def,
      registry,
      verifier: nodeEd25519,
      now: () => now,
    })
    const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: () => now }).attach()
    const removed: string[] = []
    pool.on('removed', (ids, reason) => removed.push(`${reason}:${ids.length}`))
    const g = genesisTransaction(def)
    const total = g.coinOutputs[0]!.value
    const fee = def.constants.minimumTransactionFee
    const parent = signSingleSignature(
      registry,
      nodeEd25519,
      {
        ...emptyTransaction(1),
        coinInputs: [{ parentId: registry.coinOutputId(g, 0), fulfillment: { type: 0 } }],
        coinOutputs: [{ value: total - fee, condition: me }],
        minerFees: [fee],
      },
      'coinInputs',
      0,
      key,
    )
    const child = signSingleSignature(
      registry,
      nodeEd25519,
      {
        ...emptyTransaction(1),
        coinInputs: [{ parentId: registry.coinOutputId(parent, 0), fulfillment: { type: 0 } }],
        coinOutputs: [{ value: total - 2n * fee, condition: me }],
        minerFees: [fee],
      },
      'coinInputs',
      0,
      key,
    )
    await pool.addSet([parent])
    await pool.addSet([child])
    // a block whose timestamp is before the lock (e.g. the clock stepped back, or a tip at an earlier time)
    const txs = pool.transactionsForBlock(1_000_000, { height: 1, timestamp: T + 500 })
    expect(txs).toEqual([]) // neither fits this block
    expect(pool.size).toBe(2) // both stay for a later one
    await chain.close()
  })
})
