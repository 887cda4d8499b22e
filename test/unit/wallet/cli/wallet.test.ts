// `blockstake wallet …` against a real API server on 127.0.0.1 (in-process chain and pool).
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../../../../devnet/chaingen.js'
import { createApi } from '../../../../node/api/server.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { TransactionPool } from '../../../../node/mempool/pool.js'
import { runCli } from '../../../utils/cli.js'
import { DEVNET_MNEMONIC, devKey } from '../../../utils/devchain.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-wallet-cli-'))
const keys = [0, 1, 2, 3].map(devKey)
let api: Awaited<ReturnType<typeof createApi>>
let pool: TransactionPool
let chain: Chain

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
  const def = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: 1_700_000_000 })
  chain = await Chain.open({
    store: createMemoryStore(),
    def,
    registry: coreRegistry(),
    verifier: nodeEd25519,
    now: () => 1_800_000_000,
  })
  await chain.addBlocks([
    ...generateChain({
      def,
      registry: coreRegistry(),
      ed: nodeEd25519,
      stakeKey: keys[0]!,
      keys,
      blocks: 30,
      transactionsPerBlock: 4,
    }),
  ])
  pool = new TransactionPool({ chain, verifier: nodeEd25519 }).attach()
  api = await createApi({ chain, pool, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) })
})

afterAll(async () => {
  await api?.close()
  pool?.detach()
  await chain?.close()
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
})

describe('blockstake wallet', () => {
  it('init writes an encrypted 0600 wallet and prints the mnemonic once', async () => {
    const file = join(dir, 'new.json')
    const r = await runCli('wallet', 'init', '--wallet', file, '--json')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    expect(out.mnemonic.split(' ')).toHaveLength(24)
    expect(out.address).toMatch(/^01[0-9a-f]{76}$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(await runCli('wallet', 'init', '--wallet', file)).toMatchObject({ code: 2 })
  })

  it('recover scans the used addresses, shows the balance and sends coins', async () => {
    const file = join(dir, 'dev.json')
    const r = await runCli(
      'wallet',
      'recover',
      '--mnemonic',
      DEVNET_MNEMONIC,
      '--wallet',
      file,
      '--node',
      api.url,
      '--json',
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ address: keys[0]!.address, addresses: 4, scanned: true })
    const list = JSON.parse((await runCli('wallet', 'addresses', '--wallet', file, '--json')).out)
    expect(list.addresses).toEqual(keys.map((k) => k.address))
    const balance = JSON.parse(
      (await runCli('wallet', 'balance', '--wallet', file, '--node', api.url, '--json')).out,
    )
    expect(Object.keys(balance)).toEqual(['coins', 'blockStakes'])
    expect(BigInt(balance.coins.unlocked)).toBeGreaterThan(0n)
    expect(balance.blockStakes.unlocked).toBe('1000')

    const to = devKey(40).address
    const sent = await runCli(
      'wallet',
      'send',
      '12.5',
      to,
      '--wallet',
      file,
      '--node',
      api.url,
      '--data',
      'hello',
      '--json',
    )
    expect(sent.err).toBe('')
    expect(sent.code).toBe(0)
    const { transactionId } = JSON.parse(sent.out)
    expect(pool.transactions().map((tx) => Buffer.from(chain.registry.id(tx)).toString('hex'))).toContain(
      transactionId,
    )
    const after = JSON.parse(
      (await runCli('wallet', 'balance', '--wallet', file, '--node', api.url, '--json')).out,
    )
    expect(BigInt(after.coins.unconfirmed)).toBeGreaterThan(0n)

    const fresh = JSON.parse((await runCli('wallet', 'address', '--wallet', file, '--json')).out)
    expect(fresh.address).toBe(devKey(4).address)
  })

  it.each([
    [['wallet', 'send', '1', '01ab', '--wallet', join(dir, 'dev.json')], /ADDRESS/],
    [['wallet', 'send', '-1', devKey(5).address, '--wallet', join(dir, 'dev.json')], /coin amount|positive/],
    [['wallet', 'balance', '--wallet', join(dir, 'missing.json')], /no wallet/],
  ])('rejects %j with exit code 2 and one line', async (args, message) => {
    const r = await runCli(...args)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err.trim().split('\n')).toHaveLength(1)
  })

  it('a wrong passphrase is a clear error and changes nothing', async () => {
    process.env.BLOCKSTAKE_PASSPHRASE = 'wrong'
    const file = join(dir, 'dev.json')
    const r = await runCli('wallet', 'address', '--wallet', file)
    process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/wrong passphrase/)
    expect(existsSync(file)).toBe(true)
  })
})
