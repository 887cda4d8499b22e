// DESIGN §5: the node's HTTP API (fastify). JSON everywhere (bigint-safe through stringifyJson), errors as
// `{"code","message"}`, write routes behind a bearer token, and no non-loopback bind without one.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { isIPv4, isIPv6 } from 'node:net'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify'
import { DecodeError, inField } from '../../consensus/encoding/errors.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { type JsonValue, stringifyJson } from '../../consensus/encoding/json.js'
import { type EnabledExtension, QueryError } from '../../consensus/extensions/api.js'
import { chainDefinitionToJson } from '../../consensus/params/chain.js'
import type { OutputEntry } from '../../consensus/state/outputs.js'
import { conditionToJson } from '../../consensus/types/conditions.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { unlockHashEquals, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { MAX_SET_TRANSACTIONS } from '../../p2p/protocols/messages.js'
import type { NetworkView } from '../../p2p/types.js'
import type { Chain } from '../chain/chain.js'
import { PoolError, type PoolErrorCode, type TransactionPool } from '../mempool/pool.js'
import { addressHistory, poolTransactionsTouching } from './address.js'
import { ApiError, notFound, parseAddressParam, parseHashParam, parseUintParam } from './errors.js'
import { EventStreams } from './events.js'
import { ChainFeed } from './feed.js'
import { lightRoutes } from './light.js'
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js'
import { collectRoutes } from './openapi.js'
import { addressOutputs } from './outputs.js'
import * as S from './schemas.js'
import { explorerRoutes } from './static.js'
import { blockView, outputView, targetHex, transactionView } from './views.js'

export interface ApiOptions {
  readonly chain: Chain
  readonly pool: TransactionPool
  readonly network?: NetworkView
  readonly host: string
  readonly port: number
  /** Bearer token for write routes; required to bind anything but loopback. */
  readonly token?: string
  readonly logger: FastifyBaseLogger
  /** Called with every transaction set the pool accepted through the API (gossip it to peers). */
  readonly publishTransactionSet?: (txs: readonly Transaction[]) => void
  /** Interval of the keep-alive comments on /events (default 15 s). */
  readonly eventKeepAliveMs?: number
  /** Most simultaneous /events streams (default 256). */
  readonly maxEventClients?: number
  /** Most simultaneous /events streams of one client, by remote IP (default 16). */
  readonly maxEventStreamsPerClient?: number
  /** The chain's enabled extensions: their queries become GET routes (DESIGN §3, the node-level hook). */
  readonly extensions?: readonly EnabledExtension[]
  /** Routes a node extension adds (DESIGN §3, the node-level hook), with the API's errors and JSON. */
  readonly routes?: readonly ApiRoutes[]
  /** The built explorer pages served at `/` (default: dist/explorer of this package). */
  readonly explorerDir?: string
}

/** What a node extension's routes see: the chain and the pool, and how to answer JSON. */
export interface ApiRouteContext {
  readonly chain: Chain
  readonly pool: TransactionPool
  readonly sendJson: (reply: FastifyReply, value: JsonValue) => FastifyReply
}

/** Registers a node extension's routes; errors thrown as `ApiError` answer `{"code","message"}`. */
export type ApiRoutes = (app: FastifyInstance, ctx: ApiRouteContext) => void

export interface Api {
  readonly url: string
  readonly app: FastifyInstance
  close(): Promise<void>
}

/** The version of the API description (GET /openapi.json). */
const API_VERSION = '1.0.0'

/** Default and largest number of entries in an address lookup. */
const DEFAULT_ADDRESS_LIMIT = 100
const MAX_ADDRESS_LIMIT = 1000
/** Default and largest number of address index entries GET /addresses/:address/outputs reads. */
/** The most multisig wallets one answer of /addresses/:address/multisig lists. */
const MAX_MULTISIG_LIMIT = 1000
const DEFAULT_OUTPUTS_LIMIT = 1000
const MAX_OUTPUTS_LIMIT = 10_000

const unbracket = (host: string): string =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host

/** True for addresses only this machine can reach: `localhost`, 127.0.0.0/8, ::1 (and its v4-mapped form). */
export function isLoopbackHost(host: string): boolean {
  const h = unbracket(host)
  if (h.toLowerCase() === 'localhost') return true
  if (isIPv4(h)) return h.startsWith('127.')
  if (isIPv6(h)) {
    const lower = h.toLowerCase()
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
    return mapped !== null && mapped[1]!.startsWith('127.')
  }
  return false
}

/** Starts the API on `host:port` (port 0 picks a free one). */
export async function createApi(opts: ApiOptions): Promise<Api> {
  const app = await buildApi(opts)
  const host = unbracket(opts.host)
  try {
    await app.listen({ host, port: opts.port })
  } catch (err) {
    await app.close()
    throw err
  }
  const address = app.server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${isIPv6(host) ? `[${host}]` : host}:${address.port}`,
    app,
    close: () => {
      closing ??= app.close()
      return closing
    },
  }
}

/** The API with every route registered, not listening (tests use `app.inject`). */
export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const { chain, pool, network } = opts
  const token = opts.token === '' ? undefined : opts.token
  if (!token && !isLoopbackHost(opts.host)) {
    throw new Error(
      `refusing to serve the API on ${opts.host}:${opts.port} without an API token: ` +
        'bind a loopback address or set a token',
    )
  }
  const log = opts.logger.child({ component: 'api' })
  const app = Fastify({
    loggerInstance: log,
    // one log line per request is too much for a node; failures are logged by the error handler
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: chain.def.constants.blockSizeLimit,
    return503OnClosing: true,
  })
  const feed = new ChainFeed(chain, (err) => log.error({ err }, 'api: chain event subscriber failed'))
  const streams = new EventStreams({
    chain,
    pool,
    feed,
    logger: log,
    keepAliveMs: opts.eventKeepAliveMs,
    maxClients: opts.maxEventClients,
    maxPerClient: opts.maxEventStreamsPerClient,
  })
  // the routes answer JSON they serialized themselves (bigint-safe); response schemas document them
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  const documented = collectRoutes(app)
  app.addHook('preClose', async () => streams.close())
  app.addHook('onClose', async () => feed.close())

  // ---- errors and auth ------------------------------------------------------------------------------

  app.setErrorHandler((err, req, reply) => {
    const e = toApiError(err)
    if (e.status >= 500) req.log.error({ err }, `api: ${req.method} ${req.url} failed`)
    return sendJson(reply.code(e.status), e.toJson())
  })
  app.setNotFoundHandler((req, reply) =>
    sendJson(reply.code(404), notFound(`no route ${req.method} ${req.url.split('?')[0]}`).toJson()),
  )

  const expected = token === undefined ? undefined : digest(token)
  app.addHook('onRequest', async (req, reply) => {
    if (expected === undefined || req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS')
      return
    const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      reply.header('www-authenticate', 'Bearer realm="blockstake"')
      throw new ApiError(401, 'unauthorized', 'this route needs "Authorization: Bearer <API token>"')
    }
  })

  // ---- extension state ------------------------------------------------------------------------------

  for (const ext of opts.extensions ?? []) {
    for (const query of ext.queries ?? []) {
      const names = [...query.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)
      app.get<{ Params: Record<string, string>; Querystring: Record<string, unknown> }>(
        query.path,
        {
          schema: {
            summary: query.description,
            tags: [ext.name],
            params: S.params(Object.fromEntries(names.map((n) => [n, n]))),
            response: S.answers(query.response ?? {}, 400, 404),
          },
        },
        async (req, reply) => {
          // the state and the height are read together, with no await in between: they belong to one tip
          const ctx = {
            def: chain.def,
            state: chain.extensionState,
            height: chain.height,
            time: chain.tip.timestamp,
          }
          // query-string parameters given once (a repeated one arrives as a list and is left out)
          const single = Object.entries(req.query ?? {}).filter(
            (e): e is [string, string] => typeof e[1] === 'string',
          )
          return sendJson(reply, query.answer({ ...Object.fromEntries(single), ...req.params }, ctx))
        },
      )
    }
  }

  for (const routes of opts.routes ?? []) routes(app, { chain, pool, sendJson })
  lightRoutes(app, { chain, pool, sendJson })

  // ---- chain --------------------------------------------------------------------------------------

  // the chain definition (constants, genesis, extensions): what wallets need to build transactions
  app.get(
    '/chain',
    { schema: { summary: 'the chain definition', tags: ['chain'], response: S.answers(S.CHAIN) } },
    async (_req, reply) =>
      sendJson(reply, { genesisId: toHex(chain.genesisId), definition: chainDefinitionToJson(chain.def) }),
  )

  app.get(
    '/consensus',
    { schema: { summary: 'the tip and sync state', tags: ['chain'], response: S.answers(S.CONSENSUS) } },
    async (_req, reply) => {
      const tip = chain.tip
      return sendJson(reply, {
        height: tip.height,
        tipId: toHex(tip.id),
        timestamp: tip.timestamp,
        synced: network?.synced ?? true,
        target: targetHex(tip.childTarget),
        depth: targetHex(tip.depth),
        peers: network?.peers().length ?? 0,
        genesisId: toHex(chain.genesisId),
        chain: chain.def.name,
        network: chain.def.network,
      })
    },
  )

  app.get<{ Params: { height: string } }>(
    '/blocks/:height',
    {
      schema: {
        summary: 'the main-chain block at a height',
        tags: ['chain'],
        params: S.params({ height: 'block height' }),
        response: S.answers(S.BLOCK_VIEW, 400, 404),
      },
    },
    async (req, reply) => {
      const height = parseUintParam('height', req.params.height)
      const id = chain.idAt(height)
      const block = id && (await chain.block(id))
      if (!id || !block) throw notFound(`no block at height ${height} (the tip is at ${chain.height})`)
      return sendJson(reply, blockView(chain, block, id, height))
    },
  )

  app.get<{ Params: { id: string } }>(
    '/blocks/id/:id',
    {
      schema: {
        summary: 'a block by ID (main chain or side chain)',
        tags: ['chain'],
        params: S.params({ id: 'block ID, 64 hex' }),
        response: S.answers(S.BLOCK_VIEW, 400, 404),
      },
    },
    async (req, reply) => {
      const id = parseHashParam('id', req.params.id)
      const found = await findBlock(chain, id)
      if (!found) throw notFound(`block ${toHex(id)} not found`)
      return sendJson(reply, found)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/transactions/:id',
    {
      schema: {
        summary: 'a transaction by ID or short ID, confirmed or in the pool',
        tags: ['chain'],
        params: S.params({ id: 'transaction ID (64 hex) or short ID ((height << 14) | index)' }),
        response: S.answers(S.TRANSACTION_VIEW, 400, 404),
      },
    },
    async (req, reply) => {
      const raw = req.params.id
      if (/^[0-9]{1,19}$/.test(raw)) {
        // spec §2.7: a short ID is (height << 14) | index
        const short = BigInt(raw)
        const height = Number(short >> 14n)
        const index = Number(short & 0x3fffn)
        const blockId = chain.idAt(height)
        const block = blockId && (await chain.block(blockId))
        const tx = block?.transactions[index]
        if (!blockId || !tx) throw notFound(`no transaction with short ID ${raw}`)
        return sendJson(reply, transactionView(chain, tx, { blockId, height, index }))
      }
      const id = parseHashParam('id', raw)
      const view = await findTransaction(chain, pool, id)
      if (!view) throw notFound(`transaction ${toHex(id)} not found`)
      return sendJson(reply, view)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/outputs/coin/:id',
    {
      schema: {
        summary: 'an unspent coin output',
        tags: ['outputs'],
        params: S.params({ id: 'output ID, 64 hex' }),
        response: S.answers(S.OUTPUT_VIEW, 400, 404),
      },
    },
    async (req, reply) => {
      const id = parseHashParam('id', req.params.id)
      const o = await chain.coinOutput(id)
      if (!o) throw notFound(`coin output ${toHex(id)} is not unspent (unknown, spent or not yet mature)`)
      return sendJson(reply, outputView(o, spenderField(chain, pool, id)))
    },
  )

  // a spent coin output and the main-chain transaction that spent it (an atomic swap's redeem reveals its secret)
  app.get<{ Params: { id: string } }>(
    '/outputs/coin/:id/spent',
    {
      schema: {
        summary: 'a spent coin output and the transaction that spent it',
        tags: ['outputs'],
        params: S.params({ id: 'output ID, 64 hex' }),
        response: S.answers(S.OUTPUT_VIEW, 400, 404),
      },
    },
    async (req, reply) => {
      const id = parseHashParam('id', req.params.id)
      const spent = await chain.spentCoinOutput(id)
      const at = spent && (await chain.transactionLocation(spent.transactionId))
      if (!spent || !at) throw notFound(`coin output ${toHex(id)} is not spent on the main chain`)
      return sendJson(
        reply,
        outputView(
          { id, value: spent.value, condition: spent.condition },
          {
            spentBy: {
              transactionId: toHex(spent.transactionId),
              height: at.height,
              blockId: toHex(at.blockId),
              index: at.index,
            },
          },
        ),
      )
    },
  )

  app.get<{ Params: { id: string } }>(
    '/outputs/blockstake/:id',
    {
      schema: {
        summary: 'an unspent block stake output',
        tags: ['outputs'],
        params: S.params({ id: 'output ID, 64 hex' }),
        response: S.answers(S.OUTPUT_VIEW, 400, 404),
      },
    },
    async (req, reply) => {
      const id = parseHashParam('id', req.params.id)
      const o = await chain.blockStakeOutput(id)
      if (!o) throw notFound(`block stake output ${toHex(id)} is not unspent (unknown or spent)`)
      return sendJson(reply, outputView(o, spenderField(chain, pool, id)))
    },
  )

  // ---- addresses ----------------------------------------------------------------------------------

  app.get<{ Params: { address: string }; Querystring: { limit?: string } }>(
    '/addresses/:address/outputs',
    {
      schema: {
        summary: 'the unspent outputs and balances of an address',
        tags: ['addresses'],
        params: S.params({ address: 'address, 78 hex' }),
        querystring: S.query({ limit: `address index entries to read, 1 to ${MAX_OUTPUTS_LIMIT}` }),
        response: S.answers(S.ADDRESS_OUTPUTS, 400),
      },
    },
    async (req, reply) => {
      const uh = parseAddressParam('address', req.params.address)
      const limit = optionalUint(req.query, 'limit', DEFAULT_OUTPUTS_LIMIT, 1, MAX_OUTPUTS_LIMIT)
      return sendJson(reply, await addressOutputs(chain, pool, uh, limit))
    },
  )

  // issue #17: the multisig wallets an address is a member of (the explorer's address page)
  app.get<{ Params: { address: string }; Querystring: { limit?: string } }>(
    '/addresses/:address/multisig',
    {
      schema: {
        summary: 'the multisig wallets an address is a member of (main chain)',
        tags: ['addresses'],
        params: S.params({ address: 'address, 78 hex' }),
        querystring: S.query({ limit: `wallets to list, 1 to ${MAX_MULTISIG_LIMIT}` }),
        response: S.answers(S.MULTISIG_WALLETS, 400),
      },
    },
    async (req, reply) => {
      const uh = parseAddressParam('address', req.params.address)
      const limit = optionalUint(req.query, 'limit', MAX_MULTISIG_LIMIT, 1, MAX_MULTISIG_LIMIT)
      const height = chain.height
      const { wallets, more } = await chain.multisigWallets(uh, limit)
      return sendJson(reply, {
        address: unlockHashToString(uh),
        height,
        wallets: wallets.map((w) => ({
          address: unlockHashToString(w.address),
          condition: conditionToJson(w.condition),
        })),
        more,
      })
    },
  )

  // ---- explorer -----------------------------------------------------------------------------------

  app.get<{ Params: { hash: string }; Querystring: { limit?: string } }>(
    '/explorer/hashes/:hash',
    {
      schema: {
        summary: 'what a hash is: a block, transaction, unspent output or address (with its history)',
        tags: ['explorer'],
        params: S.params({ hash: '64-hex ID or 78-character address' }),
        querystring: S.query({ limit: `history entries of an address, 1 to ${MAX_ADDRESS_LIMIT}` }),
        response: S.answers(S.EXPLORER_HASH, 400, 404),
      },
    },
    async (req, reply) => {
      const hash = req.params.hash
      if (hash.length === 78) {
        const uh = parseAddressParam('hash', hash)
        const limit = optionalUint(req.query, 'limit', DEFAULT_ADDRESS_LIMIT, 1, MAX_ADDRESS_LIMIT)
        const history = await addressHistory(chain, uh, limit)
        const transactions: JsonValue[] = []
        const blocks: JsonValue[] = []
        for (const e of history.entries) {
          if (e.kind === 'transaction') {
            const tx = (await chain.block(e.location.blockId))?.transactions[e.location.index]
            if (tx) transactions.push(transactionView(chain, tx, e.location))
            continue
          }
          const block = await chain.block(e.blockId)
          if (!block) continue
          const payoutIds = chain.codec.minerPayoutIds(block, e.blockId)
          blocks.push({
            id: toHex(e.blockId),
            height: e.height,
            minerPayouts: block.minerPayouts.flatMap((p, i) =>
              unlockHashEquals(p.unlockHash, uh)
                ? [{ id: toHex(payoutIds[i]!), value: p.value.toString() }]
                : [],
            ),
          })
        }
        const unconfirmed = await poolTransactionsTouching(chain, pool, pool.transactions(), uh)
        return sendJson(reply, {
          hashtype: 'unlockhash',
          unlockhash: unlockHashToString(uh),
          transactions,
          blocks,
          unconfirmed: unconfirmed.map((tx) => transactionView(chain, tx)),
          more: history.more,
        })
      }
      if (hash.length !== 64)
        throw new ApiError(
          400,
          'invalid-parameter',
          `hash: expected a 64-hex ID or a 78-character address, got ${hash.length} characters`,
          { parameter: 'hash' },
        )
      const id = parseHashParam('hash', hash)
      const block = await findBlock(chain, id)
      if (block) return sendJson(reply, { hashtype: 'blockid', block })
      const transaction = await findTransaction(chain, pool, id)
      if (transaction) return sendJson(reply, { hashtype: 'transactionid', transaction })
      for (const kind of ['coin', 'blockstake'] as const) {
        const output = await findOutput(chain, pool, id, kind)
        if (output) return sendJson(reply, { hashtype: `${kind}outputid`, output })
      }
      throw notFound(`${toHex(id)} is no known block, transaction or unspent output`)
    },
  )

  // ---- transaction pool ---------------------------------------------------------------------------

  app.get(
    '/txpool',
    { schema: { summary: 'the pool transactions', tags: ['pool'], response: S.answers(S.TXPOOL) } },
    async (_req, reply) => {
      const txs = pool.transactions()
      return sendJson(reply, {
        transactions: txs.map((tx) => chain.registry.toJson(tx)),
        transactionIds: txs.map((tx) => toHex(chain.registry.id(tx))),
        count: txs.length,
        bytes: pool.bytes,
      })
    },
  )

  app.post(
    '/txpool',
    {
      schema: {
        summary: 'submit a transaction or a set of dependent transactions',
        tags: ['pool'],
        body: S.TXPOOL_SUBMISSION,
        response: S.answers(S.TXPOOL_ACCEPTED, 400, 401, 409, 413, 415, 503),
      },
    },
    async (req, reply) => {
      const { txs, single } = parseSubmission(chain, req.body)
      const { ids } = await pool.addSet(txs)
      if (opts.publishTransactionSet) {
        try {
          opts.publishTransactionSet(txs)
        } catch (err) {
          req.log.error({ err }, 'api: publishing a transaction set failed')
        }
      }
      return sendJson(reply, single ? { transactionId: toHex(ids[0]!) } : { transactionIds: ids.map(toHex) })
    },
  )

  // ---- network, events, metrics -------------------------------------------------------------------

  app.get(
    '/peers',
    { schema: { summary: 'connected peers', tags: ['network'], response: S.answers(S.PEERS) } },
    async (_req, reply) =>
      sendJson(
        reply,
        (network?.peers() ?? []).map((p) => ({
          id: p.id,
          addresses: [...p.addresses],
          direction: p.direction,
          height: p.height,
          tipId: p.tipId,
        })),
      ),
  )

  // no HEAD twin: it would open a stream too
  app.get<{ Querystring: { address?: unknown } }>(
    '/events',
    {
      exposeHeadRoute: false,
      schema: {
        summary: 'Server-Sent Events: tip, reorg, and address (with ?address=) events',
        tags: ['network'],
        produces: 'text/event-stream',
        querystring: S.query({ address: 'also send the activity of this address' }),
        response: S.answers(S.TEXT, 400, 429, 503),
      },
    },
    async (req, reply) => {
      const raw = req.query.address
      const address =
        raw === undefined
          ? undefined
          : parseAddressParam('address', typeof raw === 'string' ? raw : String(raw))
      if (streams.full) throw new ApiError(503, 'busy', `too many event streams (${streams.maxClients})`)
      // one client cannot take them all
      const client = req.socket.remoteAddress ?? ''
      if (streams.clientFull(client))
        throw new ApiError(429, 'busy', `this client holds ${streams.maxPerClient} event streams already`)
      reply.hijack()
      streams.open(reply.raw, address, client)
    },
  )

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        tags: ['network'],
        produces: METRICS_CONTENT_TYPE,
        response: S.answers(S.TEXT),
      },
    },
    async (_req, reply) => {
      const memory = process.memoryUsage()
      const text = renderMetrics([
        {
          name: 'blockstake_height',
          type: 'gauge',
          help: 'Height of the main chain tip.',
          value: chain.height,
        },
        {
          name: 'blockstake_peers',
          type: 'gauge',
          help: 'Connected peers.',
          value: network?.peers().length ?? 0,
        },
        {
          name: 'blockstake_synced',
          type: 'gauge',
          help: '1 when the node has caught up with its peers.',
          value: (network?.synced ?? true) ? 1 : 0,
        },
        {
          name: 'blockstake_txpool_transactions',
          type: 'gauge',
          help: 'Transactions in the pool.',
          value: pool.size,
        },
        {
          name: 'blockstake_txpool_bytes',
          type: 'gauge',
          help: 'Binary size of the pool transactions.',
          value: pool.bytes,
        },
        {
          name: 'blockstake_blocks_applied_total',
          type: 'counter',
          help: 'Blocks applied to the main chain since the API started.',
          value: feed.blocksApplied,
        },
        {
          name: 'blockstake_reorgs_total',
          type: 'counter',
          help: 'Tip changes that reverted blocks since the API started.',
          value: feed.reorgs,
        },
        {
          name: 'blockstake_sync_rate_blocks_per_second',
          type: 'gauge',
          help: 'Blocks per second applied by the last sync run (0 when idle).',
          value: network?.syncRate ?? 0,
        },
        {
          name: 'blockstake_api_event_streams',
          type: 'gauge',
          help: 'Open /events streams.',
          value: streams.size,
        },
        {
          name: 'process_resident_memory_bytes',
          type: 'gauge',
          help: 'Resident memory size in bytes.',
          value: memory.rss,
        },
        {
          name: 'process_cpu_seconds_total',
          type: 'counter',
          help: 'User and system CPU time spent, in seconds.',
          value: cpuSeconds(),
        },
        {
          name: 'nodejs_heap_size_total_bytes',
          type: 'gauge',
          help: 'V8 heap reserved, in bytes.',
          value: memory.heapTotal,
        },
        {
          name: 'nodejs_heap_size_used_bytes',
          type: 'gauge',
          help: 'V8 heap in use, in bytes.',
          value: memory.heapUsed,
        },
        {
          name: 'nodejs_external_memory_bytes',
          type: 'gauge',
          help: 'Memory of C++ objects bound to JavaScript objects (buffers included), in bytes.',
          value: memory.external,
        },
      ])
      return reply.type(METRICS_CONTENT_TYPE).send(text)
    },
  )

  explorerRoutes(app, opts.explorerDir)

  // rendered on first use: every route, this one included, is registered by then
  let openapi: string | undefined
  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'this document (OpenAPI 3.1)',
        tags: ['meta'],
        response: S.answers(S.OPENAPI_DOCUMENT),
      },
    },
    async (_req, reply) => {
      openapi ??= stringifyJson(
        documented.document({ title: `Blockstake node API (${chain.def.name})`, version: API_VERSION }),
      )
      return reply.type('application/json; charset=utf-8').send(openapi)
    },
  )

  await app.ready()
  return app
}

// ---- helpers ------------------------------------------------------------------------------------------

function sendJson(reply: FastifyReply, value: JsonValue): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(stringifyJson(value))
}

const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

function optionalUint(query: unknown, name: string, fallback: number, min: number, max: number): number {
  const v = (query as Record<string, unknown> | undefined)?.[name]
  if (v === undefined) return fallback
  const n = parseUintParam(name, typeof v === 'string' ? v : String(v), max)
  if (n < min)
    throw new ApiError(400, 'invalid-parameter', `${name}: expected an integer from ${min} to ${max}`, {
      parameter: name,
    })
  return n
}

async function findBlock(chain: Chain, id: Uint8Array): Promise<JsonValue | undefined> {
  const meta = await chain.meta(id)
  const block = meta && (await chain.block(id))
  return meta && block ? blockView(chain, block, id, meta.height) : undefined
}

async function findTransaction(
  chain: Chain,
  pool: TransactionPool,
  id: Uint8Array,
): Promise<JsonValue | undefined> {
  const at = await chain.transactionLocation(id)
  const tx = at && (await chain.block(at.blockId))?.transactions[at.index]
  if (at && tx) return transactionView(chain, tx, at)
  const pending = pool.get(id)
  return pending && transactionView(chain, pending)
}

/** `unconfirmedSpender` when a pool transaction spends the output. */
function spenderField(chain: Chain, pool: TransactionPool, id: Uint8Array): { [key: string]: JsonValue } {
  const spender = pool.spenderOf(id)
  return spender ? { unconfirmedSpender: toHex(chain.registry.id(spender)) } : {}
}

/** An unspent output of the chain, or one created by a pool transaction (`unconfirmed: true`). */
async function findOutput(
  chain: Chain,
  pool: TransactionPool,
  id: Uint8Array,
  kind: 'coin' | 'blockstake',
): Promise<JsonValue | undefined> {
  const onChain = kind === 'coin' ? await chain.coinOutput(id) : await chain.blockStakeOutput(id)
  if (onChain) return outputView(onChain, spenderField(chain, pool, id))
  const hex = toHex(id)
  for (const tx of pool.transactions()) {
    const ids = chain.registry.outputIds(tx)
    const list = kind === 'coin' ? ids.coinOutputIds : ids.blockStakeOutputIds
    const i = list.findIndex((o) => toHex(o) === hex)
    if (i < 0) continue
    const out = (kind === 'coin' ? tx.coinOutputs : tx.blockStakeOutputs)[i]!
    const entry: OutputEntry = { id, value: out.value, condition: out.condition }
    return outputView(entry, {
      unconfirmed: true,
      transactionId: toHex(ids.id),
      ...spenderField(chain, pool, id),
    })
  }
  return undefined
}

/** One Rivine transaction JSON, or `{"transactions": [...]}` for a set of dependent transactions. */
function parseSubmission(chain: Chain, body: unknown): { txs: Transaction[]; single: boolean } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ApiError(400, 'bad-request', 'expected a transaction object or {"transactions": [...]}')
  const obj = body as Record<string, unknown>
  const decode = (value: unknown, field?: string): Transaction => {
    try {
      return field === undefined
        ? chain.registry.fromJson(value)
        : inField(field, () => chain.registry.fromJson(value))
    } catch (err) {
      if (err instanceof DecodeError) throw decodeFailure(err)
      throw err
    }
  }
  if ('transactions' in obj && !('version' in obj)) {
    const list = obj.transactions
    if (!Array.isArray(list) || list.length === 0)
      throw new ApiError(400, 'bad-request', 'transactions: expected a non-empty array of transactions')
    if (list.length > MAX_SET_TRANSACTIONS)
      throw new ApiError(
        400,
        'bad-request',
        `transactions: a set holds at most ${MAX_SET_TRANSACTIONS} transactions, got ${list.length}`,
      )
    return { txs: list.map((t, i) => decode(t, `transactions[${i}]`)), single: false }
  }
  return { txs: [decode(obj)], single: true }
}

const decodeFailure = (err: DecodeError): ApiError =>
  new ApiError(400, 'invalid-encoding', err.message, { rule: err.code, field: err.field })

const POOL_STATUS: Record<PoolErrorCode, number> = {
  'empty-set': 400,
  'tx-too-large': 400,
  'set-too-large': 400,
  invalid: 400,
  duplicate: 409,
  'already-confirmed': 409,
  conflict: 409,
  'pool-full': 503,
}

function poolFailure(err: PoolError): ApiError {
  const d = err.details
  return new ApiError(POOL_STATUS[err.code], err.code, err.message, {
    rule: err.cause?.code,
    transaction: d.transaction,
    input: d.input ? { list: d.input.list, index: d.input.index } : undefined,
    output: err.cause?.details.output
      ? { list: err.cause.details.output.list, index: err.cause.details.output.index }
      : undefined,
    conflictsWith: d.conflictsWith ? toHex(d.conflictsWith) : undefined,
    size: d.size,
    limit: d.limit,
  })
}

/** Any thrown value as the API's error shape; framework errors keep their 4xx status. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof PoolError) return poolFailure(err)
  if (err instanceof DecodeError) return decodeFailure(err)
  const validation = (err as { validation?: unknown; validationContext?: unknown }).validationContext
  if (typeof validation === 'string') {
    const message = `${validation}: ${(err as Error).message}`
    return validation === 'body'
      ? new ApiError(400, 'bad-request', message)
      : new ApiError(400, 'invalid-parameter', message)
  }
  if (err instanceof QueryError)
    return err.status === 404 ? notFound(err.message) : new ApiError(400, 'invalid-parameter', err.message)
  const status = (err as { statusCode?: unknown }).statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = (err as Error).message
    if (status === 413) return new ApiError(413, 'too-large', message)
    if (status === 415) return new ApiError(415, 'unsupported-media-type', message)
    if (status === 404) return notFound(message)
    return new ApiError(status, 'bad-request', message)
  }
  if (typeof status === 'number' && status === 503) return new ApiError(503, 'busy', (err as Error).message)
  return new ApiError(500, 'internal', 'internal error')
}
