// The node's notary index and GET /notary/:hash on a chain in LevelDB: registrations found with receipts
// that verify offline, the same hash twice, a hash with none (404) and a malformed one (400), a reorg that
// takes registrations away and brings others, and the index as it was after the store is reopened.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { concatBytes, toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import { parseNotaryReceipt, verifyNotaryReceipt } from '../../../../consensus/extensions/notary/receipt.js'
import { notaryHash, notaryRecord } from '../../../../consensus/extensions/notary/record.js'
import type { ChainDefinition } from '../../../../consensus/params/chain.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { buildApi } from '../../../../node/api/server.js'
import { Chain } from '../../../../node/chain/chain.js'
import { openLevelStore } from '../../../../node/db/level.js'
import { TransactionPool } from '../../../../node/mempool/pool.js'
import { notaryRoutes } from '../../../../node/notary/api.js'
import { NOTARY_INDEX, notaryIndexer } from '../../../../node/notary/indexer.js'
import { generatedChain } from '../../../utils/devchain.js'
import { OpenApiChecker } from '../../../utils/openapi.js'

const NOW = () => 1_800_000_000
const dir = mkdtempSync(join(tmpdir(), 'blockstake-notary-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const hashA = notaryHash(utf8('document A'))
const hashB = notaryHash(utf8('document B'))
const hashC = notaryHash(utf8('document C'))
// chain A: A at 3/0 and again at 5/1, B (with a note after the record) at 6/0; chain B forks at 3, longer
const a = generatedChain({
  blocks: 12,
  transactionsPerBlock: 2,
  arbitraryData: (h, i) =>
    h === 3 && i === 0
      ? notaryRecord(hashA)
      : h === 5 && i === 1
        ? notaryRecord(hashA)
        : h === 6 && i === 0
          ? concatBytes(notaryRecord(hashB), utf8('note'))
          : new Uint8Array(0),
})
const b = generatedChain({
  blocks: 20,
  transactionsPerBlock: 2,
  arbitraryData: (h, i) => (h === 4 && i === 0 ? notaryRecord(hashC) : new Uint8Array(0)),
})

async function open(def: ChainDefinition, db = 'db', indexed = true) {
  const store = await openLevelStore(join(dir, db))
  const chain = await Chain.open({
    store,
    def,
    registry: coreRegistry(),
    verifier: nodeEd25519,
    now: NOW,
    ...(indexed ? { indexers: [notaryIndexer] } : {}),
  })
  const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: NOW }).attach()
  const app = await buildApi({
    chain,
    pool,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    routes: [notaryRoutes],
  })
  const checker = new OpenApiChecker((await app.inject({ url: '/openapi.json' })).json())
  const get = async (hash: string) => {
    const r = await app.inject({ method: 'GET', url: `/notary/${hash}` })
    // found or not, the answer matches the route's schema in GET /openapi.json (issue #17)
    checker.check('GET', `/notary/${hash}`, r.statusCode, r.json())
    return { status: r.statusCode, body: r.json() }
  }
  const close = async () => {
    await app.close()
    pool.detach()
    await chain.close()
  }
  return { chain, get, close }
}

describe('notary index and GET /notary/:hash', () => {
  it('finds registrations with receipts that verify offline, and follows a reorg and a reopen', async () => {
    expect(a.ids.slice(0, 3)).toEqual(b.ids.slice(0, 3))
    expect(a.ids[3]).not.toBe(b.ids[3])
    let node = await open(a.def)
    expect((await node.chain.addBlocks(a.blocks)).error).toBeUndefined()

    const found = await node.get(toHex(hashA))
    expect(found.status).toBe(200)
    expect(found.body).toMatchObject({ hash: toHex(hashA), height: 12 })
    expect(found.body.more).toBeUndefined()
    expect(found.body.registrations.map((r: any) => r.height)).toEqual([3, 5])
    for (const r of found.body.registrations) {
      expect(r.blockId).toBe(a.ids[r.height])
      const receipt = parseNotaryReceipt(r)
      expect(verifyNotaryReceipt(receipt, hashA)).toMatchObject({ valid: true })
      expect(toHex(receipt.genesisId)).toBe(a.ids[0])
    }
    // block 5's second transfer: the respend, then two transfers, after one payout and one fee payout
    expect(found.body.registrations[1].proof).toMatchObject({ leafIndex: 2 + 2, leafCount: 2 + 3 })
    const withNote = await node.get(toHex(hashB).toUpperCase())
    expect(withNote.body.registrations).toHaveLength(1)
    expect(verifyNotaryReceipt(parseNotaryReceipt(withNote.body.registrations[0]), hashB).valid).toBe(true)

    const none = await node.get(toHex(hashC))
    expect(none).toEqual({
      status: 404,
      body: { code: 'not-found', message: `hash ${toHex(hashC)} is not registered on the main chain` },
    })
    for (const bad of ['abc', 'zz'.repeat(32), '0'.repeat(65)]) {
      const r = await node.get(bad)
      expect(r.status).toBe(400)
      expect(r.body).toMatchObject({ code: 'invalid-parameter', details: { parameter: 'hash' } })
      expect(r.body.message).toMatch(/^hash: expected 64 hex characters/)
    }

    // the longer fork from height 3 takes A's registrations away and brings C's
    for (const block of b.blocks) await node.chain.addBlock(block)
    expect(toHex(node.chain.tip.id)).toBe(b.ids.at(-1))
    expect((await node.get(toHex(hashA))).status).toBe(404)
    expect((await node.get(toHex(hashB))).status).toBe(404)
    const c = await node.get(toHex(hashC))
    expect(c.body.registrations.map((r: any) => [r.height, r.blockId])).toEqual([[4, b.ids[4]]])
    // nothing of the reverted blocks is left in the index
    expect(await node.chain.indexEntries(NOTARY_INDEX, new Uint8Array(0), 100)).toHaveLength(1)
    await node.close()

    node = await open(b.def)
    const again = await node.get(toHex(hashC))
    expect(again.body).toEqual(c.body)
    expect(verifyNotaryReceipt(parseNotaryReceipt(again.body.registrations[0]), hashC).valid).toBe(true)
    await node.close()
  }, 60_000)

  it('catches up a data directory whose blocks were added without the index, and one that reorganised meanwhile', async () => {
    const heights = async (node: Awaited<ReturnType<typeof open>>, hash: Uint8Array) => {
      const r = await node.get(toHex(hash))
      return r.status === 200 ? r.body.registrations.map((x: any) => x.height) : r.status
    }
    // an older build: blocks 1-4 without the index; then the index from genesis
    let node = await open(a.def, 'old', false)
    expect((await node.chain.addBlocks(a.blocks.slice(0, 4))).error).toBeUndefined()
    await node.close()
    node = await open(a.def, 'old')
    expect(await heights(node, hashA)).toEqual([3])
    await node.close()
    // a run without it again (blocks 5-12): caught up from where it stopped
    node = await open(a.def, 'old', false)
    expect((await node.chain.addBlocks(a.blocks.slice(4))).error).toBeUndefined()
    await node.close()
    node = await open(a.def, 'old')
    expect(await heights(node, hashA)).toEqual([3, 5])
    expect(await heights(node, hashB)).toEqual([6])
    await node.close()
    // a reorg to chain B while it did not run: A's entries go, B's come
    node = await open(b.def, 'old', false)
    for (const block of b.blocks) await node.chain.addBlock(block)
    expect(toHex(node.chain.tip.id)).toBe(b.ids.at(-1))
    await node.close()
    node = await open(b.def, 'old')
    expect(await heights(node, hashA)).toBe(404)
    expect(await heights(node, hashB)).toBe(404)
    expect(await heights(node, hashC)).toEqual([4])
    expect(await node.chain.indexEntries(NOTARY_INDEX, new Uint8Array(0), 100)).toHaveLength(1)
    await node.close()
  }, 60_000)

  it('reads and hashes a block once per answer, however many registrations of the hash it holds', async () => {
    // anyone can register a hash again, cheaply: every registration in one block must not cost a block
    // read and a Merkle tree of the whole block each
    const many = generatedChain({
      blocks: 3,
      transactionsPerBlock: 8,
      arbitraryData: (h) => (h === 2 ? notaryRecord(hashA) : new Uint8Array(0)),
    })
    const node = await open(many.def, 'many')
    expect((await node.chain.addBlocks(many.blocks)).error).toBeUndefined()
    const reads = vi.spyOn(node.chain, 'block')
    const leaves = vi.spyOn(node.chain.codec, 'merkleLeaves')
    const found = await node.get(toHex(hashA))
    expect(found.body.registrations).toHaveLength(8)
    for (const r of found.body.registrations)
      expect(verifyNotaryReceipt(parseNotaryReceipt(r), hashA).valid).toBe(true)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(leaves).toHaveBeenCalledTimes(1)
    await node.close()
  }, 60_000)
})
