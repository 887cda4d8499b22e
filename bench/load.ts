// Load (issue #13 item 4; goal ≥ 2,000 tx/s accepted): a 3-node devnet (built CLI, 2 s blocks) takes
// ≥ 10,000 pre-signed transfers through POST /txpool as fast as it accepts them (bounded concurrency across
// the three APIs); every one must end up in exactly one block on every node. Pool sizes over time are
// printed as `pool_tx` lines with `t_s` (seconds since the first submission) and `node`.
// Run: npm run load [-- transactions depth concurrency]   (defaults 10000 5 16)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLoad } from '../devnet/load.js'
import { agree, devnetStatus, runningPid, sleep, startNodes, stopNodes } from '../devnet/runner.js'
import { initDevnet } from '../devnet/setup.js'

// measure the shipped build when there is one (npm install builds dist/)
process.env.BLOCKSTAKE_CLI ??= 'dist'
const transactions = Number(process.argv[2] ?? 10_000)
const depth = Number(process.argv[3] ?? 5)
const concurrency = Number(process.argv[4] ?? 16)
const line = (metric: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ bench: 'load', metric, value: Number(value.toPrecision(4)), unit, ...extra }))

/** User + system CPU seconds of a process (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

const dir = mkdtempSync(join(tmpdir(), 'blockstake-bench-load-'))
const { config } = await initDevnet({ dir, nodes: 3, blockTime: 2 })
const killNodes = () => {
  for (const node of config.nodes) {
    const pid = runningPid(node)
    if (pid) process.kill(pid, 'SIGKILL')
  }
}
process.once('exit', killNodes)
let failed = false
try {
  startNodes(config, { detached: false })
  const deadline = Date.now() + 120_000
  for (;;) {
    const s = await devnetStatus(config)
    if (agree(s) && (s[0]!.height ?? 0) >= 1) break
    if (Date.now() > deadline) throw new Error('the devnet did not start within 120 s')
    await sleep(200)
  }
  // CPU seconds of the node processes and of this one at each phase (Linux /proc; NaN elsewhere)
  const pids = config.nodes.map((n) => runningPid(n)!)
  const cpu: Record<string, { nodes: number; client: number }> = {}
  const r = await runLoad({
    config,
    transactions,
    depth,
    concurrency,
    confirmTimeoutMs: 300_000,
    log: (text) => console.error(text),
    onPhase: (phase) => {
      // the monotonic clock (µs) that --cpu-prof timestamps use, to cut a node's profile to a phase
      console.error(`phase ${phase} at ${process.hrtime.bigint() / 1000n} µs`)
      const used = process.cpuUsage()
      cpu[phase] = {
        nodes: pids.reduce((s, pid) => s + cpuSeconds(pid), 0),
        client: (used.user + used.system) / 1e6,
      }
    },
  })
  line('submitted', r.submitted, 'tx')
  line('accepted', r.accepted, 'tx')
  line('confirmed_on_all_nodes', r.confirmedOnAllNodes, 'tx')
  line('lost', r.lost, 'tx')
  line('duplicated', r.duplicated, 'tx')
  line('mismatched', r.mismatched, 'tx')
  line(
    'refused',
    Object.values(r.refused).reduce((s, n) => s + n, 0),
    'tx',
  )
  line('pool_full_retries', r.retries, 'requests')
  line('accepted_tx_per_s', r.acceptedPerSecond, 'tx/s')
  line('accept_s', r.acceptSeconds, 's')
  line('confirm_all_s', r.confirmSeconds, 's')
  line('confirmed_tx_per_s', r.confirmedOnAllNodes / r.confirmSeconds, 'tx/s')
  line('presign_tx_per_s', r.presignPerSecond, 'tx/s')
  const phase = (a: string, b: string, k: 'nodes' | 'client') => (cpu[b]![k] - cpu[a]![k]) * 1000
  line('node_cpu_ms_per_tx', phase('submitting', 'answered', 'nodes') / r.accepted, 'ms')
  line('client_cpu_ms_per_tx', phase('submitting', 'answered', 'client') / r.accepted, 'ms')
  line('node_cpu_ms_per_tx_to_confirm', phase('submitting', 'confirmed', 'nodes') / r.accepted, 'ms')
  const withLoad = r.blocks.filter((b) => b.load > 0)
  const fill = withLoad.map((b) => (100 * b.bytes) / r.blockSizeLimit)
  line('blocks_with_load', withLoad.length, 'blocks')
  line('block_tx_max', Math.max(0, ...withLoad.map((b) => b.transactions)), 'tx')
  line('block_fill_max_pct', Math.max(0, ...fill), '%')
  line('block_fill_avg_pct', fill.length ? fill.reduce((s, x) => s + x, 0) / fill.length : 0, '%')
  line('pool_peak_tx', Math.max(0, ...r.samples.flatMap((s) => s.pool)), 'tx')
  for (const s of r.samples)
    for (const [node, pool] of s.pool.entries())
      line('pool_tx', pool, 'tx', { t_s: Number(s.t.toFixed(1)), node: config.nodes[node]!.name })
  for (const b of withLoad)
    console.error(`block ${b.height}: ${b.transactions} tx (${b.load} load), ${b.bytes} bytes`)
  if (Object.keys(r.refused).length > 0) console.error(`refused: ${JSON.stringify(r.refused)}`)
  failed = r.lost > 0 || r.duplicated > 0 || r.mismatched > 0 || r.accepted < r.submitted
} finally {
  await stopNodes(config, 5000)
  process.off('exit', killNodes)
  if (process.env.BLOCKSTAKE_KEEP_DEVNET) console.error(`devnet kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
