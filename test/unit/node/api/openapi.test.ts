// Issue #17: GET /openapi.json lists every route with its parameters and answers, the real answers of the
// routes match it, and `/` serves the explorer's pages (or says how to build them).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../../consensus/encoding/json.js'
import { type ChainDefinition, genesisTransaction } from '../../../../consensus/params/chain.js'
import { unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { buildApi } from '../../../../node/api/server.js'
import { notaryRoutes } from '../../../../node/notary/api.js'
import { capDef } from '../../../utils/capchain.js'
import { addressOf, alice, def, registry, staker } from '../../../utils/extchain.js'
import { genesisPayment, openExtChain } from '../../../utils/extnode.js'
import { OpenApiChecker } from '../../../utils/openapi.js'

const addr = (k: Parameters<typeof addressOf>[0]) => unlockHashToString(addressOf(k))
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function node(explorerDir?: string, chainDef: ChainDefinition = def) {
  const { chain, pool, rules } = await openExtChain(chainDef)
  const app = await buildApi({
    chain,
    pool,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    extensions: rules.extensions,
    routes: [notaryRoutes],
    ...(explorerDir ? { explorerDir } : {}),
  })
  return { chain, pool, app }
}

describe('GET /openapi.json', () => {
  it('lists every route with a summary, its path parameters and a 200 answer', async () => {
    const { app } = await node()
    const res = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.1.0')
    const ops = new OpenApiChecker(doc).operations()
    for (const op of [
      'GET /',
      'GET /openapi.json',
      'GET /chain',
      'GET /consensus',
      'GET /blocks/{height}',
      'GET /blocks/id/{id}',
      'GET /transactions/{id}',
      'GET /outputs/coin/{id}',
      'GET /outputs/coin/{id}/spent',
      'GET /outputs/blockstake/{id}',
      'GET /addresses/{address}/outputs',
      'GET /addresses/{address}/multisig',
      'GET /explorer/hashes/{hash}',
      'GET /txpool',
      'POST /txpool',
      'GET /peers',
      'GET /events',
      'GET /metrics',
      'GET /notary/{hash}',
      'GET /mint/condition',
      'GET /mint/condition/{height}',
      'GET /auth/condition',
      'GET /auth/status/{address}',
    ])
      expect(ops).toContain(op)
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy()
        expect(op.responses['200'], `${method} ${path}`).toBeDefined()
        const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name)
        expect(declared.sort(), `${method} ${path}`).toEqual(
          [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort(),
        )
      }
    }
    // every answer is described closely enough to catch a wrong shape: no "any JSON" placeholder
    expect(new OpenApiChecker(doc).placeholders()).toEqual([])
    expect(doc.paths['/txpool'].post.requestBody).toBeDefined()
    expect(doc.paths['/txpool'].post.security).toEqual([{ token: [] }])
    await app.close()
  })

  it('the answers of the routes match their schemas, errors included', async () => {
    const { chain, pool, app } = await node(undefined, capDef)
    const checker = new OpenApiChecker((await app.inject({ url: '/openapi.json' })).json())
    expect(checker.placeholders()).toEqual([])
    const g = genesisTransaction(def)
    const genesisCoin = toHex(registry.coinOutputId(g, 0))
    const genesisStake = toHex(registry.blockStakeOutputId(g, 0))
    const pending = genesisPayment(alice, 5n * def.oneCoin)
    const submitted = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: stringifyJson(registry.toJson(pending)),
      headers: { 'content-type': 'application/json' },
    })
    checker.check('POST', '/txpool', submitted.statusCode, submitted.json())
    expect(submitted.statusCode, submitted.body).toBe(200)
    const txid = submitted.json().transactionId as string
    const get = async (url: string, status = 200) => {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(status)
      checker.check('GET', url, res.statusCode, res.json())
    }
    const zero = '0'.repeat(64)
    await get('/openapi.json')
    await get('/chain')
    await get('/consensus')
    await get('/blocks/0')
    await get('/blocks/99', 404)
    await get('/blocks/x', 400)
    await get(`/blocks/id/${toHex(chain.genesisId)}`)
    await get(`/blocks/id/${zero}`, 404)
    await get(`/transactions/${txid}`)
    await get(`/transactions/${zero}`, 404)
    await get(`/outputs/coin/${genesisCoin}`)
    await get(`/outputs/coin/${genesisCoin}/spent`, 404)
    await get(`/outputs/blockstake/${genesisStake}`)
    await get(`/outputs/blockstake/bad`, 400)
    await get(`/addresses/${addr(staker)}/outputs`)
    await get(`/addresses/${addr(staker)}/outputs?limit=1&limit=2`, 400)
    await get(`/addresses/nope/outputs`, 400)
    await get(`/addresses/${addr(staker)}/multisig`)
    await get(`/addresses/nope/multisig`, 400)
    await get(`/explorer/hashes/${addr(alice)}`)
    await get(`/explorer/hashes/${toHex(chain.genesisId)}`)
    await get(`/explorer/hashes/${txid}`)
    await get(`/explorer/hashes/${genesisCoin}`)
    await get(`/explorer/hashes/${zero}`, 404)
    await get('/txpool')
    await get('/peers')
    await get(`/notary/${zero}`, 404)
    await get('/capacity/nodes')
    await get('/capacity/nodes/nope', 404)
    await get(`/capacity/reservations?owner=${addr(alice)}`)
    await get('/capacity/reservations', 400)
    await get(`/capacity/reservations/${zero}`, 404)
    expect(pool.size).toBe(1)
    await app.close()
  })

  it('refuses to check an answer against a placeholder schema', () => {
    const doc = (schema: object) => ({
      paths: { '/x': { get: { responses: { 200: { content: { 'application/json': { schema } } } } } } },
    })
    for (const placeholder of [{}, { type: 'object' }, { type: 'array' }, { description: 'anything' }]) {
      const checker = new OpenApiChecker(doc(placeholder))
      expect(checker.placeholders()).toEqual(['GET /x 200'])
      expect(() => checker.check('GET', '/x', 200, { a: 1 })).toThrow(/placeholder/)
    }
    const exact = new OpenApiChecker(
      doc({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }),
    )
    expect(exact.placeholders()).toEqual([])
    expect(() => exact.check('GET', '/x', 200, { a: 1 })).toThrow(/does not match/)
    exact.check('GET', '/x', 200, { a: 'ok' })
  })

  it('the answers of the minting and auth routes, and of a refused submission, match their schemas', async () => {
    const { app } = await node()
    const checker = new OpenApiChecker((await app.inject({ url: '/openapi.json' })).json())
    const refused = await app.inject({
      method: 'POST',
      url: '/txpool',
      payload: stringifyJson(registry.toJson(genesisPayment(alice, def.oneCoin))),
      headers: { 'content-type': 'application/json' },
    })
    expect(refused.statusCode).toBe(400)
    checker.check('POST', '/txpool', 400, refused.json())
    for (const [url, status] of [
      ['/mint/condition', 200],
      ['/mint/condition/0', 200],
      ['/mint/condition/x', 400],
      ['/auth/condition', 200],
      [`/auth/status/${addr(alice)}`, 200],
      ['/auth/status/xyz', 400],
    ] as const) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(status)
      checker.check('GET', url, status, res.json())
    }
    await app.close()
  })
})

describe('GET /', () => {
  it('serves the built explorer with a content security policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blockstake-explorer-'))
    dirs.push(dir)
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>x</title><script src="/explorer.js"></script>',
    )
    writeFileSync(join(dir, 'explorer.js'), 'console.log(1)')
    writeFileSync(join(dir, 'explorer.css'), 'body{}')
    const { app } = await node(dir)
    const page = await app.inject({ url: '/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.body).toContain('/explorer.js')
    const js = await app.inject({ url: '/explorer.js' })
    expect(js.headers['content-type']).toMatch(/^text\/javascript/)
    expect(js.body).toBe('console.log(1)')
    expect((await app.inject({ url: '/explorer.css' })).headers['content-type']).toMatch(/^text\/css/)
    expect((await app.inject({ url: '/../package.json' })).statusCode).toBe(404)
    await app.close()
  })

  it('answers an HTML page saying how to build the explorer when it is not built', async () => {
    const { app } = await node(join(tmpdir(), 'blockstake-no-such-explorer'))
    const page = await app.inject({ url: '/' })
    expect(page.statusCode).toBe(503)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('npm run build')
    await app.close()
  })
})
