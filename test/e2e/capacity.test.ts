// Grid capacity on a real node process (issue #15): a 1-node devnet created like `devnet up --extensions
// capacity` (LevelDB in a temp dir, 1-second blocks). A farmer registers two nodes, two wallets reserve
// until one node is full, a third reservation there is refused with the free amount, and the farmer's
// balance grows by exactly the payments; a registration signed offline through the transaction-file flow
// (`--out`, `tx sign`, `tx send`) updates a node.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiUrl, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { runCli } from '../utils/cli.js'
import { getJson, until } from '../utils/poll.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-capacity-'))
const path = (name: string) => join(dir, name)
let config: DevnetConfig | undefined
let url = ''
let faucetMnemonic = ''

async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.slice(0, 3).join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
const args = (name: string, ...rest: string[]) => [
  'wallet',
  ...rest,
  '--wallet',
  path(`${name}.json`),
  '--node',
  url,
]
const wallet = (name: string, ...rest: string[]) => json(...args(name, ...rest))
const confirmed = (id: string) =>
  until(`transaction ${id.slice(0, 8)} to be confirmed`, 30_000, async () => {
    const t = await getJson(`${url}/transactions/${id}`)
    return t && !t.unconfirmed ? t : undefined
  })
const unlocked = async (name: string) => BigInt((await wallet(name, 'balance')).coins.unlocked)

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'e2e capacity passphrase'
  const created = await initDevnet({
    dir: path('devnet'),
    nodes: 1,
    blockTime: 1,
    extensions: { capacity: true },
  })
  config = created.config
  faucetMnemonic = created.faucetMnemonic
  startNodes(config, { detached: false })
  url = apiUrl(config.nodes[0]!)
  await until('the node to create blocks', 30_000, async () =>
    ((await getJson(`${url}/consensus`))?.height ?? 0) >= 1 ? true : undefined,
  )
}, 40_000)

afterAll(async () => {
  if (config) await stopNodes(config, 5000)
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
}, 20_000)

describe('grid capacity on a devnet', () => {
  const addresses: Record<string, string> = {}
  const NODE = ['--cru', '4', '--mru', '8', '--sru', '100', '--hru', '0']
  const PRICES = ['--price-cru', '0.01', '--price-mru', '0.001', '--price-sru', '0.00001', '--price-hru', '0']

  it('a farmer registers two nodes; two wallets reserve until one is full; a third is refused with the free amount', async () => {
    await json(
      'wallet',
      'recover',
      '--mnemonic',
      faucetMnemonic,
      '--wallet',
      path('faucet.json'),
      '--node',
      url,
    )
    for (const name of ['farmer', 'alice', 'bob'])
      addresses[name] = (
        await json('wallet', 'init', '--wallet', path(`${name}.json`), '--node', url)
      ).address
    for (const name of ['farmer', 'alice', 'bob'])
      await confirmed((await wallet('faucet', 'send', '100', addresses[name]!)).transactionId)

    for (const node of ['node-1', 'node-2']) {
      const r = await wallet(
        'farmer',
        'capacity',
        'register',
        node,
        ...NODE,
        ...PRICES,
        '--payout',
        addresses.farmer!,
      )
      expect(Object.keys(r)).toEqual(['transactionId'])
      await confirmed(r.transactionId)
    }
    const node1 = await getJson(`${url}/capacity/nodes/node-1`)
    expect(node1).toMatchObject({
      nodeId: 'node-1',
      farmer: addresses.farmer,
      registered: { cru: 4, mru: 8, sru: 100, hru: 0 },
      reserved: { cru: 0, mru: 0, sru: 0, hru: 0 },
      free: { cru: 4, mru: 8, sru: 100, hru: 0 },
      prices: { cru: '10000000', mru: '1000000', sru: '10000', hru: '0' },
    })
    expect((await wallet('farmer', 'capacity', 'list')).nodes).toHaveLength(2)

    const farmerBefore = await unlocked('farmer')
    // (2 × 0.01 + 4 × 0.001 + 50 × 0.00001) coins per hour × 10 hours = 0.245 coins
    const half = ['--cru', '2', '--mru', '4', '--sru', '50', '--hours', '10', '--yes']
    const a = await wallet('alice', 'reserve', 'node-1', ...half)
    expect(a).toEqual({ transactionId: expect.any(String), price: '245000000' })
    const b = await wallet('bob', 'reserve', 'node-1', ...half)
    await confirmed(a.transactionId) // alice spends her change next
    const c = await wallet('alice', 'reserve', 'node-2', '--cru', '1', '--hours', '1', '--yes')
    expect(c.price).toBe('10000000')
    for (const r of [b, c]) await confirmed(r.transactionId)
    expect(await getJson(`${url}/capacity/nodes/node-1`)).toMatchObject({
      reserved: { cru: 4, mru: 8, sru: 100, hru: 0 },
      free: { cru: 0, mru: 0, sru: 0, hru: 0 },
    })
    expect(await unlocked('farmer')).toBe(farmerBefore + 245_000_000n * 2n + 10_000_000n)

    const third = await runCli(
      ...args('bob', 'reserve', 'node-1', '--cru', '1', '--hours', '1', '--yes', '--json'),
    )
    expect(third.code).toBe(2)
    expect(third.err).toContain('node "node-1" has 0 cru free, 1 asked (free: cru 0, mru 0, sru 0, hru 0)')

    const mine = await wallet('alice', 'reservations')
    expect(mine.reservations.map((r: { nodeId: string }) => r.nodeId).sort()).toEqual(['node-1', 'node-2'])
    expect(mine.reservations[0]).toMatchObject({ expired: false, hours: 10, owner: expect.any(String) })
    expect(mine.reservations[0].secondsLeft).toBeGreaterThan(9 * 3600)
  }, 180_000)

  it('an update signed offline through a transaction file; an update below the reserved is refused naming the resource', async () => {
    const below = await runCli(
      ...args(
        'farmer',
        'capacity',
        'register',
        'node-1',
        '--cru',
        '3',
        '--mru',
        '8',
        '--sru',
        '100',
        ...PRICES,
        '--payout',
        addresses.farmer!,
      ),
    )
    expect(below.code).toBe(2)
    expect(below.err).toContain('--cru: node "node-1" has 4 cru reserved now; it cannot drop to 3')
    const file = path('register.json')
    const built = await wallet(
      'farmer',
      'capacity',
      'register',
      'node-2',
      '--cru',
      '8',
      '--mru',
      '8',
      '--sru',
      '100',
      ...PRICES,
      '--payout',
      addresses.farmer!,
      '--out',
      file,
    )
    expect(built).toMatchObject({ file, complete: true })
    const sent = await wallet('farmer', 'tx', 'send', file)
    await confirmed(sent.transactionId)
    expect((await getJson(`${url}/capacity/nodes/node-2`)).registered.cru).toBe(8)
  }, 60_000)

  it('offline: a watch-only wallet builds a registration and a reservation, a wallet with no node signs both', async () => {
    const cold = await json('wallet', 'init', '--wallet', path('cold.json'), '--chain', config!.chainFile)
    await json(
      'wallet',
      'export-keys',
      '--count',
      '5',
      '--out',
      path('cold-keys.json'),
      '--wallet',
      path('cold.json'),
    )
    expect(await wallet('watch', 'import-keys', path('cold-keys.json'))).toMatchObject({ watchOnly: true })
    await confirmed((await wallet('faucet', 'send', '30', cold.address)).transactionId)

    const signAndSend = async (file: string, signatures: number) => {
      expect(await json('wallet', 'tx', 'sign', file, '--wallet', path('cold.json'))).toMatchObject({
        signed: signatures,
        complete: true,
      })
      const { transactionId } = await wallet('watch', 'tx', 'send', file)
      await confirmed(transactionId)
    }
    const reg = path('offline-register.json')
    expect(
      await wallet(
        'watch',
        'capacity',
        'register',
        'node-3',
        '--cru',
        '2',
        ...PRICES,
        '--payout',
        addresses.farmer!,
        '--out',
        reg,
      ),
    ).toMatchObject({ complete: false })
    await signAndSend(reg, 2) // the coin input and the farmer signature
    expect(await getJson(`${url}/capacity/nodes/node-3`)).toMatchObject({
      farmer: cold.address,
      registered: { cru: 2 },
    })

    const rsv = path('offline-reserve.json')
    await wallet('watch', 'reserve', 'node-3', '--cru', '2', '--hours', '3', '--yes', '--out', rsv)
    await signAndSend(rsv, 1)
    expect((await getJson(`${url}/capacity/nodes/node-3`)).free.cru).toBe(0)
    expect((await wallet('watch', 'reservations')).reservations).toMatchObject([
      { nodeId: 'node-3', hours: 3 },
    ])
  }, 90_000)
})
