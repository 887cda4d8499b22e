import { type ClientRequest, get as httpGet } from 'node:http'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { fromHex, toHex } from '../../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../../consensus/encoding/json.js'
import { type ChainDefinition, genesisTransaction } from '../../../../consensus/params/chain.js'
import type { Block } from '../../../../consensus/types/block.js'
import {
  type Condition,
  conditionToJson,
  conditionUnlockHash,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import type { Transaction, TransactionRegistry } from '../../../../consensus/types/transaction.js'
import { unlockHashEquals, unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { devnetDefinition, generateChain } from '../../../../devnet/chaingen.js'
import { type ApiOptions, buildApi, createApi, isLoopbackHost } from '../../../../node/api/index.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { TransactionPool } from '../../../../node/mempool/index.js'
import { MAX_SET_TRANSACTIONS } from '../../../../p2p/protocols/messages.js'
import type { NetworkView } from '../../../../p2p/types.js'
import { devKey } from '../../../utils/devchain.js'
import { until as pollUntil } from '../../../utils/poll.js'

const ed = nodeEd25519
const COIN = 1_000_000_000n
const GENESIS_TIME = 1_700_000_000
const key0 = devKey(0)
const key1 = devKey(1)
const key2 = devKey(2)
const key3 = devKey(3)
const to = (k: SigningKey): Condition => unlockHashCondition(publicKeyUnlockHash(k.publicKey))
const addressOf = (k: SigningKey): string => unlockHashToString(publicKeyUnlockHash(k.publicKey))
const logger = pino({ level: 'silent' })

/** A time lock on a payment to `k` (below 500 000 000 a block height, from it a unix time). */
const lockedTo = (k: SigningKey, lockTime: bigint): Condition => ({ type: 3, lockTime, condition: to(k) })
/** Key 3's genesis outputs: locked until height 100, locked until a time far ahead, unlocked at height 3. */
const KEY3_OUTPUTS = [
  { value: 10n * COIN, condition: lockedTo(key3, 100n) },
  { value: 20n * COIN, condition: lockedTo(key3, BigInt(GENESIS_TIME + 1_000_000)) },
  { value: 30n * COIN, condition: lockedTo(key3, 3n) },
]

/**
 * Devnet genesis: coins and block stakes to key 0, 1000 coins to key 2 that the generator never
 * spends, and key 3's time-locked outputs.
 */
function definition(): ChainDefinition {
  const base = devnetDefinition({ stakers: [key0], coinsTo: key0, timestamp: GENESIS_TIME })
  return {
    ...base,
    genesis: {
      ...base.genesis,
      coinOutputs: [
        ...base.genesis.coinOutputs,
        { value: 1000n * COIN, condition: to(key2) },
        ...KEY3_OUTPUTS,
      ],
    },
  }
}

const def = definition()
const generate = (blocks: number, transactionsPerBlock: number, registry: TransactionRegistry) => [
  ...generateChain({ def, registry, ed, stakeKey: key0, keys: [key0, key1], blocks, transactionsPerBlock }),
]

/** A signed transfer of key 2's genesis output: `value` to `recipient`, change back to key 2. */
function transferFromKey2(
  registry: TransactionRegistry,
  value: bigint,
  recipient: SigningKey,
  signer = key2,
) {
  const g = genesisTransaction(def)
  const fee = def.constants.minimumTransactionFee
  const unsigned: Transaction = {
    version: 1,
    coinInputs: [{ parentId: registry.coinOutputId(g, 1), fulfillment: { type: 0 } }],
    coinOutputs: [
      { value, condition: to(recipient) },
      { value: 1000n * COIN - value - fee, condition: to(key2) },
    ],
    blockStakeInputs: [],
    blockStakeOutputs: [],
    minerFees: [fee],
    arbitraryData: new Uint8Array(0),
  }
  return signSingleSignature(registry, ed, unsigned, 'coinInputs', 0, signer)
}

interface Fixture {
  chain: Chain
  pool: TransactionPool
  registry: TransactionRegistry
  blocks: Block[]
  app: FastifyInstance
  published: Transaction[][]
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function openChain(registry: TransactionRegistry): Promise<{ chain: Chain; pool: TransactionPool }> {
  const chain = await Chain.open({
    store: createMemoryStore(),
    def,
    registry,
    verifier: ed,
    now: () => GENESIS_TIME + 100_000,
  })
  const pool = new TransactionPool({ chain, verifier: ed }).attach()
  cleanups.push(async () => {
    pool.detach()
    await chain.close()
  })
  return { chain, pool }
}

/** A chain of `height` of `height + 1` generated blocks (2 transfers each), a pool, and the API (not listening). */
async function setup(opts: Partial<ApiOptions> = {}, height = 5): Promise<Fixture> {
  const registry = coreRegistry()
  const { chain, pool } = await openChain(registry)
  const blocks = generate(height + 1, 2, registry)
  const added = await chain.addBlocks(blocks.slice(0, height))
  expect(added.error).toBeUndefined()
  const published: Transaction[][] = []
  const app = await buildApi({
    chain,
    pool,
    host: '127.0.0.1',
    port: 0,
    logger,
    publishTransactionSet: (txs) => published.push([...txs]),
    ...opts,
  })
  cleanups.push(() => app.close())
  return { chain, pool, registry, blocks, app, published }
}

const get = async (app: FastifyInstance, url: string) => {
  const res = await app.inject({ method: 'GET', url })
  return { status: res.statusCode, body: res.json(), headers: res.headers }
}

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status).toBe(status)
  expect(res.body.code).toBe(code)
  expect(typeof res.body.message).toBe('string')
}

describe('api: chain routes', () => {
  it('GET /consensus reports the tip', async () => {
    const { app, chain } = await setup()
    const res = await get(app, '/consensus')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.body).toMatchObject({
      height: 5,
      tipId: toHex(chain.tip.id),
      timestamp: chain.tip.timestamp,
      synced: true,
      peers: 0,
      genesisId: toHex(chain.genesisId),
    })
    expect(res.body.target).toMatch(/^[0-9a-f]{64}$/)
    expect(res.body.depth).toMatch(/^[0-9a-f]{64}$/)
    expect(BigInt(`0x${res.body.target}`)).toBe(chain.tip.childTarget)
  })

  it('GET /blocks/:height and /blocks/id/:id return the block with its IDs', async () => {
    const { app, chain, registry } = await setup()
    const block = (await chain.blockAt(3))!
    const id = toHex(chain.idAt(3)!)
    const byHeight = await get(app, '/blocks/3')
    expect(byHeight.status).toBe(200)
    expect(byHeight.body).toEqual({
      id,
      height: 3,
      mainChain: true,
      block: JSON.parse(chain.codec.toJsonString(block)),
      transactionIds: block.transactions.map((tx) => toHex(registry.id(tx))),
      minerPayoutIds: chain.codec.minerPayoutIds(block).map(toHex),
    })
    const byId = await get(app, `/blocks/id/${id.toUpperCase()}`)
    expect(byId.body).toEqual(byHeight.body)
    expect((await get(app, '/blocks/0')).body.height).toBe(0)
  })

  it('rejects malformed heights and IDs with 400 naming the parameter, unknown ones with 404', async () => {
    const { app } = await setup()
    for (const bad of ['abc', '-1', '1.5', '01', '99999999999999999999']) {
      const res = await get(app, `/blocks/${bad}`)
      expectError(res, 400, 'invalid-parameter')
      expect(res.body.message).toMatch(/^height: /)
      expect(res.body.details).toEqual({ parameter: 'height' })
    }
    expectError(await get(app, '/blocks/6'), 404, 'not-found')
    const short = await get(app, '/blocks/id/abcd')
    expectError(short, 400, 'invalid-parameter')
    expect(short.body.message).toMatch(/^id: expected 64 hex characters/)
    expectError(await get(app, `/blocks/id/${'zz'.repeat(32)}`), 400, 'invalid-parameter')
    expectError(await get(app, `/blocks/id/${'00'.repeat(32)}`), 404, 'not-found')
    expectError(await get(app, '/no/such/route'), 404, 'not-found')
  })

  it('GET /transactions/:id by ID and by short ID', async () => {
    const { app, chain, registry } = await setup()
    const block = (await chain.blockAt(2))!
    const tx = block.transactions[1]!
    const id = toHex(registry.id(tx))
    const res = await get(app, `/transactions/${id}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      id,
      height: 2,
      blockId: toHex(chain.idAt(2)!),
      index: 1,
      transaction: JSON.parse(registry.toJsonString(tx)),
      coinOutputIds: tx.coinOutputs.map((_, i) => toHex(registry.coinOutputId(tx, i))),
      blockStakeOutputIds: [],
    })
    const short = await get(app, `/transactions/${(2 << 14) | 1}`)
    expect(short.body).toEqual(res.body)
    expectError(await get(app, `/transactions/${(9 << 14) | 1}`), 404, 'not-found')
    expectError(await get(app, `/transactions/${'11'.repeat(32)}`), 404, 'not-found')
    expectError(await get(app, '/transactions/xyz'), 400, 'invalid-parameter')
  })

  it('GET /outputs/coin/:id and /outputs/blockstake/:id answer for unspent outputs only', async () => {
    const { app, chain, registry } = await setup()
    const g = genesisTransaction(def)
    const unspent = toHex(registry.coinOutputId(g, 1))
    const coin = await get(app, `/outputs/coin/${unspent}`)
    expect(coin.status).toBe(200)
    expect(coin.body).toEqual({
      id: unspent,
      value: (1000n * COIN).toString(),
      condition: { type: 1, data: { unlockhash: addressOf(key2) } },
      unlockhash: addressOf(key2),
    })
    // the generator spent genesis output 0 in block 1
    expectError(await get(app, `/outputs/coin/${toHex(registry.coinOutputId(g, 0))}`), 404, 'not-found')
    // the block stake lives in the newest respend
    const respend = (await chain.blockAt(5))!.transactions[0]!
    const stakeId = toHex(registry.blockStakeOutputId(respend, 0))
    const stake = await get(app, `/outputs/blockstake/${stakeId}`)
    expect(stake.status).toBe(200)
    expect(stake.body).toMatchObject({ id: stakeId, value: '1000', unlockhash: addressOf(key0) })
    const oldStake = toHex(registry.blockStakeOutputId(g, 0))
    expectError(await get(app, `/outputs/blockstake/${oldStake}`), 404, 'not-found')
    expectError(await get(app, '/outputs/coin/123'), 400, 'invalid-parameter')
  })

  it('GET /outputs/coin/:id/spent names the main-chain transaction that spent an output', async () => {
    const { app, chain, registry } = await setup()
    const g = genesisTransaction(def)
    const spentId = registry.coinOutputId(g, 0)
    const spender = (await chain.blockAt(1))!.transactions.find((tx) =>
      tx.coinInputs.some((i) => toHex(i.parentId) === toHex(spentId)),
    )!
    const res = await get(app, `/outputs/coin/${toHex(spentId)}/spent`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      id: toHex(spentId),
      value: g.coinOutputs[0]!.value.toString(),
      condition: conditionToJson(g.coinOutputs[0]!.condition),
      unlockhash: unlockHashToString(conditionUnlockHash(g.coinOutputs[0]!.condition)),
      spentBy: {
        transactionId: toHex(registry.id(spender)),
        height: 1,
        blockId: toHex(chain.idAt(1)!),
        index: (await chain.blockAt(1))!.transactions.indexOf(spender),
      },
    })
    // an unspent output is not spent; a malformed ID is refused
    expectError(await get(app, `/outputs/coin/${toHex(registry.coinOutputId(g, 1))}/spent`), 404, 'not-found')
    expectError(await get(app, '/outputs/coin/xyz/spent'), 400, 'invalid-parameter')
  })
})

describe('api: transaction pool', () => {
  it('POST /txpool accepts a transaction, publishes it and lists it as unconfirmed', async () => {
    const { app, registry, published } = await setup()
    const tx = transferFromKey2(registry, 100n * COIN, key1)
    const id = toHex(registry.id(tx))
    const res = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: registry.toJsonString(tx),
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ transactionId: id })
    expect(published).toHaveLength(1)
    expect(registry.id(published[0]![0]!)).toEqual(registry.id(tx))

    const pool = await get(app, '/txpool')
    expect(pool.body).toEqual({
      transactions: [JSON.parse(registry.toJsonString(tx))],
      transactionIds: [id],
      count: 1,
      bytes: registry.encode(tx).length,
    })
    const byId = await get(app, `/transactions/${id}`)
    expect(byId.body).toMatchObject({ id, unconfirmed: true })
    expect(byId.body.height).toBeUndefined()

    // the spent output shows its unconfirmed spender; the new outputs are found by the explorer
    const spent = toHex(registry.coinOutputId(genesisTransaction(def), 1))
    expect((await get(app, `/outputs/coin/${spent}`)).body.unconfirmedSpender).toBe(id)
    const created = toHex(registry.coinOutputId(tx, 0))
    const out = await get(app, `/explorer/hashes/${created}`)
    expect(out.body).toMatchObject({
      hashtype: 'coinoutputid',
      output: { id: created, value: (100n * COIN).toString(), unconfirmed: true, transactionId: id },
    })

    const again = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: registry.toJsonString(tx),
      headers: { 'content-type': 'application/json' },
    })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('duplicate')
    expect(published).toHaveLength(1)
  })

  it('POST /txpool accepts a set as {"transactions": [...]}', async () => {
    const { app, registry } = await setup()
    const first = transferFromKey2(registry, 100n * COIN, key1)
    const fee = def.constants.minimumTransactionFee
    const change = first.coinOutputs[1]!
    const second = signSingleSignature(
      registry,
      ed,
      {
        version: 1,
        coinInputs: [{ parentId: registry.coinOutputId(first, 1), fulfillment: { type: 0 } }],
        coinOutputs: [{ value: change.value - fee, condition: to(key1) }],
        blockStakeInputs: [],
        blockStakeOutputs: [],
        minerFees: [fee],
        arbitraryData: new Uint8Array(0),
      },
      'coinInputs',
      0,
      key2,
    )
    const res = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: `{"transactions":[${registry.toJsonString(first)},${registry.toJsonString(second)}]}`,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ transactionIds: [first, second].map((t) => toHex(registry.id(t))) })
    expect((await get(app, '/txpool')).body.count).toBe(2)
  })

  it('POST /txpool answers 400 with the pool code and the consensus rule for an invalid transaction', async () => {
    const { app, registry, published } = await setup()
    const post = (payload: string) =>
      app.inject({ method: 'POST', url: '/txpool', payload, headers: { 'content-type': 'application/json' } })

    // signed by the wrong key: the fulfillment does not match the output's condition
    const wrong = transferFromKey2(registry, 100n * COIN, key1, key1)
    const res = await post(registry.toJsonString(wrong))
    expect(res.statusCode).toBe(400)
    const body = res.json()
    expect(body.code).toBe('invalid')
    expect(body.message).toMatch(/transaction 0/)
    expect(body.details).toMatchObject({
      rule: 'unfulfilled',
      transaction: 0,
      input: { list: 'coinInputs', index: 0 },
    })

    // spends an output that does not exist
    const g = genesisTransaction(def)
    const missing = signSingleSignature(
      registry,
      ed,
      { ...wrong, coinInputs: [{ parentId: registry.coinOutputId(g, 0), fulfillment: { type: 0 } }] },
      'coinInputs',
      0,
      key0,
    )
    const res2 = await post(registry.toJsonString(missing))
    expect(res2.statusCode).toBe(400)
    expect(res2.json().details.rule).toBe('missing-output')

    // JSON that is not a transaction
    const bad = await post('{"version":1,"data":{"coininputs":[{"parentid":"xyz"}]}}')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('invalid-encoding')
    expect(bad.json().details.field).toMatch(/coininputs/)
    const unknownVersion = await post('{"version":99,"data":{}}')
    expect(unknownVersion.json()).toMatchObject({
      code: 'invalid-encoding',
      details: { rule: 'unknown-type' },
    })
    const malformed = await post('{"version":')
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().code).toBe('bad-request')
    const emptySet = await post('{"transactions":[]}')
    expect(emptySet.json()).toMatchObject({ code: 'bad-request' })
    const notJson = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: 'hello',
      headers: { 'content-type': 'application/octet-stream' },
    })
    expect(notJson.statusCode).toBe(415)
    expect(notJson.json().code).toBe('unsupported-media-type')
    expect(published).toHaveLength(0)
  })

  it('limits the body to the block size limit', async () => {
    const { app } = await setup()
    const huge = `{"version":1,"data":{"arbitrarydata":"${'A'.repeat(def.constants.blockSizeLimit)}"}}`
    const res = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: huge,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('too-large')
  })
})

describe('api: hostile bodies', () => {
  const post = (app: FastifyInstance, payload: string) =>
    app.inject({ method: 'POST', url: '/txpool', payload, headers: { 'content-type': 'application/json' } })

  it('answers 400 for a condition nested 40,000 time locks deep (it overflowed the stack: 500)', async () => {
    const { app } = await setup()
    let condition = '{}'
    for (let i = 0; i < 40_000; i++) condition = `{"type":3,"data":{"locktime":1,"condition":${condition}}}`
    const tx = `{"version":1,"data":{"coinoutputs":[{"value":"1","condition":${condition}}]}}`
    const res = await post(app, tx)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'invalid-encoding', details: { rule: 'invalid-value' } })
    expect(res.json().message).toMatch(/nest at most 3 deep/)
  })

  it('refuses a set of more than MAX_SET_TRANSACTIONS before decoding any', async () => {
    const { app } = await setup()
    const res = await post(
      app,
      `{"transactions":[${Array(MAX_SET_TRANSACTIONS + 1)
        .fill('{}')
        .join(',')}]}`,
    )
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'bad-request' })
    expect(res.json().message).toMatch(/at most 256 transactions, got 257/)
  })
})

describe('api: failures', () => {
  it('answers 500 {"code":"internal"} without leaking the cause', async () => {
    const { app, chain } = await setup()
    chain.coinOutput = async () => {
      throw new Error('disk on fire')
    }
    const res = await get(app, `/outputs/coin/${'00'.repeat(32)}`)
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ code: 'internal', message: 'internal error' })
  })
})

describe('api: auth and binding', () => {
  it('needs the bearer token on write routes when one is set', async () => {
    const { app, registry } = await setup({ token: 's3cret' })
    const tx = registry.toJsonString(transferFromKey2(registry, 100n * COIN, key1))
    const post = (authorization?: string) =>
      app.inject({
        method: 'POST',
        url: '/txpool',
        payload: tx,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      })
    for (const auth of [undefined, 'Bearer wrong', 'Basic czNjcmV0', 'Bearer s3cret2']) {
      const res = await post(auth)
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ code: 'unauthorized' })
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
    }
    expect((await get(app, '/txpool')).status).toBe(200)
    expect((await post('Bearer s3cret')).statusCode).toBe(200)
  })

  it('refuses a non-loopback bind without a token', async () => {
    const registry = coreRegistry()
    const { chain, pool } = await openChain(registry)
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      await expect(createApi({ chain, pool, host, port: 0, logger })).rejects.toThrow(host)
    }
    const app = await buildApi({ chain, pool, host: '0.0.0.0', port: 0, logger, token: 't' })
    await app.close()
    expect(
      ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].every(isLoopbackHost),
    ).toBe(true)
    expect(['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'my-host'].some(isLoopbackHost)).toBe(false)
  })
})

describe('api: explorer', () => {
  it('looks a hash up as block, transaction, coin output or block stake output', async () => {
    const { app, chain, registry } = await setup()
    const blockId = toHex(chain.idAt(4)!)
    expect((await get(app, `/explorer/hashes/${blockId}`)).body).toMatchObject({
      hashtype: 'blockid',
      block: { id: blockId, height: 4 },
    })
    const tx = (await chain.blockAt(4))!.transactions[2]!
    const txid = toHex(registry.id(tx))
    expect((await get(app, `/explorer/hashes/${txid}`)).body).toMatchObject({
      hashtype: 'transactionid',
      transaction: { id: txid, height: 4, index: 2 },
    })
    const coinId = toHex(registry.coinOutputId(tx, 0))
    expect((await get(app, `/explorer/hashes/${coinId}`)).body).toMatchObject({
      hashtype: 'coinoutputid',
      output: { id: coinId, value: tx.coinOutputs[0]!.value.toString() },
    })
    const respend = (await chain.blockAt(5))!.transactions[0]!
    const stakeId = toHex(registry.blockStakeOutputId(respend, 0))
    expect((await get(app, `/explorer/hashes/${stakeId}`)).body).toMatchObject({
      hashtype: 'blockstakeoutputid',
      output: { id: stakeId, value: '1000' },
    })
    expectError(await get(app, `/explorer/hashes/${'42'.repeat(32)}`), 404, 'not-found')
    expectError(await get(app, '/explorer/hashes/1234'), 400, 'invalid-parameter')
    const badChecksum = `${addressOf(key1).slice(0, 76)}00`
    const res = await get(app, `/explorer/hashes/${badChecksum}`)
    expectError(res, 400, 'invalid-parameter')
    expect(res.body.message).toMatch(/checksum/)
  })

  it("lists an address's transactions, payouts and unconfirmed transactions", async () => {
    const { app, chain, registry } = await setup()
    const touching = new Set<string>()
    for (let h = 1; h <= 5; h++)
      for (const tx of (await chain.blockAt(h))!.transactions.slice(1)) touching.add(toHex(registry.id(tx)))
    // key 1 receives in every transfer (payment or change) and spends what it received
    const res = await get(app, `/explorer/hashes/${addressOf(key1)}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      hashtype: 'unlockhash',
      unlockhash: addressOf(key1),
      more: false,
    })
    const ids = res.body.transactions.map((t: any) => t.id)
    expect(new Set(ids)).toEqual(touching)
    const heights = res.body.transactions.map((t: any) => t.height)
    expect(heights).toEqual([...heights].sort((a: number, b: number) => b - a))
    expect(res.body.blocks).toEqual([])
    expect(res.body.unconfirmed).toEqual([])

    // key 0 creates every block: its payouts are listed with their IDs
    const creator = await get(app, `/explorer/hashes/${addressOf(key0)}?limit=3`)
    expect(creator.body.more).toBe(true)
    expect(creator.body.transactions.length + creator.body.blocks.length).toBe(3)
    const payouts = (await get(app, `/explorer/hashes/${addressOf(key0)}?limit=1000`)).body.blocks
    expect(payouts.map((b: any) => b.height)).toEqual([5, 4, 3, 2, 1])
    const b5 = (await chain.blockAt(5))!
    expect(payouts[0].minerPayouts[0]).toEqual({
      id: toHex(chain.codec.minerPayoutIds(b5)[0]!),
      value: b5.minerPayouts[0]!.value.toString(),
    })
    expectError(await get(app, `/explorer/hashes/${addressOf(key0)}?limit=0`), 400, 'invalid-parameter')

    // an unconfirmed transfer from key 2 to key 1 shows for both
    const tx = transferFromKey2(registry, 5n * COIN, key1)
    await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: registry.toJsonString(tx),
      headers: { 'content-type': 'application/json' },
    })
    for (const k of [key1, key2]) {
      const u = (await get(app, `/explorer/hashes/${addressOf(k)}`)).body.unconfirmed
      expect(u.map((t: any) => t.id)).toEqual([toHex(registry.id(tx))])
      expect(u[0].unconfirmed).toBe(true)
    }
  })
})

describe('api: address outputs', () => {
  const outputsOf = async (app: FastifyInstance, k: SigningKey, query = '') => {
    const res = await get(app, `/addresses/${addressOf(k)}/outputs${query}`)
    expect(res.status).toBe(200)
    return res.body
  }
  const post = (app: FastifyInstance, registry: TransactionRegistry, tx: Transaction) =>
    app.inject({
      method: 'POST',
      url: '/txpool',
      payload: registry.toJsonString(tx),
      headers: { 'content-type': 'application/json' },
    })
  const sumOf = (outputs: any[], keep: (o: any) => boolean = () => true): string =>
    outputs
      .filter(keep)
      .reduce((a: bigint, o: any) => a + BigInt(o.value), 0n)
      .toString()

  /** The coin outputs to `k` in main-chain blocks that no later transaction spends (id → value, height). */
  async function unspentCoinsOf(chain: Chain, registry: TransactionRegistry, k: SigningKey) {
    const uh = publicKeyUnlockHash(k.publicKey)
    const out = new Map<string, { value: bigint; height: number }>()
    for (let h = 0; h <= chain.height; h++) {
      for (const tx of (await chain.blockAt(h))!.transactions) {
        for (const i of tx.coinInputs) out.delete(toHex(i.parentId))
        for (const [i, o] of tx.coinOutputs.entries())
          if (unlockHashEquals(conditionUnlockHash(o.condition), uh))
            out.set(toHex(registry.coinOutputId(tx, i)), { value: o.value, height: h })
      }
    }
    return out
  }

  it('lists the unspent outputs transfers paid to an address, spendable, with the balance', async () => {
    const { app, chain, registry } = await setup()
    const body = await outputsOf(app, key1)
    const expected = await unspentCoinsOf(chain, registry, key1)
    expect(expected.size).toBeGreaterThan(1)
    expect(new Map(body.coinOutputs.map((o: any) => [o.id, BigInt(o.value)]))).toEqual(
      new Map([...expected].map(([id, o]) => [id, o.value])),
    )
    for (const o of body.coinOutputs) {
      // the same view as GET /outputs/coin/:id, plus `spendable`
      expect(o).toEqual({ ...(await get(app, `/outputs/coin/${o.id}`)).body, spendable: true })
      expect(o.unlockhash).toBe(addressOf(key1))
    }
    const total = [...expected.values()].reduce((a, o) => a + o.value, 0n).toString()
    expect(body).toMatchObject({ address: addressOf(key1), height: 5, blockStakeOutputs: [], more: false })
    expect(body.balance).toEqual({
      coins: { unlocked: total, locked: '0', immature: '0', unconfirmed: '0' },
      blockStakes: { unlocked: '0', locked: '0', unconfirmed: '0' },
    })
    // newest first
    const heights = body.coinOutputs.map((o: any) => expected.get(o.id)!.height)
    expect(new Set(heights).size).toBeGreaterThan(1)
    expect(heights).toEqual([...heights].sort((a: number, b: number) => b - a))
  })

  it('marks an output a pool transaction spends and counts its change as unconfirmed', async () => {
    const { app, registry } = await setup()
    const g = genesisTransaction(def)
    const genesisOutput = {
      id: toHex(registry.coinOutputId(g, 1)),
      value: (1000n * COIN).toString(),
      condition: { type: 1, data: { unlockhash: addressOf(key2) } },
      unlockhash: addressOf(key2),
    }
    const before = await outputsOf(app, key2)
    expect(before.coinOutputs).toEqual([{ ...genesisOutput, spendable: true }])
    expect(before.balance.coins).toEqual({
      unlocked: (1000n * COIN).toString(),
      locked: '0',
      immature: '0',
      unconfirmed: '0',
    })
    const key1Before = (await outputsOf(app, key1)).balance.coins

    const fee = def.constants.minimumTransactionFee
    const tx = transferFromKey2(registry, 100n * COIN, key1)
    expect((await post(app, registry, tx)).statusCode).toBe(200)
    const change = 900n * COIN - fee
    const after = await outputsOf(app, key2)
    expect(after.coinOutputs).toEqual([
      { ...genesisOutput, spendable: false, unconfirmedSpender: toHex(registry.id(tx)) },
    ])
    expect(after.balance.coins).toEqual({
      unlocked: '0',
      locked: '0',
      immature: '0',
      unconfirmed: change.toString(),
    })
    expect((await outputsOf(app, key1)).balance.coins).toEqual({
      ...key1Before,
      unconfirmed: (100n * COIN).toString(),
    })

    // a pool transaction spending that change: only its own output is unconfirmed now
    const child = signSingleSignature(
      registry,
      ed,
      {
        version: 1,
        coinInputs: [{ parentId: registry.coinOutputId(tx, 1), fulfillment: { type: 0 } }],
        coinOutputs: [{ value: change - fee, condition: to(key2) }],
        blockStakeInputs: [],
        blockStakeOutputs: [],
        minerFees: [fee],
        arbitraryData: new Uint8Array(0),
      },
      'coinInputs',
      0,
      key2,
    )
    expect((await post(app, registry, child)).statusCode).toBe(200)
    expect((await outputsOf(app, key2)).balance.coins.unconfirmed).toBe((change - fee).toString())
  })

  it("counts a block creator's payouts as immature until they mature", async () => {
    const delay = def.constants.maturityDelay
    const { app, chain, blocks } = await setup({}, delay)
    const payouts = (h: number) => {
      const ids = chain.codec.minerPayoutIds(blocks[h - 1]!)
      return blocks[h - 1]!.minerPayouts.map((p, i) => ({ id: toHex(ids[i]!), value: p.value.toString() }))
    }
    const sum = (from: number, to: number) => {
      let total = 0n
      for (let h = from; h <= to; h++) for (const p of payouts(h)) total += BigInt(p.value)
      return total.toString()
    }
    const immatureOf = (body: any) =>
      body.coinOutputs
        .filter((o: any) => o.maturityHeight !== undefined)
        .map((o: any) => ({
          id: o.id,
          value: o.value,
          spendable: o.spendable,
          maturityHeight: o.maturityHeight,
        }))

    // at the tip (height = maturity delay) no payout has matured: block h's mature at h + delay
    const young = await outputsOf(app, key0)
    const expected = (from: number, to: number) => {
      const list = []
      for (let h = to; h >= from; h--)
        for (const p of payouts(h)) list.push({ ...p, spendable: false, maturityHeight: h + delay })
      return list
    }
    expect(immatureOf(young)).toEqual(expected(1, delay))
    expect(young.balance.coins.immature).toBe(sum(1, delay))
    for (const o of young.coinOutputs.filter((o: any) => o.maturityHeight !== undefined))
      expect(o).toMatchObject({ unlockhash: addressOf(key0), condition: { type: 1 } })
    const firstPayouts = new Set(payouts(1).map((p) => p.id))
    expect(young.coinOutputs.filter((o: any) => firstPayouts.has(o.id) && o.spendable)).toEqual([])

    // one block later block 1's payouts are spendable coins
    expect((await chain.addBlock(blocks[delay]!)).status).toBe('tip')
    const old = await outputsOf(app, key0)
    expect(immatureOf(old)).toEqual(expected(2, delay + 1))
    expect(old.balance.coins.immature).toBe(sum(2, delay + 1))
    const matured = old.coinOutputs.filter((o: any) => firstPayouts.has(o.id))
    expect(matured.map((o: any) => ({ id: o.id, value: o.value, spendable: o.spendable }))).toEqual(
      payouts(1).map((p) => ({ ...p, spendable: true })),
    )
    expect(matured.every((o: any) => o.maturityHeight === undefined)).toBe(true)
    expect(old.balance.coins.unlocked).toBe(sumOf(old.coinOutputs, (o) => o.spendable))

    // the block stake lives in the newest respend
    const stakeId = toHex(chain.registry.blockStakeOutputId(blocks[delay]!.transactions[0]!, 0))
    expect(old.blockStakeOutputs).toEqual([
      {
        id: stakeId,
        value: '1000',
        condition: { type: 1, data: { unlockhash: addressOf(key0) } },
        unlockhash: addressOf(key0),
        spendable: true,
      },
    ])
    expect(old.balance.blockStakes).toEqual({ unlocked: '1000', locked: '0', unconfirmed: '0' })

    // `limit` bounds the index entries read
    const cut = await outputsOf(app, key0, '?limit=1')
    expect(cut.more).toBe(true)
    expect(cut.coinOutputs.length + cut.blockStakeOutputs.length).toBeLessThan(
      old.coinOutputs.length + old.blockStakeOutputs.length,
    )
    expect(old.more).toBe(false)

    // a pool transaction moving block stakes: the new outputs are unconfirmed block stakes
    const fee = def.constants.minimumTransactionFee
    const payout = matured[0]
    let moveStakes: Transaction = {
      version: 1,
      coinInputs: [{ parentId: fromHex(payout.id, 32), fulfillment: { type: 0 } }],
      coinOutputs: [{ value: BigInt(payout.value) - fee, condition: to(key0) }],
      blockStakeInputs: [{ parentId: fromHex(stakeId, 32), fulfillment: { type: 0 } }],
      blockStakeOutputs: [
        { value: 400n, condition: to(key1) },
        { value: 600n, condition: to(key0) },
      ],
      minerFees: [fee],
      arbitraryData: new Uint8Array(0),
    }
    for (const list of ['coinInputs', 'blockStakeInputs'] as const)
      moveStakes = signSingleSignature(chain.registry, ed, moveStakes, list, 0, key0)
    expect((await post(app, chain.registry, moveStakes)).statusCode).toBe(200)
    expect((await outputsOf(app, key0)).balance.blockStakes).toEqual({
      unlocked: '0',
      locked: '0',
      unconfirmed: '600',
    })
    expect((await outputsOf(app, key1)).balance.blockStakes.unconfirmed).toBe('400')
  })

  it('marks time-locked outputs as locked until their height or time', async () => {
    const { app, registry } = await setup()
    const g = genesisTransaction(def)
    const body = await outputsOf(app, key3)
    const view = (i: number) => ({
      id: toHex(registry.coinOutputId(g, 2 + i)),
      value: KEY3_OUTPUTS[i]!.value.toString(),
      condition: JSON.parse(stringifyJson(conditionToJson(KEY3_OUTPUTS[i]!.condition))),
      unlockhash: addressOf(key3),
    })
    expect(body.coinOutputs).toEqual([
      { ...view(0), spendable: false, locked: { until: 100, kind: 'height' } },
      { ...view(1), spendable: false, locked: { until: GENESIS_TIME + 1_000_000, kind: 'time' } },
      // locked until height 3, the tip is at 5
      { ...view(2), spendable: true },
    ])
    expect(body.balance).toEqual({
      coins: {
        unlocked: (30n * COIN).toString(),
        locked: (30n * COIN).toString(),
        immature: '0',
        unconfirmed: '0',
      },
      blockStakes: { unlocked: '0', locked: '0', unconfirmed: '0' },
    })
  })

  it('rejects a malformed address and limit with 400 naming the parameter', async () => {
    const { app } = await setup()
    const badChecksum = `${addressOf(key1).slice(0, 76)}00`
    const nil = `00${'0'.repeat(76)}`
    for (const bad of [badChecksum, 'nope', nil, `${addressOf(key1)}00`]) {
      const res = await get(app, `/addresses/${bad}/outputs`)
      expectError(res, 400, 'invalid-parameter')
      expect(res.body.message).toMatch(/^address: /)
      expect(res.body.details).toEqual({ parameter: 'address' })
    }
    expect((await get(app, `/addresses/${badChecksum}/outputs`)).body.message).toMatch(/checksum/)
    for (const limit of ['0', '10001', 'x']) {
      const res = await get(app, `/addresses/${addressOf(key1)}/outputs?limit=${limit}`)
      expectError(res, 400, 'invalid-parameter')
      expect(res.body.details).toEqual({ parameter: 'limit' })
    }
    expect((await get(app, `/addresses/${addressOf(key1)}/outputs?limit=10000`)).status).toBe(200)
    // an address nothing ever paid
    expect(await outputsOf(app, devKey(9))).toEqual({
      address: addressOf(devKey(9)),
      height: 5,
      coinOutputs: [],
      blockStakeOutputs: [],
      balance: {
        coins: { unlocked: '0', locked: '0', immature: '0', unconfirmed: '0' },
        blockStakes: { unlocked: '0', locked: '0', unconfirmed: '0' },
      },
      more: false,
    })
  })
})

describe('api: network and metrics', () => {
  const network: NetworkView = {
    peerId: '12D3KooWself',
    listenAddresses: [],
    synced: false,
    syncRate: 12.5,
    peers: () => [
      { id: '12D3KooWa', addresses: ['/ip4/127.0.0.1/tcp/1'], direction: 'outbound', height: 7, tipId: 'ab' },
      { id: '12D3KooWb', addresses: [], direction: 'inbound' },
    ],
  }

  it('GET /peers lists the peers', async () => {
    const { app } = await setup({ network })
    expect((await get(app, '/peers')).body).toEqual([
      { id: '12D3KooWa', addresses: ['/ip4/127.0.0.1/tcp/1'], direction: 'outbound', height: 7, tipId: 'ab' },
      { id: '12D3KooWb', addresses: [], direction: 'inbound' },
    ])
    expect((await get(app, '/consensus')).body).toMatchObject({ synced: false, peers: 2 })
    const alone = await setup()
    expect((await get(alone.app, '/peers')).body).toEqual([])
  })

  it('GET /metrics speaks the Prometheus text format', async () => {
    const { app, chain, blocks } = await setup({ network })
    await chain.addBlock(blocks[5]!)
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const values = new Map(
      res.body
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(' ') as [string, string]),
    )
    expect(values.get('blockstake_height')).toBe('6')
    expect(values.get('blockstake_peers')).toBe('2')
    expect(values.get('blockstake_txpool_transactions')).toBe('0')
    expect(values.get('blockstake_txpool_bytes')).toBe('0')
    expect(values.get('blockstake_blocks_applied_total')).toBe('1')
    expect(values.get('blockstake_reorgs_total')).toBe('0')
    expect(values.get('blockstake_sync_rate_blocks_per_second')).toBe('12.5')
    expect(Number(values.get('process_resident_memory_bytes'))).toBeGreaterThan(0)
    expect(Number(values.get('process_cpu_seconds_total'))).toBeGreaterThan(0)
    expect(Number(values.get('nodejs_heap_size_used_bytes'))).toBeGreaterThan(0)
    expect(res.body).toMatch(/^# HELP blockstake_height .+\n# TYPE blockstake_height gauge\n/)
    expect(res.body).toMatch(/# TYPE blockstake_blocks_applied_total counter\n/)
  })
})

// ---- server-sent events over a real socket --------------------------------------------------------

interface SseEvent {
  readonly event: string
  readonly data: any
}

/** Reads an event stream; `next` waits (bounded) for the first event matching `match`. */
class SseReader {
  private buffer = ''
  private readonly events: SseEvent[] = []
  comments = 0
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>
  private readonly decoder = new TextDecoder()

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader()
  }

  async next(match: (e: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.events.findIndex(match)
      if (i >= 0) return this.events.splice(0, i + 1)[i]!
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for an event')
      let timer: NodeJS.Timeout | undefined
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out waiting for an event')), left)
        }),
      ]).finally(() => clearTimeout(timer))
      if (chunk.done) throw new Error('the stream ended')
      this.buffer += this.decoder.decode(chunk.value, { stream: true })
      for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
        const frame = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end + 2)
        let event = 'message'
        let data: string | undefined
        for (const line of frame.split('\n')) {
          if (line.startsWith(':')) this.comments++
          else if (line.startsWith('event: ')) event = line.slice(7)
          else if (line.startsWith('data: ')) data = line.slice(6)
        }
        if (data !== undefined) this.events.push({ event, data: JSON.parse(data) })
      }
    }
  }
}

describe('api: /events', () => {
  let controller: AbortController
  beforeEach(() => {
    controller = new AbortController()
    cleanups.push(async () => controller.abort())
  })

  async function serve(opts: Partial<ApiOptions> = {}) {
    const registry = coreRegistry()
    const { chain, pool } = await openChain(registry)
    const api = await createApi({
      chain,
      pool,
      host: '127.0.0.1',
      port: 0,
      logger,
      eventKeepAliveMs: 50,
      ...opts,
    })
    cleanups.push(() => api.close())
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    return { chain, pool, registry, api }
  }

  const streams = async (url: string) =>
    Number(/blockstake_api_event_streams (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())![1])

  it('streams new tips and address activity, with keep-alives, and forgets a client that leaves', async () => {
    const { chain, registry, api } = await serve()
    const blocks = generate(3, 2, registry)
    await chain.addBlock(blocks[0]!)
    const res = await fetch(`${api.url}/events?address=${addressOf(key1)}`, { signal: controller.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const sse = new SseReader(res.body!)
    expect((await sse.next((e) => e.event === 'tip')).data).toMatchObject({
      height: 1,
      tipId: toHex(chain.tip.id),
    })

    await chain.addBlock(blocks[1]!)
    expect((await sse.next((e) => e.event === 'tip')).data).toEqual({
      height: 2,
      tipId: toHex(chain.idAt(2)!),
      timestamp: blocks[1]!.timestamp,
    })
    // both transfers of block 2 pay key 1 (one as payment, one as change)
    const touching = blocks[1]!.transactions.slice(1).map((tx) => toHex(registry.id(tx)))
    const seen = [await sse.next((e) => e.event === 'address'), await sse.next((e) => e.event === 'address')]
    expect(seen.map((e) => e.data)).toEqual(touching.map((txid) => ({ txid, height: 2 })))

    // an unconfirmed transaction paying key 1
    const tx = transferFromKey2(registry, 3n * COIN, key1)
    const post = await fetch(`${api.url}/txpool`, {
      method: 'POST',
      body: registry.toJsonString(tx),
      headers: { 'content-type': 'application/json' },
    })
    expect(post.status).toBe(200)
    expect((await sse.next((e) => e.event === 'address')).data).toEqual({
      txid: toHex(registry.id(tx)),
      unconfirmed: true,
    })
    while (sse.comments === 0) await sse.next(() => false, 100).catch(() => undefined)
    expect(sse.comments).toBeGreaterThan(0)

    expect(await streams(api.url)).toBe(1)
    controller.abort()
    const deadline = Date.now() + 5000
    while ((await streams(api.url)) !== 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    expect(await streams(api.url)).toBe(0)
  })

  it('announces a reorg with the reverted and applied block IDs', async () => {
    const { chain, registry, api } = await serve()
    const short = generate(2, 0, registry)
    const long = generate(4, 1, registry)
    await chain.addBlocks(short)
    const res = await fetch(`${api.url}/events`, { signal: controller.signal })
    const sse = new SseReader(res.body!)
    await sse.next((e) => e.event === 'tip' && e.data.height === 2)
    for (const b of long) await chain.addBlock(b)
    const reorg = await sse.next((e) => e.event === 'reorg')
    expect(reorg.data.reverted).toEqual(short.map((b) => toHex(chain.codec.id(b))).reverse())
    expect(reorg.data.applied.length).toBeGreaterThan(0)
    expect(reorg.data.applied.at(-1)).toBe(toHex(chain.idAt(reorg.data.applied.length)!))
    expect((await sse.next((e) => e.event === 'tip' && e.data.height === 4)).data.tipId).toBe(
      toHex(chain.tip.id),
    )
    expect(await streams(api.url)).toBe(1)
    // closing the API ends open streams instead of waiting for them
    await api.close()
    await expect(sse.next(() => false, 2000)).rejects.toThrow('the stream ended')
  })

  it('caps the streams of one client (by remote IP), not of the others', async () => {
    const { api } = await serve({ maxEventStreamsPerClient: 3, maxEventClients: 10 })
    const { port } = new URL(api.url)
    const open: ClientRequest[] = []
    cleanups.push(async () => {
      for (const r of open) r.destroy()
    })
    /** A GET /events from `localAddress`; resolves with the status once the headers arrive. */
    const stream = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpGet({ host: '127.0.0.1', port, path: '/events', localAddress }, (res) => {
          resolve(res.statusCode ?? 0)
          if (res.statusCode !== 200) res.resume()
        })
        req.on('error', reject)
        open.push(req)
      })
    const rssBefore = Math.round(process.memoryUsage().rss / 1e6)
    for (let i = 0; i < 3; i++) expect(await stream('127.0.0.1')).toBe(200)
    expect(await stream('127.0.0.1')).toBe(429)
    // another client still gets its streams
    expect(await stream('127.0.0.2')).toBe(200)
    expect(await streams(api.url)).toBe(4)
    // one leaves: the first client may open one again
    open[0]!.destroy()
    await pollUntil(
      'the stream to close',
      5_000,
      async () => ((await streams(api.url)) === 3 ? true : undefined),
      20,
    )
    expect(await stream('127.0.0.1')).toBe(200)
    console.log(`events cap: RSS ${rssBefore} -> ${Math.round(process.memoryUsage().rss / 1e6)} MB`)
  })

  it('rejects a malformed address before streaming', async () => {
    const { api } = await serve()
    const res = await fetch(`${api.url}/events?address=nope`)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'invalid-parameter', details: { parameter: 'address' } })
  })
})
