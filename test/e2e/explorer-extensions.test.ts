// Issue #17, the explorer's extension pages on a real node process: a 1-node devnet created like
// `devnet up --extensions minting,auth,capacity` (blocklist auth, LevelDB in a temp dir, 1-second blocks).
// The wallets register a capacity node, reserve on it, pay a multisig wallet and notarize a file; then the
// node restarts with an API token (BLOCKSTAKE_API_TOKEN), and headless Chromium (Debian's `chromium`
// through playwright-core) checks that the explorer still works there (read routes open, a write refused
// without the token): the mint and auth conditions, an address's authorized status and multisig wallets,
// the capacity pages, and the notary lookup by hash, by a chosen file and by a dropped file (both hashed
// in the browser). Screenshots go to test-artifacts/explorer/ (gitignored).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { apiUrl, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { assertChromium, openChromium } from '../utils/browser.js'
import { runCli } from '../utils/cli.js'
import { OpenApiChecker } from '../utils/openapi.js'
import { getJson, until } from '../utils/poll.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const ARTIFACTS = join(ROOT, 'test-artifacts/explorer')
const TOKEN = 'e2e-explorer-api-token-0123456789'
const DOCUMENT = 'a contract, notarized on a devnet for the explorer test\n'
const HASH = toHex(blake2b256(new TextEncoder().encode(DOCUMENT)))

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-explorer-ext-'))
const path = (name: string) => join(dir, name)
let config: DevnetConfig | undefined
let url = ''
let context: BrowserContext | undefined
let page: Page
const addresses: Record<string, string> = {}
let reservationId = ''
let notaryTx = ''

async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.slice(0, 3).join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
const wallet = (name: string, ...rest: string[]) =>
  json('wallet', ...rest, '--wallet', path(`${name}.json`), '--node', url)
const confirmed = (id: string) =>
  until(`transaction ${id.slice(0, 8)} to be confirmed`, 30_000, async () => {
    const t = await getJson(`${url}/transactions/${id}`)
    return t && !t.unconfirmed ? t : undefined
  })
const blocksFrom = (height: number) =>
  until(`the node to create blocks past ${height}`, 30_000, async () =>
    ((await getJson(`${url}/consensus`))?.height ?? 0) > height ? true : undefined,
  )

beforeAll(async () => {
  assertChromium()
  execFileSync(process.execPath, [join(ROOT, 'explorer/build.mjs')], { stdio: 'inherit', timeout: 60_000 })
  mkdirSync(ARTIFACTS, { recursive: true })
  process.env.BLOCKSTAKE_PASSPHRASE = 'e2e explorer extensions passphrase'
  const created = await initDevnet({
    dir: path('devnet'),
    nodes: 1,
    blockTime: 1,
    extensions: { minting: true, auth: 'blocklist', capacity: true },
  })
  config = created.config
  addresses.authority = config.authority!.address
  startNodes(config, { detached: false })
  url = apiUrl(config.nodes[0]!)
  await blocksFrom(0)

  // the chain's history, made through the wallet while the node has no token (the wallet sends none)
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
  for (const name of ['farmer', 'alice'])
    addresses[name] = (await json('wallet', 'init', '--wallet', path(`${name}.json`), '--node', url)).address
  for (const name of ['farmer', 'alice'])
    await confirmed((await wallet('faucet', 'send', '100', addresses[name]!)).transactionId)
  const registered = await wallet(
    'farmer',
    'capacity',
    'register',
    'node-1',
    ...['--cru', '4', '--mru', '8', '--sru', '100', '--hru', '0'],
    ...['--price-cru', '0.01', '--price-mru', '0.001', '--price-sru', '0.00001', '--price-hru', '0'],
    '--payout',
    addresses.farmer!,
  )
  await confirmed(registered.transactionId)
  reservationId = (await wallet('alice', 'reserve', 'node-1', '--cru', '2', '--hours', '10', '--yes'))
    .transactionId
  // a 2-of-2 multisig wallet of alice and the farmer, paid once: alice's address page lists it
  // (the paying wallet follows it: the wallet pays a multisig address only once it knows the members)
  addresses.multisig = (
    await json(
      'wallet',
      'multisig',
      'address',
      '2',
      addresses.alice!,
      addresses.farmer!,
      '--wallet',
      path('faucet.json'),
    )
  ).address
  await confirmed((await wallet('faucet', 'send', '3', addresses.multisig!)).transactionId)
  writeFileSync(path('contract.txt'), DOCUMENT)
  notaryTx = (await wallet('faucet', 'notarize', path('contract.txt'))).transactionId
  await confirmed(reservationId)
  await confirmed(notaryTx)

  // the same node, restarted with an API token: writes need it, reads (and so the explorer) do not
  const height = (await getJson(`${url}/consensus`)).height as number
  await stopNodes(config, 10_000)
  process.env.BLOCKSTAKE_API_TOKEN = TOKEN
  startNodes(config, { detached: false })
  delete process.env.BLOCKSTAKE_API_TOKEN
  await until('the restarted node to answer', 30_000, async () => getJson(`${url}/consensus`))
  await blocksFrom(height)

  ;({ context, page } = await openChromium(path('chromium-profile')))
}, 240_000)

afterAll(async () => {
  await context?.close().catch(() => undefined)
  if (config) await stopNodes(config, 5000)
  delete process.env.BLOCKSTAKE_PASSPHRASE
  delete process.env.BLOCKSTAKE_API_TOKEN
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

/** Opens `hash` of the explorer and waits for `selector`. */
async function open(hash: string, selector: string): Promise<void> {
  await page.goto(`${url}/${hash}`)
  await page.waitForSelector(selector, { timeout: 15_000 })
}

describe('a node with an API token', () => {
  it('refuses a write without the token and answers the extension routes as their schemas say', async () => {
    const refused = await fetch(`${url}/txpool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(refused.status).toBe(401)
    await refused.body?.cancel()
    const checker = new OpenApiChecker(await getJson(`${url}/openapi.json`))
    expect(checker.placeholders()).toEqual([])
    for (const [u, status] of [
      ['/mint/condition', 200],
      ['/mint/condition/1', 200],
      ['/auth/condition', 200],
      ['/auth/condition/1', 200],
      [`/auth/status/${addresses.alice}`, 200],
      [`/addresses/${addresses.alice}/multisig`, 200],
      ['/capacity/nodes', 200],
      ['/capacity/nodes/node-1', 200],
      ['/capacity/nodes/node-9', 404],
      [`/capacity/reservations?owner=${addresses.alice}`, 200],
      ['/capacity/reservations?node=node-1', 200],
      [`/capacity/reservations/${reservationId}`, 200],
      [`/notary/${HASH}`, 200],
    ] as const) {
      const res = await fetch(`${url}${u}`)
      expect(res.status, u).toBe(status)
      checker.check('GET', u, status, await res.json())
    }
  })
})

describe('the explorer of a node with an API token, on a chain with extensions', () => {
  it('shows the overview with the mint and auth conditions', async () => {
    await open('#/', '#tip-height')
    expect(Number(await page.textContent('#tip-height'))).toBeGreaterThan(0)
    await page.waitForSelector('text=Authority conditions', { timeout: 15_000 })
    // both conditions are the authority's address
    expect(await page.locator(`main a[href="#/address/${addresses.authority}"]`).count()).toBe(2)
    expect(await page.isVisible('#nav-capacity')).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'token-overview.png'), fullPage: true })
  })

  it("shows an address's authorized status and the multisig wallets it belongs to", async () => {
    await open(`#/address/${addresses.alice}`, '#authorized')
    // a blocklist chain: authorized by default, no address update set it
    expect(await page.textContent('#authorized')).toBe("yes (the chain's default)")
    expect(await page.textContent('#address')).toBe(addresses.alice)
    // the multisig wallet she is a member of, with its members
    const wallets = page.locator('#multisig-wallets')
    expect(await wallets.locator(`a[href="#/address/${addresses.multisig}"]`).count()).toBe(1)
    expect(await wallets.textContent()).toContain('2 of 2')
    expect(await wallets.locator(`a[href="#/address/${addresses.farmer}"]`).count()).toBe(1)
    await page.screenshot({ path: join(ARTIFACTS, 'address-multisig.png'), fullPage: true })
  })

  it('lists the capacity nodes and shows one with its reservation', async () => {
    await open('#/capacity', 'main a[href="#/capacity/node-1"]')
    const text = await page.textContent('main')
    expect(text).toContain('1 registered nodes')
    expect(text).toContain('2 / 8 / 100 / 0') // 2 of the 4 cru reserved
    await page.screenshot({ path: join(ARTIFACTS, 'capacity.png'), fullPage: true })
    await page.click('main a[href="#/capacity/node-1"]')
    await page.waitForSelector(`main a[href="#/tx/${reservationId}"]`, { timeout: 15_000 })
    const node = await page.textContent('main')
    expect(node).toContain('Capacity node node-1')
    expect(node).toContain('cru 4, mru 8, sru 100, hru 0') // registered
    expect(node).toContain('cru 2, mru 0, sru 0, hru 0') // reserved
    expect(await page.locator(`main a[href="#/address/${addresses.farmer}"]`).count()).toBeGreaterThan(0)
    expect(await page.locator(`main a[href="#/address/${addresses.alice}"]`).count()).toBe(1)
    // the reservation spelled out: 2 cru for 10 hours at 0.01 a cru-hour, still running
    const row = await page.textContent(`main tr:has(a[href="#/tx/${reservationId}"])`)
    expect(row).toContain('cru 2, mru 0, sru 0, hru 0')
    expect(row).toContain('0.2 ')
    expect(row).toMatch(/running, (9|10) h left/)
    await page.screenshot({ path: join(ARTIFACTS, 'capacity-node.png'), fullPage: true })
  })

  it('finds a notarized document by its hash', async () => {
    await open('#/notary', '#notary-hash')
    await page.fill('#notary-hash', HASH)
    await page.click('main form button[type=submit]')
    await page.waitForSelector(`#notary-result a[href="#/tx/${notaryTx}"]`, { timeout: 15_000 })
    expect(await page.textContent('#notary-result')).toContain(`Registrations of ${HASH}`)
    expect(page.url()).toBe(`${url}/#/notary/${HASH}`)
  })

  it('finds a notarized document from a file chosen in the page, hashed in the browser', async () => {
    await open('#/notary', '#notary-file')
    await page.setInputFiles('#notary-file', path('contract.txt'))
    await page.waitForSelector(`#notary-result a[href="#/tx/${notaryTx}"]`, { timeout: 15_000 })
    expect(page.url()).toBe(`${url}/#/notary/${HASH}`)
  })

  it('finds a notarized document from a dropped file, and says when another is not registered', async () => {
    for (const [contents, expected] of [
      [DOCUMENT, `#notary-result a[href="#/tx/${notaryTx}"]`],
      ['a document nobody notarized\n', '#notary-result #not-found'],
    ] as const) {
      await open('#/notary', '#notary-drop')
      const drop = await page.evaluateHandle((text) => {
        // the browser's DataTransfer (this file is type-checked without the DOM library)
        const { DataTransfer } = globalThis as unknown as {
          DataTransfer: new () => { items: { add(file: File): void } }
        }
        const data = new DataTransfer()
        data.items.add(new File([text], 'dropped.txt', { type: 'text/plain' }))
        return data
      }, contents)
      await page.dispatchEvent('#notary-drop', 'dragover', { dataTransfer: drop })
      await page.dispatchEvent('#notary-drop', 'drop', { dataTransfer: drop })
      await page.waitForSelector(expected, { timeout: 15_000 })
      const hash = toHex(blake2b256(new TextEncoder().encode(contents)))
      expect(page.url()).toBe(`${url}/#/notary/${hash}`)
      if (contents !== DOCUMENT)
        expect(await page.textContent('#not-found')).toContain(`hash ${hash} is not registered`)
    }
    await page.screenshot({ path: join(ARTIFACTS, 'notary.png'), fullPage: true })
  })
})
