// Found by review: transactionsForBlock orders by fee, not by extension-state dependencies; the recheck then
// evicts a valid payment that relies on an authorization waiting in the pool.
import { describe, expect, it } from 'vitest'
import {
  alice,
  authorize,
  base,
  def,
  FEE,
  NOW,
  nextBlock,
  registry,
  rules,
  staker,
} from '../../../utils/extchain.js'
import { genesisPayment, openExtChain } from '../../../utils/extnode.js'
import { MemoryChain } from '../../../utils/replay.js'

describe('pool order vs extension dependencies', () => {
  it('a payment relying on an in-pool authorization is evicted by the creator recheck', async () => {
    const { chain, pool } = await openExtChain()
    const removed: string[] = []
    pool.on('removed', (ids, reason) => removed.push(`${reason}:${ids.length}`))
    const replay = new MemoryChain(def, registry, NOW, rules)
    const b1 = nextBlock(replay, [authorize(staker)])
    replay.append(b1)
    expect((await chain.addBlock(b1)).status).toBe('tip')
    await pool.settled()
    const auth = authorize(alice) // the authority's update, minimum fee
    const pay = genesisPayment(alice, 10n * base.oneCoin, 10n * FEE) // valid once alice is authorized; pays more per byte
    await pool.addSet([auth])
    await pool.addSet([pay]) // accepted: the pool's state has alice authorized
    expect(pool.size).toBe(2)
    const txs = pool.transactionsForBlock(1_000_000, { height: chain.height + 1, timestamp: NOW() })
    expect(txs).toHaveLength(2)
    expect(pool.size).toBe(2)
    await chain.close()
  })
})
