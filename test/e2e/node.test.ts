// Real node processes on 127.0.0.1 with real LevelDB (issue #4): one 3-node devnet whose node1 holds
// 500+ blocks of history (imported before the tests). Each test checks one thing and brings up the nodes
// it needs itself: a node that starts empty syncs the history, three nodes create blocks and agree, a
// transaction posted to one node is confirmed on another, a node on another genesis is refused, and a
// node killed with SIGKILL catches up after a restart. How long things took is printed, not asserted.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { type ChainDefinition, genesisBlock, parseChainDefinitionText } from '../../consensus/params/chain.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../consensus/types/conditions.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { generateChain } from '../../devnet/chaingen.js'
import {
  agree,
  apiUrl,
  cliCommand,
  devnetStatus,
  logFile,
  p2pAddress,
  runningPid,
  startNodes,
  stopNodes,
} from '../../devnet/runner.js'
import { type DevnetConfig, devnetPassphrase, freePort, initDevnet } from '../../devnet/setup.js'
import { openDataDir } from '../../node/datadir.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { decryptSeed } from '../../wallet/keys/keystore.js'
import { readKeystoreFile } from '../../wallet/keys/keystore.node.js'
import { buildTransfer, keyring, signInputs } from '../../wallet/tx/build.js'
import { getJson, until } from '../utils/poll.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-node-'))
const registry = coreRegistry()
let config: DevnetConfig | undefined
let def: ChainDefinition
let stakeSeed: Uint8Array
/** Blocks 1… created by node1's stake, all in the past, imported into node1's data dir. */
const history: Block[] = []
const extra: ChildProcess[] = []

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000)
  const created = (await initDevnet({ dir, nodes: 3, blockTime: 2, genesisTime: now - 3600 })).config
  def = parseChainDefinitionText(readFileSync(created.chainFile, 'utf8'))
  const passphrase = devnetPassphrase(created)
  stakeSeed = await decryptSeed(await readKeystoreFile(created.nodes[0]!.stakeKeystore), passphrase)
  const faucet = deriveKey(
    await decryptSeed(await readKeystoreFile(created.faucet.keystore), passphrase),
    0,
    nodeEd25519,
  )
  for (const b of generateChain({
    def,
    registry,
    ed: nodeEd25519,
    stakeKey: deriveKey(stakeSeed, 0, nodeEd25519),
    keys: [faucet],
    blocks: 700,
    transactionsPerBlock: 0,
  })) {
    if (b.timestamp > now - 120) break
    history.push(b)
  }
  if (history.length < 500) throw new Error(`only ${history.length} blocks of history were generated`)
  const chain = await openDataDir(created.nodes[0]!.dataDir, def, { create: true })
  const imported = await chain.addBlocks(history)
  await chain.close()
  if (imported.error) throw new Error(`importing the history failed at block ${imported.error.index}`)
  config = created
}, 60_000)

afterAll(async () => {
  for (const c of extra) c.kill('SIGKILL')
  if (config) await stopNodes(config, 5000)
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

const devnet = (): DevnetConfig => {
  if (!config) throw new Error('the devnet was not set up (see the beforeAll failure)')
  return config
}
const subset = (c: DevnetConfig, names: string[]): DevnetConfig => ({
  ...c,
  nodes: c.nodes.filter((n) => names.includes(n.name)),
})
const height = async (node: number): Promise<number> =>
  (await getJson(`${apiUrl(devnet().nodes[node]!)}/consensus`)).height

/**
 * The state most tests start from: starts any node that is not running (one an earlier test left down,
 * or all of them when run alone) and waits until the three agree on a tip at least `above` high.
 */
async function threeNodesAgree(above = history.length) {
  const cfg = devnet()
  startNodes(cfg, { detached: false })
  return until(`the three nodes to run and agree on a tip at height ${above} or more`, 120_000, async () => {
    const s = await devnetStatus(cfg)
    return agree(s) && (s[0]!.height ?? 0) >= above ? s : undefined
  })
}

/** JSON log lines of a node (pino) with `event`. */
const logEvents = (file: string, event: string): any[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.includes(`"event":"${event}"`))
        .map((line) => JSON.parse(line))
    : []

describe('node processes', () => {
  it('a node that starts empty syncs the 500+ blocks of its bootstrap peer', async () => {
    const cfg = devnet()
    expect(runningPid(cfg.nodes[1]!), 'node2 must start empty (this test runs first)').toBeUndefined()
    startNodes(subset(cfg, ['node1', 'node2']), { detached: false })
    const started = Date.now()
    await until('node2 to sync the history', 120_000, async () =>
      (await height(1)) >= history.length ? true : undefined,
    )
    console.log(
      `node2 synced ${history.length} blocks in ${((Date.now() - started) / 1000).toFixed(1)} s (incl. process start)`,
    )
    // the same chain: node2's block at the last height of the history is the history's
    const last = await getJson(`${apiUrl(cfg.nodes[1]!)}/blocks/${history.length}`)
    expect(last.id).toBe(toHex(new BlockCodec(registry).id(history.at(-1)!)))
  }, 150_000)

  it('three nodes create blocks on top of the history and agree on a tip', async () => {
    const [node1] = await threeNodesAgree(history.length + 3)
    expect(node1!.height).toBeGreaterThanOrEqual(history.length + 3)
  }, 150_000)

  it('a transaction posted to node1 is confirmed on node3', async () => {
    const cfg = devnet()
    await threeNodesAgree()
    const faucet = deriveKey(
      await decryptSeed(await readKeystoreFile(cfg.faucet.keystore), devnetPassphrase(cfg)),
      0,
      nodeEd25519,
    )
    const genesisTx = genesisBlock(def).transactions[0]!
    const available = [
      {
        id: registry.coinOutputId(genesisTx, 0),
        value: genesisTx.coinOutputs[0]!.value,
        condition: genesisTx.coinOutputs[0]!.condition,
      },
    ]
    const receiver = deriveKey(stakeSeed, 7, nodeEd25519)
    const unsigned = buildTransfer({
      available,
      outputs: [
        {
          value: 1000n * def.oneCoin,
          condition: unlockHashCondition(publicKeyUnlockHash(receiver.publicKey)),
        },
      ],
      fee: def.constants.minimumTransactionFee,
      change: available[0]!.condition,
    })
    const { tx } = signInputs(
      registry,
      nodeEd25519,
      unsigned,
      { coinInputs: [available[0]!.condition] },
      keyring([faucet]),
    )
    const posted = Date.now()
    const res = await fetch(`${apiUrl(cfg.nodes[0]!)}/txpool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: registry.toJsonString(tx),
    })
    expect(res.status).toBe(200)
    const txid = toHex(registry.id(tx))
    expect(((await res.json()) as any).transactionId).toBe(txid)
    const confirmed = await until('the transaction on node3', 60_000, async () => {
      const t = await getJson(`${apiUrl(cfg.nodes[2]!)}/transactions/${txid}`)
      return t && !t.unconfirmed ? t : undefined
    })
    expect(confirmed.transaction).toEqual(JSON.parse(registry.toJsonString(tx)))
    console.log(
      `transaction confirmed on node3 at height ${confirmed.height} after ` +
        `${((Date.now() - posted) / 1000).toFixed(1)} s (block time ${cfg.blockTime} s)`,
    )
  }, 150_000)

  it('a node on another genesis is refused by node1 and syncs nothing', async () => {
    const cfg = devnet()
    await threeNodesAgree()
    const node1 = cfg.nodes[0]!
    const strangerDir = join(dir, 'stranger')
    const strangerLog = join(dir, 'stranger.log')
    const output = openSync(strangerLog, 'a')
    const { command, args } = cliCommand()
    const apiPort = await freePort()
    const stranger = spawn(
      command,
      [
        ...args,
        'node',
        'start',
        '--chain',
        'devnet',
        '--data-dir',
        strangerDir,
        '--api',
        `127.0.0.1:${apiPort}`,
        '--listen',
        `/ip4/127.0.0.1/tcp/${await freePort()}`,
        '--bootstrap',
        p2pAddress(node1),
      ],
      { stdio: ['ignore', output, output] },
    )
    extra.push(stranger)
    try {
      const strangerId: string = (
        await until('the stranger to start', 30_000, async () => logEvents(strangerLog, 'p2p:started')[0])
      ).peerId
      // refused: one of the two bans the other (whichever learns first that the other follows another chain)
      const ban = await until('node1 and the stranger to refuse each other', 30_000, async () =>
        [
          ...logEvents(logFile(node1), 'peer:banned').filter((e) => e.peer === strangerId),
          ...logEvents(strangerLog, 'peer:banned').filter((e) => e.peer === node1.peerId),
        ].at(0),
      )
      expect(ban.reason).toMatch(/another (chain|genesis)/)
      const peers = await until('node1 to drop the stranger', 30_000, async () => {
        const list = (await getJson(`${apiUrl(node1)}/peers`)) as { id: string }[]
        return list.some((p) => p.id === strangerId) ? undefined : list
      })
      const others = [cfg.nodes[1]!.peerId, cfg.nodes[2]!.peerId]
      for (const p of peers) expect(others).toContain(p.id)
      expect((await getJson(`http://127.0.0.1:${apiPort}/consensus`)).height).toBe(0)
    } finally {
      stranger.kill('SIGTERM')
    }
  }, 120_000)

  it('a node killed with SIGKILL catches up after a restart', async () => {
    const cfg = devnet()
    await threeNodesAgree()
    const victim = cfg.nodes[1]!
    process.kill(runningPid(victim)!, 'SIGKILL')
    await until('node2 to die', 10_000, async () => (runningPid(victim) ? undefined : true))
    const before = await height(0)
    await until('the others to move on', 60_000, async () =>
      (await height(0)) >= before + 2 ? true : undefined,
    )
    startNodes(cfg, { detached: false })
    const s = await until('node2 to catch up and agree', 90_000, async () => {
      const s = await devnetStatus(cfg)
      return agree(s) ? s : undefined
    })
    expect(s[1]!.height).toBeGreaterThanOrEqual(before + 2)
  }, 180_000)
})
