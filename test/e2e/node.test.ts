// Real node processes on 127.0.0.1 with real LevelDB (issue #4): a late node syncs 500+ blocks, three
// nodes create blocks and agree, a transaction posted to one node is confirmed on another, a node on
// another genesis is refused, and a node killed with SIGKILL catches up after a restart.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { genesisBlock, parseChainDefinitionText } from '../../consensus/params/chain.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../consensus/types/conditions.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { generateChain } from '../../devnet/chaingen.js'
import {
  agree,
  apiUrl,
  cliCommand,
  devnetStatus,
  p2pAddress,
  runningPid,
  sleep,
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
let config: DevnetConfig | undefined
const extra: ChildProcess[] = []
afterAll(async () => {
  for (const c of extra) c.kill('SIGKILL')
  if (config) await stopNodes(config, 5000)
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

const subset = (c: DevnetConfig, names: string[]): DevnetConfig => ({
  ...c,
  nodes: c.nodes.filter((n) => names.includes(n.name)),
})

describe('node processes', () => {
  it('syncs, creates blocks, relays transactions, refuses other chains and survives SIGKILL', async () => {
    const now = Math.floor(Date.now() / 1000)
    config = (await initDevnet({ dir, nodes: 3, blockTime: 2, genesisTime: now - 3600 })).config
    const cfg = config
    const def = parseChainDefinitionText(readFileSync(cfg.chainFile, 'utf8'))
    const registry = coreRegistry()
    const passphrase = devnetPassphrase(cfg)
    const stakeSeed = await decryptSeed(await readKeystoreFile(cfg.nodes[0]!.stakeKeystore), passphrase)
    const faucet = deriveKey(
      await decryptSeed(await readKeystoreFile(cfg.faucet.keystore), passphrase),
      0,
      nodeEd25519,
    )

    // history: 500+ blocks created by node1's stake, imported into node1's data dir
    const history = []
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
    expect(history.length).toBeGreaterThanOrEqual(500)
    const chain = await openDataDir(cfg.nodes[0]!.dataDir, def, { create: true })
    expect((await chain.addBlocks(history)).error).toBeUndefined()
    await chain.close()

    // node2 starts empty and syncs from node1
    startNodes(subset(cfg, ['node1', 'node2']), { detached: false })
    const started = Date.now()
    await until('node2 to sync', 120_000, async () => {
      const s = await getJson(`${apiUrl(cfg.nodes[1]!)}/consensus`)
      return s && s.height >= history.length ? s : undefined
    })
    console.log(
      `node2 synced ${history.length} blocks in ${((Date.now() - started) / 1000).toFixed(1)} s (incl. process start)`,
    )

    // node3 joins; all three create blocks and agree on a tip
    startNodes(cfg, { detached: false })
    const base = history.length
    await until('three nodes to agree above the imported history', 90_000, async () => {
      const s = await devnetStatus(cfg)
      return agree(s) && (s[0]!.height ?? 0) >= base + 3 ? s : undefined
    })

    // a transaction posted to node1 is confirmed on node3
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
    const seconds = (Date.now() - posted) / 1000
    console.log(`transaction confirmed on node3 at height ${confirmed.height} after ${seconds.toFixed(1)} s`)
    expect(seconds).toBeLessThan(3 * cfg.blockTime + 10)

    // a node on another genesis (the devnet preset's) is refused by node1
    const strangerDir = join(dir, 'stranger')
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
        p2pAddress(cfg.nodes[0]!),
      ],
      { stdio: 'ignore' },
    )
    extra.push(stranger)
    await until('the stranger to answer', 30_000, () => getJson(`http://127.0.0.1:${apiPort}/consensus`))
    await sleep(3000)
    const peers = (await getJson(`${apiUrl(cfg.nodes[0]!)}/peers`)) as { id: string }[]
    expect(peers.length).toBe(2)
    expect((await getJson(`http://127.0.0.1:${apiPort}/consensus`)).height).toBe(0)
    stranger.kill('SIGTERM')

    // node2 killed with SIGKILL, restarted, catches up
    const pid = runningPid(cfg.nodes[1]!)!
    process.kill(pid, 'SIGKILL')
    await until('node2 to die', 10_000, async () => (runningPid(cfg.nodes[1]!) ? undefined : true))
    const before = (await getJson(`${apiUrl(cfg.nodes[0]!)}/consensus`)).height
    await until('the others to move on', 60_000, async () => {
      const s = await getJson(`${apiUrl(cfg.nodes[0]!)}/consensus`)
      return s.height >= before + 2 ? true : undefined
    })
    startNodes(cfg, { detached: false })
    await until('node2 to catch up and agree', 90_000, async () => {
      const s = await devnetStatus(cfg)
      return agree(s) ? s : undefined
    })
  }, 300_000)
})
