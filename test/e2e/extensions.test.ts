// Minting and a whitelist on a real node process (issue #12): a 1-node devnet created like
// `devnet up --extensions minting,auth` (LevelDB in a temp dir, 1-second blocks). A transfer to an address
// not yet authorized is refused naming it and goes through after `wallet auth update`; the mint condition
// becomes a 2-of-3 multisig, and a coin creation signed by one member is refused while one signed by two
// mints; the API answers the new state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiUrl, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { runCli } from '../utils/cli.js'
import { getJson, until } from '../utils/poll.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-ext-'))
const path = (name: string) => join(dir, name)
const COIN = 1_000_000_000n
const FEE = 100_000_000n
let config: DevnetConfig | undefined
let url = ''
let mnemonics: { faucet: string; authority: string } = { faucet: '', authority: '' }

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
  until(`transaction ${id.slice(0, 8)} to be confirmed`, 20_000, async () => {
    const t = await getJson(`${url}/transactions/${id}`)
    return t && !t.unconfirmed ? t : undefined
  })
const unlocked = async (name: string) => BigInt((await wallet(name, 'balance')).coins.unlocked)

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'e2e extensions passphrase'
  const created = await initDevnet({
    dir: path('devnet'),
    nodes: 1,
    blockTime: 1,
    extensions: { minting: true, auth: 'whitelist' },
  })
  config = created.config
  mnemonics = { faucet: created.faucetMnemonic, authority: created.authorityMnemonic! }
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

describe('extensions on a node process', () => {
  const addresses: Record<string, string> = {}

  it('a transfer to an address not yet authorized is refused naming it, and goes through after auth update', async () => {
    for (const name of ['faucet', 'authority'] as const)
      await json(
        'wallet',
        'recover',
        '--mnemonic',
        mnemonics[name],
        '--wallet',
        path(`${name}.json`),
        '--node',
        url,
      )
    addresses.authority = config!.authority!.address
    for (const name of ['alice', 'bob', 'carol'])
      addresses[name] = (
        await json('wallet', 'init', '--wallet', path(`${name}.json`), '--node', url)
      ).address

    const refused = await runCli(...args('faucet', 'send', '100', addresses.alice!))
    expect(refused.code).toBe(2)
    expect(refused.err).toBe(
      `the node refused the transaction: transaction 0: authcoin/transfers: coinOutputs[0] pays to ${addresses.alice}, which is not authorized\n`,
    )
    expect(await getJson(`${url}/auth/status/${addresses.alice}`)).toEqual({
      address: addresses.alice,
      authorized: false,
      since: null,
    })

    const update = await wallet('authority', 'auth', 'update', '--authorize', addresses.alice!)
    const at = (await confirmed(update.transactionId)).height
    expect(await getJson(`${url}/auth/status/${addresses.alice}`)).toEqual({
      address: addresses.alice,
      authorized: true,
      since: at,
    })
    const sent = await wallet('faucet', 'send', '100', addresses.alice!)
    await confirmed(sent.transactionId)
    expect(await unlocked('alice')).toBe(100n * COIN)
  })

  it('a 2-of-3 mint condition: a creation signed by one member is refused, by two mints', async () => {
    const members = [addresses.authority!, addresses.bob!, addresses.carol!]
    const defined = await wallet('authority', 'mint', 'definition', '--multisig', '2', ...members)
    await confirmed(defined.transactionId)
    const condition = await getJson(`${url}/mint/condition`)
    expect(condition.condition).toEqual({
      type: 4,
      data: { unlockhashes: expect.arrayContaining(members), minimumsignaturecount: 2 },
    })

    const file = path('mint.json')
    expect(await wallet('authority', 'mint', 'create', '7', addresses.alice!, '--out', file)).toMatchObject({
      file,
      signed: 1,
      complete: false,
    })
    // the wallet will not send it, and the node refuses it when posted anyway
    const early = await runCli(...args('alice', 'tx', 'send', file))
    expect(early).toMatchObject({ code: 2 })
    expect(early.err).toMatch(/the mint fulfillment \(multisig\) has 1 of 2 signatures/)
    const oneSigned = JSON.parse(readFileSync(file, 'utf8')).transaction
    const post = await fetch(`${url}/txpool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(oneSigned),
    })
    expect(post.status).toBe(400)
    expect(((await post.json()) as { message: string }).message).toMatch(
      /minting\/coin-creation: the mint fulfillment does not fulfil the mint condition: multisig needs 2 signatures, got 1/,
    )

    const before = await unlocked('alice')
    expect(await json('wallet', 'multisig', 'sign', file, '--wallet', path('carol.json'))).toMatchObject({
      signed: 1,
      complete: true,
    })
    const sent = await wallet('alice', 'tx', 'send', file)
    await confirmed(sent.transactionId)
    expect(await unlocked('alice')).toBe(before + 7n * COIN)
    expect((await getJson(`${url}/mint/condition/${condition.height}`)).condition).toEqual(
      condition.condition,
    )
  })

  it('coin destruction and auth status after a deauthorization', async () => {
    const before = await unlocked('alice')
    const destroyed = await wallet('alice', 'mint', 'destroy', '3')
    await confirmed(destroyed.transactionId)
    expect(await unlocked('alice')).toBe(before - 3n * COIN - FEE)
    const off = await wallet('authority', 'auth', 'update', '--deauthorize', addresses.alice!)
    const at = (await confirmed(off.transactionId)).height
    expect(await getJson(`${url}/auth/status/${addresses.alice}`)).toMatchObject({
      authorized: false,
      since: at,
    })
    const blocked = await runCli(...args('alice', 'send', '1', addresses.authority!))
    expect(blocked.code).toBe(2)
    expect(blocked.err).toContain(`${addresses.alice}, which is not authorized`)
  })
})
