// Issue #13: orphans cost their sender nothing to send, so what they may hold is bounded in blocks, bytes and
// transactions, overall and per source, and a source over its share loses its own oldest ones first.
import { describe, expect, it } from 'vitest'
import type { Block } from '../../../../consensus/types/block.js'
import { emptyTransaction } from '../../../../consensus/types/transaction.js'
import { OrphanPool } from '../../../../node/chain/orphans.js'

const tiny = emptyTransaction(1)
let serial = 0
/** A block waiting for `parent` (only its parent, ID and transaction count matter here). */
function orphan(parent: number, transactions = 1): { block: Block; id: Uint8Array } {
  const id = new Uint8Array(32)
  new DataView(id.buffer).setUint32(0, ++serial)
  const parentId = new Uint8Array(32).fill(parent)
  return {
    block: {
      parentId,
      timestamp: 0,
      pobsOutput: { blockHeight: 0, transactionIndex: 0, outputIndex: 0 },
      minerPayouts: [],
      transactions: new Array(transactions).fill(tiny),
    },
    id,
  }
}

const limits = { blocks: 16, bytes: 16_000, transactions: 1_000, perSource: 0.25 }

describe('orphan pool', () => {
  it('keeps a flooding source to its share, dropping its own oldest orphans, not the others', () => {
    const pool = new OrphanPool(limits)
    const honest = orphan(1)
    pool.add(honest.block, honest.id, 500, 'honest')
    const flood = Array.from({ length: 100 }, () => orphan(2))
    for (const o of flood) expect(pool.add(o.block, o.id, 500, 'attacker')).toBe(true)
    expect(pool.size).toBe(1 + 4) // the attacker keeps its share: a quarter of 16 blocks
    expect(pool.has(honest.id)).toBe(true)
    expect(flood.slice(-4).every((o) => pool.has(o.id))).toBe(true)
    expect(pool.has(flood[0]!.id)).toBe(false)
    expect(pool.takeChildren(new Uint8Array(32).fill(1))).toEqual([honest.block])
    expect(pool.size).toBe(4)
  })

  it('bounds bytes and transactions, and refuses an orphan larger than a share on its own', () => {
    const pool = new OrphanPool(limits)
    const big = orphan(3)
    expect(pool.add(big.block, big.id, 4_001, 'a')).toBe(false) // over a quarter of 16,000 bytes
    const many = orphan(3, 251)
    expect(pool.add(many.block, many.id, 100, 'a')).toBe(false) // over a quarter of 1,000 transactions
    for (let source = 0; source < 8; source++) {
      for (let i = 0; i < 2; i++) {
        const o = orphan(4, 200)
        pool.add(o.block, o.id, 3_000, `peer${source}`)
      }
    }
    // 16 orphans offered, 200 transactions and 3,000 bytes each: the overall budget keeps the newest 5
    expect(pool.size).toBe(5)
    expect(pool.bytes).toBeLessThanOrEqual(limits.bytes)
  })

  it('hands every waiting child over once, however many siblings wait for one parent', () => {
    const pool = new OrphanPool(limits)
    const kids = [orphan(9), orphan(9), orphan(9)]
    for (const k of kids) pool.add(k.block, k.id, 100, 'p')
    pool.add(kids[0]!.block, kids[0]!.id, 100, 'p') // a duplicate counts once
    expect(pool.size).toBe(3)
    expect(pool.takeChildren(new Uint8Array(32).fill(9))).toHaveLength(3)
    expect(pool.takeChildren(new Uint8Array(32).fill(9))).toEqual([])
    expect(pool.size).toBe(0)
    expect(pool.bytes).toBe(0)
  })
})
