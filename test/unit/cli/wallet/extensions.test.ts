// `blockstake wallet mint …` and `wallet auth …` against a real API server on 127.0.0.1 (in-process chain
// and pool) on a chain with minting (coin destruction registered) and a whitelist. Blocks are made here
// from the pool's transactions, so the mint and auth conditions the commands read from the node move.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import { parseChainDefinitionWithExtensions } from '../../../../consensus/extensions/catalog.js'
import { type ChainDefinition, chainDefinitionToJson } from '../../../../consensus/params/chain.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../../../consensus/pobs/kernel.js'
import type { Block } from '../../../../consensus/types/block.js'
import {
  conditionToJson,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { devnetDefinition } from '../../../../devnet/chaingen.js'
import { createApi } from '../../../../node/api/server.js'
import type { Chain } from '../../../../node/chain/chain.js'
import type { TransactionPool } from '../../../../node/mempool/pool.js'
import { deriveKey } from '../../../../wallet/keys/derive.js'
import { seedToMnemonic } from '../../../../wallet/keys/seed.js'
import { runCli } from '../../../utils/cli.js'
import { openExtChain } from '../../../utils/extnode.js'
import { getJson } from '../../../utils/poll.js'
import { MemoryChain } from '../../../utils/replay.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-ext-cli-'))
const path = (name: string) => join(dir, name)
const COIN = 1_000_000_000n
const FEE = COIN / 10n
const NOW = () => 2_000_000_000
const seedOf = (name: string) => blake2b256(utf8(name))
const keyOf = (name: string, i = 0) => deriveKey(seedOf(name), i, nodeEd25519)
const address = (name: string, i = 0) => keyOf(name, i).address
const to = (k: SigningKey) => unlockHashCondition(publicKeyUnlockHash(k.publicKey))
const staker = keyOf('staker')

/** A devnet with the given extensions; genesis coins to the faucet, every block stake to the staker. */
function chainWith(extensions: Record<string, unknown>, name = 'blockstake'): ChainDefinition {
  const base = devnetDefinition({ stakers: [staker], coinsTo: keyOf('faucet'), timestamp: 1_700_000_000 })
  const json = chainDefinitionToJson({ ...base, name }) as Record<string, unknown>
  json.extensions = extensions
  return parseChainDefinitionWithExtensions(json)
}

const authorityCondition = conditionToJson(to(keyOf('authority')))
const EXT = chainWith({
  minting: {
    genesisMintCondition: authorityCondition,
    coinDestructionVersion: 130,
    encoding: 'rivbin',
    requireMinerFees: true,
  },
  authcoin: {
    genesisAuthCondition: authorityCondition,
    authorizedByDefault: false,
    requireMinerFees: true,
    genesisAuthorizedAddresses: [
      address('faucet'),
      unlockHashToString(publicKeyUnlockHash(staker.publicKey)),
    ],
  },
})
/** tfchain-like: minting without coin destruction, a blocklist. */
const TF = chainWith(
  {
    minting: { genesisMintCondition: authorityCondition, encoding: 'sia', requireMinerFees: true },
    authcoin: { genesisAuthCondition: authorityCondition, authorizedByDefault: true, requireMinerFees: true },
  },
  'tflike',
)
const PLAIN = chainWith({}, 'plain')

interface Node {
  def: ChainDefinition
  chain: Chain
  pool: TransactionPool
  api: Awaited<ReturnType<typeof createApi>>
  replay: MemoryChain
}
const nodes: Node[] = []

async function startNode(def: ChainDefinition): Promise<Node> {
  const { chain, pool, rules } = await openExtChain(def)
  const { registry, extensions } = rules
  const api = await createApi({
    chain,
    pool,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    extensions,
  })
  const node = { def, chain, pool, api, replay: new MemoryChain(def, registry, NOW, rules) }
  nodes.push(node)
  return node
}

/** Makes the next block from the pool's transactions (the staker's respend first) and adds it. */
async function mine(n: Node): Promise<number> {
  const replay = n.replay
  const registry = n.chain.registry
  const tip = replay.tip
  const pobsOutput = { blockHeight: tip.height, transactionIndex: 0, outputIndex: 0 }
  const holder = replay.blocks[tip.height]!.block.transactions[0]!
  const modifier = stakeModifier(
    tip.height + 1,
    n.def.constants.stakeModifierDelay,
    (h) => replay.blocks[h]!.id,
  )
  const stake = holder.blockStakeOutputs[0]!
  let timestamp = tip.block.timestamp + 1
  while (!kernelMeetsTarget(kernelHash(modifier, pobsOutput, timestamp), stake.value, tip.childTarget))
    timestamp++
  const respend = signSingleSignature(
    registry,
    nodeEd25519,
    {
      ...emptyTransaction(1),
      blockStakeInputs: [{ parentId: registry.blockStakeOutputId(holder, 0), fulfillment: { type: 0 } }],
      blockStakeOutputs: [stake],
    },
    'blockStakeInputs',
    0,
    staker,
  )
  const txs: Transaction[] = [...n.pool.transactions()]
  const fees = txs.reduce((s, tx) => s + tx.minerFees.reduce((a, f) => a + f, 0n), 0n)
  const block: Block = {
    parentId: tip.id,
    timestamp,
    pobsOutput,
    minerPayouts: [
      { value: n.def.constants.blockCreatorFee + fees, unlockHash: publicKeyUnlockHash(staker.publicKey) },
    ],
    transactions: [respend, ...txs],
  }
  replay.append(block)
  expect((await n.chain.addBlock(block)).status).toBe('tip')
  expect(n.pool.transactions()).toHaveLength(0)
  return replay.tip.height
}

let ext: Node
let tf: Node
let plain: Node

const cli = (...args: string[]) => runCli(...args)
async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
/** `wallet ARGS --wallet NAME.json --node (the extension chain)`. */
const w = (name: string, ...args: string[]) =>
  ['wallet', ...args, '--wallet', path(`${name}.json`), '--node', ext.api.url] as const
const balance = async (name: string) => BigInt((await json(...w(name, 'balance'))).coins.unlocked)

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'test passphrase'
  ext = await startNode(EXT)
  tf = await startNode(TF)
  plain = await startNode(PLAIN)
  for (const name of ['authority', 'faucet', 'm2', 'm3', 'alice', 'bob'])
    await json(
      'wallet',
      'recover',
      '--mnemonic',
      seedToMnemonic(seedOf(name)),
      '--wallet',
      path(`${name}.json`),
      '--node',
      ext.api.url,
    )
  for (const [name, node] of [
    ['tf-authority', tf],
    ['plain', plain],
  ] as const)
    await json(
      'wallet',
      'recover',
      '--mnemonic',
      seedToMnemonic(seedOf('authority')),
      '--wallet',
      path(`${name}.json`),
      '--node',
      node.api.url,
    )
}, 60_000)

afterAll(async () => {
  for (const n of nodes) {
    await n.api.close()
    n.pool.detach()
    await n.chain.close()
  }
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
})

describe('wallet auth and mint on a whitelist chain', () => {
  it('a send to an address not authorized exits 2 naming it; it goes through after "auth update"', async () => {
    const refused = await cli(...w('faucet', 'send', '100', address('alice')))
    expect(refused.code).toBe(2)
    expect(refused.err.trim().split('\n')).toHaveLength(1)
    expect(refused.err).toContain(`${address('alice')}, which is not authorized`)
    expect(ext.pool.transactions()).toHaveLength(0)

    // only the holder of the auth condition may update it
    const notAuthority = await cli(...w('faucet', 'auth', 'update', '--authorize', address('alice')))
    expect(notAuthority).toMatchObject({ code: 2, out: '' })
    expect(notAuthority.err).toMatch(
      /is not the auth authority: it holds no key of it; the auth condition in force \(height 0\) is 01/,
    )

    const update = await json(
      ...w('authority', 'auth', 'update', '--authorize', address('alice'), address('bob')),
    )
    expect(Object.keys(update)).toEqual(['transactionId'])
    const height = await mine(ext)
    expect(await getJson(`${ext.api.url}/auth/status/${address('alice')}`)).toEqual({
      address: address('alice'),
      authorized: true,
      since: height,
    })
    const again = await cli(...w('authority', 'auth', 'update', '--authorize', address('alice')))
    expect(again).toMatchObject({
      code: 2,
      err: `--authorize: ${address('alice')} is already authorized (since height ${height})\n`,
    })

    await json(...w('faucet', 'send', '100', address('alice')))
    await mine(ext)
    expect(await balance('alice')).toBe(100n * COIN)
    // change stays on an authorized address: alice's own (a fresh one would be refused)
    await json(...w('alice', 'send', '10', address('bob')))
    await mine(ext)
    expect(await balance('alice')).toBe(90n * COIN - FEE)
    expect((await json(...w('alice', 'addresses'))).addresses).toEqual([address('alice')])
  })

  it('mint create by the mint authority: new coins, the fee created with the block', async () => {
    const before = await balance('bob')
    const sent = await json(
      ...w('authority', 'mint', 'create', '5', address('bob'), '--data', 'capacity week 1'),
    )
    expect(Object.keys(sent)).toEqual(['transactionId'])
    await mine(ext)
    expect(await balance('bob')).toBe(before + 5n * COIN)
    // the whitelist covers creations too: the node's reason is passed through
    const refused = await cli(...w('authority', 'mint', 'create', '1', address('m2')))
    expect(refused.code).toBe(2)
    expect(refused.err).toContain(`${address('m2')}, which is not authorized`)
  })

  it('a 2-of-3 multisig mint condition: one signature is refused, two mint, through the file flow', async () => {
    const members = [address('authority'), address('m2'), address('m3')]
    const defined = await json(...w('authority', 'mint', 'definition', '--multisig', '2', ...members))
    expect(Object.keys(defined)).toEqual(['transactionId'])
    await mine(ext)
    const condition = (await getJson(`${ext.api.url}/mint/condition`)).condition
    expect(condition).toMatchObject({ type: 4, data: { minimumsignaturecount: 2 } })

    // the wallet cannot fulfil it alone: it says so, writes nothing
    const alone = await cli(...w('authority', 'mint', 'create', '7', address('alice')))
    expect(alone.code).toBe(2)
    expect(alone.err).toMatch(
      /cannot fulfil the mint condition alone: .*2-of-3 multisig 03.*holds 1 of its keys \(2 signatures needed\); write the transaction with --out FILE/,
    )

    const file = path('mint.json')
    const built = await json(...w('authority', 'mint', 'create', '7', address('alice'), '--out', file))
    expect(built).toMatchObject({ file, signed: 1, kind: 'coin-creation', complete: false })
    expect(built.signatures).toEqual([{ input: 'mintFulfillment', have: 1, need: 2 }])
    const partial = await cli(...w('alice', 'tx', 'send', file))
    expect(partial).toMatchObject({
      code: 2,
      err: `${file} is not fully signed: the mint fulfillment (multisig) has 1 of 2 signatures\n`,
    })
    // a wallet with no member key adds nothing; a member adds its pair without a node
    expect((await cli(...w('bob', 'multisig', 'sign', file))).err).toMatch(
      /holds no key that can still sign the mint fulfillment/,
    )
    const signed = await json(
      'wallet',
      'multisig',
      'sign',
      file,
      '--wallet',
      path('m2.json'),
      '--node',
      'http://127.0.0.1:9',
    )
    expect(signed).toMatchObject({ signed: 1, complete: true })
    const before = await balance('alice')
    expect(await json(...w('alice', 'tx', 'send', file))).toEqual({ transactionId: expect.any(String) })
    await mine(ext)
    expect(await balance('alice')).toBe(before + 7n * COIN)

    // the old single authority no longer mints
    const stale = path('stale.json')
    const old = JSON.parse(readFileSync(file, 'utf8'))
    old.authority.condition = authorityCondition
    writeFileSync(stale, JSON.stringify(old))
    expect((await cli(...w('alice', 'tx', 'send', stale))).err).toMatch(
      /the mint condition changed since .*stale\.json was built/,
    )
  })

  it('auth condition: a file built for the old condition is not sent; --out never replaces a file', async () => {
    const file = path('auth-bob.json')
    writeFileSync(path('taken.json'), 'keep')
    const taken = await cli(
      ...w('authority', 'auth', 'update', '--deauthorize', address('bob'), '--out', path('taken.json')),
    )
    expect(taken).toMatchObject({ code: 2, err: `--out: ${path('taken.json')} exists already\n` })
    expect(readFileSync(path('taken.json'), 'utf8')).toBe('keep')

    expect(
      await json(...w('authority', 'auth', 'update', '--deauthorize', address('bob'), '--out', file)),
    ).toMatchObject({
      file,
      kind: 'auth-address-update',
      deauthorize: [address('bob')],
      complete: true,
    })
    const same = await cli(...w('authority', 'auth', 'condition', address('authority')))
    expect(same).toMatchObject({ code: 2, err: 'the new auth condition is the one in force already\n' })
    await json(...w('authority', 'auth', 'condition', address('m2')))
    await mine(ext)
    expect((await getJson(`${ext.api.url}/auth/condition`)).condition).toEqual(
      conditionToJson(unlockHashCondition(publicKeyUnlockHash(keyOf('m2').publicKey))),
    )
    const r = await cli(...w('authority', 'tx', 'send', file))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/the auth condition changed since .*auth-bob\.json was built \(now 01/)
    // the new authority signs offline and sends
    const offline = path('auth-bob-2.json')
    const former = await cli(
      ...w('authority', 'auth', 'update', '--deauthorize', address('bob'), '--out', path('unused.json')),
    )
    expect(former.code).toBe(2)
    expect(former.err).toMatch(/is not the auth authority/)
    expect(existsSync(path('unused.json'))).toBe(false)
    await json(...w('m2', 'auth', 'update', '--deauthorize', address('bob'), '--out', offline))
    expect(await json(...w('m2', 'tx', 'send', offline))).toEqual({ transactionId: expect.any(String) })
    await mine(ext)
    expect((await getJson(`${ext.api.url}/auth/status/${address('bob')}`)).authorized).toBe(false)
  })

  it('mint destroy: destroys coins from the wallet, change back to its authorized address', async () => {
    const before = await balance('alice')
    const sent = await json(...w('alice', 'mint', 'destroy', '2'))
    expect(Object.keys(sent)).toEqual(['transactionId'])
    await mine(ext)
    expect(await balance('alice')).toBe(before - 2n * COIN - FEE)
    const tooMuch = await cli(...w('alice', 'mint', 'destroy', '1000000'))
    expect(tooMuch).toMatchObject({ code: 2 })
    expect(tooMuch.err).toMatch(/insufficient funds in the wallet/)
  })

  it('errors are one line, exit 2, nothing written', async () => {
    const cases: [readonly string[], RegExp][] = [
      [w('authority', 'mint', 'create', '5', '01abc'), /ADDRESS: address must be 78 hex characters/],
      [w('authority', 'mint', 'create', '-5', address('alice')), /AMOUNT cannot be negative/],
      [
        w('authority', 'mint', 'definition'),
        /give the new mint condition: an ADDRESS, or --multisig M ADDRESS/,
      ],
      [
        w(
          'authority',
          'mint',
          'definition',
          address('alice'),
          '--multisig',
          '1',
          address('alice'),
          address('bob'),
        ),
        /give the new mint condition/,
      ],
      [
        w('authority', 'mint', 'definition', '--multisig', '3', address('alice'), address('bob')),
        /M must be a whole number from 1 to 2/,
      ],
      [w('authority', 'auth', 'update'), /give the addresses to change/],
      [
        w('authority', 'auth', 'update', '--authorize', address('m3'), '--deauthorize', address('m3')),
        /--deauthorize\[0\] repeats --authorize\[0\]/,
      ],
      [
        w('authority', 'mint', 'create', '1', address('alice'), '--fee', '0.01'),
        /--fee must be at least the chain minimum of 0.1 coins/,
      ],
      [
        [
          'wallet',
          'mint',
          'create',
          '1',
          address('alice'),
          '--wallet',
          path('plain.json'),
          '--node',
          plain.api.url,
        ],
        /the chain "plain" \(network devnet\) has no minting/,
      ],
      [
        [
          'wallet',
          'auth',
          'update',
          '--authorize',
          address('alice'),
          '--wallet',
          path('plain.json'),
          '--node',
          plain.api.url,
        ],
        /has no authorized addresses/,
      ],
      [
        ['wallet', 'mint', 'destroy', '1', '--wallet', path('tf-authority.json'), '--node', tf.api.url],
        /the chain "tflike" has no coin destruction/,
      ],
      [
        [
          'wallet',
          'auth',
          'update',
          '--authorize',
          address('alice'),
          '--wallet',
          path('tf-authority.json'),
          '--node',
          tf.api.url,
        ],
        /is already authorized \(by default\)/,
      ],
    ]
    for (const [args, message] of cases) {
      const r = await cli(...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.err).toMatch(message)
      expect(r.err.trim().split('\n')).toHaveLength(1)
    }
    for (const n of nodes) expect(n.pool.transactions()).toHaveLength(0)
  })

  it('tfchain-like chain (Sia minting, blocklist): the authority mints and blocks an address', async () => {
    const tfw = (...args: string[]) => [
      'wallet',
      ...args,
      '--wallet',
      path('tf-authority.json'),
      '--node',
      tf.api.url,
    ]
    expect(await json(...tfw('mint', 'create', '3', address('alice')))).toEqual({
      transactionId: expect.any(String),
    })
    expect(await json(...tfw('auth', 'update', '--deauthorize', address('bob')))).toEqual({
      transactionId: expect.any(String),
    })
    await mine(tf)
    expect((await getJson(`${tf.api.url}/auth/status/${address('bob')}`)).authorized).toBe(false)
    const refused = await cli(...tfw('mint', 'create', '3', address('bob')))
    expect(refused.err).toContain(`${address('bob')}, which is not authorized`)
  })
})

describe('offline signing of extension files', () => {
  it('tx sign reads the file with the wallet’s own chain parameters and refuses other ones', async () => {
    const file = path('offline-mint.json')
    // the multisig mint condition of the test above: m3 builds, authority signs offline
    await json(...w('m3', 'mint', 'create', '1', address('alice'), '--out', file))
    const signed = await json(
      'wallet',
      'tx',
      'sign',
      file,
      '--wallet',
      path('authority.json'),
      '--node',
      'http://127.0.0.1:9',
    )
    expect(signed).toMatchObject({ signed: 1, complete: true })
    const forged = JSON.parse(readFileSync(file, 'utf8'))
    forged.chain.extensions.minting.encoding = 'sia'
    writeFileSync(path('forged.json'), JSON.stringify(forged))
    const r = await cli('wallet', 'tx', 'sign', path('forged.json'), '--wallet', path('m2.json'))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/with other extension parameters/)
  })
})
