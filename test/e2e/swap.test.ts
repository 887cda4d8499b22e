// Cross-chain atomic swaps (issue #14 item 3) between two real devnets with different genesis, one node
// process each (1-second blocks, LevelDB in temp dirs), driven through the wallet CLI: Alice on chain A and
// Bob on chain B swap coins (initiate, audit, participate, redeem, extractsecret, redeem), and a second swap
// that Alice abandons, so both sides refund after their time locks (a refund before is refused).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../../consensus/crypto/hash.js'
import { fromHex, toHex } from '../../consensus/encoding/hex.js'
import { apiUrl, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { runCli } from '../utils/cli.js'
import { getJson, until } from '../utils/poll.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-swap-'))
const path = (name: string) => join(dir, name)
const COIN = 1_000_000_000n
const FEE = 100_000_000n // the devnet minimum: 0.1 coin
const chains: Record<'A' | 'B', { config?: DevnetConfig; url: string; faucetMnemonic: string }> = {
  A: { url: '', faucetMnemonic: '' },
  B: { url: '', faucetMnemonic: '' },
}
type Chain = keyof typeof chains

async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.slice(0, 3).join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
/** A wallet command with wallet file `<name>-<chain>.json` against that chain's node. */
const wallet = (name: string, chain: Chain, ...args: string[]) =>
  json('wallet', ...args, '--wallet', path(`${name}-${chain}.json`), '--node', chains[chain].url)
/** The same, expected to be refused: its exit code and message. */
async function refused(name: string, chain: Chain, ...args: string[]) {
  const r = await runCli(
    'wallet',
    ...args,
    '--wallet',
    path(`${name}-${chain}.json`),
    '--node',
    chains[chain].url,
  )
  expect(r.code, `expected "${args.join(' ')}" to be refused; it printed ${r.out}`).toBe(2)
  return r.err
}
const confirmed = (chain: Chain, id: string) =>
  until(`transaction ${id.slice(0, 8)} on chain ${chain}`, 30_000, async () => {
    const t = await getJson(`${chains[chain].url}/transactions/${id}`)
    return t && !t.unconfirmed ? t : undefined
  })
const unlocked = async (name: string, chain: Chain) =>
  BigInt((await wallet(name, chain, 'balance')).coins.unlocked)
const txCount = async (chain: Chain) => (await getJson(`${chains[chain].url}/txpool`)).count as number

const addresses: Record<string, string> = {}

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'e2e swap passphrase'
  for (const name of ['A', 'B'] as const) {
    const created = await initDevnet({ dir: path(`devnet-${name}`), nodes: 1, blockTime: 1 })
    chains[name].config = created.config
    chains[name].faucetMnemonic = created.faucetMnemonic
    startNodes(created.config, { detached: false })
    chains[name].url = apiUrl(created.config.nodes[0]!)
  }
  for (const name of ['A', 'B'] as const)
    await until(`chain ${name} to create blocks`, 40_000, async () =>
      (await getJson(`${chains[name].url}/consensus`))?.height >= 1 ? true : undefined,
    )
  // two chains, two genesis blocks
  const genesis = await Promise.all(
    (['A', 'B'] as const).map(async (c) => (await getJson(`${chains[c].url}/consensus`)).genesisId),
  )
  expect(genesis[0]).not.toBe(genesis[1])
  // Alice and Bob have a wallet on each chain; the faucets give each 100 coins on both
  for (const chain of ['A', 'B'] as const) {
    await json(
      'wallet',
      'recover',
      '--mnemonic',
      chains[chain].faucetMnemonic,
      '--wallet',
      path(`faucet-${chain}.json`),
      '--node',
      chains[chain].url,
    )
    for (const person of ['alice', 'bob']) {
      addresses[`${person}-${chain}`] = (await wallet(person, chain, 'init')).address
      const sent = await wallet('faucet', chain, 'send', '100', addresses[`${person}-${chain}`]!)
      await confirmed(chain, sent.transactionId)
    }
  }
}, 120_000)

afterAll(async () => {
  for (const c of Object.values(chains)) if (c.config) await stopNodes(c.config, 5000)
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

describe('a cross-chain atomic swap between two devnets', () => {
  it('Alice initiates on A, Bob audits and participates on B, Alice redeems on B, Bob extracts the secret and redeems on A', async () => {
    const aliceA = await unlocked('alice', 'A')
    const bobB = await unlocked('bob', 'B')

    // Alice: 10 coins on chain A for Bob, refundable after 10 minutes
    const initiated = await wallet(
      'alice',
      'A',
      'swap',
      'initiate',
      addresses['bob-A']!,
      '10',
      '--duration',
      '10m',
    )
    expect(Object.keys(initiated)).toEqual(
      expect.arrayContaining(['outputId', 'contractAddress', 'hashedSecret', 'timeLock', 'secret']),
    )
    expect(toHex(sha256(fromHex(initiated.secret, 32)))).toBe(initiated.hashedSecret)
    expect(initiated.contractAddress).toMatch(/^02[0-9a-f]{76}$/)
    const now = Math.floor(Date.now() / 1000)
    expect(initiated.timeLock).toBeGreaterThan(now + 590)
    expect(initiated.timeLock).toBeLessThanOrEqual(now + 600)
    // the secret is kept in Alice's wallet file, encrypted: not in plain text
    const aliceFile = readFileSync(path('alice-A.json'), 'utf8')
    expect(aliceFile).toContain(initiated.hashedSecret)
    expect(aliceFile).not.toContain(initiated.secret)
    await confirmed('A', initiated.transactionId)

    // Bob audits Alice's contract on A: it pays him what was agreed
    const audit = await wallet(
      'bob',
      'A',
      'swap',
      'audit',
      initiated.outputId,
      '--amount',
      '10',
      '--hashed-secret',
      initiated.hashedSecret,
    )
    expect(audit).toMatchObject({
      amount: (10n * COIN).toString(),
      sender: addresses['alice-A'],
      receiver: addresses['bob-A'],
      hashedSecret: initiated.hashedSecret,
      timeLock: initiated.timeLock,
      spent: false,
      matches: true,
    })
    expect(audit.timeLeft).toBeGreaterThan(500)
    // an audit expecting another amount says plainly that it does not match
    const wrong = await wallet('bob', 'A', 'swap', 'audit', initiated.outputId, '--amount', '11')
    expect(wrong.matches).toBe(false)
    expect(wrong.problems.join()).toContain('not the 11 coins expected')

    // Bob: 5 coins on chain B for Alice with the same hashed secret, a shorter lock
    const participated = await wallet(
      'bob',
      'B',
      'swap',
      'participate',
      addresses['alice-B']!,
      '5',
      initiated.hashedSecret,
      '--duration',
      '5m',
    )
    expect(participated).toMatchObject({ hashedSecret: initiated.hashedSecret })
    expect(participated.secret).toBeUndefined()
    await confirmed('B', participated.transactionId)
    expect(
      await wallet(
        'alice',
        'B',
        'swap',
        'audit',
        participated.outputId,
        '--amount',
        '5',
        '--hashed-secret',
        initiated.hashedSecret,
      ),
    ).toMatchObject({ receiver: addresses['alice-B'], spent: false, matches: true })

    // a wrong secret is refused before anything is sent
    const pool = await txCount('B')
    const err = await refused('alice', 'B', 'swap', 'redeem', participated.outputId, '00'.repeat(31) + '01')
    expect(err).toContain('wrong secret')
    expect(await txCount('B')).toBe(pool)
    // Bob cannot redeem his own contract (the receiver is Alice), even with the secret
    expect(await refused('bob', 'B', 'swap', 'redeem', participated.outputId, initiated.secret)).toContain(
      'is not an address of',
    )

    // Alice redeems on B, revealing the secret
    const aliceRedeem = await wallet('alice', 'B', 'swap', 'redeem', participated.outputId, initiated.secret)
    await confirmed('B', aliceRedeem.transactionId)
    expect(await wallet('alice', 'B', 'swap', 'audit', participated.outputId)).toMatchObject({
      spent: true,
      matches: false,
      spentBy: aliceRedeem.transactionId,
    })

    // Bob reads the secret from chain B, by his contract's output ID and by the redeeming transaction
    const extracted = await wallet('bob', 'B', 'swap', 'extractsecret', participated.outputId)
    expect(extracted.secret).toBe(initiated.secret)
    expect(extracted.unconfirmed).toBeUndefined()
    expect((await wallet('bob', 'B', 'swap', 'extractsecret', aliceRedeem.transactionId)).secret).toBe(
      initiated.secret,
    )

    // and redeems Alice's contract on chain A with it
    const bobRedeem = await wallet('bob', 'A', 'swap', 'redeem', initiated.outputId, extracted.secret)
    await confirmed('A', bobRedeem.transactionId)
    expect(await refused('bob', 'A', 'swap', 'redeem', initiated.outputId, extracted.secret)).toContain(
      'spent already',
    )

    // the coins moved: 10 from Alice to Bob on A, 5 from Bob to Alice on B, each redeem paying one fee
    expect(await unlocked('alice', 'A')).toBe(aliceA - 10n * COIN - FEE)
    expect(await unlocked('bob', 'A')).toBe(100n * COIN + 10n * COIN - FEE)
    expect(await unlocked('bob', 'B')).toBe(bobB - 5n * COIN - FEE)
    expect(await unlocked('alice', 'B')).toBe(100n * COIN + 5n * COIN - FEE)
  }, 180_000)

  it('a swap Alice abandons: both refund after their time locks, not before', async () => {
    const aliceA = await unlocked('alice', 'A')
    const bobB = await unlocked('bob', 'B')
    const initiated = await wallet(
      'alice',
      'A',
      'swap',
      'initiate',
      addresses['bob-A']!,
      '7',
      '--duration',
      '40s',
    )
    await confirmed('A', initiated.transactionId)
    const participated = await wallet(
      'bob',
      'B',
      'swap',
      'participate',
      addresses['alice-B']!,
      '3',
      initiated.hashedSecret,
      '--duration',
      '20s',
    )
    await confirmed('B', participated.transactionId)

    // too early: refused with the time left, nothing sent
    const pool = await txCount('A')
    const early = await refused('alice', 'A', 'swap', 'refund', initiated.outputId)
    expect(early).toMatch(/too early to refund: the time lock ends at .*, \d+s from now/)
    expect(await txCount('A')).toBe(pool)
    // only the sender refunds; and a contract is looked up on the chain it is on
    expect(await refused('bob', 'A', 'swap', 'refund', initiated.outputId)).toContain('is not an address of')
    expect(await refused('bob', 'B', 'swap', 'refund', initiated.outputId)).toContain('knows no coin output')
    // an output that is no contract is refused naming its condition
    const bobOutputs = await getJson(`${chains.A.url}/addresses/${addresses['bob-A']}/outputs`)
    const plain = bobOutputs.coinOutputs[0].id as string
    expect(await refused('alice', 'A', 'swap', 'audit', plain)).toContain(
      'is not an atomic swap contract: its condition is type 1 (unlock hash)',
    )

    // Alice never redeems Bob's contract, so Bob has no secret: once his lock passes he takes his coins back
    const bobRefund = await until(
      'Bob can refund on B',
      60_000,
      async () => {
        const r = await runCli(
          'wallet',
          'swap',
          'refund',
          participated.outputId,
          '--json',
          '--wallet',
          path('bob-B.json'),
          '--node',
          chains.B.url,
        )
        if (r.code === 0) return JSON.parse(r.out)
        expect(r.err).toContain('too early to refund')
        return undefined
      },
      1000,
    )
    await confirmed('B', bobRefund.transactionId)
    expect(
      await wallet('bob', 'B', 'swap', 'extractsecret', participated.outputId).catch((e) => String(e)),
    ).toContain('was refunded')
    const aliceRefund = await until(
      'Alice can refund on A',
      60_000,
      async () => {
        const r = await runCli(
          'wallet',
          'swap',
          'refund',
          initiated.outputId,
          '--json',
          '--wallet',
          path('alice-A.json'),
          '--node',
          chains.A.url,
        )
        if (r.code === 0) return JSON.parse(r.out)
        expect(r.err).toContain('too early to refund')
        return undefined
      },
      1000,
    )
    await confirmed('A', aliceRefund.transactionId)
    expect(await wallet('alice', 'A', 'swap', 'audit', initiated.outputId)).toMatchObject({
      spent: true,
      spentBy: aliceRefund.transactionId,
    })
    // each got the coins back, less the funding and the refund fee
    expect(await unlocked('alice', 'A')).toBe(aliceA - 2n * FEE)
    expect(await unlocked('bob', 'B')).toBe(bobB - 2n * FEE)
  }, 180_000)
})
