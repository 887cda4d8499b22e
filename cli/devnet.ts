// `blockstake devnet up|status|faucet|logs|down|reset` (DESIGN §8), with minting and authorized
// addresses and grid capacity on request (`--extensions minting,auth,capacity`, DESIGN §4).
import { existsSync, readFileSync, rmSync } from 'node:fs'
import type { Command } from 'commander'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { stringifyJson } from '../consensus/encoding/json.js'
import { authCoinExtension } from '../consensus/extensions/authcointx/extension.js'
import { capacityExtension } from '../consensus/extensions/capacity/extension.js'
import {
  extensionParams,
  extensionsToJson,
  parseChainDefinitionWithExtensions,
  parseExtensions,
} from '../consensus/extensions/catalog.js'
import { mintingExtension } from '../consensus/extensions/minting/extension.js'
import { mintingVersions } from '../consensus/extensions/minting/params.js'
import { type ChainDefinition, parseChainDefinitionText } from '../consensus/params/chain.js'
import { parseCoinString, precisionOf } from '../consensus/types/currency.js'
import { parseUnlockHash } from '../consensus/types/unlockhash.js'
import type { DevnetExtensions } from '../devnet/chaingen.js'
import {
  agree,
  apiUrl,
  devnetStatus,
  logFile,
  p2pAddress,
  runningPid,
  sleep,
  startNodes,
  stopNodes,
} from '../devnet/runner.js'
import { type DevnetConfig, devnetPassphrase, initDevnet, readDevnetConfig } from '../devnet/setup.js'
import { NodeClientError } from '../wallet/client/node-api.js'
import { transfer } from '../wallet/client/transfer.node.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { decryptSeed } from '../wallet/keys/keystore.js'
import { readKeystoreFile } from '../wallet/keys/keystore.node.js'
import { seedToMnemonic } from '../wallet/keys/seed.js'
import { WalletError } from '../wallet/tx/build.js'
import { UserError } from './errors.js'
import { println } from './io.js'

const DEFAULT_DIR = '.devnet'

function requireConfig(dir: string): DevnetConfig {
  const config = readDevnetConfig(dir)
  if (!config) throw new UserError(`no devnet in ${dir} (run "blockstake devnet up" first)`)
  return config
}

async function faucetKey(config: DevnetConfig) {
  const seed = await decryptSeed(await readKeystoreFile(config.faucet.keystore), devnetPassphrase(config))
  return { seed, key: deriveKey(seed, 0, nodeEd25519) }
}

async function authorityMnemonic(config: DevnetConfig): Promise<string | undefined> {
  if (!config.authority) return undefined
  const keystore = await readKeystoreFile(config.authority.keystore)
  return seedToMnemonic(await decryptSeed(keystore, devnetPassphrase(config)))
}

const EXTENSION_NAMES: Record<string, keyof DevnetExtensions> = {
  minting: 'minting',
  auth: 'auth',
  authcoin: 'auth',
  capacity: 'capacity',
}

/** `--extensions minting,auth` and `--auth whitelist|blocklist` (the default with auth: whitelist). */
export function parseDevnetExtensions(
  list: string | undefined,
  auth: string | undefined,
): DevnetExtensions | undefined {
  if (auth !== undefined && auth !== 'whitelist' && auth !== 'blocklist')
    throw new UserError(`--auth must be "whitelist" or "blocklist", got "${auth}"`)
  if (list === undefined) {
    if (auth !== undefined) throw new UserError('--auth needs --extensions auth')
    return undefined
  }
  const out: { minting?: boolean; auth?: 'whitelist' | 'blocklist'; capacity?: boolean } = {}
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase()
    if (name === '') continue
    const which = EXTENSION_NAMES[name]
    if (!which)
      throw new UserError(`--extensions: unknown extension "${raw.trim()}" (known: minting, auth, capacity)`)
    if (which === 'minting') out.minting = true
    else if (which === 'capacity') out.capacity = true
    else out.auth = (auth as 'whitelist' | 'blocklist' | undefined) ?? 'whitelist'
  }
  if (auth !== undefined && !out.auth) throw new UserError('--auth needs --extensions auth')
  return out
}

/** What a chain definition enables, in the terms of `--extensions`. */
function devnetExtensionsOf(def: ChainDefinition): DevnetExtensions {
  const auth = extensionParams(def, authCoinExtension)
  return {
    ...(extensionParams(def, mintingExtension) ? { minting: true } : {}),
    ...(auth ? { auth: auth.authorizedByDefault ? 'blocklist' : 'whitelist' } : {}),
    ...(extensionParams(def, capacityExtension) ? { capacity: true } : {}),
  }
}

const describeExtensions = (e: DevnetExtensions): string =>
  [e.minting ? 'minting' : '', e.auth ? `auth (${e.auth})` : '', e.capacity ? 'capacity' : '']
    .filter(Boolean)
    .join(', ') || 'none'

/** One line per enabled extension of a chain: its versions and, for auth, its mode. */
function extensionLines(def: ChainDefinition): string {
  const parts: string[] = []
  const minting = extensionParams(def, mintingExtension)
  if (minting)
    parts.push(
      `minting (${mintingVersions(minting)
        .map((v) => v.version)
        .join(', ')})`,
    )
  const auth = extensionParams(def, authCoinExtension)
  if (auth)
    parts.push(
      `authcoin (${auth.addressUpdateVersion}, ${auth.conditionUpdateVersion}; ${auth.authorizedByDefault ? 'blocklist' : 'whitelist'})`,
    )
  const capacity = extensionParams(def, capacityExtension)
  if (capacity) parts.push(`capacity (${capacity.registrationVersion}, ${capacity.reservationVersion})`)
  return parts.join(', ') || 'none'
}

const readChain = (config: DevnetConfig): ChainDefinition =>
  parseChainDefinitionWithExtensions(JSON.parse(readFileSync(config.chainFile, 'utf8')))

function printTable(rows: Awaited<ReturnType<typeof devnetStatus>>): void {
  const header = ['node', 'api', 'p2p', 'height', 'peers']
  const lines = rows.map((r) => [
    r.name,
    r.api,
    r.p2p,
    r.height === undefined ? '-' : String(r.height),
    r.peers === undefined ? '-' : String(r.peers),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  println(fmt(header))
  for (const l of lines) println(fmt(l))
}

export function registerDevnetCommands(program: Command): void {
  const devnet = program
    .command('devnet')
    .description('a local network of nodes creating blocks, with a faucet')

  devnet
    .command('up')
    .description('create (or resume) a devnet and run its nodes until Ctrl-C')
    .option('--nodes <n>', 'number of nodes (new devnets)', '3')
    .option('--dir <dir>', 'devnet directory', DEFAULT_DIR)
    .option('--block-time <s>', 'target block time in seconds (new devnets)', '2')
    .option('--detach', 'return once the nodes agree on a tip (they keep running)')
    .option('--json', 'print one JSON object')
    .option('--timeout <s>', 'how long to wait for the first blocks', '120')
    .option(
      '--extensions <list>',
      'new devnets: minting, auth (authorized addresses) and/or capacity (grid capacity), e.g. minting,auth; an authority wallet holds the mint and auth conditions',
    )
    .option('--auth <mode>', 'with --extensions auth: whitelist (default) or blocklist')
    .action(
      async (opts: {
        nodes: string
        dir: string
        blockTime: string
        detach?: boolean
        json?: boolean
        timeout: string
        extensions?: string
        auth?: string
      }) => {
        const extensions = parseDevnetExtensions(opts.extensions, opts.auth)
        let config = readDevnetConfig(opts.dir)
        let faucetMnemonic: string
        let authority: string | undefined
        if (config) {
          // resuming: the chain keeps the extensions it was made with
          const has = devnetExtensionsOf(readChain(config))
          if (extensions && describeExtensions(extensions) !== describeExtensions(has))
            throw new UserError(
              `the devnet in ${opts.dir} runs with extensions ${describeExtensions(has)}, not ${describeExtensions(extensions)}: "devnet reset" (or another --dir) starts a new chain`,
            )
          faucetMnemonic = seedToMnemonic((await faucetKey(config)).seed)
          authority = await authorityMnemonic(config)
        } else {
          const created = await initDevnet({
            dir: opts.dir,
            nodes: Number(opts.nodes),
            blockTime: Number(opts.blockTime),
            ...(extensions ? { extensions } : {}),
          })
          config = created.config
          faucetMnemonic = created.faucetMnemonic
          authority = created.authorityMnemonic
        }
        const children = startNodes(config, { detached: Boolean(opts.detach) })
        const deadline = Date.now() + Number(opts.timeout) * 1000
        let status = await devnetStatus(config)
        while (Date.now() < deadline && !(agree(status) && (status[0]!.height ?? 0) > 2)) {
          await sleep(500)
          status = await devnetStatus(config)
        }
        if (!(agree(status) && (status[0]!.height ?? 0) > 2)) {
          if (!opts.detach) await stopNodes(config)
          throw new Error(
            `the nodes did not agree on a tip above height 2 within ${opts.timeout} s (see ${logFile(config.nodes[0]!)})`,
          )
        }
        if (opts.json) {
          println(
            stringifyJson({
              faucetMnemonic,
              ...(authority ? { authorityMnemonic: authority } : {}),
              chainFile: config.chainFile,
              nodes: config.nodes.map((n) => ({
                name: n.name,
                api: apiUrl(n),
                explorer: `${apiUrl(n)}/`,
                p2p: p2pAddress(n),
              })),
            }),
          )
        } else {
          printTable(status)
          println('')
          println(`explorer: ${apiUrl(config.nodes[0]!)}/ (every node serves it at / of its API)`)
          println(`faucet mnemonic: ${faucetMnemonic}`)
          println(`faucet address:  ${config.faucet.address}`)
          if (authority && config.authority) {
            println(`authority mnemonic: ${authority}`)
            println(`authority address:  ${config.authority.address}`)
          }
          println(`extensions: ${extensionLines(readChain(config))}`)
          println(
            opts.detach
              ? 'nodes keep running: "blockstake devnet down" stops them'
              : 'running; Ctrl-C stops the nodes',
          )
        }
        if (opts.detach) return
        const cfg = config
        await new Promise<void>((resolve) => {
          const stop = () => {
            stopNodes(cfg).then(
              () => resolve(),
              () => resolve(),
            )
          }
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
          // if every node exits on its own, so does `up`
          let alive = children.length
          for (const c of children) c.once('exit', () => --alive === 0 && resolve())
        })
      },
    )

  devnet
    .command('status')
    .description('height, tip and peers of every node, and whether they agree')
    .option('--dir <dir>', 'devnet directory', DEFAULT_DIR)
    .option('--json', 'print one JSON object')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const config = requireConfig(opts.dir)
      const def = readChain(config)
      const status = await devnetStatus(config)
      if (opts.json) {
        println(
          stringifyJson({
            agree: agree(status),
            // the chain's extension parameters, every field explicit ({} when it has none)
            extensions: extensionsToJson(parseExtensions(def.extensions)),
            nodes: status.map((s) => ({
              name: s.name,
              api: s.api,
              height: s.height ?? null,
              tipId: s.tipId ?? null,
              peers: s.peers ?? null,
            })),
          }),
        )
        return
      }
      printTable(status)
      println(agree(status) ? 'all nodes agree on the tip' : 'the nodes do not agree (yet)')
      println(`extensions: ${extensionLines(def)}`)
    })

  devnet
    .command('faucet <address> <amount>')
    .description('send AMOUNT coins from the faucet to ADDRESS')
    .option('--dir <dir>', 'devnet directory', DEFAULT_DIR)
    .option('--json', 'print one JSON object')
    .action(async (address: string, amount: string, opts: { dir: string; json?: boolean }) => {
      const config = requireConfig(opts.dir)
      const def = parseChainDefinitionText(readFileSync(config.chainFile, 'utf8'))
      const to = parseUnlockHash(address, 'ADDRESS')
      const value = parseCoinString(amount, precisionOf(def.oneCoin))
      const { key } = await faucetKey(config)
      let transactionId: string
      try {
        transactionId = await transfer({ api: apiUrl(config.nodes[0]!), def, key, to, value })
      } catch (err) {
        if (err instanceof NodeClientError || err instanceof WalletError) throw new UserError(err.message)
        throw err
      }
      println(
        opts.json
          ? JSON.stringify({ transactionId })
          : `sent ${amount} to ${address}: transaction ${transactionId}`,
      )
    })

  devnet
    .command('logs [node]')
    .description("print a node's log (default: the first)")
    .option('--dir <dir>', 'devnet directory', DEFAULT_DIR)
    .action((name: string | undefined, opts: { dir: string }) => {
      const config = requireConfig(opts.dir)
      const node = name ? config.nodes.find((n) => n.name === name) : config.nodes[0]
      if (!node)
        throw new UserError(`no node "${name}" (nodes: ${config.nodes.map((n) => n.name).join(', ')})`)
      if (existsSync(logFile(node))) process.stdout.write(readFileSync(logFile(node)))
    })

  devnet
    .command('down')
    .description('stop the nodes (the chain stays; "up" resumes it)')
    .option('--dir <dir>', 'devnet directory', DEFAULT_DIR)
    .action(async (opts: { dir: string }) => {
      const stopped = await stopNodes(requireConfig(opts.dir))
      println(`stopped ${stopped} node(s)`)
    })

  devnet
    .command('reset')
    .description('stop the nodes and delete the devnet directory')
    .option('--dir <dir>', 'devnet directory', DEFAULT_DIR)
    .action(async (opts: { dir: string }) => {
      const config = readDevnetConfig(opts.dir)
      if (config) await stopNodes(config)
      if (config?.nodes.some((n) => runningPid(n))) throw new Error('some nodes are still running')
      rmSync(opts.dir, { recursive: true, force: true })
      println(`removed ${opts.dir}`)
    })
}
