// GET /capacity/nodes, /capacity/nodes/:id and /capacity/reservations?owner=|node= (docs/capacity.md
// "Node API") on a chain with two nodes and reservations; POST /txpool refusing an over-reservation
// with the free amounts; malformed parameters answered 4xx naming them. Every answer matches its schema.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { buildApi } from '../../../../node/api/server.js'
import {
  cap,
  capDef,
  genesisCoins,
  openCapChain,
  outputOf,
  registration,
  reservation,
  split,
} from '../../../utils/capchain.js'
import { addressOf, alice, bob, conditionOf, staker } from '../../../utils/extchain.js'
import { OpenApiChecker } from '../../../utils/openapi.js'

const COIN = capDef.oneCoin
const PRICES = { cru: COIN / 100n, mru: COIN / 1000n, sru: COIN / 100_000n, hru: 0n }
const NODE = { cru: 4, mru: 8, sru: 100, hru: 0 }

describe('node API: capacity', () => {
  it('serves nodes with registered, reserved and free capacity, and reservations by owner and node', async () => {
    const { registry } = cap
    // the pool judges at the next block's earliest time: at the chain's time (blocks seconds apart) the
    // 24 h reservation is still running there
    const { chain, pool, add } = await openCapChain({ poolAtChainTime: true })
    const app = await buildApi({
      chain,
      pool,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      extensions: cap.extensions,
    })
    const fund = split(genesisCoins(), [
      [alice, 100n * COIN],
      [bob, 100n * COIN],
      [staker, 10n * COIN],
      [staker, 10n * COIN],
    ])
    await add([fund])
    const out = (i: number, owner: typeof alice) => outputOf(fund, i, owner)
    await add([
      registration(out(2, staker), 'node-1', NODE, PRICES),
      registration(out(3, staker), 'node-2', NODE, PRICES),
    ])
    const want = { cru: 3, mru: 2, sru: 50, hru: 0 }
    const due = (3n * PRICES.cru + 2n * PRICES.mru + 50n * PRICES.sru) * 24n
    const r1 = reservation(out(0, alice), 'node-1', want, 24, due, conditionOf(staker))
    await add([r1])

    // every answer, errors included, must match the route's schema in GET /openapi.json (issue #17)
    const checker = new OpenApiChecker((await app.inject({ url: '/openapi.json' })).json())
    const get = async (url: string) => {
      const r = await app.inject({ method: 'GET', url })
      checker.check('GET', url, r.statusCode, r.json())
      return { status: r.statusCode, body: r.json() }
    }
    const node1 = await get('/capacity/nodes/node-1')
    expect(node1.status).toBe(200)
    expect(node1.body).toMatchObject({
      nodeId: 'node-1',
      farmer: unlockHashToString(addressOf(staker)),
      registered: NODE,
      reserved: want,
      free: { cru: 1, mru: 6, sru: 50, hru: 0 },
      prices: { cru: '10000000', mru: '1000000', sru: '10000', hru: '0' },
    })
    const all = await get('/capacity/nodes')
    expect(all.body.total).toBe(2)
    expect(all.body.nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(['node-1', 'node-2'])
    expect((await get('/capacity/nodes?offset=1&limit=5')).body.nodes).toHaveLength(1)

    const mine = await get(`/capacity/reservations?owner=${unlockHashToString(addressOf(alice))}`)
    expect(mine.status).toBe(200)
    expect(mine.body.reservations).toHaveLength(1)
    // anyone can name any address as an owner: the lists are paged, with the total
    expect(mine.body.total).toBe(1)
    const owner = unlockHashToString(addressOf(alice))
    expect((await get(`/capacity/reservations?owner=${owner}&offset=1`)).body).toEqual({
      total: 1,
      reservations: [],
    })
    expect((await get('/capacity/reservations?node=node-1&limit=0')).body).toEqual({
      total: 1,
      reservations: [],
    })
    expect((await get(`/capacity/reservations?owner=${owner}&offset=-1`)).status).toBe(400)
    const tip = chain.tip.timestamp
    expect(mine.body.reservations[0]).toMatchObject({
      id: toHex(registry.id(r1)),
      nodeId: 'node-1',
      resources: want,
      hours: 24,
      price: due.toString(),
      expired: false,
      end: mine.body.reservations[0].start + 24 * 3600,
      secondsLeft: mine.body.reservations[0].start + 24 * 3600 - tip,
    })
    expect((await get('/capacity/reservations?node=node-1')).body.reservations).toHaveLength(1)
    expect((await get('/capacity/reservations?node=node-2')).body.reservations).toHaveLength(0)
    expect((await get(`/capacity/reservations/${toHex(registry.id(r1))}`)).body.nodeId).toBe('node-1')

    // an over-reservation through the pool: refused with the free amounts, nothing in the pool
    const over = reservation(
      out(1, bob),
      'node-1',
      { cru: 2, mru: 0, sru: 0, hru: 0 },
      1,
      2n * PRICES.cru,
      conditionOf(staker),
    )
    const posted = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: registry.toJsonString(over),
      headers: { 'content-type': 'application/json' },
    })
    expect(posted.statusCode).toBe(400)
    expect(posted.json().message).toContain(
      'node "node-1" has 1 cru free, 2 asked (free: cru 1, mru 6, sru 50, hru 0)',
    )
    expect(pool.size).toBe(0)

    // bad input: the field named, 4xx, never a 500
    for (const [url, status, text] of [
      ['/capacity/nodes/node-3', 404, 'no node "node-3"'],
      ['/capacity/nodes/Node_1', 400, 'node'],
      ['/capacity/reservations', 400, '?owner'],
      ['/capacity/reservations?owner=zz', 400, 'owner'],
      ['/capacity/reservations?node=node-9', 404, 'node-9'],
      ['/capacity/reservations?owner=x&node=node-1', 400, 'exactly one'],
      ['/capacity/reservations/abc', 400, 'reservation ID'],
      ['/capacity/nodes?limit=-1', 400, 'limit'],
    ] as const) {
      const r = await get(url)
      expect(r.status, url).toBe(status)
      expect(r.body.message, url).toContain(text)
    }
    await app.close()
    await chain.close()
  })
})
