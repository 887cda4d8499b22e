// Found by review: transactionsForBlock orders by fee, not by extension-state dependencies; the recheck then
// evicts a valid payment that relies on an authorization waiting in the pool.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { genesisTransaction } from '../../../../consensus/params/chain.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction } from '../../../../consensus/types/transaction.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { TransactionPool } from '../../../../node/mempool/pool.js'
import {
  alice,
  authorize,
  base,
  conditionOf,
  def,
  FEE,
  NOW,
  nextBlock,
  registry,
  rules,
  staker,
} from '../../../utils/extchain.js'
import { MemoryChain } from '../../../utils/replay.js'

function payment(to: SigningKey, value: bigint, fee: bigint) {
  const g = genesisTransaction(def)
  const total = g.coinOutputs[0]!.value
  return signSingleSignature(
    registry,
    nodeEd25519,
    {
      ...emptyTransaction(1),
      coinInputs: [{ parentId: registry.coinOutputId(g, 0), fulfillment: { type: 0 } }],
      coinOutputs: [
        { value, condition: conditionOf(to) },
        { value: total - value - fee, condition: conditionOf(staker) },
      ],
      minerFees: [fee],
    },
    'coinInputs',
    0,
    staker,
  )
}

describe('pool order vs extension dependencies', () => {
  it('a payment relying on an in-pool authorization is evicted by the creator recheck', async () => {
    const chain = await Chain.open({
      store: createMemoryStore(),
      def,
      registry,
      rules,
      verifier: nodeEd25519,
      now: NOW,
    })
    const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: NOW }).attach()
    const removed: string[] = []
    pool.on('removed', (ids, reason) => removed.push(`${reason}:${ids.length}`))
    const replay = new MemoryChain(def, registry, NOW, rules)
    const b1 = nextBlock(replay, [authorize(staker)])
    replay.append(b1)
    expect((await chain.addBlock(b1)).status).toBe('tip')
    await pool.settled()
    const auth = authorize(alice) // the authority's update, minimum fee
    const pay = payment(alice, 10n * base.oneCoin, 10n * FEE) // valid once alice is authorized; pays more per byte
    await pool.addSet([auth])
    await pool.addSet([pay]) // accepted: the pool's state has alice authorized
    expect(pool.size).toBe(2)
    const txs = pool.transactionsForBlock(1_000_000, { height: chain.height + 1, timestamp: NOW() })
    expect(txs).toHaveLength(2)
    expect(pool.size).toBe(2)
    await chain.close()
  })
})
