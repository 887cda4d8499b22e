// The light endpoints on a chain in LevelDB (docs/light-client.md): headers whose IDs and proofs check out,
// bounded counts and malformed parameters refused by name, transaction and output proofs that lead to the
// header's Merkle root, checkpoints with the chain's own targets, 404s for what is not on the main chain.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { fromHex, toHex } from '../../../../consensus/encoding/hex.js'
import { BlockCodec } from '../../../../consensus/types/block.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { provenTransaction } from '../../../../light/headers.js'
import { MAX_LIGHT_HEADERS, parseLightHeaders, parseLightTransactionProof } from '../../../../light/proof.js'
import { buildApi } from '../../../../node/api/server.js'
import { targetHex } from '../../../../node/api/views.js'
import { Chain } from '../../../../node/chain/chain.js'
import { openLevelStore } from '../../../../node/db/level.js'
import { TransactionPool } from '../../../../node/mempool/pool.js'
import { generatedChain } from '../../../utils/devchain.js'

const NOW = () => 1_800_000_000
const dir = mkdtempSync(join(tmpdir(), 'blockstake-light-api-'))
const codec = new BlockCodec(coreRegistry())
const gen = generatedChain({ blocks: 30, transactionsPerBlock: 3 })
let chain: Chain
let close: () => Promise<void>
let get: (url: string) => Promise<{ status: number; body: any }>

beforeAll(async () => {
  const store = await openLevelStore(join(dir, 'db'))
  chain = await Chain.open({ store, def: gen.def, registry: coreRegistry(), verifier: nodeEd25519, now: NOW })
  expect((await chain.addBlocks(gen.blocks)).error).toBeUndefined()
  const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: NOW }).attach()
  const app = await buildApi({ chain, pool, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) })
  get = async (url) => {
    const r = await app.inject({ method: 'GET', url })
    return { status: r.statusCode, body: r.json() }
  }
  close = async () => {
    await app.close()
    pool.detach()
    await chain.close()
  }
})
afterAll(async () => {
  await close?.()
  rmSync(dir, { recursive: true, force: true })
})

describe('light endpoints', () => {
  it('GET /light/headers: headers with IDs and proofs that lead to the right Merkle roots', async () => {
    const r = await get('/light/headers?from=0&count=31')
    expect(r.status).toBe(200)
    const page = parseLightHeaders(r.body)
    expect(toHex(page.genesisId)).toBe(gen.ids[0])
    expect(page.tip).toEqual({ height: 30, id: fromHex(gen.ids[30]!) })
    expect(page.headers.map((h) => h.height)).toEqual([...Array(31).keys()])
    expect(r.body.headers.map((h: any) => h.id)).toEqual(gen.ids)
    expect(page.headers[0]!.stake).toBeUndefined()
    for (const h of page.headers.slice(1)) {
      const holder = page.headers[h.header.pobsOutput.blockHeight]!
      expect('tx' in provenTransaction(codec.registry, h.stake!, holder.header.merkleRoot)).toBe(true)
      expect('tx' in provenTransaction(codec.registry, h.respend!, h.header.merkleRoot)).toBe(true)
    }
    const bare = await get('/light/headers?from=5&count=2&proofs=0')
    expect(bare.body.headers.map((h: any) => Object.keys(h).sort())).toEqual([
      ['header', 'height', 'id'],
      ['header', 'height', 'id'],
    ])
    // above the tip: nothing; default count: 100
    expect((await get('/light/headers?from=31')).body.headers).toEqual([])
    expect((await get('/light/headers?from=0')).body.headers).toHaveLength(31)
  })

  it('refuses counts above the bound and malformed parameters, naming them', async () => {
    const over = await get(`/light/headers?from=0&count=${MAX_LIGHT_HEADERS + 1}`)
    expect(over.status).toBe(400)
    expect(over.body).toMatchObject({ code: 'invalid-parameter' })
    expect(over.body.message).toMatch(/^count: expected an integer from 0 to 500/)
    for (const url of [
      '/light/headers',
      '/light/headers?from=-1',
      '/light/headers?from=1&count=x',
      '/light/headers?from=1&proofs=2',
      '/light/proof/tx/abc',
      '/light/proof/output/zz',
      '/light/checkpoint/1.5',
    ]) {
      const r = await get(url)
      expect(r.status, url).toBe(400)
      expect(['bad-request', 'invalid-parameter'], url).toContain(r.body.code)
      expect(r.body.message, url).toMatch(/from|count|proofs|id|height|querystring|params/)
    }
  })

  it('GET /light/proof/tx/:id and /light/proof/output/:id prove against the block', async () => {
    const block = gen.blocks[6]!
    const tx = block.transactions[2]!
    const id = codec.registry.id(tx)
    const r = await get(`/light/proof/tx/${toHex(id)}`)
    expect(r.status).toBe(200)
    const p = parseLightTransactionProof(r.body)
    expect(p).toMatchObject({ height: 7, blockId: fromHex(gen.ids[7]!), transactionId: id })
    const root = codec.header(block).merkleRoot
    expect('tx' in provenTransaction(codec.registry, p, root)).toBe(true)

    // an output of the newest transfer is unspent: its creating transaction is found by its address
    const last = gen.blocks[29]!.transactions.at(-1)!
    const outputId = codec.registry.outputIds(last).coinOutputIds[0]!
    const o = await get(`/light/proof/output/${toHex(outputId)}`)
    expect(o.status).toBe(200)
    expect(o.body.output).toEqual({ kind: 'coin', index: 0 })
    expect(o.body.transactionId).toBe(toHex(codec.registry.id(last)))
    expect(o.body.height).toBe(30)

    const unknown = '00'.repeat(32)
    expect((await get(`/light/proof/tx/${unknown}`)).status).toBe(404)
    expect((await get(`/light/proof/output/${unknown}`)).status).toBe(404)
  })

  it("GET /light/checkpoint/:height has the chain's own targets", async () => {
    const r = await get('/light/checkpoint/20')
    expect(r.status).toBe(200)
    const meta = (await chain.meta(fromHex(gen.ids[20]!)))!
    expect(r.body).toEqual({
      height: 20,
      id: gen.ids[20],
      childTarget: targetHex(meta.childTarget),
      depth: targetHex(meta.depth),
      timestamp: meta.timestamp,
    })
    const none = await get('/light/checkpoint/31')
    expect(none.status).toBe(404)
    expect(none.body.message).toMatch(/no block at height 31/)
  })
})
