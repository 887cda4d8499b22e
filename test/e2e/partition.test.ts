// Partitions across hosts (issue #13 item 6; docs/RELIABILITY.md, "Partitions"). A 4-node devnet whose nodes
// run in their own network namespaces (test/utils/netns.ts), linked through a wire process that delays and
// drops packets (netwire.py: this kernel has no netem). The block stakes are split evenly, so each half of
// two nodes holds half. Each run: transfers confirmed on all nodes, then the network is split in two for
// SPLIT_SECONDS while each half confirms transfers of its own (from a wallet only that half spends, so
// the halves never conflict) and keeps creating blocks; then it heals. Checked: all nodes end on one tip,
// the branch kept is one a half had, no node ever moved to a lighter chain (spec §6.6), every transfer
// confirmed on it is still confirmed in the same block, and every transfer confirmed only on the losing
// branch comes back (through the losing nodes' pools) and is confirmed on the merged chain. Figures are
// printed, not asserted. `npm test` runs one 20 s split; `npm run partition` three of 60 s
// (BLOCKSTAKE_PARTITION_SECONDS, BLOCKSTAKE_PARTITION_RUNS, BLOCKSTAKE_PARTITION_DELAY_MS,
// BLOCKSTAKE_PARTITION_JITTER_MS, BLOCKSTAKE_PARTITION_LOSS set them).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { type ChainDefinition, parseChainDefinitionText } from '../../consensus/params/chain.js'
import { cliCommand, sleep } from '../../devnet/runner.js'
import { type DevnetConfig, devnetPassphrase, initDevnet } from '../../devnet/setup.js'
import { transfer } from '../../wallet/client/transfer.node.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { decryptSeed } from '../../wallet/keys/keystore.js'
import { readKeystoreFile } from '../../wallet/keys/keystore.node.js'
import { generateSeed } from '../../wallet/keys/seed.js'
import { type Host, NetnsLab } from '../utils/netns.js'
import { getJson, until } from '../utils/poll.js'

const env = (name: string, fallback: number) =>
  Number(process.env[`BLOCKSTAKE_PARTITION_${name}`] ?? fallback)
const SPLIT_SECONDS = env('SECONDS', 20)
const RUNS = env('RUNS', 1)
const WIRE = { delayMs: env('DELAY_MS', 40), jitterMs: env('JITTER_MS', 10), loss: env('LOSS', 0.01) }
/** A split lasts SPLIT_SECONDS, and longer (this much at most) until each half has a block and a transfer. */
const SPLIT_GRACE_MS = 60_000
const RUN_MS = 240_000 + SPLIT_SECONDS * 1000 + SPLIT_GRACE_MS
/** The nodes' log level (their logs go with a failure's message). */
const LOG_LEVEL = process.env.BLOCKSTAKE_PARTITION_LOG_LEVEL ?? 'info'
const P2P_PORT = 23112
const API_PORT = 23110
/** Outputs each half's wallet is funded with: one transfer spends one. */
const FUNDED_OUTPUTS = Math.max(12, Math.ceil(SPLIT_SECONDS / 1.5) + 8)

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-partition-'))
let lab: NetnsLab | undefined
const running = new Map<number, ChildProcess>()
const summary: string[] = []

const killAll = () => {
  for (const child of running.values()) child.kill('SIGKILL')
  const wire = lab?.wirePid
  if (wire) process.kill(wire, 'SIGKILL')
}

beforeAll(async () => {
  process.once('exit', killAll)
  lab = NetnsLab.create(4)
  await lab.startWire({ ...WIRE, seed: 1 })
}, 60_000)

afterAll(async () => {
  await stopAll()
  lab?.destroy()
  process.off('exit', killAll)
  console.log(
    `partitions (${RUNS} run(s), split ${SPLIT_SECONDS} s, wire delay ${WIRE.delayMs} ± ${WIRE.jitterMs} ms, ` +
      `loss ${WIRE.loss * 100} %):\n  ${summary.join('\n  ')}`,
  )
  if (process.env.BLOCKSTAKE_KEEP_DEVNET) console.log(`devnets kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}, 60_000)

async function stopAll(): Promise<void> {
  const children = [...running.values()]
  running.clear()
  for (const c of children) c.kill('SIGTERM')
  const deadline = Date.now() + 10_000
  for (const c of children) {
    while (c.exitCode === null && c.signalCode === null && Date.now() < deadline) await sleep(100)
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }
}

interface LabNode {
  readonly name: string
  readonly host: Host
  readonly api: string
  readonly token: string
}

/** Starts node i of `config` in host i's namespace: libp2p on its data address, the API on its control link. */
function startNode(config: DevnetConfig, i: number, hosts: readonly Host[]): LabNode {
  const node = config.nodes[i]!
  const host = hosts[i]!
  const token = randomBytes(16).toString('hex')
  const tokenFile = join(node.dataDir, 'api-token')
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 })
  const bootstrap = config.nodes
    .map((n, j) => `/ip4/${hosts[j]!.dataIp}/tcp/${P2P_PORT}/p2p/${n.peerId}`)
    .filter((_, j) => j !== i)
  const cli = cliCommand()
  const { command, args } = lab!.exec(host, cli.command, [
    ...cli.args,
    'node',
    'start',
    '--chain',
    config.chainFile,
    '--data-dir',
    node.dataDir,
    '--api',
    `${host.controlIp}:${API_PORT}`,
    '--api-token-file',
    tokenFile,
    '--listen',
    `/ip4/${host.dataIp}/tcp/${P2P_PORT}`,
    '--bootstrap',
    ...bootstrap,
    '--stake-keystore',
    node.stakeKeystore,
  ])
  const log = openSync(join(node.dataDir, 'node.log'), 'a')
  const child = spawn(command, args, {
    env: { ...cli.env, BLOCKSTAKE_PASSPHRASE: devnetPassphrase(config), BLOCKSTAKE_LOG_LEVEL: LOG_LEVEL },
    stdio: ['ignore', log, log],
  })
  running.set(i, child)
  return { name: node.name, host, api: `http://${host.controlIp}:${API_PORT}`, token }
}

interface Tip {
  readonly height: number
  readonly tipId: string
  readonly peers: number
  /** Cumulative (spec §6.6: a lower depth is more work). */
  readonly depth: string
  /** The target of the tip's child. */
  readonly target: string
}
/** The work a target stands for (2^256 / target), to compare branches' cumulative work. */
const work = (target: string): bigint => (1n << 256n) / BigInt(`0x${target}`)
/** Each node's tip work as last seen, and every time it went down (spec §6.6: a node only ever moves to a heavier chain). */
const lastWork = new Map<string, { work: bigint; tip: Tip }>()
const workDrops: string[] = []
const tipOf = async (n: LabNode): Promise<Tip | undefined> => {
  const tip: Tip | undefined = (await getJson(`${n.api}/consensus`).catch(() => undefined)) ?? undefined
  if (tip) {
    const now = work(tip.depth)
    const before = lastWork.get(n.api)
    if (before && now < before.work)
      workDrops.push(
        `${n.name} went from ${before.tip.height} ${before.tip.tipId.slice(0, 8)} to the lighter ${tip.height} ${tip.tipId.slice(0, 8)}`,
      )
    lastWork.set(n.api, { work: now, tip })
  }
  return tip
}
/** How many blocks of the tip's next target `amount` of work is (1 decimal). */
const blocksOfWork = (amount: bigint, tip: Tip): string =>
  (Number((amount * 10n) / work(tip.target)) / 10).toFixed(1)
const tipsOf = (nodes: readonly LabNode[]) => Promise.all(nodes.map(tipOf))
const oneTip = (tips: readonly (Tip | undefined)[]): Tip | undefined =>
  tips.every((t) => t && t.tipId === tips[0]!.tipId) ? tips[0] : undefined
/** What each node answered last (for a failure's message): height, tip, peers. */
const showTips = (nodes: readonly LabNode[], tips: readonly (Tip | undefined)[]): string =>
  nodes
    .map((n, i) => {
      const t = tips[i]
      return t ? `${n.name} ${t.height} ${t.tipId.slice(0, 8)} (${t.peers} peers)` : `${n.name} no answer`
    })
    .join(', ')
/** The block id at `height` on `n`'s main chain. */
const idAt = async (n: LabNode, height: number): Promise<string | undefined> =>
  (await getJson(`${n.api}/blocks/${height}`).catch(() => undefined))?.id
/** Where `n` has `tx` confirmed (its block id), or undefined. */
const confirmedIn = async (n: LabNode, tx: string): Promise<string | undefined> => {
  const view = await getJson(`${n.api}/transactions/${tx}`).catch(() => undefined)
  return view && !view.unconfirmed ? view.blockId : undefined
}
/** Where each node has `tx` (for a failure's message): in a block, in its pool, or not at all. */
const whereIs = async (nodes: readonly LabNode[], tx: string): Promise<string> => {
  const views = await Promise.all(
    nodes.map((n) => getJson(`${n.api}/transactions/${tx}`).catch(() => undefined)),
  )
  return views
    .map(
      (v, i) =>
        `${nodes[i]!.name}: ${!v ? 'unknown' : v.unconfirmed ? 'in its pool' : `in ${String(v.blockId).slice(0, 8)}`}`,
    )
    .join(', ')
}
/** The block id every node of `nodes` has `tx` confirmed in, if they agree. */
const confirmedOnAll = async (nodes: readonly LabNode[], tx: string): Promise<string | undefined> => {
  const at = await Promise.all(nodes.map((n) => confirmedIn(n, tx)))
  return at.every((b) => b !== undefined && b === at[0]) ? at[0] : undefined
}

async function runOnce(run: number): Promise<void> {
  lastWork.clear()
  workDrops.length = 0
  const hosts = lab!.hosts
  const runDir = join(dir, `run${run}`)
  const { config } = await initDevnet({ dir: runDir, nodes: 4, blockTime: 2 })
  const def: ChainDefinition = parseChainDefinitionText(readFileSync(config.chainFile, 'utf8'))
  const passphrase = devnetPassphrase(config)
  const faucet = deriveKey(
    await decryptSeed(await readKeystoreFile(config.faucet.keystore), passphrase),
    0,
    nodeEd25519,
  )
  const wireAtStart = await lab!.stats()
  const nodes = config.nodes.map((_, i) => startNode(config, i, hosts))
  const halves = [nodes.slice(0, 2), nodes.slice(2, 4)] as const
  const wallets = [0, 1].map(() => deriveKey(generateSeed(), 0, nodeEd25519))
  const stranger = () => deriveKey(generateSeed(), 0, nodeEd25519).unlockHash
  try {
    // all four connected and on one chain that moves
    await until('the four nodes to connect and agree on a tip at height 3 or more', 180_000, async () => {
      const tips = await tipsOf(nodes)
      const tip = oneTip(tips)
      return tip && tip.height >= 3 && tips.every((t) => t!.peers >= 3) ? tip : undefined
    })

    // each half's wallet is funded in one transfer confirmed everywhere, and each sends one more before the split
    const funding = await transfer({
      api: nodes[0]!.api,
      token: nodes[0]!.token,
      def,
      key: faucet,
      to: wallets[0]!.unlockHash,
      value: 10n * def.oneCoin,
      alsoPay: [
        ...Array.from({ length: FUNDED_OUTPUTS - 1 }, () => ({
          to: wallets[0]!.unlockHash,
          value: 10n * def.oneCoin,
        })),
        ...Array.from({ length: FUNDED_OUTPUTS }, () => ({
          to: wallets[1]!.unlockHash,
          value: 10n * def.oneCoin,
        })),
      ],
    })
    await until('the funding transfer to be confirmed on all nodes', 120_000, () =>
      confirmedOnAll(nodes, funding),
    )
    const before: string[] = [funding]
    for (const h of [0, 1]) {
      const n = halves[h]![0]!
      before.push(
        await transfer({
          api: n.api,
          token: n.token,
          def,
          key: wallets[h]!,
          to: stranger(),
          value: def.oneCoin,
        }),
      )
    }
    await until('the transfers before the split to be confirmed on all nodes', 120_000, async () => {
      for (const tx of before) if (!(await confirmedOnAll(nodes, tx))) return undefined
      return true
    })

    // the split: each half confirms transfers of its own and creates blocks
    const atSplit = oneTip(await tipsOf(nodes))
    await lab!.split(
      halves[0].map((n) => n.host),
      halves[1].map((n) => n.host),
    )
    const splitAt = Date.now()
    const startHeights = await Promise.all(halves.map(async (h) => (await tipOf(h[0]!))?.height ?? 0))
    const sent: string[][] = [[], []]
    let refused = 0
    const confirmedInHalf = async (h: number) => {
      const found = new Map<string, string>()
      for (const tx of sent[h]!) {
        const block = await confirmedOnAll(halves[h]!, tx)
        if (block) found.set(tx, block)
      }
      return found
    }
    for (;;) {
      const elapsed = Date.now() - splitAt
      if (elapsed >= SPLIT_SECONDS * 1000) {
        // long enough; and longer (bounded) until each half has created a block and confirmed a transfer
        const heights = await Promise.all(halves.map(async (h) => (await tipOf(h[0]!))?.height ?? 0))
        const confirmed = await Promise.all([0, 1].map((h) => confirmedInHalf(h)))
        if (heights.every((x, h) => x > startHeights[h]!) && confirmed.every((c) => c.size > 0)) break
        if (elapsed >= SPLIT_SECONDS * 1000 + SPLIT_GRACE_MS)
          throw new Error(
            `after ${elapsed} ms of split, heights went ${startHeights.join(', ')} -> ${heights.join(', ')} ` +
              `and the halves confirmed ${confirmed.map((c) => c.size).join(', ')} transfers`,
          )
      }
      await Promise.all(
        [0, 1].map(async (h) => {
          // always through the half's first node: the wallet takes the outputs a node calls spendable, and
          // the other node, before gossip brings it the last transfer, would offer the output it spent again
          // (two transfers of one output: one of them can never confirm)
          const n = halves[h]![0]!
          try {
            sent[h]!.push(
              await transfer({
                api: n.api,
                token: n.token,
                def,
                key: wallets[h]!,
                to: stranger(),
                value: def.oneCoin,
              }),
            )
          } catch {
            refused++ // no spendable output at this moment (all spent in the pool): the next round sends
          }
        }),
      )
      await sleep(1500)
    }
    // what each half has at the heal: its tip, its branch's block ids, the transfers it confirmed
    // each half's two nodes on one tip (two blocks at one height make short forks inside a half too)
    let seen: (Tip | undefined)[] = []
    const atHeal = await until('each half to agree on its tip before the heal', 60_000, async () => {
      seen = await tipsOf(nodes)
      const tips = [oneTip(seen.slice(0, 2)), oneTip(seen.slice(2, 4))]
      return tips.every((t) => t !== undefined) ? (tips as Tip[]) : undefined
    }).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${showTips(nodes, seen)}`)
    })
    const splitMs = Date.now() - splitAt
    const forkFloor = Math.max(0, (atSplit?.height ?? 0) - 3)
    const branches = await Promise.all(
      halves.map(async (h, k) => {
        const ids: string[] = []
        for (let height = forkFloor; height <= atHeal[k]!.height; height++)
          ids.push((await idAt(h[0]!, height))!)
        return ids
      }),
    )
    const confirmedBy = await Promise.all([0, 1].map((h) => confirmedInHalf(h)))
    await lab!.heal()
    const healedAt = Date.now()

    // one tip again; meanwhile, which of the losing half's confirmed transfers show up in a pool
    const seenInPool = new Set<string>()
    const allConfirmed = new Set([...confirmedBy[0]!.keys(), ...confirmedBy[1]!.keys()])
    const converged = await until(
      'all nodes to agree on one tip after the heal',
      180_000,
      async () => {
        const pools = await Promise.all(nodes.map((n) => getJson(`${n.api}/txpool`).catch(() => undefined)))
        for (const p of pools)
          for (const id of p?.transactionIds ?? []) if (allConfirmed.has(id)) seenInPool.add(id)
        seen = await tipsOf(nodes)
        const tip = oneTip(seen)
        return tip && tip.height >= Math.max(atHeal[0]!.height, atHeal[1]!.height) ? tip : undefined
      },
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${showTips(nodes, seen)}`)
    })
    const convergeMs = Date.now() - healedAt

    // the branch kept: the one whose tip at the heal is on the merged chain
    const kept = await Promise.all(
      [0, 1].map(async (h) => (await idAt(nodes[0]!, atHeal[h]!.height)) === atHeal[h]!.tipId),
    )
    expect(kept.filter(Boolean).length, `exactly one branch kept (kept: ${kept})`).toBe(1)
    const winner = kept[0] ? 0 : 1
    const loser = 1 - winner
    // no node ever moved to a lighter chain (every answer of every node, split and heal included): the
    // losing half reorganised onto the merged chain only once it was heavier than its own branch. Which
    // branch that is was not decided at the heal: until the halves reconnect (the next redial, up to
    // 10 s) both go on creating blocks, so the lighter branch at the heal can still overtake the other.
    const [won, lostWork] = [work(atHeal[winner]!.depth), work(atHeal[loser]!.depth)]
    expect(workDrops).toEqual([])
    expect(work(converged.depth)).toBeGreaterThan(lostWork)
    // both halves created blocks of their own: the branches differ
    expect(atHeal[0]!.tipId).not.toBe(atHeal[1]!.tipId)
    for (const h of [0, 1])
      expect(atHeal[h]!.height, `half ${h + 1} created blocks`).toBeGreaterThan(startHeights[h]!)

    // the fork point: the last height where the losing branch and the merged chain agree
    let forkHeight = forkFloor
    for (let k = 0; k < branches[loser]!.length; k++)
      if ((await idAt(nodes[0]!, forkFloor + k)) === branches[loser]![k]) forkHeight = forkFloor + k
    const reorgDepth = atHeal[loser]!.height - forkHeight

    // nothing confirmed before the split or on the winning branch is lost: same block on every node
    for (const tx of before)
      expect(await confirmedOnAll(nodes, tx), `transfer ${tx} from before the split`).toBeDefined()
    for (const [tx, block] of confirmedBy[winner]!)
      expect(await confirmedOnAll(nodes, tx), `transfer ${tx} of the winning branch`).toBe(block)

    // the losing branch's transfers come back and are confirmed on the merged chain, in other blocks
    const lost = [...confirmedBy[loser]!.entries()]
    const reconfirmed = await until(
      `the ${lost.length} transfers of the losing branch to be confirmed on the merged chain`,
      180_000,
      async () => {
        const pools = await Promise.all(nodes.map((n) => getJson(`${n.api}/txpool`).catch(() => undefined)))
        for (const p of pools)
          for (const id of p?.transactionIds ?? []) if (allConfirmed.has(id)) seenInPool.add(id)
        for (const [tx] of lost) if (!(await confirmedOnAll(nodes, tx))) return undefined
        return Date.now()
      },
      250,
    )
    for (const [tx, oldBlock] of lost) {
      const block = await confirmedOnAll(nodes, tx)
      expect(block, `transfer ${tx} of the losing branch`).toBeDefined()
      expect(block).not.toBe(oldBlock)
    }
    // and the transfers still unconfirmed at the heal are confirmed too
    const pending = sent.flat().filter((tx) => !allConfirmed.has(tx))
    await until(
      `the ${pending.length} transfers unconfirmed at the heal to be confirmed`,
      120_000,
      async () => {
        for (const tx of pending) if (!(await confirmedOnAll(nodes, tx))) return undefined
        return true
      },
    ).catch(async (err: Error) => {
      const where = await Promise.all(pending.map((tx) => whereIs(nodes, tx)))
      throw new Error(`${err.message}: ${pending.map((tx, i) => `${tx} ${where[i]}`).join('; ')}`)
    })

    const stats = await lab!.stats()
    const line =
      `run ${run}: split ${(splitMs / 1000).toFixed(1)} s from height ${atSplit?.height}; blocks during the split: ` +
      `half 1 ${atHeal[0]!.height - startHeights[0]!}, half 2 ${atHeal[1]!.height - startHeights[1]!}; ` +
      `transfers confirmed in the split: half 1 ${confirmedBy[0]!.size}, half 2 ${confirmedBy[1]!.size} ` +
      `(${sent[0]!.length + sent[1]!.length} sent, ${refused} not sent: no spendable output); ` +
      `half ${winner + 1} won (tip ${atHeal[winner]!.height} vs ${atHeal[loser]!.height}, ${won >= lostWork ? 'heavier at the heal' : `lighter at the heal by ${blocksOfWork(lostWork - won, atHeal[winner]!)} block(s) of work, heavier once reconnected`}); reorg depth ${reorgDepth} ` +
      `(fork at ${forkHeight}); one tip ${(convergeMs / 1000).toFixed(1)} s after the heal (height ${converged.height}); ` +
      `${lost.length} transfers of the losing branch back and confirmed ${((reconfirmed - healedAt) / 1000).toFixed(1)} s ` +
      `after the heal, ${lost.filter(([tx]) => seenInPool.has(tx)).length} of them seen in a pool; ` +
      `wire: ${stats.forwarded - wireAtStart.forwarded} packets forwarded, ${stats.lost - wireAtStart.lost} lost, ` +
      `${stats.cut - wireAtStart.cut} cut by the split`
    summary.push(line)
    console.log(line)
  } catch (err) {
    // the devnet's directory goes with the test: what each node logged last goes with the failure
    for (const node of config.nodes) {
      const lines = readFileSync(join(node.dataDir, 'node.log'), 'utf8').trimEnd().split('\n')
      console.log(`${node.name}, last of ${lines.length} log lines:\n${lines.slice(-40).join('\n')}`)
    }
    throw err
  } finally {
    await stopAll()
  }
}

describe('partitions across hosts', () => {
  for (let run = 1; run <= RUNS; run++)
    it(
      `run ${run}: split in two for ${SPLIT_SECONDS} s and healed, the lighter half reorganises onto the heavier and no confirmed transfer is lost`,
      () => runOnce(run),
      RUN_MS,
    )
})
