// The wallet CLI against a real node process on 127.0.0.1 with LevelDB in a temp dir (issue #5): a 1-node
// devnet creating 1-second blocks. Recover the faucet, pay a second wallet, spend time-locked outputs
// before (refused) and after their lock, a 2-of-3 multisig spend signed by two wallets in turn, and the
// offline flow with a signing wallet that has no node.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { fromHex } from '../../consensus/encoding/hex.js'
import { conditionFromJson } from '../../consensus/types/conditions.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { apiUrl, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { mnemonicToSeed } from '../../wallet/keys/seed.js'
import { buildTransfer, keyring, signInputs } from '../../wallet/tx/build.js'
import { runCli } from '../utils/cli.js'
import { getJson, until } from '../utils/poll.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-wallet-'))
const path = (name: string) => join(dir, name)
const COIN = 1_000_000_000n
const FEE = 100_000_000n // the devnet minimum: 0.1 coin
let config: DevnetConfig | undefined
let url = ''
let faucetMnemonic = ''

async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`wallet ${args.slice(1).join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
/** A wallet command with the node and the wallet file `name`.json. */
const wallet = (name: string, ...args: string[]) =>
  json('wallet', ...args, '--wallet', path(`${name}.json`), '--node', url)
const height = async (): Promise<number> => (await getJson(`${url}/consensus`)).height
const confirmed = (id: string) =>
  until(`transaction ${id.slice(0, 8)} to be confirmed`, 20_000, async () => {
    const t = await getJson(`${url}/transactions/${id}`)
    return t && !t.unconfirmed ? t : undefined
  })
const coins = async (name: string) => (await wallet(name, 'balance')).coins

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'e2e wallet passphrase'
  const created = await initDevnet({ dir: path('devnet'), nodes: 1, blockTime: 1 })
  config = created.config
  faucetMnemonic = created.faucetMnemonic
  // block stakes for the faucet wallet too, so it has stakes to send (moving the stakes a creator uses is
  // covered by the block creator's unit tests)
  const def = JSON.parse(readFileSync(config.chainFile, 'utf8'))
  def.genesis.blockStakeOutputs.push({
    value: '200',
    condition: { type: 1, data: { unlockhash: config.faucet.address } },
  })
  writeFileSync(config.chainFile, JSON.stringify(def))
  startNodes(config, { detached: false })
  url = apiUrl(config.nodes[0]!)
  await until('the node to create blocks', 30_000, async () => ((await height()) >= 1 ? true : undefined))
}, 40_000)

afterAll(async () => {
  if (config) await stopNodes(config, 5000)
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
}, 20_000)

describe('wallet against a node process', () => {
  const addresses: Record<string, string> = {}
  const mnemonics: Record<string, string> = {}

  it('recovers the faucet and pays a second wallet; the balances move once confirmed', async () => {
    expect(
      await json(
        'wallet',
        'recover',
        '--mnemonic',
        faucetMnemonic,
        '--wallet',
        path('faucet.json'),
        '--node',
        url,
      ),
    ).toMatchObject({ addresses: 1, scanned: true })
    addresses.faucet = config!.faucet.address
    for (const name of ['bob', 'carol', 'dave']) {
      const out = await json('wallet', 'init', '--wallet', path(`${name}.json`), '--node', url)
      addresses[name] = out.address
      mnemonics[name] = out.mnemonic
    }
    const before = await coins('faucet')
    const sent = await wallet('faucet', 'send', '100', addresses.bob!)
    expect((await coins('bob')).unconfirmed).toBe((100n * COIN).toString())
    await confirmed(sent.transactionId)
    expect(await coins('bob')).toEqual({
      unlocked: (100n * COIN).toString(),
      locked: '0',
      immature: '0',
      unconfirmed: '0',
    })
    // the change went to the faucet's next address, which the wallet now counts
    expect((await wallet('faucet', 'addresses')).addresses).toEqual([addresses.faucet, sent.change])
    expect(BigInt((await coins('faucet')).unlocked)).toBe(BigInt(before.unlocked) - 100n * COIN - FEE)
    const history = await wallet('bob', 'transactions')
    expect(history.transactions).toEqual([
      expect.objectContaining({
        id: sent.transactionId,
        confirmed: true,
        coins: (100n * COIN).toString(),
        fee: '0',
      }),
    ])
  })

  it('moves block stakes, the fee paid in coins', async () => {
    const sent = await wallet('faucet', 'stake', 'send', '50', addresses.bob!)
    expect((await wallet('bob', 'balance')).blockStakes).toEqual({
      unlocked: '0',
      locked: '0',
      unconfirmed: '50',
    })
    await confirmed(sent.transactionId)
    expect((await wallet('bob', 'balance')).blockStakes).toEqual({
      unlocked: '50',
      locked: '0',
      unconfirmed: '0',
    })
    expect((await wallet('faucet', 'balance')).blockStakes).toEqual({
      unlocked: '150',
      locked: '0',
      unconfirmed: '0',
    })
    const entry = (await wallet('faucet', 'transactions')).transactions.find(
      (t: any) => t.id === sent.transactionId,
    )
    expect(entry).toMatchObject({ blockStakes: '-50', coins: (-FEE).toString(), fee: FEE.toString() })
  })

  it('a time-locked output is refused before its lock height and spent after it', async () => {
    // refused before: a lock so far ahead that the chain cannot reach it during the test, however slowly
    // the steps below run (a lock 5 blocks of 1 s ahead made the test a race with the machine's speed)
    const lock = (await height()) + 100_000
    const sent = await wallet('faucet', 'send', '5', addresses.carol!, '--lock', String(lock))
    await confirmed(sent.transactionId)
    expect(await coins('carol')).toMatchObject({ unlocked: '0', locked: (5n * COIN).toString() })

    // the wallet will not pick it, and the node refuses a transaction that spends it anyway
    const early = await runCli(
      'wallet',
      'send',
      '1',
      addresses.bob!,
      '--wallet',
      path('carol.json'),
      '--node',
      url,
    )
    expect(early.code).toBe(2)
    expect(early.err).toMatch(
      /insufficient funds in the wallet: .* \(not spendable yet: 5 coins time-locked\)/,
    )
    const listed = (await getJson(`${url}/addresses/${addresses.carol}/outputs`)).coinOutputs[0]
    expect(listed.locked).toEqual({ until: lock, kind: 'height' })
    const carolKey = deriveKey(mnemonicToSeed(mnemonics.carol!), 0, nodeEd25519)
    const condition = conditionFromJson(listed.condition)
    const registry = coreRegistry()
    const unsigned = buildTransfer({
      available: [{ id: fromHex(listed.id, 32), value: 5n * COIN, condition }],
      outputs: [
        { value: 1n * COIN, condition: conditionFromJson({ type: 1, data: { unlockhash: addresses.bob } }) },
      ],
      fee: FEE,
      change: condition,
    })
    const { tx } = signInputs(
      registry,
      nodeEd25519,
      unsigned,
      { coinInputs: [condition] },
      keyring([carolKey]),
    )
    const refused = await fetch(`${url}/txpool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: registry.toJsonString(tx),
    })
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { message: string }).message).toMatch(/time lock/)

    // spent after: a second output locked a few blocks ahead, spendable once the chain is there
    const near = (await height()) + 3
    const sentNear = await wallet('faucet', 'send', '5', addresses.carol!, '--lock', String(near))
    await confirmed(sentNear.transactionId)
    await until(`height ${near}`, 20_000, async () => ((await height()) >= near ? true : undefined))
    const spent = await wallet('carol', 'send', '1', addresses.bob!)
    await confirmed(spent.transactionId)
    expect(await coins('carol')).toMatchObject({
      unlocked: (4n * COIN - FEE).toString(),
      locked: (5n * COIN).toString(), // the far lock's output
    })
  })

  it('spends a 2-of-3 multisig output signed by two wallets in turn', async () => {
    const members = ['2', addresses.bob!, addresses.carol!, addresses.dave!]
    const { address: multisig } = await json(
      'wallet',
      'multisig',
      'address',
      ...members,
      '--wallet',
      path('bob.json'),
    )
    for (const name of ['carol', 'dave', 'faucet'])
      expect((await wallet(name, 'multisig', 'address', ...members)).address).toBe(multisig)
    const funded = await wallet('faucet', 'send', '20', multisig)
    await confirmed(funded.transactionId)
    expect((await wallet('dave', 'balance')).multisig[0]).toMatchObject({
      address: multisig,
      ownKeys: 1,
      coins: { unlocked: (20n * COIN).toString() },
    })

    const file = path('multisig-tx.json')
    await wallet('bob', 'tx', 'build', '5', addresses.faucet!, '--from-multisig', multisig, '--out', file)
    expect(await json('wallet', 'multisig', 'sign', file, '--wallet', path('bob.json'))).toMatchObject({
      signed: 1,
      complete: false,
    })
    const early = await runCli('wallet', 'tx', 'send', file, '--wallet', path('bob.json'), '--node', url)
    expect(early).toMatchObject({ code: 2, err: expect.stringMatching(/1 of 2 signatures/) })
    expect(await json('wallet', 'multisig', 'sign', file, '--wallet', path('dave.json'))).toMatchObject({
      signed: 1,
      complete: true,
    })
    const { transactionId } = await wallet('carol', 'tx', 'send', file)
    await confirmed(transactionId)
    expect((await wallet('carol', 'balance')).multisig[0].coins.unlocked).toBe((15n * COIN - FEE).toString())
  })

  it('offline: a watch-only wallet builds, a wallet with no node signs, the watch-only wallet sends', async () => {
    // the cold wallet is told its chain, never a node
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
    expect(await wallet('watch', 'import-keys', path('cold-keys.json'))).toMatchObject({
      address: cold.address,
      watchOnly: true,
    })
    const funded = await wallet('faucet', 'send', '30', cold.address)
    await confirmed(funded.transactionId)
    expect((await coins('watch')).unlocked).toBe((30n * COIN).toString())

    const file = path('offline-tx.json')
    await wallet('watch', 'tx', 'build', '10', addresses.bob!, '--out', file)
    // another chain's file is refused by the signer and nothing is written
    const other = JSON.parse(readFileSync(file, 'utf8'))
    other.chain.genesisId = '00'.repeat(32)
    writeFileSync(path('other-chain.json'), JSON.stringify(other))
    const fetchSpy = vi
      .spyOn(globalThis, 'fetch')
      .mockRejectedValue(new Error('the signer must not reach a node'))
    try {
      const refused = await runCli(
        'wallet',
        'tx',
        'sign',
        path('other-chain.json'),
        '--wallet',
        path('cold.json'),
      )
      expect(refused).toMatchObject({ code: 2, err: expect.stringMatching(/is for chain .*, not chain/) })
      expect(JSON.parse(readFileSync(path('other-chain.json'), 'utf8'))).toEqual(other)
      expect(await json('wallet', 'tx', 'sign', file, '--wallet', path('cold.json'))).toMatchObject({
        signed: 1,
        complete: true,
      })
      expect(fetchSpy).not.toHaveBeenCalled()
    } finally {
      fetchSpy.mockRestore()
    }
    const bobBefore = BigInt((await coins('bob')).unlocked)
    const { transactionId } = await wallet('watch', 'tx', 'send', file)
    await confirmed(transactionId)
    expect(BigInt((await coins('bob')).unlocked)).toBe(bobBefore + 10n * COIN)
    expect((await coins('watch')).unlocked).toBe((20n * COIN - FEE).toString())
  })
})
