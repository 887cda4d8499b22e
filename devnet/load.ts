// Load on a devnet (issue #13): pre-signed transfers (devnet/load-plan.ts) submitted through the nodes' HTTP
// APIs (POST /txpool) with bounded concurrency, pool sizes sampled meanwhile, then the check that each one
// sits in exactly one main-chain block on every node. bench/load.ts prints the figures; test/e2e/load.test.ts
// runs a small version.
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { toHex } from '../consensus/encoding/hex.js'
import { parseJson } from '../consensus/encoding/json.js'
import { registryFor } from '../consensus/extensions/catalog.js'
import { genesisBlock, parseChainDefinitionText } from '../consensus/params/chain.js'
import { BlockCodec } from '../consensus/types/block.js'
import type { Transaction, TransactionRegistry } from '../consensus/types/transaction.js'
import { deriveKey } from '../wallet/keys/derive.js'
import { decryptSeed } from '../wallet/keys/keystore.js'
import { readKeystoreFile } from '../wallet/keys/keystore.node.js'
import { generateSeed } from '../wallet/keys/seed.js'
import { planLoad } from './load-plan.js'
import { apiUrl } from './runner.js'
import { type DevnetConfig, devnetPassphrase } from './setup.js'

// ---- submission ----------------------------------------------------------------------------------------

export interface PostAnswer {
  readonly status: number
  readonly body: string
}

/** A keep-alive HTTP client for one node's API (bodies posted as given: pre-serialised). */
export class ApiClient {
  private readonly agent: Agent
  private readonly url: URL

  constructor(
    api: string,
    maxSockets: number,
    private readonly timeoutMs = 30_000,
  ) {
    this.url = new URL(api)
    this.agent = new Agent({ keepAlive: true, maxSockets })
  }

  send(method: 'GET' | 'POST', path: string, body?: Uint8Array): Promise<PostAnswer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          )
          res.on('error', reject)
        },
      )
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no answer within ${this.timeoutMs} ms`)),
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

export interface SubmitOptions {
  readonly registry: TransactionRegistry
  /** One client per node: chain i goes to node i mod n (a chain's transfers stay on one node: each spends
   * the previous one's output, which another node may not have yet). */
  readonly clients: readonly ApiClient[]
  /** Chains submitted at once per node (each one transfer at a time). */
  readonly concurrency: number
  /** A refusal with 503 (pool full) is tried again until this time (ms since the epoch). */
  readonly deadline: number
  /** Called at every acceptance (for progress and rates). */
  readonly onAccepted?: (id: string, node: number) => void
}

export interface SubmitResult {
  /** Transaction IDs the nodes accepted, with the node that accepted each. */
  readonly accepted: Map<string, number>
  /** Refusals by `status code`, one per transaction given up (its chain's later transfers are not sent). */
  readonly refused: Map<string, number>
  /** Answers 503 (pool full) that were tried again. */
  readonly retries: number
  readonly firstSentAt: number
  readonly lastAcceptedAt: number
}

/**
 * Submits every chain, each transfer once its predecessor was accepted; `concurrency` chains in flight per
 * node. A full pool (503) is retried after a pause until the deadline; any other refusal ends its chain.
 */
export async function submitChains(
  chains: readonly (readonly Transaction[])[],
  opts: SubmitOptions,
): Promise<SubmitResult> {
  const bodies = chains.map((c) => c.map((tx) => Buffer.from(opts.registry.toJsonString(tx))))
  const ids = chains.map((c) => c.map((tx) => toHex(opts.registry.id(tx))))
  const accepted = new Map<string, number>()
  const refused = new Map<string, number>()
  let retries = 0
  let lastAcceptedAt = 0
  const refuse = (why: string) => refused.set(why, (refused.get(why) ?? 0) + 1)
  const n = opts.clients.length
  const firstSentAt = Date.now()
  await Promise.all(
    opts.clients.map(async (client, node) => {
      let next = node
      const worker = async () => {
        for (let c = next; c < chains.length; c = next) {
          next += n
          for (const [k, body] of bodies[c]!.entries()) {
            let answer: PostAnswer | undefined
            for (;;) {
              try {
                answer = await client.send('POST', '/txpool', body)
              } catch (err) {
                refuse(`error ${(err as Error).message}`)
                answer = undefined
                break
              }
              if (answer.status !== 503 || Date.now() > opts.deadline) break
              retries++
              await new Promise((r) => setTimeout(r, 100))
            }
            if (answer?.status !== 200) {
              if (answer) refuse(`${answer.status} ${codeOf(answer.body)}`)
              break
            }
            const id = ids[c]![k]!
            accepted.set(id, node)
            lastAcceptedAt = Date.now()
            opts.onAccepted?.(id, node)
          }
        }
      }
      await Promise.all(Array.from({ length: opts.concurrency }, worker))
    }),
  )
  return { accepted, refused, retries, firstSentAt, lastAcceptedAt }
}

/** An API error's code, and for a pool refusal of an invalid set the consensus rule (`invalid/missing-output`). */
function codeOf(body: string): string {
  try {
    const e = JSON.parse(body) as { code?: unknown; details?: { rule?: unknown } }
    return e.details?.rule === undefined ? String(e.code) : `${String(e.code)}/${String(e.details.rule)}`
  } catch {
    return body.slice(0, 80)
  }
}

// ---- checks ------------------------------------------------------------------------------------------

export interface ChainWalk {
  readonly height: number
  readonly tipId: string
  /** Main-chain occurrences of each watched ID: where (block ID, height) each time. */
  readonly found: Map<string, { blockId: string; height: number }[]>
  /** The blocks walked: height, transactions and Sia size. */
  readonly blocks: { height: number; id: string; transactions: number; bytes: number }[]
}

interface BlockViewJson {
  id: string
  height: number
  block: unknown
  transactionIds: string[]
}

/**
 * Reads one node's main chain above `fromHeight` block by block and notes where each ID of `watch`
 * appears. The tip is read first and the walk checks each block's parent, so a reorg during the walk
 * shows as an error (call again).
 */
export async function walkChain(
  client: ApiClient,
  codec: BlockCodec,
  fromHeight: number,
  watch: ReadonlySet<string>,
): Promise<ChainWalk> {
  const consensus = await client.send('GET', '/consensus')
  const { height, tipId } = JSON.parse(consensus.body) as { height: number; tipId: string }
  const found = new Map<string, { blockId: string; height: number }[]>()
  const blocks: ChainWalk['blocks'] = []
  let parent: string | undefined
  for (let h = fromHeight + 1; h <= height; h++) {
    const res = await client.send('GET', `/blocks/${h}`)
    if (res.status !== 200) throw new Error(`block ${h}: ${res.status} ${res.body.slice(0, 120)}`)
    const view = parseJson(res.body) as BlockViewJson
    const block = codec.fromJson(view.block)
    if (parent !== undefined && toHex(block.parentId) !== parent)
      throw new Error(`the chain changed during the walk at height ${h}`)
    parent = view.id
    blocks.push({
      height: h,
      id: view.id,
      transactions: view.transactionIds.length,
      bytes: codec.encode(block).length,
    })
    for (const id of view.transactionIds) {
      if (!watch.has(id)) continue
      const at = found.get(id)
      const place = { blockId: view.id, height: h }
      if (at) at.push(place)
      else found.set(id, [place])
    }
  }
  if (parent !== undefined && parent !== tipId) throw new Error('the tip moved during the walk')
  return { height, tipId, found, blocks }
}

/**
 * GET /transactions/:id on one node for every ID (`concurrency` at once): the block ID each is confirmed
 * in, or undefined when the node has it unconfirmed or not at all.
 */
export async function transactionBlocks(
  client: ApiClient,
  ids: readonly string[],
  concurrency: number,
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>()
  let next = 0
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      const res = await client.send('GET', `/transactions/${id}`)
      out.set(id, res.status === 200 ? (JSON.parse(res.body) as { blockId?: string }).blockId : undefined)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return out
}

// ---- a whole run ---------------------------------------------------------------------------------------

export interface LoadOptions {
  readonly config: DevnetConfig
  /** Transfers to submit (rounded up to whole chains). */
  readonly transactions: number
  /** Transfers per chain. */
  readonly depth: number
  /** Chains in flight per node. */
  readonly concurrency: number
  /** How long every accepted transfer may take to be in a block on every node. */
  readonly confirmTimeoutMs: number
  /** Pool and height sampling period. */
  readonly sampleEveryMs?: number
  /** Progress lines. */
  readonly log?: (line: string) => void
  /** Called as the load starts, once every transfer was answered, and once they are all confirmed. */
  readonly onPhase?: (phase: 'submitting' | 'answered' | 'confirmed') => void
}

export interface PoolSample {
  /** Seconds since the first load submission. */
  readonly t: number
  /** Pool size (transactions) and height of each node; -1 when the node did not answer. */
  readonly pool: readonly number[]
  readonly height: readonly number[]
}

export interface LoadReport {
  readonly submitted: number
  readonly accepted: number
  /** Transfers given up, by `status code` (their chain's later transfers were not sent). */
  readonly refused: Readonly<Record<string, number>>
  /** 503 answers (pool full) tried again. */
  readonly retries: number
  /** Accepted transfers in exactly one main-chain block of every node, and found there by GET /transactions/:id. */
  readonly confirmedOnAllNodes: number
  /** Accepted transfers missing from some node's main chain (or unconfirmed there) at the end. */
  readonly lost: number
  /** Transfers in more than one main-chain block of some node. */
  readonly duplicated: number
  /** Transfers whose GET /transactions/:id block differs from where the chain walk found them. */
  readonly mismatched: number
  readonly acceptSeconds: number
  readonly acceptedPerSecond: number
  /** From the first load submission until every node had every accepted transfer in a block (or the bound). */
  readonly confirmSeconds: number
  readonly presignPerSecond: number
  readonly fanoutTransactions: number
  readonly samples: readonly PoolSample[]
  /** The blocks above the start height on the first node: transactions, load transfers and Sia bytes. */
  readonly blocks: readonly { height: number; transactions: number; load: number; bytes: number }[]
  readonly blockSizeLimit: number
  readonly startHeight: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function within<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** A node's tip (GET /consensus, by fetch: it must not queue behind the submissions' sockets). */
async function consensusOf(api: string): Promise<{ height: number; tipId: string } | undefined> {
  const res = await fetch(`${api}/consensus`, { signal: AbortSignal.timeout(5000) })
  return res.ok ? ((await res.json()) as { height: number; tipId: string }) : undefined
}

const sameTip = (s: readonly ({ tipId: string } | undefined)[]): boolean =>
  s.every((x) => x !== undefined && x.tipId === s[0]!.tipId)

const metric = (text: string, name: string): number =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)

/**
 * The load run on a running devnet: plans and signs the transfers, splits the faucet's genesis output
 * (confirmed everywhere first), submits the transfers through every node's API, waits until every node
 * has them in blocks and all pools are empty (bounded), then checks each accepted transfer on every
 * node: in exactly one main-chain block (a walk of the chain) and there by GET /transactions/:id.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  const { config } = opts
  const log = opts.log ?? (() => undefined)
  const def = parseChainDefinitionText(readFileSync(config.chainFile, 'utf8'))
  const registry = registryFor(def)
  const codec = new BlockCodec(registry)
  const apis = config.nodes.map(apiUrl)
  const faucet = deriveKey(
    await decryptSeed(await readKeystoreFile(config.faucet.keystore), devnetPassphrase(config)),
    0,
    nodeEd25519,
  )
  const genesisTx = genesisBlock(def).transactions[0]!
  const source = { id: registry.coinOutputId(genesisTx, 0), value: genesisTx.coinOutputs[0]!.value }
  const receivers = Array.from({ length: 16 }, () => deriveKey(generateSeed(), 0, nodeEd25519).unlockHash)
  const chainCount = Math.ceil(opts.transactions / opts.depth)
  const signStarted = performance.now()
  const plan = planLoad({
    def,
    registry,
    ed: nodeEd25519,
    key: faucet,
    source,
    chains: chainCount,
    depth: opts.depth,
    receivers,
  })
  const submitted = chainCount * opts.depth
  const presignPerSecond = (submitted + plan.fanout.length) / ((performance.now() - signStarted) / 1000)
  log(
    `signed ${plan.fanout.length} fan-out and ${submitted} transfers (${chainCount} chains of ${opts.depth})`,
  )

  const clients = apis.map((api) => new ApiClient(api, opts.concurrency + 4))
  const stopSampling = { stopped: false }
  try {
    // the fan-out, through the first node, confirmed everywhere before the load starts
    const fan = await submitChains([plan.fanout], {
      registry,
      clients: [clients[0]!],
      concurrency: 1,
      deadline: Date.now() + 60_000,
    })
    if (fan.accepted.size !== plan.fanout.length)
      throw new Error(`the fan-out was refused: ${JSON.stringify(Object.fromEntries(fan.refused))}`)
    const fanIds = [...fan.accepted.keys()]
    await within('the fan-out to be confirmed on every node', 120_000, async () => {
      for (const c of clients) {
        const at = await transactionBlocks(c, fanIds, 8)
        if ([...at.values()].some((b) => b === undefined)) return undefined
      }
      return true
    })
    const startHeight = await within('the nodes to agree after the fan-out', 60_000, async () => {
      const s = await Promise.all(apis.map(consensusOf))
      return sameTip(s) ? s[0]!.height : undefined
    })
    log(`fan-out confirmed; load starts above height ${startHeight}`)

    // pool sizes and heights every sampleEveryMs while the load runs
    const samples: PoolSample[] = []
    const t0 = Date.now()
    const sampler = (async () => {
      while (!stopSampling.stopped) {
        const at = Date.now()
        const read = await Promise.all(
          apis.map(async (a) => {
            try {
              const text = await (await fetch(`${a}/metrics`, { signal: AbortSignal.timeout(5000) })).text()
              return [metric(text, 'blockstake_txpool_transactions'), metric(text, 'blockstake_height')]
            } catch {
              return [-1, -1]
            }
          }),
        )
        samples.push({ t: (at - t0) / 1000, pool: read.map((r) => r[0]!), height: read.map((r) => r[1]!) })
        await sleep(Math.max(0, (opts.sampleEveryMs ?? 500) - (Date.now() - at)))
      }
    })()

    let progress = 0
    opts.onPhase?.('submitting')
    const sent = await submitChains(plan.chains, {
      registry,
      clients,
      concurrency: opts.concurrency,
      deadline: Date.now() + opts.confirmTimeoutMs,
      onAccepted: () => {
        if (++progress % 1000 === 0)
          log(`${progress} accepted after ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      },
    })
    opts.onPhase?.('answered')
    const acceptSeconds = (sent.lastAcceptedAt - sent.firstSentAt) / 1000
    log(`${sent.accepted.size} of ${submitted} accepted in ${acceptSeconds.toFixed(2)} s`)

    // every pool empty and every node on one tip (bounded); the checks below say what is missing
    const confirmDeadline = t0 + opts.confirmTimeoutMs
    let confirmedAt = Date.now()
    while (Date.now() < confirmDeadline) {
      const last = samples.at(-1)
      if (last && last.t * 1000 + t0 > sent.lastAcceptedAt && last.pool.every((p) => p === 0)) {
        const s = await Promise.all(apis.map((a) => consensusOf(a).catch(() => undefined)))
        if (sameTip(s)) {
          confirmedAt = Date.now()
          break
        }
      }
      await sleep(200)
      confirmedAt = Date.now()
    }
    opts.onPhase?.('confirmed')
    stopSampling.stopped = true
    await sampler

    // the checks: a walk of every node's main chain, then GET /transactions/:id for each accepted transfer
    const watch = new Set(sent.accepted.keys())
    const walks = await within(
      'a consistent walk of every node’s chain',
      120_000,
      async () => {
        const w = await Promise.all(clients.map((c) => walkChain(c, codec, startHeight, watch)))
        return w.every((x) => x.tipId === w[0]!.tipId) ? w : undefined
      },
      1000,
    )
    const looked = await Promise.all(clients.map((c) => transactionBlocks(c, [...watch], 16)))
    let confirmedOnAllNodes = 0
    let lost = 0
    let duplicated = 0
    let mismatched = 0
    for (const id of watch) {
      const places = walks.map((w) => w.found.get(id) ?? [])
      if (places.some((p) => p.length > 1)) duplicated++
      if (places.some((p) => p.length === 0)) lost++
      else if (places.every((p, n) => p.length === 1 && looked[n]!.get(id) === p[0]!.blockId))
        confirmedOnAllNodes++
      else if (places.every((p) => p.length === 1)) mismatched++
    }
    const blocks = walks[0]!.blocks.map((b) => ({
      height: b.height,
      transactions: b.transactions,
      bytes: b.bytes,
      load: [...walks[0]!.found.values()].filter((p) => p.some((x) => x.height === b.height)).length,
    }))
    return {
      submitted,
      accepted: sent.accepted.size,
      refused: Object.fromEntries(sent.refused),
      retries: sent.retries,
      confirmedOnAllNodes,
      lost,
      duplicated,
      mismatched,
      acceptSeconds,
      acceptedPerSecond: sent.accepted.size / acceptSeconds,
      confirmSeconds: (confirmedAt - sent.firstSentAt) / 1000,
      presignPerSecond,
      fanoutTransactions: plan.fanout.length,
      samples,
      blocks,
      blockSizeLimit: def.constants.blockSizeLimit,
      startHeight,
    }
  } finally {
    stopSampling.stopped = true
    for (const c of clients) c.close()
  }
}
