// `blockstake wallet …` against a real API server on 127.0.0.1 (in-process chain and pool). Confirmation
// by blocks is the e2e test's part (test/e2e/wallet.test.ts); here the pool's acceptance shows validity.
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../../consensus/encoding/json.js'
import { chainDefinitionToJson } from '../../../../consensus/params/chain.js'
import {
  type Condition,
  conditionFulfillable,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import { multisigUnlockHash, unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { devnetDefinition, generateChain } from '../../../../devnet/chaingen.js'
import { createApi } from '../../../../node/api/server.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { TransactionPool } from '../../../../node/mempool/pool.js'
import { deriveKey } from '../../../../wallet/keys/derive.js'
import { seedToMnemonic } from '../../../../wallet/keys/seed.js'
import { runCli } from '../../../utils/cli.js'
import { DEVNET_MNEMONIC, devKey } from '../../../utils/devchain.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-wallet-cli-'))
const path = (name: string) => join(dir, name)
const keys = [0, 1, 2, 3].map(devKey)
const COIN = 1_000_000_000n
/** Fixed mnemonics of the other wallets (their keys are known before the chain is made). */
const seedOf = (name: string) => blake2b256(utf8(name))
const mnemonic = (name: string) => seedToMnemonic(seedOf(name))
const keyOf = (name: string, i = 0) => deriveKey(seedOf(name), i, nodeEd25519)
const to = (address: { publicKey: Parameters<typeof publicKeyUnlockHash>[0] }): Condition =>
  unlockHashCondition(publicKeyUnlockHash(address.publicKey))
const members = [keys[0]!, keyOf('bob'), keyOf('carol')].map((k) => publicKeyUnlockHash(k.publicKey))
const multisig: Condition = { type: 4, minimumSignatureCount: 2, unlockHashes: members }
const multisigAddress = unlockHashToString(multisigUnlockHash(members, 2))

let api: Awaited<ReturnType<typeof createApi>>
let pool: TransactionPool
let chain: Chain
const chainFile = path('chain.json')

const cli = (...args: string[]) => runCli(...args)
/** Runs a `--json` command and parses its output, failing with its error line otherwise. */
async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
const node = () => ['--node', api.url]
const poolIds = () => pool.transactions().map((tx) => toHex(chain.registry.id(tx)))
const poolTx = (id: string): Transaction =>
  pool.transactions().find((tx) => toHex(chain.registry.id(tx)) === id)!
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
  const base = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: 1_700_000_000 })
  const def = {
    ...base,
    genesis: {
      ...base.genesis,
      coinOutputs: [
        ...base.genesis.coinOutputs,
        { value: 50n * COIN, condition: multisig },
        { value: 40n * COIN, condition: to(keyOf('cold')) },
        {
          value: 7n * COIN,
          condition: { type: 3, lockTime: 1000n, condition: to(keyOf('dave')) } as Condition,
        },
        { value: 3n * COIN, condition: to(keyOf('dave')) },
        // a wallet whose first used address is index 25, like a fresh Rivine wallet's
        { value: 2n * COIN, condition: to(keyOf('erin', 25)) },
      ],
    },
  }
  writeFileSync(chainFile, stringifyJson(chainDefinitionToJson(def)))
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
  for (const name of ['bob', 'carol', 'cold', 'dave'])
    await json('wallet', 'recover', '--mnemonic', mnemonic(name), '--wallet', path(`${name}.json`), ...node())
  await json('wallet', 'recover', '--mnemonic', DEVNET_MNEMONIC, '--wallet', path('dev.json'), ...node())
}, 60_000)

afterAll(async () => {
  await api?.close()
  pool?.detach()
  await chain?.close()
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
})

describe('blockstake wallet', () => {
  it('init writes an encrypted 0600 wallet, prints the mnemonic once, and hands out addresses without the passphrase', async () => {
    const file = path('new.json')
    // no node answers: the wallet does not know its chain yet
    const out = await json('wallet', 'init', '--wallet', file, '--node', 'http://127.0.0.1:9')
    expect(out.mnemonic.split(' ')).toHaveLength(24)
    expect(out.address).toMatch(/^01[0-9a-f]{76}$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).not.toContain(out.mnemonic.split(' ')[0] + ' ')
    expect(JSON.parse(readFileSync(file, 'utf8')).chain).toBeUndefined()
    expect(await cli('wallet', 'init', '--wallet', file)).toMatchObject({ code: 2 })
    // a node that answers tells a new wallet its chain
    await json('wallet', 'init', '--wallet', path('new-online.json'), ...node())
    expect(JSON.parse(readFileSync(path('new-online.json'), 'utf8')).chain).toEqual({
      name: chain.def.name,
      network: chain.def.network,
      genesisId: toHex(chain.genesisId),
      precision: 9,
    })
    // public keys are kept: no passphrase needed to hand out or list addresses
    delete process.env.BLOCKSTAKE_PASSPHRASE
    try {
      const next = await json('wallet', 'address', '--wallet', file)
      expect((await json('wallet', 'addresses', '--wallet', file)).addresses).toEqual([
        out.address,
        next.address,
      ])
    } finally {
      process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
    }
  })

  it('recover without --mnemonic and no terminal asks for --mnemonic (never uses the passphrase)', async () => {
    const r = await cli('wallet', 'recover', '--wallet', path('no-mnemonic.json'), ...node())
    expect(r).toMatchObject({
      code: 2,
      err: 'no mnemonic: pass --mnemonic "WORDS" (no terminal to ask on)\n',
    })
    expect(existsSync(path('no-mnemonic.json'))).toBe(false)
  })

  it('a wallet file written before the key pool gets its public keys at the next unlock', async () => {
    const legacy = path('legacy.json')
    const current = JSON.parse(readFileSync(path('bob.json'), 'utf8'))
    writeFileSync(
      legacy,
      JSON.stringify({ version: 1, kind: 'blockstake-wallet', keystore: current.keystore, addressCount: 2 }),
    )
    const list = await json('wallet', 'addresses', '--wallet', legacy)
    expect(list.addresses).toEqual([keyOf('bob', 0).address, keyOf('bob', 1).address])
    expect(JSON.parse(readFileSync(legacy, 'utf8')).keys).toHaveLength(22)
  })

  it('recover finds a first used address at index 25 (Rivine wallets start there) within the gap limit', async () => {
    const file = path('erin.json')
    await json('wallet', 'recover', '--mnemonic', mnemonic('erin'), '--wallet', file, ...node())
    const { addresses } = await json('wallet', 'addresses', '--wallet', file)
    expect(addresses).toHaveLength(26)
    expect(addresses.at(-1)).toBe(keyOf('erin', 25).address)
    const balance = await json('wallet', 'balance', '--wallet', file, ...node())
    expect(balance.coins.unlocked).toBe(String(2n * COIN))
  })

  it('recovers the used addresses, shows balances and sends with change to a fresh address', async () => {
    const file = path('dev.json')
    expect((await json('wallet', 'addresses', '--wallet', file)).addresses).toEqual(
      keys.map((k) => k.address),
    )
    const balance = await json('wallet', 'balance', '--wallet', file, ...node())
    expect(Object.keys(balance)).toEqual(['coins', 'blockStakes', 'multisig'])
    expect(BigInt(balance.coins.unlocked)).toBeGreaterThan(0n)
    expect(balance.blockStakes).toEqual({ unlocked: '1000', locked: '0', unconfirmed: '0' })

    const recipient = devKey(40).address
    const sent = await json(
      'wallet',
      'send',
      '12.5',
      recipient,
      '--wallet',
      file,
      ...node(),
      '--data',
      'hello',
    )
    expect(poolIds()).toContain(sent.transactionId)
    // change goes to index 4, the first unused address, which is now in use
    expect(sent.change).toBe(devKey(4).address)
    const tx = poolTx(sent.transactionId)
    expect(
      tx.coinOutputs.map((o) => [unlockHashToString(publicKeyUnlockHashOf(o.condition)), o.value]),
    ).toEqual([
      [recipient, 12_500_000_000n],
      [devKey(4).address, expect.any(BigInt)],
    ])
    expect(new TextDecoder().decode(tx.arbitraryData)).toBe('hello')
    const after = await json('wallet', 'balance', '--wallet', file, ...node())
    expect(BigInt(after.coins.unconfirmed)).toBeGreaterThan(0n)
    expect((await json('wallet', 'address', '--wallet', file)).address).toBe(devKey(5).address)
  })

  it('time-locks an output with --lock (a height, unix seconds or a date)', async () => {
    for (const [lock, expected] of [
      ['5000', 5000n],
      ['2031-02-03T04:05:06Z', BigInt(Date.UTC(2031, 1, 3, 4, 5, 6) / 1000)],
    ] as const) {
      const sent = await json(
        'wallet',
        'send',
        '1',
        keys[1]!.address,
        '--lock',
        lock,
        '--wallet',
        path('dev.json'),
        ...node(),
      )
      const paid = poolTx(sent.transactionId).coinOutputs[0]!
      expect(paid.condition).toEqual({ type: 3, lockTime: expected, condition: to(keys[1]!) })
    }
  })

  it('shows locked funds and says why a send cannot use them', async () => {
    const file = path('dave.json')
    const balance = await json('wallet', 'balance', '--wallet', file, ...node())
    expect(balance.coins).toMatchObject({ unlocked: (3n * COIN).toString(), locked: (7n * COIN).toString() })
    const r = await cli('wallet', 'send', '5', keys[1]!.address, '--wallet', file, ...node())
    expect(r.code).toBe(2)
    expect(r.err.trim()).toBe(
      'insufficient funds in the wallet: 2.1 coins missing (not spendable yet: 7 coins time-locked)',
    )
    expect(
      conditionFulfillable(
        { type: 3, lockTime: 1000n, condition: to(keys[0]!) },
        { blockHeight: chain.height, blockTime: 0 },
      ),
    ).toBe(false)
  })

  it('sends block stakes, paying the coin fee from coin inputs', async () => {
    const file = path('dev.json')
    const sent = await json(
      'wallet',
      'stake',
      'send',
      '250',
      keyOf('bob').address,
      '--wallet',
      file,
      ...node(),
    )
    const tx = poolTx(sent.transactionId)
    expect(tx.blockStakeOutputs.map((o) => o.value)).toEqual([250n, 750n])
    expect(tx.blockStakeOutputs[1]!.condition).toEqual(
      unlockHashCondition(publicKeyUnlockHashOf(tx.blockStakeOutputs[1]!.condition)),
    )
    expect(tx.minerFees).toEqual([chain.def.constants.minimumTransactionFee])
    expect(tx.coinInputs.length).toBeGreaterThan(0)
    expect((await json('wallet', 'balance', '--wallet', path('bob.json'), ...node())).blockStakes).toEqual({
      unlocked: '0',
      locked: '0',
      unconfirmed: '250',
    })
    const dev = await json('wallet', 'balance', '--wallet', file, ...node())
    expect(dev.blockStakes).toEqual({ unlocked: '0', locked: '0', unconfirmed: '750' })
    const r = await cli('wallet', 'stake', 'send', '1.5', keys[1]!.address, '--wallet', file, ...node())
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/whole number of block stakes/) })
  })

  it('lists the history with what each transaction moved', async () => {
    const list = await json('wallet', 'transactions', '--wallet', path('dev.json'), ...node())
    const pending = list.transactions.filter((t: any) => !t.confirmed)
    expect(pending.length).toBeGreaterThanOrEqual(4)
    const payment = pending.find(
      (t: any) => BigInt(t.coins) === -(12_500_000_000n + chain.def.constants.minimumTransactionFee),
    )
    expect(payment).toMatchObject({
      kind: 'transaction',
      height: null,
      fee: chain.def.constants.minimumTransactionFee.toString(),
    })
    expect(list.transactions.some((t: any) => t.kind === 'payout' && t.confirmed)).toBe(true)
    const heights = list.transactions.filter((t: any) => t.confirmed).map((t: any) => t.height)
    expect(heights).toEqual([...heights].sort((a, b) => b - a))
    const cold = await json('wallet', 'transactions', '--wallet', path('cold.json'), ...node())
    expect(cold.transactions).toEqual([
      {
        kind: 'transaction',
        id: expect.any(String),
        height: 0,
        confirmed: true,
        coins: (40n * COIN).toString(),
        blockStakes: '0',
        fee: '0',
      },
    ])
  })

  it('multisig: prints the address, follows it, pays to it, and spends from it with two wallets in turn', async () => {
    const args = ['2', ...members.map(unlockHashToString)]
    // the member order does not change the address (spec §3.2)
    const out = await json('wallet', 'multisig', 'address', ...args, '--wallet', path('dev.json'))
    expect(out).toMatchObject({ address: multisigAddress, minimumSignatureCount: 2, followed: true })
    expect(
      (
        await json(
          'wallet',
          'multisig',
          'address',
          '2',
          ...[...members].reverse().map(unlockHashToString),
          '--wallet',
          path('none.json'),
        )
      ).address,
    ).toBe(multisigAddress)
    expect(existsSync(path('none.json'))).toBe(false)
    for (const w of ['bob', 'carol'])
      await json('wallet', 'multisig', 'address', ...args, '--wallet', path(`${w}.json`))

    const balance = await json('wallet', 'balance', '--wallet', path('bob.json'), ...node())
    expect(balance.multisig).toEqual([
      {
        address: multisigAddress,
        minimumSignatureCount: 2,
        unlockHashes: members.map(unlockHashToString),
        ownKeys: 1,
        coins: { unlocked: (50n * COIN).toString(), locked: '0', immature: '0', unconfirmed: '0' },
        blockStakes: { unlocked: '0', locked: '0', unconfirmed: '0' },
      },
    ])

    // paying a multisig address needs its members: known after `multisig address`
    const unknown = await cli(
      'wallet',
      'send',
      '1',
      multisigAddress,
      '--wallet',
      path('dave.json'),
      ...node(),
    )
    expect(unknown).toMatchObject({ code: 2, err: expect.stringMatching(/does not follow/) })
    const paid = await json('wallet', 'send', '2', multisigAddress, '--wallet', path('dev.json'), ...node())
    expect(poolTx(paid.transactionId).coinOutputs[0]!.condition).toEqual(multisig)

    // spend: bob builds and signs, sending is refused with one signature, carol co-signs, then it goes
    const file = path('multisig-tx.json')
    const built = await json(
      'wallet',
      'tx',
      'build',
      '20',
      keyOf('dave').address,
      '--from-multisig',
      multisigAddress,
      '--out',
      file,
      '--wallet',
      path('bob.json'),
      ...node(),
    )
    expect(built).toMatchObject({ complete: false, signatures: [{ have: 0, need: 2 }] })
    expect(built.outputs.map((o: any) => o.address)).toEqual([keyOf('dave').address, multisigAddress])
    const first = await json('wallet', 'multisig', 'sign', file, '--wallet', path('bob.json'))
    expect(first).toMatchObject({ signed: 1, complete: false })
    const again = await cli('wallet', 'multisig', 'sign', file, '--wallet', path('bob.json'))
    expect(again).toMatchObject({ code: 2, err: expect.stringMatching(/holds no key that can still sign/) })
    const early = await cli('wallet', 'tx', 'send', file, '--wallet', path('bob.json'), ...node())
    expect(early).toMatchObject({
      code: 2,
      err: expect.stringMatching(/coin input 0 \(multisig\) has 1 of 2 signatures/),
    })
    expect(await json('wallet', 'multisig', 'sign', file, '--wallet', path('carol.json'))).toMatchObject({
      signed: 1,
      complete: true,
    })
    const { transactionId } = await json('wallet', 'tx', 'send', file, ...node())
    expect(poolIds()).toContain(transactionId)
    expect(poolTx(transactionId).coinInputs[0]!.fulfillment).toMatchObject({ type: 3, pairs: [{}, {}] })
  })

  it('offline: export-keys → watch-only wallet → tx build → tx sign without any node → tx send', async () => {
    const keysFile = path('cold-keys.json')
    const exported = await json(
      'wallet',
      'export-keys',
      '--count',
      '10',
      '--out',
      keysFile,
      '--wallet',
      path('cold.json'),
    )
    expect(exported).toEqual({ file: keysFile, keys: 10 })
    const text = readFileSync(keysFile, 'utf8')
    expect(text).not.toMatch(/secret|keystore|ciphertext/)
    const watch = path('watch.json')
    delete process.env.BLOCKSTAKE_PASSPHRASE
    let built: any
    try {
      expect(await json('wallet', 'import-keys', keysFile, '--wallet', watch)).toEqual({
        address: keyOf('cold').address,
        addresses: 1,
        keys: 10,
        watchOnly: true,
      })
      expect(JSON.parse(readFileSync(watch, 'utf8')).keystore).toBeUndefined()
      expect((await json('wallet', 'balance', '--wallet', watch, ...node())).coins.unlocked).toBe(
        (40n * COIN).toString(),
      )
      built = await json(
        'wallet',
        'tx',
        'build',
        '15',
        keys[2]!.address,
        '--out',
        path('offline-tx.json'),
        '--wallet',
        watch,
        ...node(),
      )
      const refused = await cli('wallet', 'send', '1', keys[2]!.address, '--wallet', watch, ...node())
      expect(refused).toMatchObject({ code: 2, err: expect.stringMatching(/watch-only/) })
    } finally {
      process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
    }
    // change to the watch-only wallet's next key, which the cold wallet recognises as its own
    expect(built.outputs.map((o: any) => [o.address, o.mine])).toEqual([
      [keys[2]!.address, false],
      [keyOf('cold', 1).address, true],
    ])
    const file = JSON.parse(readFileSync(path('offline-tx.json'), 'utf8'))
    expect(file.chain).toMatchObject({
      name: chain.def.name,
      network: chain.def.network,
      genesisId: toHex(chain.genesisId),
    })

    const fetchSpy = vi
      .spyOn(globalThis, 'fetch')
      .mockRejectedValue(new Error('tx sign must not contact a node'))
    try {
      const signed = await json(
        'wallet',
        'tx',
        'sign',
        path('offline-tx.json'),
        '--wallet',
        path('cold.json'),
        '--node',
        'http://127.0.0.1:9',
      )
      expect(signed).toMatchObject({ signed: 1, complete: true })
      expect(fetchSpy).not.toHaveBeenCalled()
    } finally {
      fetchSpy.mockRestore()
    }
    const { transactionId } = await json(
      'wallet',
      'tx',
      'send',
      path('offline-tx.json'),
      '--wallet',
      watch,
      ...node(),
    )
    expect(poolIds()).toContain(transactionId)

    // a longer export of the same wallet extends the watch-only wallet; another wallet's keys do not
    await json(
      'wallet',
      'export-keys',
      '--count',
      '30',
      '--out',
      path('cold-keys-30.json'),
      '--wallet',
      path('cold.json'),
    )
    expect(await json('wallet', 'import-keys', path('cold-keys-30.json'), '--wallet', watch)).toMatchObject({
      addresses: 2,
      keys: 30,
    })
    await json('wallet', 'export-keys', '--out', path('dave-keys.json'), '--wallet', path('dave.json'))
    const other = await cli('wallet', 'import-keys', path('dave-keys.json'), '--wallet', watch)
    expect(other).toMatchObject({ code: 2, err: expect.stringMatching(/keys of another wallet/) })
    const seeded = await cli('wallet', 'import-keys', path('dave-keys.json'), '--wallet', path('dave.json'))
    expect(seeded).toMatchObject({ code: 2, err: expect.stringMatching(/holds a seed/) })
  })

  it('a wallet that does not know its chain signs only with --chain', async () => {
    const fresh = path('fresh-dave.json')
    await json(
      'wallet',
      'recover',
      '--mnemonic',
      mnemonic('dave'),
      '--wallet',
      fresh,
      '--node',
      'http://127.0.0.1:9',
    )
    const watch = path('watch2.json')
    await json('wallet', 'export-keys', '--out', path('keys2.json'), '--wallet', fresh)
    await json('wallet', 'import-keys', path('keys2.json'), '--wallet', watch)
    const tx = path('tx2.json')
    await json(
      'wallet',
      'tx',
      'build',
      '1',
      keys[2]!.address,
      '--out',
      tx,
      '--wallet',
      watch,
      ...node(),
      '--fee',
      '0.5',
    )
    const r = await cli('wallet', 'tx', 'sign', tx, '--wallet', fresh)
    expect(r).toMatchObject({
      code: 2,
      err: expect.stringMatching(/does not know its chain yet: pass --chain/),
    })
    expect(await json('wallet', 'tx', 'sign', tx, '--wallet', fresh, '--chain', chainFile)).toMatchObject({
      complete: true,
    })
    expect(JSON.parse(readFileSync(fresh, 'utf8')).chain.genesisId).toBe(toHex(chain.genesisId))
  })

  describe('bad input: one line, exit code 2, nothing written', () => {
    const dev = path('dev.json')
    const otherChainTx = path('other-chain-tx.json')
    const corrupt = path('corrupt.json')

    beforeAll(async () => {
      await json(
        'wallet',
        'tx',
        'build',
        '1',
        keys[1]!.address,
        '--out',
        otherChainTx,
        '--wallet',
        dev,
        ...node(),
      )
      const file = JSON.parse(readFileSync(otherChainTx, 'utf8'))
      file.chain = { ...file.chain, name: 'elsewhere', genesisId: 'ab'.repeat(32) }
      writeFileSync(otherChainTx, JSON.stringify(file))
      const w = JSON.parse(readFileSync(dev, 'utf8'))
      w.keystore.ciphertext = w.keystore.ciphertext.slice(0, 20)
      writeFileSync(corrupt, JSON.stringify(w))
    })

    const wrongChecksum = `${keys[1]!.address.slice(0, 76)}${keys[1]!.address.endsWith('00') ? '11' : '00'}`
    it.each([
      [
        'an address with a wrong checksum',
        () => ['wallet', 'send', '1', wrongChecksum, '--wallet', dev, ...node()],
        /ADDRESS: address checksum mismatch/,
      ],
      [
        'a short address',
        () => ['wallet', 'send', '1', '01ab', '--wallet', dev, ...node()],
        /ADDRESS: address must be 78/,
      ],
      [
        'a negative amount',
        () => ['wallet', 'send', '-1', keys[1]!.address, '--wallet', dev, ...node()],
        /AMOUNT cannot be negative/,
      ],
      [
        'an over-precise amount',
        () => ['wallet', 'send', '1.0000000001', keys[1]!.address, '--wallet', dev, ...node()],
        /AMOUNT: .*more than 9 decimals/,
      ],
      [
        'a zero amount',
        () => ['wallet', 'send', '0', keys[1]!.address, '--wallet', dev, ...node()],
        /AMOUNT must be positive/,
      ],
      [
        'a fee below the minimum',
        () => ['wallet', 'send', '1', keys[1]!.address, '--fee', '0.01', '--wallet', dev, ...node()],
        /--fee must be at least/,
      ],
      [
        'a bad lock',
        () => ['wallet', 'send', '1', keys[1]!.address, '--lock', 'soon', '--wallet', dev, ...node()],
        /--lock must be/,
      ],
      [
        'data over the limit',
        () => ['wallet', 'send', '1', keys[1]!.address, '--data', 'x'.repeat(84), '--wallet', dev, ...node()],
        /--data is 84 bytes/,
      ],
      [
        'a corrupt keystore',
        () => ['wallet', 'send', '1', keys[1]!.address, '--wallet', corrupt, ...node()],
        /wallet file .* is corrupt: keystore file is corrupt: ciphertext/,
      ],
      [
        'a wallet that is not JSON',
        () => ['wallet', 'balance', '--wallet', path('not-json.json'), ...node()],
        /is corrupt: not JSON/,
      ],
      [
        'a missing wallet',
        () => ['wallet', 'balance', '--wallet', path('missing.json'), ...node()],
        /no wallet/,
      ],
      [
        'a transaction file for another chain (sign)',
        () => ['wallet', 'tx', 'sign', otherChainTx, '--wallet', dev],
        /is for chain "elsewhere".*not chain/,
      ],
      [
        'a transaction file for another chain (send)',
        () => ['wallet', 'tx', 'send', otherChainTx, '--wallet', dev, ...node()],
        /is for chain "elsewhere".*not chain/,
      ],
      [
        'a multisig of one address',
        () => ['wallet', 'multisig', 'address', '1', keys[1]!.address, '--wallet', dev],
        /at least 2/,
      ],
      [
        'a multisig threshold above its members',
        () => ['wallet', 'multisig', 'address', '3', keys[1]!.address, keys[2]!.address, '--wallet', dev],
        /M must be a whole number from 1 to 2/,
      ],
      [
        'a multisig naming one member twice (upper and lower case)',
        () => [
          'wallet',
          'multisig',
          'address',
          '2',
          keys[1]!.address,
          keys[1]!.address.toUpperCase(),
          '--wallet',
          dev,
        ],
        /ADDRESS 2 repeats ADDRESS 1/,
      ],
      [
        'export-keys over an existing file (the wallet itself)',
        () => ['wallet', 'export-keys', '--out', dev, '--wallet', dev],
        /--out: .* exists already/,
      ],
      [
        'tx sign writing over another existing file (the wallet itself)',
        () => ['wallet', 'tx', 'sign', otherChainTx, '--out', dev, '--wallet', dev],
        /--out: .* exists already/,
      ],
      [
        'a time lock on a day that does not exist',
        () => ['wallet', 'send', '1', keys[1]!.address, '--lock', '2030-02-30', '--wallet', dev, ...node()],
        /--lock: "2030-02-30" is not a valid date/,
      ],
      [
        'a node on another chain',
        () => ['wallet', 'balance', '--wallet', path('elsewhere.json'), ...node()],
        /serves chain .* but the wallet .* belongs to chain "elsewhere"/,
      ],
    ])('refuses %s', async (_what, args, message) => {
      writeFileSync(path('not-json.json'), '{')
      if (!existsSync(path('elsewhere.json'))) {
        const w = JSON.parse(readFileSync(path('bob.json'), 'utf8'))
        w.chain = { ...w.chain, name: 'elsewhere', genesisId: 'cd'.repeat(32) }
        writeFileSync(path('elsewhere.json'), JSON.stringify(w))
      }
      const watched = [dev, corrupt, otherChainTx, path('elsewhere.json')]
      const before = watched.map(digest)
      const poolBefore = poolIds().length
      const r = await cli(...args())
      expect(r.code).toBe(2)
      expect(r.err).toMatch(message)
      expect(r.err.trim().split('\n')).toHaveLength(1)
      expect(r.out).toBe('')
      expect(watched.map(digest)).toEqual(before)
      expect(poolIds().length).toBe(poolBefore)
    })

    it('a wrong passphrase is a clear error and changes nothing', async () => {
      const before = digest(dev)
      process.env.BLOCKSTAKE_PASSPHRASE = 'wrong'
      const r = await cli('wallet', 'send', '1', keys[1]!.address, '--wallet', dev, ...node())
      process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/wrong passphrase/)
      expect(digest(dev)).toBe(before)
    })

    it('without BLOCKSTAKE_PASSPHRASE and no terminal nothing prompts', async () => {
      delete process.env.BLOCKSTAKE_PASSPHRASE
      try {
        const r = await cli('wallet', 'send', '1', keys[1]!.address, '--wallet', dev, ...node())
        expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/set BLOCKSTAKE_PASSPHRASE/) })
      } finally {
        process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
      }
    })
  })
})

function publicKeyUnlockHashOf(c: Condition) {
  if (c.type !== 1) throw new Error(`expected an unlock-hash condition, got type ${c.type}`)
  return c.unlockHash
}
