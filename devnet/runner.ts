// Starts, watches and stops the node processes of a devnet (DESIGN §8).
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS, withMallocEnv } from '../node/launch.js'
import { type DevnetConfig, type DevnetNode, devnetPassphrase } from './setup.js'

/**
 * How to run the `blockstake` CLI from here: the built JS, or the TypeScript source through tsx when
 * running from source. `BLOCKSTAKE_CLI=dist` prefers the build even from source (benchmarks measure
 * what ships). Node's flags and `env` (this process's environment plus malloc tunables) are those the
 * `blockstake` launcher (bin/blockstake) starts Node with, plus the space-separated flags of
 * `BLOCKSTAKE_NODE_FLAGS` (profiling: `--cpu-prof --cpu-prof-dir=DIR`, which NODE_OPTIONS refuses).
 */
export function cliCommand(): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const here = fileURLToPath(import.meta.url)
  const built = join(here, '../../dist/cli/main.js')
  const env = withMallocEnv()
  const flags = [...NODE_FLAGS, ...(process.env.BLOCKSTAKE_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])]
  if (here.endsWith('.ts') && !(process.env.BLOCKSTAKE_CLI === 'dist' && existsSync(built))) {
    const args = [...flags, '--import', 'tsx', join(here, '../../cli/main.ts')]
    return { command: process.execPath, args, env }
  }
  return {
    command: process.execPath,
    args: [...flags, here.endsWith('.ts') ? built : join(here, '../../cli/main.js')],
    env,
  }
}

export const apiUrl = (node: DevnetNode): string => `http://127.0.0.1:${node.apiPort}`
export const p2pAddress = (node: DevnetNode): string =>
  `/ip4/127.0.0.1/tcp/${node.p2pPort}/p2p/${node.peerId}`
const pidFile = (node: DevnetNode): string => join(node.dataDir, 'node.pid')
export const logFile = (node: DevnetNode): string => join(node.dataDir, 'node.log')

/** The pid of a node that is running (from its pid file), if any. */
export function runningPid(node: DevnetNode): number | undefined {
  if (!existsSync(pidFile(node))) return undefined
  const pid = Number(readFileSync(pidFile(node), 'utf8').trim())
  try {
    process.kill(pid, 0)
    return pid
  } catch {
    return undefined
  }
}

/** Spawns every node that is not running yet; each is bootstrapped to all the others. */
export function startNodes(config: DevnetConfig, opts: { detached: boolean }): ChildProcess[] {
  const { command, args, env } = cliCommand()
  const children: ChildProcess[] = []
  for (const node of config.nodes) {
    if (runningPid(node)) continue
    const others = config.nodes.filter((n) => n !== node).map(p2pAddress)
    const log = openSync(logFile(node), 'a')
    const child = spawn(
      command,
      [
        ...args,
        'node',
        'start',
        '--chain',
        config.chainFile,
        '--data-dir',
        node.dataDir,
        '--api',
        `127.0.0.1:${node.apiPort}`,
        '--listen',
        `/ip4/127.0.0.1/tcp/${node.p2pPort}`,
        ...(others.length ? ['--bootstrap', ...others] : []),
        '--stake-keystore',
        node.stakeKeystore,
      ],
      {
        env: {
          ...env,
          BLOCKSTAKE_PASSPHRASE: devnetPassphrase(config),
          BLOCKSTAKE_LOG_LEVEL: process.env.BLOCKSTAKE_LOG_LEVEL ?? 'info',
        },
        stdio: ['ignore', log, log],
        detached: opts.detached,
      },
    )
    if (child.pid) writeFileSync(pidFile(node), `${child.pid}\n`)
    if (opts.detached) child.unref()
    children.push(child)
  }
  return children
}

/** Stops the running nodes (SIGTERM, then SIGKILL after `graceMs`) and waits for them. */
export async function stopNodes(config: DevnetConfig, graceMs = 10_000): Promise<number> {
  let stopped = 0
  const pids = config.nodes.map((n) => ({ node: n, pid: runningPid(n) })).filter((x) => x.pid !== undefined)
  for (const { pid } of pids) process.kill(pid!, 'SIGTERM')
  const deadline = Date.now() + graceMs
  for (const { node, pid } of pids) {
    while (Date.now() < deadline && isAlive(pid!)) await sleep(100)
    if (isAlive(pid!)) process.kill(pid!, 'SIGKILL')
    rmSync(pidFile(node), { force: true })
    stopped++
  }
  return stopped
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface NodeStatus {
  readonly name: string
  readonly api: string
  readonly p2p: string
  readonly height?: number
  readonly tipId?: string
  readonly peers?: number
  readonly synced?: boolean
  readonly error?: string
}

/** Each node's view of the chain, from its API. */
export async function devnetStatus(config: DevnetConfig): Promise<NodeStatus[]> {
  return Promise.all(
    config.nodes.map(async (node) => {
      const base = { name: node.name, api: apiUrl(node), p2p: p2pAddress(node) }
      try {
        const res = await fetch(`${apiUrl(node)}/consensus`, { signal: AbortSignal.timeout(2000) })
        const body = (await res.json()) as { height: number; tipId: string; peers: number; synced: boolean }
        return { ...base, height: body.height, tipId: body.tipId, peers: body.peers, synced: body.synced }
      } catch (err) {
        return { ...base, error: (err as Error).message }
      }
    }),
  )
}

export const agree = (status: readonly NodeStatus[]): boolean =>
  status.length > 0 && status.every((s) => s.tipId !== undefined && s.tipId === status[0]!.tipId)
