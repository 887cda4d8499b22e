// `blockstake node start` (the daemon) and `blockstake node status`.

import { readFile, stat } from 'node:fs/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import { pino } from 'pino'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { BUILTIN_EXTENSIONS, type ExtensionCatalog } from '../consensus/extensions/catalog.js'
import type { SigningKey } from '../consensus/types/sign.js'
import { resolveDefinition } from '../node/datadir.js'
import type { BlockstakeNode } from '../node/node.js'
import { deriveKeys } from '../wallet/keys/derive.js'
import { decryptSeed } from '../wallet/keys/keystore.js'
import { readKeystoreFile } from '../wallet/keys/keystore.node.js'
import { UserError } from './errors.js'
import { println, readPassphrase } from './io.js'

export const DEFAULT_API = '127.0.0.1:23110'
/** Keys 0…N−1 of a stake keystore's seed are searched for block stake outputs. */
const STAKE_KEY_COUNT = 20

export function parseHostPort(value: string, option: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value)
  const port = m ? Number(m[2]) : Number.NaN
  if (!m || port > 65535)
    throw new UserError(`${option} must look like HOST:PORT (e.g. ${DEFAULT_API}), got "${value}"`)
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port }
}

/**
 * Garbage-collector heuristics for the daemon. While a node syncs it allocates fast and V8 lets the heap
 * grow to several times what is live (about 30 MB live, over 200 MB of heap syncing 25,000 transactions).
 * Both values are read at every collection, so setting them after start-up takes effect: the old
 * generation may grow 60 % past what survived the last full collection, and the young generation keeps
 * its initial size. Measured on that sync (docs/BENCHMARKS.md): RSS 377 -> 246 MB for 3,269 -> 2,930 tx/s.
 * `BLOCKSTAKE_V8_FLAGS` replaces them (empty: V8's defaults).
 */
const DAEMON_V8_FLAGS = '--heap-growing-percent=60 --semi-space-growth-factor=1'

/** Blocks a catch-up must have added for the node to collect garbage once it is synced. */
const COLLECT_AFTER_BLOCKS = 256
/** Between the two collections after a sync. */
const SECOND_COLLECTION_MS = 500

/**
 * V8's full collection. Script reaches it only through `--expose-gc`, which applies to contexts created
 * after it is set: set it, fetch `gc` from a fresh context, clear it again (jest's leak detector does the
 * same). Nothing else in the process sees a `gc` global.
 */
export function fullCollection(): () => void {
  setFlagsFromString('--expose-gc')
  try {
    return runInNewContext('gc') as () => void
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}

/**
 * A sync leaves V8's heap at several times what is live: it grows the heap while allocation is fast and
 * keeps it afterwards (113 MB of heap for 28 MB live after syncing 50,000 transactions). When the node
 * has caught up after adding many blocks it collects twice, half a second apart: the first collection
 * frees the garbage, the second compacts what the first left in half-empty pages (heap 113 -> 73 -> 43 MB,
 * about 30 ms each; RSS 256 -> 183 MB, docs/BENCHMARKS.md).
 */
function collectAfterSync(node: BlockstakeNode, logger: pino.Logger): void {
  const gc = fullCollection()
  let from = node.chain.height
  node.p2p.on('synced', () => {
    const height = node.chain.height
    from = Math.min(from, height)
    const added = height - from
    if (added < COLLECT_AFTER_BLOCKS) return
    from = height
    const heapBefore = process.memoryUsage().heapTotal
    setImmediate(() => {
      gc()
      setTimeout(() => {
        gc()
        logger.debug(
          { blocks: added, heapBefore, heapAfter: process.memoryUsage().heapTotal },
          'collected garbage after sync',
        )
      }, SECOND_COLLECTION_MS).unref()
    })
  })
}

/** The environment variable the API token may come from (kept out of the process list). */
export const API_TOKEN_ENV = 'BLOCKSTAKE_API_TOKEN'

/**
 * The API token: from `--api-token-file F` (F readable by its owner only, as `chmod 600`), or from
 * `--api-token` (visible in the process list), or else from BLOCKSTAKE_API_TOKEN; undefined when none.
 */
export async function resolveApiToken(
  opts: { readonly apiToken?: string; readonly apiTokenFile?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (opts.apiToken !== undefined && opts.apiTokenFile !== undefined)
    throw new UserError('give the API token once: --api-token or --api-token-file, not both')
  if (opts.apiTokenFile !== undefined) {
    const file = opts.apiTokenFile
    let mode: number
    try {
      mode = (await stat(file)).mode
    } catch (err) {
      throw new UserError(`cannot read the API token file ${file}: ${(err as Error).message}`)
    }
    if ((mode & 0o077) !== 0)
      throw new UserError(
        `the API token file ${file} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}: others may read it; ` +
          `run chmod 600 ${file}`,
      )
    const token = (await readFile(file, 'utf8')).trim()
    if (token === '' || /\s/.test(token))
      throw new UserError(`the API token file ${file} must hold one token (no spaces), and not be empty`)
    return token
  }
  if (opts.apiToken !== undefined) return opts.apiToken
  const fromEnv = env[API_TOKEN_ENV]
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv
}

async function stakeKeys(file: string | undefined): Promise<SigningKey[]> {
  if (!file) return []
  const keystore = await readKeystoreFile(file)
  const seed = await decryptSeed(keystore, await readPassphrase(file))
  return deriveKeys(seed, 0, STAKE_KEY_COUNT, nodeEd25519).map((k) => ({
    secretSeed: k.secretSeed,
    publicKey: k.publicKey,
  }))
}

interface StartOptions {
  chain?: string
  dataDir: string
  api: string
  listen: string[]
  bootstrap: string[]
  stakeKeystore?: string
  apiToken?: string
  apiTokenFile?: string
  logLevel: string
  maxPeers?: string
}

export function registerNodeCommands(program: Command, catalog: ExtensionCatalog = BUILTIN_EXTENSIONS): void {
  const node = program.command('node').description('the full node')

  node
    .command('start')
    .description('run a full node: sync, relay, serve the API and create blocks with the stake keystore')
    .option('--chain <preset|file>', 'chain preset or definition file (remembered in the data dir)')
    .requiredOption('--data-dir <dir>', 'data directory (LevelDB, chain definition, peer identity)')
    .option('--api <host:port>', 'HTTP API address', DEFAULT_API)
    .option('--listen <multiaddr...>', 'libp2p listen addresses', ['/ip4/0.0.0.0/tcp/23112'])
    .option('--bootstrap <multiaddr...>', 'peers to join (with /p2p/<peer id>)', [])
    .option(
      '--stake-keystore <file>',
      'keystore whose keys create blocks (passphrase: BLOCKSTAKE_PASSPHRASE or prompt)',
    )
    .option(
      '--api-token <token>',
      `required on write routes; needed to bind a non-loopback API address (shows in the process list: ` +
        `prefer --api-token-file or ${API_TOKEN_ENV})`,
    )
    .option('--api-token-file <file>', 'read the API token from a file only its owner can read (chmod 600)')
    .option('--max-peers <n>', 'connection limit')
    .option('--log-level <level>', 'pino log level', process.env.BLOCKSTAKE_LOG_LEVEL ?? 'info')
    .action(async (opts: StartOptions) => {
      const def = resolveDefinition(opts.dataDir, opts.chain, catalog)
      const api = parseHostPort(opts.api, '--api')
      const apiToken = await resolveApiToken(opts)
      const keys = await stakeKeys(opts.stakeKeystore)
      const logger = pino({ level: opts.logLevel, base: { name: def.network } })
      const bootstrap = [...opts.bootstrap, ...def.bootstrapPeers.filter((p) => p.includes('/p2p/'))]
      setFlagsFromString(process.env.BLOCKSTAKE_V8_FLAGS ?? DAEMON_V8_FLAGS)
      // loaded on demand: the other commands start without libp2p
      const { BlockstakeNode } = await import('../node/node.js')
      const running = await BlockstakeNode.start({
        def,
        catalog,
        dataDir: opts.dataDir,
        api,
        ...(apiToken !== undefined ? { apiToken } : {}),
        listen: opts.listen,
        bootstrap,
        stakeKeys: keys,
        logger,
        ...(opts.maxPeers !== undefined ? { maxPeers: Number(opts.maxPeers) } : {}),
      })
      showSyncProgress(running, logger)
      collectAfterSync(running, logger)
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'shutting down')
          running.stop().then(resolve, (err) => {
            logger.error({ err }, 'shutdown failed')
            resolve()
          })
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
    })

  node
    .command('status')
    .description("print a node's chain status (from its HTTP API)")
    .option('--api <url>', 'the node API', `http://${DEFAULT_API}`)
    .option('--json', 'print one JSON object')
    .action(async (opts: { api: string; json?: boolean }) => {
      const base = opts.api.startsWith('http') ? opts.api : `http://${opts.api}`
      let res: Response
      try {
        res = await fetch(`${base.replace(/\/$/, '')}/consensus`, { signal: AbortSignal.timeout(5000) })
      } catch (err) {
        throw new UserError(`cannot reach the node API at ${base}: ${(err as Error).message}`)
      }
      const body = (await res.json()) as Record<string, unknown>
      if (!res.ok) throw new UserError(`the node answered ${res.status}: ${String(body.message ?? '')}`)
      if (opts.json) {
        println(JSON.stringify(body))
        return
      }
      println(`height ${body.height}  tip ${body.tipId}  synced ${body.synced}  peers ${body.peers}`)
    })
}

/** A progress bar on a terminal while syncing; plain log lines otherwise. */
function showSyncProgress(node: BlockstakeNode, logger: pino.Logger): void {
  let bar: cliProgress.SingleBar | undefined
  let lastLine = 0
  node.p2p.on('sync:progress', (p: { height: number; target: number; rate: number }) => {
    if (process.stderr.isTTY) {
      bar ??= new cliProgress.SingleBar(
        {
          format: 'sync [{bar}] {value}/{total} blocks | {rate} blocks/s',
          stream: process.stderr,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
      if (!bar.isActive) bar.start(p.target, p.height, { rate: 0 })
      bar.setTotal(p.target)
      bar.update(p.height, { rate: Math.round(p.rate) })
    } else if (Date.now() - lastLine > 2000) {
      lastLine = Date.now()
      logger.info({ height: p.height, target: p.target, rate: Math.round(p.rate) }, 'syncing')
    }
  })
  node.p2p.on('synced', () => {
    bar?.stop()
    bar = undefined
    logger.info({ height: node.chain.height }, 'synced')
  })
}
