// Crash and restart of devnet nodes (issue #13 item 5; docs/RELIABILITY.md, "Crash and restart"). A 3-node
// devnet whose node1 and node2 hold 400+ blocks of history with transfers (branch H). SIGKILL, KILLS times
// each (3 in `npm test`; `npm run crash` sets BLOCKSTAKE_CRASH_KILLS=10):
//   - node3 while it syncs H from an empty data dir (each restart resumes; a finished sync starts over);
//   - node3 while it reorganises onto H from a lighter branch A of its own (A restored after each switch);
//   - node1 while it builds a block (it logs `creator:building` at debug level), under a transfer load.
// After every kill its data dir is reopened here: the state (Chain.stateHash: UTXO set and extension state)
// equals that of a fresh chain importing the same main-chain blocks, the tip is not below what the node's
// API showed before the kill, and every transfer confirmed on all nodes before it is still confirmed;
// then the node restarts and catches up. Each wait is bounded; timings are printed, not asserted.
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { equalBytes, fromHex, toHex } from '../../consensus/encoding/hex.js'
import { type ChainDefinition, parseChainDefinitionText } from '../../consensus/params/chain.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { generateChain } from '../../devnet/chaingen.js'
import {
  agree,
  apiUrl,
  devnetStatus,
  logFile,
  runningPid,
  sleep,
  startNodes,
  stopNodes,
} from '../../devnet/runner.js'
import { type DevnetConfig, type DevnetNode, devnetPassphrase, initDevnet } from '../../devnet/setup.js'
import { Chain } from '../../node/chain/chain.js'
import { chainRules, openDataDir } from '../../node/datadir.js'
import { createMemoryStore } from '../../node/db/memory.js'
import { transfer } from '../../wallet/client/transfer.node.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { decryptSeed } from '../../wallet/keys/keystore.js'
import { readKeystoreFile } from '../../wallet/keys/keystore.node.js'
import { generateSeed } from '../../wallet/keys/seed.js'
import { getJson, until } from '../utils/poll.js'

const KILLS = Number(process.env.BLOCKSTAKE_CRASH_KILLS ?? 3)
/** Kill attempts at most per scenario (an attempt whose moment missed its phase does not count). */
const MAX_ATTEMPTS = 4 * KILLS + 4
const SCENARIO_MS = 120_000 + KILLS * 60_000

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-crash-'))
let config: DevnetConfig | undefined
let def: ChainDefinition
/** Branch H: imported into node1 and node2 before they start. */
const history: Block[] = []
/** Branch A: lighter, node3's own for the reorg scenario (a closed data dir copied in each time). */
const branchA: Block[] = []
const snapshotA = join(dir, 'branch-a')
/** What each scenario saw, printed at the end (docs/RELIABILITY.md records the full run). */
const summary: string[] = []

// the node processes go with the test process, whatever happens
const killNodes = () => {
  for (const node of config?.nodes ?? []) {
    const pid = runningPid(node)
    if (pid) process.kill(pid, 'SIGKILL')
  }
}

beforeAll(async () => {
  process.once('exit', killNodes)
  // node1 logs `creator:building` (debug) for the block creation scenario
  process.env.BLOCKSTAKE_LOG_LEVEL = 'debug'
  const now = Math.floor(Date.now() / 1000)
  const created = (await initDevnet({ dir, nodes: 3, blockTime: 2, genesisTime: now - 4 * 3600 })).config
  def = parseChainDefinitionText(readFileSync(created.chainFile, 'utf8'))
  const { registry } = chainRules(def)
  const passphrase = devnetPassphrase(created)
  const stakeKey = deriveKey(
    await decryptSeed(await readKeystoreFile(created.nodes[0]!.stakeKeystore), passphrase),
    0,
    nodeEd25519,
  )
  const faucet = deriveKey(
    await decryptSeed(await readKeystoreFile(created.faucet.keystore), passphrase),
    0,
    nodeEd25519,
  )
  const generate = (blocks: number, transactionsPerBlock: number, into: Block[]) => {
    for (const b of generateChain({
      def,
      registry,
      ed: nodeEd25519,
      stakeKey,
      keys: [faucet],
      blocks,
      transactionsPerBlock,
    })) {
      if (b.timestamp > now - 120) break
      into.push(b)
    }
  }
  generate(700, 5, history)
  generate(250, 3, branchA)
  if (history.length < 400 || branchA.length < 200)
    throw new Error(`only ${history.length} and ${branchA.length} blocks of history were generated`)
  for (const node of created.nodes.slice(0, 2)) await importInto(node.dataDir, history)
  await importInto(snapshotA, branchA)
  config = created
}, 120_000)

afterAll(async () => {
  if (config) await stopNodes(config, 5000)
  process.off('exit', killNodes)
  for (const r of replays.values()) for (const c of r) await c.close()
  console.log(`crash and restart (${KILLS} kills each):\n  ${summary.join('\n  ')}`)
  if (process.env.BLOCKSTAKE_KEEP_DEVNET) console.log(`devnet kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}, 30_000)

async function importInto(dataDir: string, blocks: readonly Block[]): Promise<void> {
  const chain = await openDataDir(dataDir, def, { create: true })
  try {
    const { error } = await chain.addBlocks(blocks)
    if (error) throw new Error(`importing the history into ${dataDir} failed at block ${error.index}`)
  } finally {
    await chain.close()
  }
}

const devnet = (): DevnetConfig => {
  if (!config) throw new Error('the devnet was not set up (see the beforeAll failure)')
  return config
}
const only = (...nodes: DevnetNode[]): DevnetConfig => ({ ...devnet(), nodes })
const apiHeight = async (node: DevnetNode): Promise<number | undefined> =>
  (await getJson(`${apiUrl(node)}/consensus`).catch(() => undefined))?.height
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
const random = (from: number, to: number) => from + Math.random() * (to - from)

/** New JSON lines of a node's log with `event`, read from where the last call stopped. */
class LogTail {
  private offset = 0
  constructor(private readonly file: string) {}

  /** Skips everything written so far. */
  skip(): void {
    this.read()
  }

  read(): any[] {
    if (!existsSync(this.file)) return []
    const fd = openSync(this.file, 'r')
    try {
      const chunks: Buffer[] = []
      for (;;) {
        const buf = Buffer.alloc(1 << 16)
        const n = readSync(fd, buf, 0, buf.length, this.offset)
        if (n === 0) break
        chunks.push(buf.subarray(0, n))
        this.offset += n
      }
      const text = Buffer.concat(chunks).toString('utf8')
      // a line cut at the end is read again next time
      const end = text.lastIndexOf('\n') + 1
      this.offset -= Buffer.byteLength(text.slice(end))
      return text
        .slice(0, end)
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
    } finally {
      closeSync(fd)
    }
  }

  /** The next line with `event` (polled every 5 ms), or undefined after `ms`. */
  async next(event: string, ms: number): Promise<any | undefined> {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      const hit = this.read().find((l) => l.event === event)
      if (hit) return hit
      await sleep(5)
    }
    return undefined
  }
}

/** SIGKILL, then wait (bounded) until the process is gone and its LevelDB lock released. */
async function kill(node: DevnetNode): Promise<void> {
  const pid = runningPid(node)
  if (!pid) throw new Error(`${node.name} is not running`)
  process.kill(pid, 'SIGKILL')
  await until(`${node.name} to exit`, 10_000, async () => (isAlive(pid) ? undefined : true), 10)
}

/** Fresh chains (in memory) replaying each killed node's main chain, several branches kept. */
const replays = new Map<string, Chain[]>()

async function freshChain(): Promise<Chain> {
  const { registry, rules } = chainRules(def)
  return Chain.open({ store: createMemoryStore(), def, registry, rules, verifier: nodeEd25519 })
}

/**
 * Reopens a killed node's data dir: its state must equal a fresh chain's that imports the same main-chain
 * blocks (full validation), and every transaction of `confirmed` must still be in its main chain.
 */
async function reopenAndCheck(
  node: DevnetNode,
  confirmed: readonly string[] = [],
): Promise<{ height: number; tipId: string; ids: (h: number) => string }> {
  const chain = await openDataDir(node.dataDir, def, { create: false })
  try {
    const height = chain.height
    const stateHash = toHex(await chain.stateHash())
    const kept = replays.get(node.name) ?? []
    replays.set(node.name, kept)
    // a replay on an ancestor of this tip goes on from there; otherwise a new one from genesis
    let replay = kept.find((r) => r.height <= height && equalBytes(chain.idAt(r.height)!, r.tip.id))
    if (!replay) {
      replay = await freshChain()
      kept.push(replay)
      if (kept.length > 3) await kept.shift()!.close()
    }
    const blocks: Block[] = []
    for (let h = replay.height + 1; h <= height; h++) blocks.push((await chain.blockAt(h))!)
    const { error } = await replay.addBlocks(blocks)
    expect(error, `the fresh chain refused block ${error?.index}`).toBeUndefined()
    expect(toHex(replay.tip.id)).toBe(toHex(chain.tip.id))
    expect(toHex(await replay.stateHash()), `state of ${node.name} at height ${height}`).toBe(stateHash)
    const missing: string[] = []
    for (const id of confirmed) if (!(await chain.transactionLocation(fromHex(id, 32)))) missing.push(id)
    expect(missing, 'transactions confirmed before the kill').toEqual([])
    const ids = [...Array(height + 1).keys()].map((h) => toHex(chain.idAt(h)!))
    return { height, tipId: toHex(chain.tip.id), ids: (h) => ids[h]! }
  } finally {
    await chain.close()
  }
}

/**
 * Starts whichever node is not running (each bootstrapped to the two others) and waits until `nodes`
 * agree on a tip at `above` or more.
 */
async function runningAndAgreeing(nodes: DevnetNode[], above: number) {
  startNodes(devnet(), { detached: false })
  const cfg = only(...nodes)
  return until(
    `${nodes.map((n) => n.name).join(', ')} to agree on a tip at ${above} or more`,
    120_000,
    async () => {
      const s = await devnetStatus(cfg)
      return agree(s) && (s[0]!.height ?? 0) >= above ? s : undefined
    },
  )
}

/** Milliseconds of the one `addBlock` that switches a fresh chain holding A onto H (revert and apply). */
async function timeSwitch(): Promise<number> {
  const chain = await freshChain()
  try {
    await chain.addBlocks(branchA)
    for (const block of history) {
      const started = performance.now()
      const result = await chain.addBlock(block)
      if (result.status === 'tip' && (result.reverted?.length ?? 0) > 0)
        return Math.round(performance.now() - started)
    }
    throw new Error('H never became heavier than A')
  } finally {
    await chain.close()
  }
}

async function stop(node: DevnetNode): Promise<void> {
  await stopNodes(only(node), 5000)
}

describe('crash and restart of devnet nodes', () => {
  it(
    `node3 killed ${KILLS} times while it syncs the history: each time its state is a fresh replay's`,
    async () => {
      const cfg = devnet()
      const [node1, node2, node3] = cfg.nodes as [DevnetNode, DevnetNode, DevnetNode]
      await runningAndAgreeing([node1, node2], history.length)
      await stop(node3)
      rmSync(join(node3.dataDir, 'db'), { recursive: true, force: true })
      const log = new LogTail(logFile(node3))
      /** How long a whole sync from empty took (estimated until one completes). */
      let fullSyncMs = 3000
      let measured = false
      let kills = 0
      let restarts = 0
      const seen: string[] = []
      for (let attempt = 0; kills < KILLS && attempt < MAX_ATTEMPTS; attempt++) {
        log.skip()
        startNodes(cfg, { detached: false })
        const target = (await apiHeight(node1)) ?? history.length
        const start = await log.next('sync:start', 60_000)
        expect(start, 'node3 starts a sync run').toBeDefined()
        // a random moment of what is left of the sync
        const left = Math.max(0.05, (target - start.height) / target)
        await sleep(random(0, fullSyncMs * left))
        const shown = (await apiHeight(node3)) ?? 0
        const synced = log.read().find((l) => l.event === 'synced')
        await kill(node3)
        const r = await reopenAndCheck(node3)
        // nothing it had committed is lost, and its chain is the network's
        expect(r.height).toBeGreaterThanOrEqual(shown)
        expect(r.tipId).toBe((await getJson(`${apiUrl(node1)}/blocks/${r.height}`)).id)
        if (synced || r.height >= target) {
          // the sync was over: measure it, and start over from an empty data dir
          if (synced && start.height === 0) {
            fullSyncMs = synced.time - start.time
            measured = true
          }
          rmSync(join(node3.dataDir, 'db'), { recursive: true, force: true })
          restarts++
          continue
        }
        kills++
        seen.push(`${start.height}→${r.height}/${target}`)
      }
      summary.push(
        `sync: ${kills} kills mid-sync (heights at restart → after the kill / target: ${seen.join(', ')}), ` +
          `${restarts} runs finished before their kill; kill moments drawn from ` +
          `${measured ? 'a measured' : 'an estimated'} ${(fullSyncMs / 1000).toFixed(1)} s for a whole sync`,
      )
      expect(kills).toBeGreaterThanOrEqual(KILLS)
      await runningAndAgreeing(cfg.nodes.slice(), history.length)
    },
    SCENARIO_MS,
  )

  it(
    `node3 killed ${KILLS} times while it reorganises from its branch A onto H: each time its state is a fresh replay's`,
    async () => {
      const cfg = devnet()
      const [node1, node2, node3] = cfg.nodes as [DevnetNode, DevnetNode, DevnetNode]
      await runningAndAgreeing([node1, node2], history.length)
      const codec = new BlockCodec(chainRules(def).registry)
      const aIds = branchA.map((b) => toHex(codec.id(b)))
      const restoreA = async () => {
        await stop(node3)
        rmSync(join(node3.dataDir, 'db'), { recursive: true, force: true })
        cpSync(join(snapshotA, 'db'), join(node3.dataDir, 'db'), { recursive: true })
      }
      const onA = (r: { height: number; ids: (h: number) => string }) =>
        r.height <= branchA.length && (r.height === 0 || r.ids(r.height) === aIds[r.height - 1])
      const log = new LogTail(logFile(node3))

      // calibration, no kill: from the sync run's start to the switch showing on the API
      await restoreA()
      log.skip()
      startNodes(cfg, { detached: false })
      const start = await log.next('sync:start', 60_000)
      expect(start, 'node3 starts a sync run').toBeDefined()
      const switched = await until(
        'node3 to switch to H',
        120_000,
        async () => {
          const tip = await getJson(`${apiUrl(node3)}/consensus`).catch(() => undefined)
          return tip && tip.height > 0 && (tip.height > branchA.length || tip.tipId !== aIds[tip.height - 1])
            ? Date.now()
            : undefined
        },
        10,
      )
      const switchMs = switched - start.time
      // the switch itself (revert A, apply H up to a heavier block, one batch), timed on a fresh chain here
      const switchWorkMs = await timeSwitch()
      let kills = 0
      let beforeCommit = 0
      const delays: number[] = []
      for (let attempt = 0; kills < KILLS && attempt < MAX_ATTEMPTS; attempt++) {
        await restoreA()
        log.skip()
        startNodes(cfg, { detached: false })
        const run = await log.next('sync:start', 60_000)
        expect(run, 'node3 starts a sync run').toBeDefined()
        // aimed at the switch: the last `switchWorkMs` before it showed on the API in the calibration run
        const delay = random(Math.max(0, switchMs - switchWorkMs), switchMs)
        await sleep(Math.max(0, run.time + delay - Date.now()))
        await kill(node3)
        const r = await reopenAndCheck(node3)
        if (onA(r)) beforeCommit++
        else expect(r.tipId).toBe((await getJson(`${apiUrl(node1)}/blocks/${r.height}`)).id)
        delays.push(Math.round(delay))
        kills++
        // it restarts from what it stored and completes the switch
        await runningAndAgreeing([node1, node2, node3], history.length)
      }
      summary.push(
        `reorg: ${kills} kills ${delays.join(', ')} ms after the sync run started (switch seen at ${switchMs} ms ` +
          `in a calibration run; the switch batch alone takes about ${switchWorkMs} ms here); ${beforeCommit} ` +
          `left node3 on A (switch not committed), ${kills - beforeCommit} on H; every restart completed the switch`,
      )
      expect(kills).toBeGreaterThanOrEqual(KILLS)
    },
    SCENARIO_MS,
  )

  it(
    `node1 killed ${KILLS} times while it builds a block under transfers: each time its state is a fresh replay's and no confirmed transfer is lost`,
    async () => {
      const cfg = devnet()
      const [node1, node2, node3] = cfg.nodes as [DevnetNode, DevnetNode, DevnetNode]
      await runningAndAgreeing([node1, node2, node3], history.length)
      const faucet = deriveKey(
        await decryptSeed(await readKeystoreFile(cfg.faucet.keystore), devnetPassphrase(cfg)),
        0,
        nodeEd25519,
      )
      // a transfer every 250 ms through node2 or node3; those every node shows in a block are `confirmed`
      const pending = new Set<string>()
      const confirmed = new Set<string>()
      let sending = true
      const load = (async () => {
        for (let i = 0; sending; i++) {
          try {
            pending.add(
              await transfer({
                api: apiUrl(i % 2 === 0 ? node2 : node3),
                def,
                key: faucet,
                to: deriveKey(generateSeed(), 0, nodeEd25519).unlockHash,
                value: def.oneCoin,
              }),
            )
          } catch {
            // a coin picked twice, a node restarting: the next one goes through
          }
          for (const id of [...pending]) {
            const views = await Promise.all(
              cfg.nodes.map((n) => getJson(`${apiUrl(n)}/transactions/${id}`).catch(() => undefined)),
            )
            if (views.every((v) => v && !v.unconfirmed)) {
              pending.delete(id)
              confirmed.add(id)
            }
          }
          await sleep(250)
        }
      })()
      const log = new LogTail(logFile(node1))
      let kills = 0
      let committed = 0
      const seen: string[] = []
      try {
        for (let attempt = 0; kills < KILLS && attempt < MAX_ATTEMPTS; attempt++) {
          log.skip()
          const building = await log.next('creator:building', 90_000)
          expect(building, 'node1 builds a block').toBeDefined()
          await sleep(random(0, 30))
          const before = [...confirmed]
          await kill(node1)
          const r = await reopenAndCheck(node1, before)
          if (r.height >= building.height) committed++
          seen.push(`${building.height}:${r.height >= building.height ? 'in' : 'out'}`)
          kills++
          await runningAndAgreeing([node1, node2, node3], r.height + 1)
        }
      } finally {
        sending = false
        await load
      }
      summary.push(
        `block creation: ${kills} kills 0–30 ms after node1 logged building a block (height:whether the block ` +
          `was in its reopened chain: ${seen.join(', ')}); ${committed} committed before the kill; ` +
          `${confirmed.size} transfers confirmed on all nodes during the run, none lost`,
      )
      expect(kills).toBeGreaterThanOrEqual(KILLS)
      expect(confirmed.size).toBeGreaterThan(0)
      // after the last restart, every confirmed transfer is still confirmed on node1
      for (const id of confirmed) {
        const v = await getJson(`${apiUrl(node1)}/transactions/${id}`)
        expect(v && !v.unconfirmed, id).toBe(true)
      }
    },
    SCENARIO_MS,
  )
})
