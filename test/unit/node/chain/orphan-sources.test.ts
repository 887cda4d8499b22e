// Found by review: one attacker cycling peer identities (free in libp2p) evicts every honest orphan.
import { describe, expect, it } from 'vitest'
import type { Block } from '../../../../consensus/types/block.js'
import { emptyTransaction } from '../../../../consensus/types/transaction.js'
import { DEFAULT_ORPHAN_LIMITS, OrphanPool } from '../../../../node/chain/orphans.js'

let serial = 0
function orphan(parent: number): { block: Block; id: Uint8Array } {
  const id = new Uint8Array(32)
  new DataView(id.buffer).setUint32(0, ++serial)
  return {
    block: {
      parentId: new Uint8Array(32).fill(parent),
      timestamp: 0,
      pobsOutput: { blockHeight: 0, transactionIndex: 0, outputIndex: 0 },
      minerPayouts: [],
      transactions: [emptyTransaction(1)],
    },
    id,
  }
}

describe('orphan sources', () => {
  it('five identities of one attacker do not push out an honest orphan (defaults)', () => {
    const pool = new OrphanPool(DEFAULT_ORPHAN_LIMITS)
    const honest = orphan(1)
    pool.add(honest.block, honest.id, 300, 'honest-peer')
    for (let identity = 0; identity < 5 && pool.has(honest.id); identity++)
      for (let i = 0; i < 64; i++) {
        const o = orphan(2)
        pool.add(o.block, o.id, 300, `attacker-${identity}`)
      }
    expect(pool.has(honest.id)).toBe(true)
    expect(pool.size).toBeLessThanOrEqual(DEFAULT_ORPHAN_LIMITS.blocks)
  })
})
