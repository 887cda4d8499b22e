// Load, CI-sized (issue #13 item 4; `npm run load` is the full run with figures): a 3-node devnet takes 300
// pre-signed transfers (100 chains of 3) through POST /txpool on all three APIs at once; every one is
// accepted and ends up in exactly one main-chain block on every node (a walk of each chain and GET
// /transactions/:id on each node agree). Speeds are printed, not asserted.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runLoad } from '../../devnet/load.js'
import { agree, devnetStatus, runningPid, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { until } from '../utils/poll.js'

let dir: string | undefined
let config: DevnetConfig | undefined
// if the test process dies on its way, the node processes go with it
const killNodes = () => {
  for (const node of config?.nodes ?? []) {
    const pid = runningPid(node)
    if (pid) process.kill(pid, 'SIGKILL')
  }
}

beforeAll(async () => {
  process.once('exit', killNodes)
  dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-load-'))
  config = (await initDevnet({ dir, nodes: 3, blockTime: 2 })).config
  const cfg = config
  startNodes(cfg, { detached: false })
  await until('the three nodes to agree on a tip above height 0', 120_000, async () => {
    const s = await devnetStatus(cfg)
    return agree(s) && (s[0]!.height ?? 0) >= 1 ? s : undefined
  })
}, 150_000)

afterAll(async () => {
  if (config) await stopNodes(config, 5000)
  process.off('exit', killNodes)
  if (dir) rmSync(dir, { recursive: true, force: true })
}, 30_000)

describe('load on a 3-node devnet', () => {
  it('300 transfers through the three APIs: all accepted, each in exactly one block on every node', async () => {
    if (!config) throw new Error('the devnet was not set up (see the beforeAll failure)')
    const r = await runLoad({
      config,
      transactions: 300,
      depth: 3,
      concurrency: 8,
      confirmTimeoutMs: 120_000,
    })
    expect(r.refused).toEqual({})
    expect(r.accepted).toBe(300)
    expect({ lost: r.lost, duplicated: r.duplicated, mismatched: r.mismatched }).toEqual({
      lost: 0,
      duplicated: 0,
      mismatched: 0,
    })
    expect(r.confirmedOnAllNodes).toBe(300)
    const load = r.blocks.filter((b) => b.load > 0)
    console.log(
      `load: 300 transfers accepted at ${r.acceptedPerSecond.toFixed(0)} tx/s, all confirmed on 3 nodes ` +
        `${r.confirmSeconds.toFixed(1)} s after the first; ${load.length} blocks (${load.map((b) => b.load).join(' ')})`,
    )
  }, 180_000)
})
