import { afterEach, describe, expect, it, vi } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import {
  type ChainConstants,
  type ChainDefinition,
  genesisTransaction,
} from '../../../../consensus/params/chain.js'
import { OverlayView } from '../../../../consensus/state/outputs.js'
import {
  type Condition,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import type { CoinOutput, Transaction, TransactionRegistry } from '../../../../consensus/types/transaction.js'
import { BlockCreator } from '../../../../node/blockcreator/creator.js'
import type { Chain } from '../../../../node/chain/chain.js'
import { verifyAll } from '../../../../node/chain/verify.js'
import { PoolError, type RemovalReason, TransactionPool } from '../../../../node/mempool/index.js'
import { devKey, devnetWithStakers, openChain, SimClock } from '../../../utils/devchain.js'

const ed = nodeEd25519
const COIN = 1_000_000_000n
const key0 = devKey(0)
const key1 = devKey(1)
const key2 = devKey(2)
const to = (k: SigningKey): Condition => unlockHashCondition(publicKeyUnlockHash(k.publicKey))

/** A coin output someone can spend. */
interface Spendable {
  readonly id: Uint8Array
  readonly value: bigint
  readonly key: SigningKey
}

/** A signed v1 transfer: pays `outputs` and `fee`, the rest back to the first input's key. */
function transfer(
  registry: TransactionRegistry,
  inputs: readonly Spendable[],
  outputs: readonly CoinOutput[],
  fee: bigint,
): Transaction {
  const total = inputs.reduce((s, i) => s + i.value, 0n)
  const change = total - outputs.reduce((s, o) => s + o.value, 0n) - fee
  let tx: Transaction = {
    version: 1,
    coinInputs: inputs.map((i) => ({ parentId: i.id, fulfillment: { type: 0 } })),
    coinOutputs: change > 0n ? [...outputs, { value: change, condition: to(inputs[0]!.key) }] : outputs,
    blockStakeInputs: [],
    blockStakeOutputs: [],
    minerFees: [fee],
    arbitraryData: new Uint8Array(0),
  }
  for (const [i, input] of inputs.entries())
    tx = signSingleSignature(registry, ed, tx, 'coinInputs', i, input.key)
  return tx
}

const outputOf = (
  registry: TransactionRegistry,
  tx: Transaction,
  index: number,
  key: SigningKey,
): Spendable => ({
  id: registry.coinOutputId(tx, index),
  value: tx.coinOutputs[index]!.value,
  key,
})

const hex = (ids: readonly Uint8Array[]) => ids.map(toHex)
const open: Chain[] = []

afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
})

/** A devnet with six genesis outputs of 1000 coins to key 0, a chain, an attached pool and a creator. */
async function setup(
  opts: {
    constants?: Partial<ChainConstants>
    extraGenesis?: readonly CoinOutput[]
    clock?: SimClock
    def?: ChainDefinition
  } = {},
) {
  const clock = opts.clock ?? new SimClock(1_800_000_000)
  let def = opts.def
  if (!def) {
    const base = devnetWithStakers([key0], clock.t)
    def = {
      ...base,
      constants: { ...base.constants, ...opts.constants },
      genesis: {
        ...base.genesis,
        coinOutputs: [
          ...Array.from({ length: 6 }, () => ({ value: 1000n * COIN, condition: to(key0) })),
          ...(opts.extraGenesis ?? []),
        ],
      },
    }
  }
  const chain = await openChain(def, clock)
  open.push(chain)
  const registry = chain.registry
  const pool = new TransactionPool({ chain, verifier: ed, now: clock.now }).attach()
  const creator = new BlockCreator({ chain, keys: [key0], ed, pool, now: clock.now })
  const g = genesisTransaction(def)
  const genesis = g.coinOutputs.map((o, i) => ({
    id: registry.coinOutputId(g, i),
    value: o.value,
    key: key0,
  }))
  const removed: { ids: string[]; reason: RemovalReason }[] = []
  pool.on('removed', (ids, reason) => removed.push({ ids: hex(ids), reason }))
  const added: string[][] = []
  pool.on('added', (set) => added.push(hex(set.ids)))
  /** Creates exactly one block on this chain and waits for the pool to follow. */
  const mine = async () => {
    const height = chain.height
    for (let i = 0; i < 10_000 && chain.height === height; i++) {
      clock.advance(1)
      const made = await creator.createBlock()
      if (made) expect(made.result.status).toBe('tip')
    }
    expect(chain.height).toBe(height + 1)
    await pool.settled()
    return (await chain.blockAt(chain.height))!
  }
  const pay = (input: Spendable, value: bigint, fee: bigint, k: SigningKey = key1) =>
    transfer(registry, [input], [{ value, condition: to(k) }], fee)
  return {
    clock,
    def,
    chain,
    registry,
    pool,
    creator,
    genesis: genesis as Spendable[],
    removed,
    added,
    mine,
    pay,
  }
}

const rejects = async (p: Promise<unknown>): Promise<PoolError> => {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(PoolError)
    return err as PoolError
  }
  throw new Error('expected a PoolError')
}

describe('transaction pool', () => {
  it('accepts a valid transfer', async () => {
    const { pool, registry, genesis, pay, added } = await setup()
    const tx = pay(genesis[0]!, 10n * COIN, COIN)
    const { ids } = await pool.addSet([tx])
    expect(hex(ids)).toEqual([toHex(registry.id(tx))])
    expect(pool.has(ids[0]!)).toBe(true)
    expect(pool.get(ids[0]!)).toBe(tx)
    expect(pool.size).toBe(1)
    expect(pool.bytes).toBe(registry.encode(tx).length)
    expect(pool.transactions()).toEqual([tx])
    expect(pool.spenderOf(genesis[0]!.id)).toBe(tx)
    expect(added).toEqual([hex(ids)])
    expect(pool.sets()[0]!.fees).toBe(COIN)
  })

  it('rejects an empty set, oversized transactions and oversized sets', async () => {
    const probe = await setup()
    const tx = probe.pay(probe.genesis[0]!, COIN, COIN)
    const size = probe.registry.encode(tx).length
    expect((await rejects(probe.pool.addSet([]))).code).toBe('empty-set')

    const small = await setup({ constants: { transactionSizeLimit: size - 1 } })
    const e1 = await rejects(small.pool.addSet([small.pay(small.genesis[0]!, COIN, COIN)]))
    expect(e1.code).toBe('tx-too-large')
    expect(e1.details).toMatchObject({ transaction: 0, size, limit: size - 1 })

    const narrow = await setup({ constants: { transactionSetSizeLimit: size + 10 } })
    const a = narrow.pay(narrow.genesis[0]!, COIN, COIN)
    const b = narrow.pay(narrow.genesis[1]!, COIN, COIN)
    expect((await rejects(narrow.pool.addSet([a, b]))).code).toBe('set-too-large')
    await narrow.pool.addSet([a])
    expect(narrow.pool.size).toBe(1)
  })

  it('rejects duplicates and transactions already confirmed', async () => {
    const { pool, genesis, pay, mine } = await setup()
    const tx = pay(genesis[0]!, COIN, COIN)
    const other = pay(genesis[1]!, COIN, COIN)
    await pool.addSet([tx])
    expect((await rejects(pool.addSet([tx]))).code).toBe('duplicate')
    await pool.addSet([other])
    // another set made only of pool transactions
    expect((await rejects(pool.addSet([tx, other]))).code).toBe('duplicate')
    const block = await mine()
    expect(block.transactions).toContain(tx)
    expect(pool.size).toBe(0)
    expect((await rejects(pool.addSet([tx]))).code).toBe('already-confirmed')
    expect((await rejects(pool.addSet([tx, other]))).code).toBe('already-confirmed')
  })

  it('rejects a conflicting spend: the first one seen wins', async () => {
    const { pool, genesis, pay } = await setup()
    const first = pay(genesis[0]!, COIN, COIN, key1)
    const second = pay(genesis[0]!, 2n * COIN, COIN, key2)
    const { ids } = await pool.addSet([first])
    const err = await rejects(pool.addSet([pay(genesis[1]!, COIN, COIN), second]))
    expect(err.code).toBe('conflict')
    expect(err.details).toMatchObject({ transaction: 1, input: { list: 'coinInputs', index: 0 } })
    expect(toHex(err.details.conflictsWith!)).toBe(toHex(ids[0]!))
    expect(pool.size).toBe(1)
  })

  it('serialises concurrent submissions: of two conflicting sets exactly one gets in', async () => {
    const { pool, genesis, pay } = await setup()
    const results = await Promise.allSettled([
      pool.addSet([pay(genesis[0]!, COIN, COIN, key1)]),
      pool.addSet([pay(genesis[0]!, COIN, COIN, key2)]),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected'])
    expect(((results[1] as PromiseRejectedResult).reason as PoolError).code).toBe('conflict')
  })

  it('rejects invalid transactions, keeping the validation error as the cause', async () => {
    const { pool, registry, genesis, pay } = await setup()
    // pays out more than it spends
    const unbalanced = transfer(registry, [genesis[0]!], [{ value: 2000n * COIN, condition: to(key1) }], COIN)
    const e1 = await rejects(pool.addSet([unbalanced]))
    expect(e1.code).toBe('invalid')
    expect(e1.cause?.code).toBe('unbalanced-coins')
    // signed by the wrong key
    const stolen = pay({ ...genesis[1]!, key: key1 }, COIN, COIN)
    const e2 = await rejects(pool.addSet([pay(genesis[2]!, COIN, COIN), stolen]))
    expect(e2.code).toBe('invalid')
    expect(e2.cause?.code).toBe('unfulfilled')
    expect(e2.details).toMatchObject({ transaction: 1, input: { list: 'coinInputs', index: 0 } })
    expect(e2.cause?.details.transaction).toBe(1)
    // below the minimum fee
    const cheap = pay(genesis[3]!, COIN, 1n)
    expect((await rejects(pool.addSet([cheap]))).cause?.code).toBe('fee-too-low')
    // nothing of a rejected set stays
    expect(pool.size).toBe(0)
  })

  it('accepts a dependent set, and a child alone once its parent is in the pool', async () => {
    const { pool, registry, genesis, pay } = await setup()
    const parent = pay(genesis[0]!, 100n * COIN, COIN)
    const child = pay(outputOf(registry, parent, 0, key1), 50n * COIN, COIN, key2)
    await pool.addSet([parent, child])
    expect(pool.size).toBe(2)

    const parent2 = pay(genesis[1]!, 100n * COIN, COIN)
    const child2 = pay(outputOf(registry, parent2, 0, key1), 50n * COIN, COIN, key2)
    const orphan = await rejects(pool.addSet([child2]))
    expect(orphan.cause?.code).toBe('missing-output')
    await pool.addSet([parent2])
    await pool.addSet([child2])
    expect(pool.size).toBe(4)
    // a grandchild spending the child's change
    const grandchild = pay(outputOf(registry, child2, 1, key1), COIN, COIN, key2)
    await pool.addSet([grandchild])
    expect(pool.transactions()).toEqual([parent, child, parent2, child2, grandchild])
  })

  it('orders block transactions by fee per byte, dependencies first, within the byte budget', async () => {
    const { pool, registry, genesis, pay } = await setup()
    const size = (tx: Transaction) => registry.encode(tx).length
    const a = pay(genesis[0]!, COIN, COIN / 10n)
    const b = pay(genesis[1]!, COIN, COIN / 2n)
    const c = pay(genesis[2]!, COIN, (3n * COIN) / 10n)
    // a larger parent paying 0.2 and a child paying 2 coins
    const parent = transfer(
      registry,
      [genesis[3]!],
      [1n, 2n, 3n].map((v) => ({ value: v * COIN, condition: to(key1) })),
      COIN / 5n,
    )
    const child = pay(outputOf(registry, parent, 0, key1), COIN / 2n, COIN / 2n, key2)
    for (const tx of [a, b, c, parent, child]) await pool.addSet([tx])
    expect(pool.transactionsForBlock(1_000_000)).toEqual([b, c, parent, child, a])
    // the parent does not fit, so neither does its child; the cheaper small one does
    expect(size(parent)).toBeGreaterThan(size(a))
    expect(pool.transactionsForBlock(size(a) + size(b) + size(c))).toEqual([b, c, a])
    expect(pool.transactionsForBlock(size(b))).toEqual([b])
    expect(pool.transactionsForBlock(0)).toEqual([])
  })

  it('evicts the cheapest sets with their dependants when full, and refuses sets that pay too little', async () => {
    const probe = await setup()
    const unit = probe.registry.encode(probe.pay(probe.genesis[0]!, COIN, COIN / 10n)).length
    // room for three one-input transactions, not four
    const { pool, registry, genesis, pay, removed } = await setup({
      constants: { poolSizeLimit: 3 * unit + 5 },
    })
    const cheap = pay(genesis[0]!, COIN, COIN / 10n)
    const cheapChild = pay(outputOf(registry, cheap, 0, key1), COIN / 2n, COIN / 10n, key2)
    const fair = pay(genesis[1]!, COIN, COIN / 2n)
    await pool.addSet([cheap])
    await pool.addSet([cheapChild])
    await pool.addSet([fair])
    expect(pool.size).toBe(3)

    // paying no more than the cheapest: refused
    const stingy = pay(genesis[2]!, COIN, COIN / 10n)
    expect((await rejects(pool.addSet([stingy]))).code).toBe('pool-full')

    // paying more: the cheapest set goes, and with it the set spending its output
    const rich = pay(genesis[3]!, COIN, COIN)
    await pool.addSet([rich])
    expect(removed).toEqual([{ ids: hex([registry.id(cheap), registry.id(cheapChild)]), reason: 'evicted' }])
    expect(pool.transactions()).toEqual([fair, rich])
    expect(pool.bytes).toBeLessThanOrEqual(3 * unit + 5)

    // fill again; a set paying less than everything present cannot get in
    await pool.addSet([pay(genesis[4]!, COIN, (3n * COIN) / 10n)])
    expect((await rejects(pool.addSet([pay(genesis[5]!, COIN, COIN / 5n)]))).code).toBe('pool-full')
    expect(pool.size).toBe(3)
  })

  it('does not evict a cheap parent whose child pays enough to keep the pair ahead', async () => {
    const probe = await setup()
    const unit = probe.registry.encode(probe.pay(probe.genesis[0]!, COIN, COIN / 10n)).length
    const { pool, registry, genesis, pay } = await setup({ constants: { poolSizeLimit: 2 * unit + 5 } })
    const parent = pay(genesis[0]!, 10n * COIN, COIN / 10n)
    const child = pay(outputOf(registry, parent, 0, key1), COIN, 5n * COIN, key2)
    await pool.addSet([parent])
    await pool.addSet([child])
    expect((await rejects(pool.addSet([pay(genesis[1]!, COIN, COIN)]))).code).toBe('pool-full')
    expect(pool.size).toBe(2)
  })

  it('validates against the next block: a time lock at height 2 enters the pool once the tip is at 1', async () => {
    const locked: CoinOutput = {
      value: 100n * COIN,
      condition: { type: 3, lockTime: 2n, condition: to(key0) },
    }
    const { pool, genesis, pay, mine, chain } = await setup({ extraGenesis: [locked] })
    const spend = pay(genesis[6]!, 10n * COIN, COIN)
    // the next block would be at height 1: too early
    expect((await rejects(pool.addSet([spend]))).cause?.code).toBe('time-locked')
    await mine()
    expect(chain.height).toBe(1)
    // the next block is at height 2, which the lock allows (refused at first, it is not refused from memory)
    await pool.addSet([spend])
    const block = await mine()
    expect(chain.height).toBe(2)
    expect(block.transactions).toContain(spend)
  })

  it('feeds the block creator, and confirmed transactions leave the pool', async () => {
    const { pool, registry, genesis, pay, mine, removed, chain } = await setup()
    const parent = pay(genesis[0]!, 100n * COIN, COIN)
    const child = pay(outputOf(registry, parent, 0, key1), 50n * COIN, 2n * COIN, key2)
    await pool.addSet([parent])
    await pool.addSet([child])
    const block = await mine()
    expect(block.transactions.slice(1)).toEqual([parent, child])
    expect(pool.size).toBe(0)
    expect(pool.bytes).toBe(0)
    expect(removed).toEqual([{ ids: hex([registry.id(parent), registry.id(child)]), reason: 'confirmed' }])
    expect(await chain.coinOutput(registry.coinOutputId(child, 0))).toBeDefined()
    // a pool transaction spending a confirmed output is still fine
    const next = pay(outputOf(registry, child, 0, key2), COIN, COIN, key1)
    await pool.addSet([next])
    const block2 = await mine()
    expect(block2.transactions).toContain(next)
    expect(pool.size).toBe(0)
  })

  it('checks a block’s sets in one flat view: output lookups grow with the sets, not their square', async () => {
    // before: an overlay per set on top of the last, so the k-th set's lookups walked k overlays (issue #13
    // load: seconds per block of a few thousand sets, and a stack overflow from about 10,000)
    const sets = 400
    const { pool, genesis, pay, mine, chain, clock } = await setup({
      extraGenesis: Array.from({ length: sets }, () => ({ value: 10n * COIN, condition: to(key0) })),
    })
    // independent sets spending chain outputs: each lookup used to go through every overlay to the chain's
    const transfers = genesis.slice(6).map((input) => pay(input, COIN, COIN / 10n))
    for (const tx of transfers) await pool.addSet([tx])
    const lookups = vi.spyOn(OverlayView.prototype, 'coinOutput')
    try {
      const txs = pool.transactionsForBlock(10_000_000, { height: chain.height + 1, timestamp: clock.t + 1 })
      expect(txs).toEqual(transfers)
      expect(lookups.mock.calls.length).toBeLessThan(4 * sets)
    } finally {
      lookups.mockRestore()
    }
    const block = await mine()
    expect(block.transactions.slice(1)).toEqual(transfers)
    expect(pool.size).toBe(0)
  })

  it('drops pool transactions (and their dependants) that conflict with a block made elsewhere', async () => {
    const a = await setup()
    const b = await setup({ def: a.def, clock: a.clock })
    const ours = a.pay(a.genesis[0]!, 10n * COIN, COIN, key1)
    const ourChild = a.pay(outputOf(a.registry, ours, 0, key1), COIN, COIN, key2)
    const unrelated = a.pay(a.genesis[1]!, 10n * COIN, COIN, key1)
    await a.pool.addSet([ours, ourChild])
    await a.pool.addSet([unrelated])
    const theirs = b.pay(b.genesis[0]!, 20n * COIN, COIN, key2)
    await b.pool.addSet([theirs])
    const block = await b.mine()
    expect((await a.chain.addBlock(block)).status).toBe('tip')
    await a.pool.settled()
    expect(a.removed).toEqual([
      { ids: hex([a.registry.id(ours), a.registry.id(ourChild)]), reason: 'conflict' },
    ])
    expect(a.pool.transactions()).toEqual([unrelated])
  })

  it('returns reverted transactions to the pool after a reorg and revalidates the rest', async () => {
    const a = await setup()
    const b = await setup({ def: a.def, clock: a.clock })
    const { registry } = a
    // common block 1
    const common = await a.mine()
    expect((await b.chain.addBlock(common)).status).toBe('tip')
    await b.pool.settled()

    // branch A: block 2a confirms tx1 and tx2; the pool then holds children of both
    const tx1 = a.pay(a.genesis[0]!, 10n * COIN, COIN, key1)
    const tx2 = a.pay(a.genesis[1]!, 10n * COIN, COIN, key1)
    await a.pool.addSet([tx1, tx2])
    const a2 = await a.mine()
    expect(a2.transactions.slice(1)).toEqual([tx1, tx2])
    const child1 = a.pay(outputOf(registry, tx1, 0, key1), COIN, COIN, key2)
    const child2 = a.pay(outputOf(registry, tx2, 0, key1), COIN, COIN, key2)
    await a.pool.addSet([child1])
    await a.pool.addSet([child2])

    // branch B: block 2b spends tx1's input elsewhere, 3b makes it heavier
    const rival = b.pay(b.genesis[0]!, 20n * COIN, COIN, key2)
    await b.pool.addSet([rival])
    const b2 = await b.mine()
    expect(b2.transactions).toContain(rival)
    const b3 = await b.mine()

    a.removed.length = 0
    a.added.length = 0
    await a.chain.addBlock(b2)
    const result = await a.chain.addBlock(b3)
    expect(result.status).toBe('tip')
    if (result.status === 'tip') expect(result.reverted).toHaveLength(1)
    await a.pool.settled()

    // tx1 cannot return (its input is spent by the rival) and its child is gone; tx2 is back before its child
    expect(toHex(a.chain.tip.id)).toBe(toHex(b.chain.tip.id))
    expect(a.pool.transactions()).toEqual([tx2, child2])
    expect(a.added).toEqual([hex([registry.id(tx2)])])
    expect(a.removed).toEqual([{ ids: hex([registry.id(child1)]), reason: 'invalid' }])
    expect(a.pool.transactionsForBlock(1_000_000)).toEqual([tx2, child2])

    // and both confirm on the new branch
    const a4 = await a.mine()
    expect(a4.transactions.slice(1)).toEqual([tx2, child2])
    expect(a.pool.size).toBe(0)
  })

  it('judges a set queued across a reorg after the reverted transactions are back (its parent among them)', async () => {
    // issue #13 load: a transfer whose parent a reorg had just reverted was refused (missing-output) when
    // its submission was queued before the revalidation the reorg queued
    const a = await setup()
    const b = await setup({ def: a.def, clock: a.clock })
    const common = await a.mine()
    expect((await b.chain.addBlock(common)).status).toBe('tip')
    const parent = a.pay(a.genesis[1]!, 10n * COIN, COIN, key1)
    await a.pool.addSet([parent])
    expect((await a.mine()).transactions).toContain(parent)
    const child = a.pay(outputOf(a.registry, parent, 0, key1), COIN, COIN, key2)
    const b2 = await b.mine()
    const b3 = await b.mine()
    // a pool on a's chain whose signature checks wait for a gate: the queue holds while the reorg happens
    let open = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const pool = new TransactionPool({
      chain: a.chain,
      verifier: ed,
      now: a.clock.now,
      verifyBatch: async (checks) => {
        await gate
        return verifyAll(checks)
      },
    }).attach()
    const blocker = pool.addSet([a.pay(a.genesis[3]!, COIN, COIN)])
    const queued = pool.addSet([child])
    await a.chain.addBlock(b2)
    const switched = await a.chain.addBlock(b3)
    expect(switched.status === 'tip' && switched.reverted.length).toBe(1)
    open()
    await blocker
    await queued
    // the parent is back, before its child (and the blocker, validated again on the new tip)
    const ids = hex(pool.transactions().map((tx) => a.registry.id(tx)))
    expect(ids).toHaveLength(3)
    expect(ids.indexOf(toHex(a.registry.id(parent)))).toBeGreaterThanOrEqual(0)
    expect(ids.indexOf(toHex(a.registry.id(child)))).toBeGreaterThan(
      ids.indexOf(toHex(a.registry.id(parent))),
    )
    pool.detach()
  })

  it('stops following the chain after detach and catches up on attach', async () => {
    const { pool, registry, genesis, pay, mine, removed } = await setup()
    const tx = pay(genesis[0]!, COIN, COIN)
    await pool.addSet([tx])
    pool.detach()
    const block = await mine()
    expect(block.transactions).toContain(tx)
    expect(pool.size).toBe(1)
    // attaching again catches up
    pool.attach()
    await pool.settled()
    expect(pool.size).toBe(0)
    expect(removed).toEqual([{ ids: hex([registry.id(tx)]), reason: 'confirmed' }])
  })
})

describe('transaction pool: cheap checks before signatures', () => {
  /** A second pool on `chain` whose signature checks are counted. */
  function countingPool(chain: Chain) {
    const batches: number[] = []
    const pool = new TransactionPool({
      chain,
      verifier: ed,
      verifyBatch: (checks) => {
        batches.push(checks.length)
        return verifyAll(checks)
      },
    })
    return { pool, batches }
  }

  it('refuses an unbalanced set before checking any of its signatures', async () => {
    const { chain, registry, genesis } = await setup()
    const { pool, batches } = countingPool(chain)
    // four validly signed transfers, then one that creates coins out of nothing
    const good = genesis
      .slice(0, 4)
      .map((g) => transfer(registry, [g], [{ value: 10n * COIN, condition: to(key1) }], COIN))
    const unbalanced = transfer(registry, [genesis[4]!], [{ value: 5000n * COIN, condition: to(key1) }], COIN)
    const err = await rejects(pool.addSet([...good, unbalanced]))
    expect(err.cause?.code).toBe('unbalanced-coins')
    expect(batches).toEqual([])
    // a valid set: its five signatures in one batch
    await pool.addSet(good)
    expect(batches).toEqual([4])
  })

  it('remembers a set refused for its signature and refuses it again without checking', async () => {
    const { chain, registry, genesis } = await setup()
    const { pool, batches } = countingPool(chain)
    const tx = transfer(registry, [genesis[0]!], [{ value: 10n * COIN, condition: to(key1) }], COIN)
    const sig = (tx.coinInputs[0]!.fulfillment as { signature: Uint8Array }).signature
    const forged = {
      ...tx,
      coinInputs: [
        {
          ...tx.coinInputs[0]!,
          fulfillment: {
            ...tx.coinInputs[0]!.fulfillment,
            signature: sig.map((b, i) => (i === 0 ? b ^ 1 : b)),
          },
        },
      ],
    } as Transaction
    const first = await rejects(pool.addSet([forged]))
    expect(first.cause?.code).toBe('unfulfilled')
    expect(batches).toEqual([1])
    const again = await rejects(pool.addSet([forged]))
    expect(again.cause?.code).toBe('unfulfilled')
    expect(batches).toEqual([1]) // not checked a second time
  })
})

describe('transaction pool: sets submitted together', () => {
  /** A pool on `chain` counting its signature batches and store reads. */
  function countingPool(chain: Chain) {
    const batches: number[] = []
    const lookup = vi.spyOn(chain, 'lookup')
    const pool = new TransactionPool({
      chain,
      verifier: ed,
      verifyBatch: (checks) => {
        batches.push(checks.length)
        return verifyAll(checks)
      },
    })
    return { pool, batches, lookup }
  }

  const forge = (tx: Transaction): Transaction => {
    const f = tx.coinInputs[0]!.fulfillment as { signature: Uint8Array }
    return {
      ...tx,
      coinInputs: [
        {
          ...tx.coinInputs[0]!,
          fulfillment: { ...f, signature: f.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) },
        } as Transaction['coinInputs'][number],
      ],
    }
  }

  const code = (r: PromiseSettledResult<unknown>): string =>
    r.status === 'fulfilled' ? 'ok' : `${(r.reason as PoolError).code}/${(r.reason as PoolError).cause?.code}`

  it('validates waiting sets with one store read and one signature batch, each on the ones before it', async () => {
    const { chain, registry, genesis, pay } = await setup()
    const { pool, batches, lookup } = countingPool(chain)
    const a = pay(genesis[0]!, 10n * COIN, COIN)
    const b = pay(genesis[1]!, 10n * COIN, COIN)
    const child = pay(outputOf(registry, a, 0, key1), 5n * COIN, COIN, key2)
    const grandchild = pay(outputOf(registry, child, 0, key2), 2n * COIN, COIN, key0)
    lookup.mockClear()
    // submitted together: all four wait for the same drain
    const results = await Promise.all([a, b, child, grandchild].map((tx) => pool.addSet([tx])))
    expect(results.map((r) => hex(r.ids))).toEqual(
      [a, b, child, grandchild].map((tx) => [toHex(registry.id(tx))]),
    )
    expect(batches).toEqual([4])
    expect(lookup).toHaveBeenCalledTimes(1)
    expect(pool.transactions()).toEqual([a, b, child, grandchild])
  })

  it('gives each set the verdict it gets alone: duplicates, conflicts, invalid parents', async () => {
    const { chain, registry, genesis, pay } = await setup()
    const { pool } = countingPool(chain)
    const a = pay(genesis[0]!, 10n * COIN, COIN, key1)
    const rival = pay(genesis[0]!, 20n * COIN, COIN, key2)
    const unbalanced = transfer(registry, [genesis[1]!], [{ value: 5000n * COIN, condition: to(key1) }], COIN)
    const orphan = pay(outputOf(registry, unbalanced, 0, key1), COIN, COIN, key2)
    const sets = [[a], [a], [rival], [unbalanced], [orphan], []]
    const together = (await Promise.allSettled(sets.map((set) => pool.addSet(set)))).map(code)
    expect(together).toEqual([
      'ok',
      'duplicate/undefined',
      'conflict/undefined',
      'invalid/unbalanced-coins',
      'invalid/missing-output',
      'empty-set/undefined',
    ])
    expect(pool.size).toBe(1)
    // the same as one at a time, on a chain alike
    const alone = await setup()
    const oneByOne: string[] = []
    for (const set of sets) oneByOne.push(code((await Promise.allSettled([alone.pool.addSet(set)]))[0]!))
    expect(oneByOne).toEqual(together)
  })

  it('settled() waits for every submission made before it, beyond one group', async () => {
    const { pool, registry, genesis, pay } = await setup()
    // two fan-outs of 150 outputs (a transaction holds at most 16,000 bytes), then 300 sets spending them
    const fanOuts = [genesis[0]!, genesis[1]!].map((g) =>
      transfer(
        registry,
        [g],
        Array.from({ length: 150 }, () => ({ value: 2n * COIN, condition: to(key1) })),
        COIN,
      ),
    )
    for (const f of fanOuts) await pool.addSet([f])
    const children = fanOuts.flatMap((f) =>
      Array.from({ length: 150 }, (_, i) => pay(outputOf(registry, f, i, key1), COIN, COIN)),
    )
    const submitted = children.map((tx) => pool.addSet([tx]))
    await pool.settled()
    expect(pool.size).toBe(302)
    await Promise.all(submitted)
  })

  it('a bad signature in the group: every set judged alone, so an honest rival of the forged set gets in', async () => {
    const { chain, genesis, pay } = await setup()
    const { pool, batches } = countingPool(chain)
    const forged = forge(pay(genesis[0]!, 10n * COIN, COIN, key1))
    const honest = pay(genesis[0]!, 20n * COIN, COIN, key2)
    const other = pay(genesis[1]!, 20n * COIN, COIN, key2)
    const results = await Promise.allSettled([forged, honest, other].map((tx) => pool.addSet([tx])))
    expect(results.map(code)).toEqual(['invalid/unfulfilled', 'ok', 'ok'])
    // the group's batch (the forged set's and the other's signatures: the honest set conflicted with the
    // forged one there), the forged set's own (the first set's: it fails), then each set alone
    expect(batches).toEqual([2, 1, 1, 1, 1])
    expect(pool.transactions()).toEqual([honest, other])
    // remembered: refused again without a signature check
    expect((await rejects(pool.addSet([forged]))).cause?.code).toBe('unfulfilled')
    expect(batches).toHaveLength(5)
  })

  it('a bad signature in the group: the sets before the forged one keep their outcomes, without a read each', async () => {
    const { chain, registry, genesis, pay } = await setup()
    const { pool, batches, lookup } = countingPool(chain)
    const a = pay(genesis[0]!, 10n * COIN, COIN, key1)
    const child = pay(outputOf(registry, a, 0, key1), 5n * COIN, COIN, key2)
    const rival = pay(genesis[0]!, 20n * COIN, COIN, key2)
    const forged = forge(pay(genesis[1]!, 10n * COIN, COIN, key1))
    const honest = pay(genesis[1]!, 20n * COIN, COIN, key2)
    lookup.mockClear()
    const sets = [[a], [child], [rival], [forged], [honest]]
    const together = (await Promise.allSettled(sets.map((set) => pool.addSet(set)))).map(code)
    expect(together).toEqual(['ok', 'ok', 'conflict/undefined', 'invalid/unfulfilled', 'ok'])
    // one read for the group, then one for each set from the forged one on (was one for every set)
    expect(lookup).toHaveBeenCalledTimes(3)
    // the group's batch (a, child, forged: rival and honest conflicted there), a's, child's and the forged
    // set's own, then the forged set and honest alone
    expect(batches).toEqual([3, 1, 1, 1, 1, 1])
    expect(pool.transactions()).toEqual([a, child, honest])
    // the same as one at a time, on a chain alike
    const alone = await setup()
    const oneByOne: string[] = []
    for (const set of sets) oneByOne.push(code((await Promise.allSettled([alone.pool.addSet(set)]))[0]!))
    expect(oneByOne).toEqual(together)
  })
})
