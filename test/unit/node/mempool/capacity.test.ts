// The pool judges each reservation on top of the ones already in it (docs/capacity.md "Pool"): a second
// reservation that together with one in the pool would over-reserve a node is refused, saying how much
// is free, and is accepted again once the first is gone.
import { describe, expect, it } from 'vitest'
import { PoolError } from '../../../../node/mempool/pool.js'
import {
  capDef,
  genesisCoins,
  openCapChain,
  outputOf,
  registration,
  reservation,
  split,
} from '../../../utils/capchain.js'
import { alice, bob, conditionOf, staker } from '../../../utils/extchain.js'

const COIN = capDef.oneCoin
const PRICES = { cru: COIN / 100n, mru: COIN / 1000n, sru: 0n, hru: 0n }
const NODE = { cru: 4, mru: 8, sru: 0, hru: 0 }

describe('pool: capacity reservations', () => {
  it('refuses a second reservation that together with one in the pool over-reserves the node', async () => {
    const { chain, pool, add } = await openCapChain()
    const fund = split(genesisCoins(), [
      [alice, 100n * COIN],
      [bob, 100n * COIN],
      [staker, 10n * COIN],
    ])
    await add([fund])
    const out = (i: number, owner: typeof alice) => outputOf(fund, i, owner)
    await add([registration(out(2, staker), 'node-1', NODE, PRICES)])
    await pool.settled()

    const want = { cru: 3, mru: 2, sru: 0, hru: 0 }
    const due = (3n * PRICES.cru + 2n * PRICES.mru) * 10n
    const first = reservation(out(0, alice), 'node-1', want, 10, due, conditionOf(staker))
    const second = reservation(out(1, bob), 'node-1', want, 10, due, conditionOf(staker))
    // each alone fits
    await pool.addSet([first])
    const err = await pool.addSet([second]).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(PoolError)
    expect((err as PoolError).code).toBe('invalid')
    expect((err as PoolError).message).toContain(
      'node "node-1" has 1 cru free, 3 asked (free: cru 1, mru 6, sru 0, hru 0)',
    )
    expect(pool.size).toBe(1)
    // a smaller one that fits beside the first is accepted
    const third = reservation(
      out(1, bob),
      'node-1',
      { cru: 1, mru: 6, sru: 0, hru: 0 },
      10,
      (PRICES.cru + 6n * PRICES.mru) * 10n,
      conditionOf(staker),
    )
    await pool.addSet([third])
    expect(pool.size).toBe(2)
    await chain.close()
  })
})
