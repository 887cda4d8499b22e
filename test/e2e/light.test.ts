// The light client over real HTTP on loopback (issue #16): nodes are real chains in LevelDB (temp dirs) behind
// the real API; a lying node is a loopback HTTP server that relays an honest node's answers with one thing
// changed. The client syncs and verifies every header, follows a reorg, starts from a checkpoint, verifies
// transactions, and refuses each lie (bad kernel, forged stake output, wrong Merkle proof, a respend not in
// the block, a lighter fork) naming the height and the check, dropping the liar and keeping the honest tip.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { fromHex, toHex, utf8 } from '../../consensus/encoding/hex.js'
import { notaryReceipt } from '../../consensus/extensions/notary/receipt.js'
import { notaryHash, notaryRecord } from '../../consensus/extensions/notary/record.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { genesisBlock } from '../../consensus/params/chain.js'
import {
  type Block,
  BlockCodec,
  blockHeaderId,
  decodeHeader,
  encodeHeader,
} from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { createLightClient, HeaderChain, LightError, parseCheckpoint } from '../../light/index.js'
import { type LightHeader, lightHeader } from '../../light/proof.js'
import { nobleBackend } from '../../light/signatures.js'
import { type Api, createApi } from '../../node/api/server.js'
import { BlockCreator, SEARCH_WINDOW_SECONDS } from '../../node/blockcreator/creator.js'
import { Chain } from '../../node/chain/chain.js'
import { openLevelStore } from '../../node/db/level.js'
import { TransactionPool } from '../../node/mempool/pool.js'
import { runCli } from '../utils/cli.js'
import { DEVNET_MNEMONIC, devKey, generatedChain } from '../utils/devchain.js'

const NOW = () => 1_800_000_000
const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-light-'))
const codec = new BlockCodec(coreRegistry())
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
  rmSync(dir, { recursive: true, force: true })
})

// chain a: 40 blocks; chain b forks off a at 3 and is longer (heavier); chain c forks off a at 30, shorter
const documentHash = notaryHash(utf8('a document'))
/** Block 10's first transfer notarizes a document; from `from` on, blocks differ by their data. */
const arbitrary =
  (from = Number.POSITIVE_INFINITY) =>
  (h: number, i: number) =>
    h === 10 && i === 0 ? notaryRecord(documentHash) : h >= from ? new Uint8Array([h]) : new Uint8Array(0)
const a = generatedChain({ blocks: 40, transactionsPerBlock: 2, arbitraryData: arbitrary() })
const b = generatedChain({ blocks: 50, transactionsPerBlock: 2, arbitraryData: arbitrary(4) })
const c = generatedChain({ blocks: 36, transactionsPerBlock: 2, arbitraryData: arbitrary(31) })

let dbs = 0
async function startNode(def: ChainDefinition, blocks: readonly Block[]) {
  const store = await openLevelStore(join(dir, `db${dbs++}`))
  const chain = await Chain.open({ store, def, registry: coreRegistry(), verifier: nodeEd25519, now: NOW })
  const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: NOW }).attach()
  expect((await chain.addBlocks(blocks)).error).toBeUndefined()
  const api: Api = await createApi({
    chain,
    pool,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
  })
  cleanups.push(async () => {
    await api.close()
    pool.detach()
    await chain.close()
  })
  return { chain, pool, url: api.url }
}

/** A node that relays `upstream`, passing the answers of `route` through `tamper`. */
async function lyingNode(
  upstream: string,
  tamper: (body: any) => void,
  route = '/light/headers',
): Promise<string> {
  const server: Server = createServer(async (req, res) => {
    const r = await fetch(`${upstream}${req.url}`)
    const text = await r.text()
    let out = text
    if (r.ok && req.url?.startsWith(route)) {
      const body = JSON.parse(text)
      tamper(body)
      out = JSON.stringify(body)
    }
    res.writeHead(r.status, { 'content-type': 'application/json' })
    res.end(out)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Changes header `height` of a page (if the page has it) with `change`, fixing its `id` field. */
const atHeight = (height: number, change: (h: any) => void) => (body: any) => {
  const h = body.headers.find((x: any) => x.height === height)
  if (!h) return
  change(h)
  h.id = toHex(blockHeaderId(decodeHeaderHex(h.header)))
}
const decodeHeaderHex = (hex: string) => decodeHeader(fromHex(hex))

/** A shift of block 20's timestamp at which its kernel misses the target (found with the client's own checks). */
async function kernelMissOffset(): Promise<number> {
  const blocks = [genesisBlock(a.def), ...a.blocks]
  const headers: LightHeader[] = []
  for (let h = 0; h <= 20; h++) headers.push(await lightHeader(codec, blocks[h]!, h, (x) => blocks[x]))
  for (let offset = 1; offset < 200; offset++) {
    const hc = HeaderChain.fromGenesis(a.def, codec, nobleBackend, NOW)
    await hc.extend(headers.slice(1, 20))
    const h20 = headers[20]!
    const shifted = { ...h20, header: { ...h20.header, timestamp: h20.header.timestamp + offset } }
    const err = await hc.extend([shifted]).then(
      () => undefined,
      (e: unknown) => e,
    )
    if (err instanceof LightError && err.check === 'kernel') return offset
  }
  throw new Error('no timestamp shift of block 20 misses the kernel target')
}
const KERNEL_MISS_OFFSET = await kernelMissOffset()

describe('light client over HTTP', () => {
  it('syncs and verifies every header of a node, follows a heavier fork, verifies transactions', async () => {
    const node = await startNode(a.def, a.blocks)
    const client = await createLightClient({ nodes: [node.url], chain: a.def, now: NOW, pageSize: 16 })
    expect(client.tip()).toEqual({ height: 40, id: a.ids[40] })
    expect(client.dropped).toEqual([])

    const tx = a.blocks[11]!.transactions[1]!
    const id = toHex(codec.registry.id(tx))
    const verified = await client.verifyTransaction(id)
    expect(verified).toMatchObject({ transactionId: id, height: 12, blockId: a.ids[12], confirmations: 29 })

    // a notary receipt (as GET /notary/:hash serves it) checks against the verified header at its height
    const receipt = notaryReceipt(codec, {
      genesisId: fromHex(a.ids[0]!),
      hash: documentHash,
      block: a.blocks[9]!,
      height: 10,
      txIndex: 1, // after the respend
    })
    expect(await client.verifyNotaryReceipt(receipt, documentHash)).toMatchObject({
      height: 10,
      blockId: a.ids[10],
    })
    const elsewhere = await client
      .verifyNotaryReceipt({ ...receipt, height: 11 }, documentHash)
      .catch((e) => e)
    expect([elsewhere.check, elsewhere.height]).toEqual(['transaction-proof', 11])
    const otherFile = await client.verifyNotaryReceipt(receipt, notaryHash(utf8('another'))).catch((e) => e)
    expect(otherFile.message).toMatch(/^header 10: transaction-proof: receipt hash: /)

    // the node switches to the heavier fork b (from height 4): the client follows with a reorg
    const reorgs: any[] = []
    client.on('reorg', (r) => reorgs.push(r))
    for (const block of b.blocks.slice(3)) await node.chain.addBlock(block)
    expect(toHex(node.chain.tip.id)).toBe(b.ids[50])
    await client.sync()
    expect(client.tip()).toEqual({ height: 50, id: b.ids[50] })
    expect(reorgs).toHaveLength(1)
    expect(reorgs[0].forkHeight).toBe(3)
    expect(reorgs[0].reverted.map((t: any) => t.id)).toEqual(a.ids.slice(4))
    // a's transaction is gone from the verified chain
    await expect(client.verifyTransaction(id)).rejects.toThrow(/not in a main-chain block/)
    client.close()
  })

  it('reports verified payments to a watched address, once each', async () => {
    const node = await startNode(a.def, a.blocks.slice(0, 30))
    const client = await createLightClient({ nodes: [node.url], chain: a.def, now: NOW })
    const address = devKey(1).address
    await client.watchAddress(address)
    const payments: any[] = []
    client.on('payment', (p) => payments.push(p))
    const tips: any[] = []
    client.on('tip', (t) => tips.push(t))
    for (const block of a.blocks.slice(30, 35)) await node.chain.addBlock(block)
    await client.sync()
    expect(tips.at(-1)).toEqual({ height: 35, id: a.ids[35] })
    expect(payments.length).toBeGreaterThan(0)
    for (const p of payments) {
      expect(p.address).toBe(address)
      expect(p.transaction.height).toBeGreaterThan(30)
      expect(p.transaction.blockId).toBe(a.ids[p.transaction.height])
    }
    const ids = payments.map((p) => p.transaction.transactionId)
    expect(new Set(ids).size).toBe(ids.length)
    // nothing new: nothing reported again
    await client.sync()
    expect(payments.map((p) => p.transaction.transactionId)).toEqual(ids)
  })

  it('wallet balance --light and transactions --light: what the node says, proven', async () => {
    const node = await startNode(a.def, a.blocks)
    process.env.BLOCKSTAKE_PASSPHRASE = 'light test'
    try {
      const file = join(dir, 'wallet.json')
      const run = async (...args: string[]) => {
        const r = await runCli('wallet', ...args, '--wallet', file, '--node', node.url, '--json')
        expect(r.code, r.err).toBe(0)
        return JSON.parse(r.out)
      }
      await run('recover', '--mnemonic', DEVNET_MNEMONIC)
      const trusted = await run('balance')
      const light = await run('balance', '--light')
      expect(light).toMatchObject({ light: true, tip: { height: 40, id: a.ids[40] } })
      expect(BigInt(light.coins.proven)).toBeGreaterThan(0n)
      const total = (o: Record<string, string>) =>
        BigInt(o.unlocked!) + BigInt(o.locked!) + BigInt(o.immature!)
      expect(BigInt(light.coins.proven) + BigInt(light.coins.unproven)).toBe(total(trusted.coins))
      // the history: every confirmed transaction the node lists, each proven in a verified block
      const history = await run('transactions')
      const proven = await run('transactions', '--light')
      expect(proven).toMatchObject({ light: true, tip: { height: 40, id: a.ids[40] } })
      const confirmed = history.transactions.filter(
        (t: { kind: string; confirmed: boolean }) => t.kind !== 'payout' && t.confirmed,
      )
      expect(confirmed.length).toBeGreaterThan(0)
      expect(proven.transactions.map((t: { id: string }) => t.id).sort()).toEqual(
        confirmed.map((t: { id: string }) => t.id).sort(),
      )
      for (const t of proven.transactions) {
        expect(t.blockId).toBe(a.ids[t.height])
        expect(t.confirmations).toBe(40 - t.height + 1)
      }
    } finally {
      delete process.env.BLOCKSTAKE_PASSPHRASE
    }
  })

  it('wallet send --light: spends proven outputs, submits through the light client; the payee sees it proven', async () => {
    const node = await startNode(a.def, a.blocks)
    process.env.BLOCKSTAKE_PASSPHRASE = 'light test'
    try {
      const run = async (file: string, ...args: string[]) => {
        const r = await runCli('wallet', ...args, '--wallet', join(dir, file), '--node', node.url, '--json')
        expect(r.code, r.err).toBe(0)
        return JSON.parse(r.out)
      }
      await run('payer.json', 'recover', '--mnemonic', DEVNET_MNEMONIC)
      const { address: payee } = await run('payee.json', 'init')
      // more than the proven outputs hold: refused, naming what the node listed without a proof
      const short = await runCli(
        'wallet',
        'send',
        '100000000',
        payee,
        '--light',
        '--wallet',
        join(dir, 'payer.json'),
        '--node',
        node.url,
      )
      expect(short.code).not.toBe(0)
      expect(short.err).toMatch(
        /insufficient funds in the wallet: .* missing.*--light spends only proven outputs: .* coins the node lists have no proof/,
      )
      const sent = await run('payer.json', 'send', '12.5', payee, '--light')
      expect(sent).toMatchObject({ light: true, tip: { height: 40, id: a.ids[40] } })
      expect(sent.provenInputs).toBeGreaterThan(0)
      // the node's pool has it
      const pool = (await (await fetch(`${node.url}/txpool`)).json()) as { transactionIds: string[] }
      expect(pool.transactionIds).toContain(sent.transactionId)
      // unconfirmed, the payee's light balance proves nothing yet
      const before = await run('payee.json', 'balance', '--light')
      expect(before.coins).toEqual({ proven: '0', unproven: '0' })
      // devKey(0) holds the block stake: a block with the pool's transaction
      const creator = new BlockCreator({
        chain: node.chain,
        keys: [devKey(0)],
        ed: nodeEd25519,
        pool: node.pool,
        now: NOW,
      })
      let from = node.chain.tip.timestamp + 1
      let made: Awaited<ReturnType<BlockCreator['createBlock']>>
      for (let i = 0; i < 100 && !made; i++, from += SEARCH_WINDOW_SECONDS)
        made = await creator.createBlock(from)
      expect(made?.result.status).toBe('tip')
      expect(made!.block.transactions.map((tx) => toHex(codec.registry.id(tx)))).toContain(sent.transactionId)
      const after = await run('payee.json', 'balance', '--light')
      expect(after).toMatchObject({ light: true, tip: { height: 41 } })
      const trusted = await run('payee.json', 'balance')
      expect(BigInt(after.coins.proven)).toBeGreaterThan(0n)
      expect(after.coins.proven).toBe(trusted.coins.unlocked)
      expect(after.coins.unproven).toBe('0')
      const history = await run('payee.json', 'transactions', '--light')
      expect(history.transactions).toMatchObject([{ id: sent.transactionId, height: 41, confirmations: 1 }])
    } finally {
      delete process.env.BLOCKSTAKE_PASSPHRASE
    }
  })

  it('starts from a checkpoint the node serves', async () => {
    const node = await startNode(a.def, a.blocks)
    const cp = (await (await fetch(`${node.url}/light/checkpoint/25`)).json()) as Record<string, unknown>
    expect(cp).toMatchObject({ height: 25, id: a.ids[25] })
    const client = await createLightClient({
      nodes: [node.url],
      chain: a.def,
      now: NOW,
      checkpoint: parseCheckpoint(cp),
    })
    expect(client.tip()).toEqual({ height: 40, id: a.ids[40] })
    const wrong = parseCheckpoint({ ...cp, id: a.ids[24] })
    const err = await createLightClient({
      nodes: [node.url],
      chain: a.def,
      now: NOW,
      checkpoint: wrong,
    }).catch((e) => e)
    expect(err).toBeInstanceOf(LightError)
    expect([err.check, err.height]).toEqual(['checkpoint', 25])
  })

  describe('refuses a lying node, drops it and keeps the honest tip', () => {
    const honest = startNode(a.def, a.blocks)
    const lies: [string, (body: any) => void, string][] = [
      [
        'a forged stake output',
        atHeight(20, (h) => {
          const tx = codec.registry.decode(fromHex(h.stake.transaction))
          const forged = {
            ...tx,
            blockStakeOutputs: tx.blockStakeOutputs.map((o) => ({ ...o, value: o.value * 1000n })),
          }
          h.stake.transaction = toHex(codec.registry.encode(forged))
        }),
        'stake-proof',
      ],
      [
        'a wrong Merkle proof',
        atHeight(20, (h) => {
          h.respend.leafIndex = (h.respend.leafIndex + 1) % h.respend.leafCount
        }),
        'respend-proof',
      ],
      [
        'a respend that is not in the block',
        (body) => {
          const h19 = body.headers.find((x: any) => x.height === 19)
          const h20 = body.headers.find((x: any) => x.height === 20)
          if (h19 && h20) h20.respend = h19.respend
        },
        'respend-proof',
      ],
      [
        'a bad kernel',
        atHeight(20, (h) => {
          // another timestamp changes the kernel hash; the respend's signature does not cover it
          const header = decodeHeaderHex(h.header)
          h.header = toHex(encodeHeader({ ...header, timestamp: header.timestamp + KERNEL_MISS_OFFSET }))
        }),
        'kernel',
      ],
    ]
    for (const [what, tamper, check] of lies) {
      it(what, async () => {
        const node = await honest
        const liar = await lyingNode(node.url, tamper)
        const dropped: any[] = []
        const client = await createLightClient({
          nodes: [liar, node.url],
          chain: a.def,
          now: NOW,
          pageSize: 16,
        })
        client.on('dropped', (d) => dropped.push(d))
        expect(client.tip()).toEqual({ height: 40, id: a.ids[40] })
        expect(client.nodes()).toEqual([node.url])
        expect(client.dropped).toHaveLength(1)
        const err = client.dropped[0]!.error
        expect(err).toBeInstanceOf(LightError)
        expect([err.check, err.height, err.node]).toEqual([check, 20, liar])
        expect(err.message).toMatch(new RegExp(`^header 20: ${check}: `))
      })
    }

    it('a lighter fork', async () => {
      const node = await honest
      const lighter = await startNode(c.def, c.blocks)
      expect(c.ids.slice(0, 31)).toEqual(a.ids.slice(0, 31))
      const client = await createLightClient({ nodes: [node.url, lighter.url], chain: a.def, now: NOW })
      expect(client.tip()).toEqual({ height: 40, id: a.ids[40] })
      const problems = await client.sync()
      expect(problems).toHaveLength(1)
      expect([problems[0]!.check, problems[0]!.height, problems[0]!.node]).toEqual(['fork', 36, lighter.url])
      expect(client.tip()).toEqual({ height: 40, id: a.ids[40] })
    })

    it('balances and transactions of an address, each proven; an inflated output refused', async () => {
      const node = await honest
      const address = devKey(1).address
      const liar = await lyingNode(
        node.url,
        (body) => {
          body.coinOutputs[0].value = (BigInt(body.coinOutputs[0].value) + 1n).toString()
        },
        '/addresses/',
      )
      const client = await createLightClient({ nodes: [liar, node.url], chain: a.def, now: NOW })
      expect(client.nodes()).toEqual([liar, node.url])
      const balance = await client.getBalance(address)
      expect(client.dropped.map((d) => [d.node, d.error.check])).toEqual([[liar, 'transaction-proof']])
      // what the node itself says, every output proven
      const listed: any = await (await fetch(`${node.url}/addresses/${address}/outputs`)).json()
      const sum = listed.coinOutputs.reduce((s: bigint, o: any) => s + BigInt(o.value), 0n)
      expect(listed.coinOutputs.length).toBeGreaterThan(0)
      expect(balance.coins).toEqual({ proven: sum, unproven: 0n })
      expect(balance.outputs.map((o) => o.id).sort()).toEqual(listed.coinOutputs.map((o: any) => o.id).sort())
      for (const o of balance.outputs) expect(o.height).toBeGreaterThan(0)

      const txs = await client.getTransactions(address, 10)
      expect(txs).toHaveLength(10)
      expect(txs.every((t) => t.height >= 36 && t.blockId === a.ids[t.height])).toBe(true)
      expect(txs.some((t) => t.paysTo)).toBe(true)
    })

    it('with only liars, the client refuses to start', async () => {
      const node = await honest
      const liar = await lyingNode(node.url, lies[0]![1])
      const err = await createLightClient({ nodes: [liar], chain: a.def, now: NOW }).catch((e) => e)
      expect(err).toBeInstanceOf(LightError)
      expect([err.check, err.height]).toEqual(['stake-proof', 20])
    })
  })
})
