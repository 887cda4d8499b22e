// DESIGN §5: Server-Sent Events for new tips, reorgs and address activity (GET /events).
import type { ServerResponse } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import { toHex } from '../../consensus/encoding/hex.js'
import { type JsonValue, stringifyJson } from '../../consensus/encoding/json.js'
import type { UnlockHash } from '../../consensus/types/unlockhash.js'
import type { Chain, TipInfo } from '../chain/chain.js'
import type { PoolSetInfo, TransactionPool } from '../mempool/pool.js'
import { appliedActivity, poolTransactionsTouching } from './address.js'
import type { ChainFeed, ChainUpdate } from './feed.js'

export interface EventStreamsOptions {
  readonly chain: Chain
  readonly pool: TransactionPool
  readonly feed: ChainFeed
  readonly logger: FastifyBaseLogger
  /** Interval of the keep-alive comments (default 15 s). */
  readonly keepAliveMs?: number
  /** Most simultaneous streams (default 256). */
  readonly maxClients?: number
  /** Most simultaneous streams of one client, by remote IP (default 16). */
  readonly maxPerClient?: number
}

/** A client that stops reading is dropped once this much is waiting in its socket buffer. */
const MAX_BUFFERED_BYTES = 1 << 20

const tipData = (tip: TipInfo): JsonValue => ({
  height: tip.height,
  tipId: toHex(tip.id),
  timestamp: tip.timestamp,
})

interface Stream {
  readonly onUpdate: (u: ChainUpdate) => void
  readonly onAdded: (set: PoolSetInfo) => void
  readonly end: () => void
}

/**
 * The open event streams. Listens once to the chain feed and the pool and fans out to the streams, so
 * a client leaving only removes its own entry.
 */
export class EventStreams {
  private readonly streams = new Set<Stream>()
  /** Open streams by client (remote IP). */
  private readonly perClient = new Map<string, number>()
  private readonly keepAliveMs: number
  readonly maxClients: number
  readonly maxPerClient: number

  // these run inside the chain's and the pool's emit: they must not throw
  private readonly onUpdate = (u: ChainUpdate): void => {
    for (const s of this.streams) this.guard(() => s.onUpdate(u))
  }

  private readonly onAdded = (set: PoolSetInfo): void => {
    for (const s of this.streams) this.guard(() => s.onAdded(set))
  }

  private guard(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.opts.logger.error({ err }, 'event stream: write failed')
    }
  }

  constructor(private readonly opts: EventStreamsOptions) {
    this.keepAliveMs = opts.keepAliveMs ?? 15_000
    this.maxClients = opts.maxClients ?? 256
    this.maxPerClient = opts.maxPerClient ?? 16
    opts.feed.on('update', this.onUpdate)
    opts.pool.on('added', this.onAdded)
  }

  get size(): number {
    return this.streams.size
  }

  get full(): boolean {
    return this.streams.size >= this.maxClients
  }

  /** The client (remote IP) holds its share of streams already. */
  clientFull(client: string): boolean {
    return (this.perClient.get(client) ?? 0) >= this.maxPerClient
  }

  /** Starts a stream on `res` (already taken over from the framework); it ends when the client leaves. */
  open(res: ServerResponse, address?: UnlockHash, client = ''): void {
    const { chain, pool, logger } = this.opts
    let closed = false
    const write = (chunk: string): void => {
      if (closed) return
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        logger.warn('event stream client is not reading; dropping it')
        res.destroy()
        return
      }
      res.write(chunk)
    }
    const send = (event: string, data: JsonValue): void =>
      write(`event: ${event}\ndata: ${stringifyJson(data)}\n\n`)

    // address events are computed asynchronously; one queue per stream keeps them in order
    let queue: Promise<void> = Promise.resolve()
    const enqueue = (job: () => Promise<void>): void => {
      queue = queue.then(job).catch((err: unknown) => {
        if (!closed) logger.error({ err }, 'event stream: address lookup failed')
      })
    }

    const keepAlive = setInterval(() => write(': keep-alive\n\n'), this.keepAliveMs)
    keepAlive.unref()
    const cleanup = (): void => {
      if (closed) return
      closed = true
      clearInterval(keepAlive)
      this.streams.delete(stream)
      const left = (this.perClient.get(client) ?? 1) - 1
      if (left > 0) this.perClient.set(client, left)
      else this.perClient.delete(client)
    }
    const stream: Stream = {
      onUpdate: (u) => {
        if (u.reverted.length > 0) {
          send('reorg', {
            reverted: u.reverted.map((b) => toHex(b.id)),
            applied: u.applied.map((b) => toHex(b.id)),
          })
        }
        send('tip', tipData(u.tip))
        if (!address) return
        enqueue(async () => {
          const events = await appliedActivity(chain, u.applied, address)
          for (const e of events) send('address', { ...e })
        })
      },
      onAdded: (set) => {
        if (!address) return
        enqueue(async () => {
          for (const tx of await poolTransactionsTouching(chain, pool, set.transactions, address)) {
            send('address', { txid: toHex(chain.registry.id(tx)), unconfirmed: true })
          }
        })
      },
      end: () => {
        cleanup()
        res.end()
      },
    }
    res.on('close', cleanup)
    res.on('error', cleanup)

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    res.flushHeaders()
    write('retry: 3000\n\n')
    send('tip', tipData(chain.tip))
    this.streams.add(stream)
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1)
  }

  /** Ends every stream and stops listening (the API is closing). */
  close(): void {
    this.opts.feed.off('update', this.onUpdate)
    this.opts.pool.off('added', this.onAdded)
    for (const s of [...this.streams]) s.end()
  }
}
