// Issue #17 on a real node process: a 1-node devnet (LevelDB in a temp dir, 1-second blocks) whose API
// answers match GET /openapi.json, and the explorer it serves at `/` driven by headless Chromium (Debian's
// `chromium`, installed by .ci/run, through playwright-core): the overview, a transaction found by its ID
// whose arbitrary data is `<script>` shown as text, an address, a new block appearing without a reload, and
// the not-found pages. Screenshots go to test-artifacts/explorer/ (gitignored).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiUrl, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { assertChromium, openChromium } from '../utils/browser.js'
import { runCli } from '../utils/cli.js'
import { OpenApiChecker } from '../utils/openapi.js'
import { getJson, until } from '../utils/poll.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const ARTIFACTS = join(ROOT, 'test-artifacts/explorer')
const SCRIPT_DATA = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-explorer-'))
const path = (name: string) => join(dir, name)
let config: DevnetConfig | undefined
let url = ''
let context: BrowserContext | undefined
let page: Page
let txid = ''
let alice = ''

async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.slice(0, 3).join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}

beforeAll(async () => {
  assertChromium()
  // the node serves dist/explorer: build it from this checkout's explorer/ (esbuild, well under a second)
  execFileSync(process.execPath, [join(ROOT, 'explorer/build.mjs')], { stdio: 'inherit', timeout: 60_000 })
  mkdirSync(ARTIFACTS, { recursive: true })
  process.env.BLOCKSTAKE_PASSPHRASE = 'e2e explorer passphrase'
  const created = await initDevnet({ dir: path('devnet'), nodes: 1, blockTime: 1 })
  config = created.config
  startNodes(config, { detached: false })
  url = apiUrl(config.nodes[0]!)
  await until('the node to create blocks', 30_000, async () =>
    ((await getJson(`${url}/consensus`))?.height ?? 0) >= 1 ? true : undefined,
  )
  await json(
    'wallet',
    'recover',
    '--mnemonic',
    created.faucetMnemonic,
    '--wallet',
    path('faucet.json'),
    '--node',
    url,
  )
  alice = (await json('wallet', 'init', '--wallet', path('alice.json'), '--node', url)).address
  const sent = await json(
    'wallet',
    'send',
    '12.5',
    alice,
    '--data',
    SCRIPT_DATA,
    '--wallet',
    path('faucet.json'),
    '--node',
    url,
  )
  txid = sent.transactionId
  await until('the transaction to be confirmed', 30_000, async () => {
    const t = await getJson(`${url}/transactions/${txid}`)
    return t && !t.unconfirmed ? t : undefined
  })
  ;({ context, page } = await openChromium(path('chromium-profile')))
}, 120_000)

afterAll(async () => {
  await context?.close().catch(() => undefined)
  if (config) await stopNodes(config, 5000)
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

describe('the API of a devnet node matches its description', () => {
  it('every documented route answers as its schema says', async () => {
    const doc = await getJson(`${url}/openapi.json`)
    const checker = new OpenApiChecker(doc)
    expect(checker.placeholders()).toEqual([])
    const tx = await getJson(`${url}/transactions/${txid}`)
    const block = await getJson(`${url}/blocks/${tx.height}`)
    const spentInput = tx.transaction.data.coininputs[0].parentid as string
    const zero = '0'.repeat(64)
    const urls: [string, number][] = [
      ['/openapi.json', 200],
      ['/chain', 200],
      ['/consensus', 200],
      [`/blocks/${tx.height}`, 200],
      ['/blocks/99999999', 404],
      [`/blocks/id/${block.id}`, 200],
      [`/transactions/${txid}`, 200],
      [`/transactions/${zero}`, 404],
      [`/outputs/coin/${tx.coinOutputIds[0]}`, 200],
      [`/outputs/coin/${spentInput}/spent`, 200],
      [`/outputs/blockstake/${zero}`, 404],
      [`/addresses/${alice}/outputs`, 200],
      [`/addresses/${alice}/multisig`, 200],
      [`/explorer/hashes/${alice}`, 200],
      [`/explorer/hashes/${txid}`, 200],
      [`/explorer/hashes/${block.id}`, 200],
      [`/explorer/hashes/${tx.coinOutputIds[0]}`, 200],
      ['/txpool', 200],
      ['/peers', 200],
      [`/notary/${zero}`, 404],
      ['/light/headers?from=0&count=3', 200],
      [`/light/proof/tx/${txid}`, 200],
      [`/light/proof/output/${tx.coinOutputIds[0]}`, 200],
      ['/light/checkpoint/1', 200],
      ['/light/checkpoint/99999999', 404],
    ]
    for (const [u, status] of urls) {
      const res = await fetch(`${url}${u}`)
      expect(res.status, u).toBe(status)
      checker.check('GET', u, status, await res.json())
    }
    // the staker respends its block stake output every block: read the newest one until it answers unspent
    await until('an unspent block stake output', 15_000, async () => {
      const tipBlock = await getJson(`${url}/blocks/${(await getJson(`${url}/consensus`)).height}`)
      const holder = await getJson(`${url}/transactions/${tipBlock.transactionIds[0]}`)
      const res = await fetch(`${url}/outputs/blockstake/${holder.blockStakeOutputIds[0]}`)
      if (res.status !== 200) return undefined
      checker.check('GET', `/outputs/blockstake/${holder.blockStakeOutputIds[0]}`, 200, await res.json())
      return true
    })
    // the non-JSON answers carry the documented content type
    for (const [op, u] of [
      ['/', '/'],
      ['/explorer.js', '/explorer.js'],
      ['/explorer.css', '/explorer.css'],
      ['/metrics', '/metrics'],
    ] as const) {
      const res = await fetch(`${url}${u}`)
      expect(res.status, u).toBe(200)
      const produces = Object.keys(doc.paths[op].get.responses['200'].content)[0]!
      expect(res.headers.get('content-type')?.split(';')[0]).toBe(produces.split(';')[0])
      await res.body?.cancel()
      checker.covered.add(`GET ${op}`)
    }
    const events = await fetch(`${url}/events`, { signal: AbortSignal.timeout(5000) })
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await events.body?.cancel()
    checker.covered.add('GET /events')
    // the wallet's submission went through POST /txpool; its answer shape is checked by the unit test
    checker.covered.add('POST /txpool')
    expect(checker.operations().filter((op) => !checker.covered.has(op))).toEqual([])
  })
})

describe('the explorer in headless Chromium', () => {
  it('shows the overview of the node', async () => {
    await page.goto(`${url}/`)
    await page.waitForSelector('#tip-height', { timeout: 15_000 })
    expect(Number(await page.textContent('#tip-height'))).toBeGreaterThanOrEqual(1)
    await page.waitForSelector('#block-time-chart svg rect', { timeout: 15_000 })
    expect(await page.locator('#latest-blocks tbody tr').count()).toBeGreaterThan(0)
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png') })
  })

  it('finds a transaction by its ID and shows its <script> data as text', async () => {
    await page.fill('#search-input', txid)
    await page.press('#search-input', 'Enter')
    await page.waitForSelector('#tx-id', { timeout: 15_000 })
    expect(await page.textContent('#tx-id')).toBe(txid)
    expect(await page.textContent('#arbitrary-data')).toBe(SCRIPT_DATA)
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await page.locator('main script, main img').count()).toBe(0)
    expect(await page.textContent('main')).toContain('12.5')
    await page.screenshot({ path: join(ARTIFACTS, 'transaction.png'), fullPage: true })
  })

  it('opens an address from the transaction', async () => {
    await page.click(`main a[href="#/address/${alice}"]`)
    await page.waitForSelector('#address', { timeout: 15_000 })
    expect(await page.textContent('#address')).toBe(alice)
    expect(await page.textContent('#balance-unlocked')).toMatch(/^12\.5 /)
    expect(await page.locator(`main a[href="#/tx/${txid}"]`).count()).toBe(1)
    await page.screenshot({ path: join(ARTIFACTS, 'address.png'), fullPage: true })
  })

  it('shows a new block without a reload', async () => {
    await page.click('a.brand')
    await page.waitForSelector('#tip-height', { timeout: 15_000 })
    const before = Number(await page.textContent('#tip-height'))
    const marker = await page.evaluate(() => {
      ;(globalThis as { __sameDocument?: boolean }).__sameDocument = true
      return true
    })
    expect(marker).toBe(true)
    // the page is not reloaded: the height changes in place, from the /events stream
    await until('a new block on the overview', 30_000, async () =>
      Number(await page.textContent('#tip-height', { timeout: 1000 })) > before ? true : undefined,
    )
    expect(await page.evaluate(() => (globalThis as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'overview-live.png') })
  })

  it('answers unknown hashes, heights past the tip and malformed addresses with a not-found page', async () => {
    for (const [hash, text] of [
      ['#/block/99999999', 'no block at height 99999999'],
      [`#/tx/${'ab'.repeat(32)}`, 'No transaction'],
      ['#/address/xyz', 'not an address'],
      [`#/search/${'cd'.repeat(32)}`, 'no known block'],
      ['#/search/hello', 'not a block height'],
    ] as const) {
      await page.goto(`${url}/${hash}`)
      const shown = await until(`the not-found page of ${hash}`, 15_000, async () => {
        const t = (await page.textContent('#not-found', { timeout: 1000 }))?.toLowerCase()
        return t?.includes(text.toLowerCase()) ? t : undefined
      })
      expect(shown).toContain(text.toLowerCase())
    }
    await page.screenshot({ path: join(ARTIFACTS, 'not-found.png') })
  })
})
