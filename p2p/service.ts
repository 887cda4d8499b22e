// DESIGN §5 (P2P): the node's P2P service, composed of its parts: the libp2p host (host.ts), the peers and
// their statuses (peers.ts), penalties and bans (penalties.ts), gossip with validation (gossip.ts) and sync
// scheduling (sync-scheduler.ts over sync.ts). It starts and stops them in order and is what the rest of
// the node sees (NetworkView).
import { EventEmitter } from 'node:events'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from 'pino'
import { toHex } from '../consensus/encoding/hex.js'
import type { Block } from '../consensus/types/block.js'
import type { Transaction } from '../consensus/types/transaction.js'
import { tryMultiaddr } from './addresses.js'
import type { Misbehaviour } from './chain-protocols.js'
import { ConnectionLimits, connectionGater, connectionSlots } from './connection-limits.js'
import { errorText, type P2PContext } from './context.js'
import { Gossip } from './gossip.js'
import { createHost, type Host } from './host.js'
import { loadOrCreatePeerKey } from './peer-key.js'
import { PeerManager } from './peers.js'
import { PENALTY, Penalties } from './penalties.js'
import { type GossipTopics, gossipTopics, type ProtocolIds, protocolIds } from './protocols/ids.js'
import { WireMessages } from './protocols/messages.js'
import { PeerRateLimiter } from './rate-limit.js'
import type { SyncProgress } from './sync.js'
import { SyncScheduler } from './sync-scheduler.js'
import type { ChainLike, NetworkView, PeerInfo, PoolLike, PoolRefusal } from './types.js'

export type { P2PServices } from './host.js'

export interface P2PServiceOptions {
  readonly chain: ChainLike
  readonly pool: PoolLike
  /** Holds the persistent identity, `peer-key`. */
  readonly dataDir: string
  /** Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/23112`. */
  readonly listen: readonly string[]
  /** Multiaddrs with `/p2p/<id>` to dial at start (and again whenever the node has no peers). */
  readonly bootstrap: readonly string[]
  readonly logger: Logger
  /** Connection manager limit (default 32); peer exchange dials until half of it is outbound. */
  readonly maxPeers?: number
  /** How long a misbehaving peer stays banned (default 600 s). */
  readonly banSeconds?: number
  /** Deadline of every request (default 10 s). */
  readonly requestTimeoutMs?: number
  /**
   * How long a peer's claim of a heavier chain holds the node back (not synced) before blocks back it, and
   * how long a sync run may go without a block (default twice the request timeout).
   */
  readonly claimGraceMs?: number
  /** The first pause before syncing again from a peer whose run fell short (default 5 s; doubles, to 60 s). */
  readonly syncBackoffMs?: number
  /** How long a new peer's first status exchange may hold the node back (default half the request timeout). */
  readonly statusGraceMs?: number
  /** Status refresh, sync retry, peer exchange and bootstrap redial period (default 10 s). */
  readonly statusIntervalMs?: number
  /** Blocks per sync range request (default 128). */
  readonly syncBatchSize?: number
  /** Sync range requests in flight (default 4). */
  readonly syncInFlight?: number
  /** Per-peer request rate limit (default 20 requests/s, bursts of 40). */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number }
  /** REJECT or IGNORE for an error `pool.addSet` threw (node/pool-verdict.ts `judgePoolError`). */
  readonly judgePoolError: (err: unknown) => PoolRefusal
  /** Penalty points that ban a peer (default 100; p2p/penalties.ts PENALTY lists what costs how much). */
  readonly banScore?: number
  /** Inbound connections from one IP (IPv6: one /64) at most (default 2). */
  readonly maxInboundPerIp?: number
  /** Apply the per-IP cap to loopback addresses too (default false: loopback is this machine; tests). */
  readonly limitLoopback?: boolean
  /** Also share and dial private-network addresses through peer exchange (LAN devnets; default false). */
  readonly sharePrivateAddresses?: boolean
}

export interface P2PEvents {
  'peer:connected': [peer: PeerInfo]
  'peer:disconnected': [peerId: string]
  'peer:banned': [peerId: string, reason: string]
  'sync:progress': [progress: SyncProgress]
  synced: []
}

export class P2PService extends EventEmitter<P2PEvents> implements NetworkView, P2PContext {
  readonly peerId: string
  readonly protocols: ProtocolIds
  readonly topics: GossipTopics
  readonly messages: WireMessages
  readonly chain: ChainLike
  readonly log: Logger
  readonly penalties: Penalties
  readonly requestTimeoutMs: number
  private node!: Host
  private readonly statusIntervalMs: number
  private readonly limiter: PeerRateLimiter
  private readonly limits: ConnectionLimits
  private readonly peerManager: PeerManager
  private readonly scheduler: SyncScheduler
  private readonly gossip: Gossip
  private abort = new AbortController()
  private started = false
  private timer: NodeJS.Timeout | undefined
  private maintaining = false

  private constructor(opts: P2PServiceOptions, privateKey: PrivateKey) {
    super()
    this.chain = opts.chain
    this.log = opts.logger.child({ module: 'p2p' })
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000
    this.statusIntervalMs = opts.statusIntervalMs ?? 10_000
    this.peerId = peerIdFromPrivateKey(privateKey).toString()
    this.protocols = protocolIds(opts.chain.genesisId)
    this.topics = gossipTopics(opts.chain.genesisId)
    this.messages = new WireMessages(opts.chain.codec, opts.chain.def.constants)
    this.limiter = new PeerRateLimiter(opts.rateLimit ?? { perSecond: 20, burst: 40 })
    const slots = connectionSlots(opts.maxPeers ?? 32)
    this.limits = new ConnectionLimits({
      maxInbound: slots.inbound,
      maxInboundPerIp: opts.maxInboundPerIp ?? 2,
      limitLoopback: opts.limitLoopback ?? false,
      connections: () => this.node.getConnections(),
    })
    this.penalties = new Penalties({
      banSeconds: opts.banSeconds ?? 600,
      ...(opts.banScore !== undefined ? { banScore: opts.banScore } : {}),
      log: this.log,
      onBan: (peer, reason) => this.onBan(peer, reason),
    })
    this.peerManager = new PeerManager(this, {
      maxPeers: opts.maxPeers ?? 32,
      statusIntervalMs: this.statusIntervalMs,
      sharePrivate: opts.sharePrivateAddresses ?? false,
      bootstrap: opts.bootstrap.flatMap((a) => tryMultiaddr(a) ?? []),
      protocols: this.protocols,
      limiter: this.limiter,
      limits: this.limits,
      recommendable: (peer) =>
        !this.scheduler.discredited(peer) && this.penalties.score(peer) < this.penalties.banScore / 4,
      onStatus: (state) => this.scheduler.noteStatus(state),
      onConnected: (info) => this.emit('peer:connected', info),
      onDisconnected: (id) => {
        this.scheduler.disconnected(id)
        this.emit('peer:disconnected', id)
        this.scheduler.check()
      },
      onChange: () => this.scheduler.check(),
    })
    this.scheduler = new SyncScheduler(this, {
      batchSize: opts.syncBatchSize ?? 128,
      inFlight: opts.syncInFlight ?? 4,
      claimGraceMs: opts.claimGraceMs ?? 2 * this.requestTimeoutMs,
      statusGraceMs: opts.statusGraceMs ?? this.requestTimeoutMs / 2,
      backoffMs: opts.syncBackoffMs ?? 5_000,
      peers: () => this.peerManager.states.values(),
      peer: (id) => this.peerManager.states.get(id),
      bootstrapping: () => this.peerManager.bootstrapping,
      onProgress: (p) => {
        this.log.info({ event: 'sync:progress', ...p, rate: Math.round(p.rate) }, 'sync progress')
        this.emit('sync:progress', p)
      },
      onSynced: () => this.emit('synced'),
    })
    this.gossip = new Gossip(this, {
      pool: opts.pool,
      judgePoolError: opts.judgePoolError,
      messages: this.messages,
      topics: this.topics,
      synced: () => this.synced,
      syncing: () => this.scheduler.isSyncing,
      statusOf: (peer) => this.peerManager.states.get(peer)?.status,
      refreshStatus: (peer) => this.peerManager.exchangeStatus(peer),
    })
  }

  /** Loads (or creates) the peer identity in `dataDir` and builds the libp2p host; `start()` starts it. */
  static async create(opts: P2PServiceOptions): Promise<P2PService> {
    const key = await loadOrCreatePeerKey(opts.dataDir)
    const service = new P2PService(opts, key)
    service.node = await createHost({
      privateKey: key,
      listen: opts.listen,
      bootstrap: opts.bootstrap,
      maxConnections: opts.maxPeers ?? 32,
      maxIncomingPending: Math.max(1, Math.min(10, connectionSlots(opts.maxPeers ?? 32).inbound)),
      gater: connectionGater(service.penalties.bans, service.limits),
      topics: service.topics,
      protocols: {
        chain: service.chain,
        messages: service.messages,
        protocols: service.protocols,
        requestTimeoutMs: service.requestTimeoutMs,
        limiter: service.limiter,
        onStatus: (peer, status) => void service.peerManager.recordStatus(peer, status),
        onMisbehaviour: (peer, what, detail) => service.onMisbehaviour(peer, what, detail),
        shareablePeers: (connection, max) => service.peerManager.shareablePeers(connection, max),
      },
    })
    return service
  }

  // ---- P2PContext ---------------------------------------------------------------------------------------

  get host(): Host {
    return this.node
  }

  get running(): boolean {
    return this.started
  }

  get signal(): AbortSignal {
    return this.abort.signal
  }

  // ---- NetworkView --------------------------------------------------------------------------------------

  get listenAddresses(): readonly string[] {
    const suffix = `/p2p/${this.peerId}`
    return this.node.getMultiaddrs().map((ma) => {
      const s = ma.toString()
      return s.endsWith(suffix) ? s : s + suffix
    })
  }

  peers(): readonly PeerInfo[] {
    return this.peerManager.peers()
  }

  /** See SyncScheduler.synced. */
  get synced(): boolean {
    return this.scheduler.synced
  }

  /** Blocks per second of the current sync run, or of the last one. */
  get syncRate(): number {
    return this.scheduler.rate
  }

  /** The libp2p host (for tests and diagnostics). */
  get libp2p(): Host {
    return this.node
  }

  isBanned(peerId: string): boolean {
    return this.penalties.isBanned(peerId)
  }

  bannedPeers(): { peer: string; until: number }[] {
    return this.penalties.banned()
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.started) return
    if (this.abort.signal.aborted) this.abort = new AbortController()
    this.started = true
    this.chain.on('tip', this.scheduler.onTip)
    try {
      await this.node.start()
    } catch (err) {
      this.started = false
      this.chain.off('tip', this.scheduler.onTip)
      throw err
    }
    this.gossip.start()
    this.timer = setInterval(() => void this.maintain(), this.statusIntervalMs)
    this.timer.unref()
    this.peerManager.start()
    this.log.info(
      {
        event: 'p2p:started',
        peerId: this.peerId,
        listen: this.listenAddresses,
        genesis: toHex(this.chain.genesisId),
      },
      'p2p started',
    )
    this.scheduler.check()
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.abort.abort()
    if (this.timer) clearInterval(this.timer)
    this.chain.off('tip', this.scheduler.onTip)
    this.peerManager.stop()
    this.gossip.stop()
    await this.scheduler.stop()
    await this.node.stop()
    this.peerManager.states.clear()
    this.log.info({ event: 'p2p:stopped' }, 'p2p stopped')
  }

  // ---- publishing ---------------------------------------------------------------------------------------

  /** Gossips a block this node created; returns the number of peers it was sent to. */
  publishBlock(block: Block): Promise<number> {
    return this.gossip.publishBlock(block)
  }

  /** Gossips a transaction set this node accepted from its API; returns the number of peers it was sent to. */
  publishTransactionSet(txs: readonly Transaction[]): Promise<number> {
    return this.gossip.publishTransactionSet(txs)
  }

  /** The most gossip validations one peer ever had under way at once (one: host.ts). */
  get peakGossipValidationsPerPeer(): number {
    return this.gossip.peakValidationsPerPeer
  }

  // ---- penalties ----------------------------------------------------------------------------------------

  /** Bans a peer (default `banSeconds`): it is disconnected and refused until the ban ends. */
  ban(peer: PeerId, reason: string, seconds?: number): void {
    this.penalties.ban(peer.toString(), reason, seconds)
  }

  private onBan(peer: string, reason: string): void {
    this.peerManager.forget(peer)
    this.scheduler.forget(peer)
    this.emit('peer:banned', peer, reason)
    void this.node.hangUp(peerIdFromString(peer)).catch(() => undefined)
    this.scheduler.check()
  }

  private onMisbehaviour(peer: PeerId, what: Misbehaviour, detail: string): void {
    if (what === 'rate-limited')
      this.log.debug({ peer: peer.toString(), detail }, 'request over the rate limit')
    else this.penalties.penalise(peer.toString(), PENALTY.badMessage, `${what}: ${detail}`)
  }

  // ---- maintenance --------------------------------------------------------------------------------------

  /** Periodic: refresh statuses, retry syncs, look for more peers, redial bootstrap peers when alone. */
  private async maintain(): Promise<void> {
    if (!this.started || this.maintaining) return
    this.maintaining = true
    try {
      await this.peerManager.refreshStatuses()
      this.scheduler.schedule()
      this.penalties.banned() // drops expired bans
      await this.peerManager.findPeers()
    } catch (err) {
      this.log.debug({ err: errorText(err) }, 'maintenance failed')
    } finally {
      this.maintaining = false
    }
  }
}
