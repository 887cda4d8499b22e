// Initial sync over libp2p on loopback (issue #4 goals: ≥ 1,000 blocks/s near-empty, ≥ 2,500 tx/s with
// transactions, node RSS after sync ≤ 150 MB). Node A (in this process) holds a generated chain; node B
// is a real `blockstake node start` process with an empty data dir that bootstraps to A.
// Run: npx tsx bench/sync.ts [emptyBlocks] [txBlocks] [txPerBlock]
import '../node/polyfill.js'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { stringifyJson } from '../consensus/encoding/json.js'
import { type ChainDefinition, chainDefinitionToJson } from '../consensus/params/chain.js'
import { coreRegistry } from '../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../devnet/chaingen.js'
import { cliCommand, sleep } from '../devnet/runner.js'
import { freePort } from '../devnet/setup.js'
import { openDataDir } from '../node/datadir.js'
import { TransactionPool } from '../node/mempool/pool.js'
import { judgePoolError } from '../node/pool-verdict.js'
import { P2PService } from '../p2p/service.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { mnemonicToSeed } from '../wallet/keys/seed.js'

process.env.BLOCKSTAKE_CLI ??= 'dist'
const emptyBlocks = Number(process.argv[2] ?? 2000)
const txBlocks = Number(process.argv[3] ?? 1000)
const txPerBlock = Number(process.argv[4] ?? 50)
/** How long after B says it is synced its RSS is read. */
const SETTLE_MS = 2000
const MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'
const seed = mnemonicToSeed(MNEMONIC)
const keys = [0, 1, 2, 3].map((i) => deriveKey(seed, i, nodeEd25519))
const report = (metric: string, value: number, unit: string) =>
  console.log(JSON.stringify({ bench: 'sync', metric, value: Number(value.toPrecision(4)), unit }))

async function run(
  label: string,
  blocks: number,
  perBlock: number,
): Promise<{ seconds: number; rssMb: number }> {
  const root = mkdtempSync(join(tmpdir(), `blockstake-bench-sync-${label}-`))
  // a genesis far enough in the past for the whole generated chain to lie before now
  const def: ChainDefinition = devnetDefinition({
    stakers: [keys[0]!],
    coinsTo: keys[0]!,
    timestamp: Math.floor(Date.now() / 1000) - 10 * blocks - 3600,
  })
  const chainFile = join(root, 'chain.json')
  writeFileSync(chainFile, stringifyJson(chainDefinitionToJson(def)))
  const a = await openDataDir(join(root, 'a'), def, { create: true })
  const generated = [
    ...generateChain({
      def,
      registry: coreRegistry(),
      ed: nodeEd25519,
      stakeKey: keys[0]!,
      keys,
      blocks,
      transactionsPerBlock: perBlock,
    }),
  ]
  for (let i = 0; i < generated.length; i += 256) await a.addBlocks(generated.slice(i, i + 256))
  const pool = new TransactionPool({ chain: a, verifier: nodeEd25519 }).attach()
  const p2p = await P2PService.create({
    chain: a,
    pool,
    judgePoolError,
    dataDir: join(root, 'a'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    logger: pino({ level: 'warn' }),
  })
  await p2p.start()
  const apiPort = await freePort()
  const { command, args, env } = cliCommand()
  // BENCH_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles node B
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []
  const b = spawn(
    command,
    [
      ...flags,
      ...args,
      'node',
      'start',
      '--chain',
      chainFile,
      '--data-dir',
      join(root, 'b'),
      '--api',
      `127.0.0.1:${apiPort}`,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--bootstrap',
      p2p.listenAddresses[0]!,
      '--log-level',
      'warn',
    ],
    { stdio: 'inherit', env },
  )
  try {
    const api = `http://127.0.0.1:${apiPort}`
    const consensus = async () => {
      try {
        return (await (await fetch(`${api}/consensus`, { signal: AbortSignal.timeout(1000) })).json()) as {
          height: number
          synced: boolean
        }
      } catch {
        return undefined
      }
    }
    const metric = async (name: string) => {
      const text = await (await fetch(`${api}/metrics`)).text()
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
    }
    /** CPU ticks per thread of B (Linux /proc; empty elsewhere): main thread vs V8 and libuv helpers. */
    const threads = (): Map<string, number> => {
      const by = new Map<string, number>()
      try {
        for (const t of readdirSync(`/proc/${b.pid}/task`)) {
          const st = readFileSync(`/proc/${b.pid}/task/${t}/stat`, 'utf8')
          const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
          by.set(
            t === String(b.pid) ? 'main' : 'helpers',
            (by.get(t === String(b.pid) ? 'main' : 'helpers') ?? 0) + Number(f[11]) + Number(f[12]),
          )
        }
      } catch {}
      return by
    }
    let t0: Map<string, number> | undefined
    let first: { at: number; height: number; cpuA: NodeJS.CpuUsage; cpuB: number } | undefined
    const deadline = Date.now() + 600_000
    while (Date.now() < deadline) {
      const s = await consensus()
      if (s && !first) t0 = threads()
      if (s && !first)
        first = {
          at: performance.now(),
          height: s.height,
          cpuA: process.cpuUsage(),
          cpuB: await metric('process_cpu_seconds_total'),
        }
      if (s && s.height >= blocks) break
      await sleep(50)
    }
    if (!first) throw new Error('node B never answered')
    const seconds = (performance.now() - first.at) / 1000
    const synced = blocks - first.height
    const t1 = threads()
    const ticks = (k: string) => ((t1.get(k) ?? 0) - (t0?.get(k) ?? 0)) / 100 // clock ticks of 10 ms
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`
    const memoryOf = async (pid: number | undefined) => {
      let status = ''
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8')
      } catch {}
      const kb = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
      return (
        `heap used ${mb(await metric('nodejs_heap_size_used_bytes'))} of ${mb(await metric('nodejs_heap_size_total_bytes'))}, ` +
        `external ${mb(await metric('nodejs_external_memory_bytes'))}, RSS anonymous ${mb(kb('RssAnon') * 1024)}, ` +
        `file-backed ${mb(kb('RssFile') * 1024)}; RSS ${mb(rssAtTip)} on reaching the tip, peak ${mb(kb('VmHWM') * 1024)}`
      )
    }
    const cpuA = process.cpuUsage(first.cpuA)
    const cpuB = (await metric('process_cpu_seconds_total')) - first.cpuB
    const rssAtTip = await metric('process_resident_memory_bytes')
    // "after sync": once B says it is synced (it collects garbage then) and has had a moment to return
    // the freed pages (V8 unmaps them in the background)
    const syncedBy = Date.now() + 10_000
    while (Date.now() < syncedBy && (await consensus())?.synced !== true) await sleep(50)
    await sleep(SETTLE_MS)
    const rss = await metric('process_resident_memory_bytes')
    const perBlock = (cpuSeconds: number) => `${((cpuSeconds * 1000) / Math.max(1, synced)).toFixed(3)} ms`
    console.error(
      `${label}: B synced ${synced} of ${blocks} blocks in ${seconds.toFixed(2)} s after its API came up; ` +
        `CPU per block: A ${perBlock((cpuA.user + cpuA.system) / 1e6)}, B ${perBlock(cpuB)} ` +
        `(main thread ${perBlock(ticks('main'))}, helpers ${perBlock(ticks('helpers'))}); ` +
        `B memory: ${await memoryOf(b.pid)}`,
    )
    return { seconds: seconds * (blocks / Math.max(1, synced)), rssMb: rss / 2 ** 20 }
  } finally {
    b.kill('SIGTERM')
    await new Promise((r) => b.once('exit', r))
    await p2p.stop()
    pool.detach()
    await a.close()
    rmSync(root, { recursive: true, force: true })
  }
}

const empty = await run('empty', emptyBlocks, 0)
report('empty_blocks_per_s', emptyBlocks / empty.seconds, 'blocks/s')
const full = await run('tx', txBlocks, txPerBlock)
report('tx_per_s', (txBlocks * txPerBlock) / full.seconds, 'tx/s')
report('rss_mb', Math.max(empty.rssMb, full.rssMb), 'MB')
