// The light client in a real browser (issue #16): the example page (examples/light), bundled by esbuild for
// the browser, runs in headless Chromium (Debian's `chromium`) against a node with LevelDB in a temp dir. The
// page verifies every header, a payment by its inclusion proof and the address's balance, and posts what it
// verified; the test compares it with the node's chain.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { chainDefinitionToJson } from '../../consensus/params/chain.js'
import { BlockCodec } from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { startExampleServer } from '../../examples/light/serve.js'
import { createApi } from '../../node/api/server.js'
import { Chain } from '../../node/chain/chain.js'
import { openLevelStore } from '../../node/db/level.js'
import { TransactionPool } from '../../node/mempool/pool.js'
import { devKey, generatedChain } from '../utils/devchain.js'

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-light-browser-'))
const cleanups: (() => Promise<void> | void)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
  rmSync(dir, { recursive: true, force: true })
})

const gen = generatedChain({ blocks: 30, transactionsPerBlock: 2 })
const codec = new BlockCodec(coreRegistry())

describe('light client in headless Chromium', () => {
  it('verifies the headers, a payment and a balance in the browser', { timeout: 120_000 }, async () => {
    const store = await openLevelStore(join(dir, 'db'))
    const chain = await Chain.open({ store, def: gen.def, registry: coreRegistry(), verifier: nodeEd25519 })
    const pool = new TransactionPool({ chain, verifier: nodeEd25519 }).attach()
    expect((await chain.addBlocks(gen.blocks)).error).toBeUndefined()
    const api = await createApi({
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
    const address = devKey(1).address
    const server = await startExampleServer({ node: api.url, chain: chainDefinitionToJson(gen.def), address })
    cleanups.push(() => server.close())

    // a payment to the address: block 20's first transfer
    const payment = gen.blocks[19]!.transactions[1]!
    const paymentId = toHex(codec.registry.id(payment))
    const browser = spawn(
      CHROMIUM,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        `${server.url}/?tx=${paymentId}`,
      ],
      { stdio: 'ignore', detached: true },
    )
    // the browser and its helper processes: one process group, ended by its id
    cleanups.push(() => {
      try {
        if (browser.pid) process.kill(-browser.pid, 'SIGKILL')
      } catch {}
    })
    const exited = new Promise<never>((_, reject) => {
      browser.once('error', (err) => reject(new Error(`cannot start ${CHROMIUM}: ${err.message}`)))
      browser.once('exit', (code) =>
        reject(new Error(`chromium exited with ${code} before the page reported`)),
      )
    })
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the page reported nothing in 90 s')), 90_000).unref(),
    )
    const result = (await Promise.race([server.results, exited, timeout])) as any

    expect(result.ok, result.error).toBe(true)
    expect(result.tip).toEqual({ height: 30, id: gen.ids[30] })
    // Chromium has WebCrypto Ed25519: the page verifies with it (the strict pre-checks are the SDK's own)
    expect(result.signatures).toBe('webcrypto')
    expect(result.tx).toEqual({ id: paymentId, height: 20, blockId: gen.ids[20], confirmations: 11 })
    const listed: any = await (await fetch(`${api.url}/addresses/${address}/outputs`)).json()
    const sum = listed.coinOutputs.reduce((s: bigint, o: any) => s + BigInt(o.value), 0n)
    expect(result.balance).toEqual({
      proven: sum.toString(),
      unproven: '0',
      outputs: listed.coinOutputs.length,
    })
    expect(result.payments).toBeGreaterThan(0)
  })
})
