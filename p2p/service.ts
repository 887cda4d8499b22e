// DESIGN §5 (P2P): the node's libp2p host. TCP + noise + yamux + identify + ping + gossipsub, the chain's
// request/response protocols, status exchange on every connection, peer exchange, sync, gossip validation
// (ACCEPT / IGNORE / REJECT), bans, rate and size limits. mdns is off; peers come from bootstrap lists and
// peer exchange.
import { EventEmitter } from 'node:events'
import { bootstrap } from '@libp2p/bootstrap'
import { type GossipSub, gossipsub, type Message, TopicValidatorResult } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import type { Connection, IdentifyResult, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Logger } from 'pino'
import { blake2b256 } from '../consensus/crypto/hash.js'
import { equalBytes, toHex, utf8 } from '../consensus/encoding/hex.js'
import type { Block } from '../consensus/types/block.js'
import type { Transaction } from '../consensus/types/transaction.js'
import { ValidationError } from '../consensus/validation/errors.js'
import { isLoopback, isShareable, parseTcpAddress, tryMultiaddr } from './addresses.js'
import { BanList, banGater } from './bans.js'
import {
  type ChainProtocols,
  chainProtocols,
  type Misbehaviour,
  ownStatus,
  ProtocolViolation,
} from './chain-protocols.js'
import { loadOrCreatePeerKey } from './peer-key.js'
import { type GossipTopics, gossipTopics, type ProtocolIds, protocolIds } from './protocols/ids.js'
import { MAX_PEER_ADDRESSES, type Status, WireMessages } from './protocols/messages.js'
import { PeerRateLimiter } from './rate-limit.js'
import { Syncer, type SyncProgress } from './sync.js'
import type { ChainLike, ChainTip, NetworkView, PeerInfo, PoolLike } from './types.js'

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
  /** Status refresh, sync retry, peer exchange and bootstrap redial period (default 10 s). */
  readonly statusIntervalMs?: number
  /** Blocks per sync range request (default 50). */
  readonly syncBatchSize?: number
  /** Sync range requests in flight (default 4). */
  readonly syncInFlight?: number
  /** Per-peer request rate limit (default 20 requests/s, bursts of 40). */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number }
  /** Strikes (bad messages, invalid transactions) before a ban (default 5). */
  readonly maxStrikes?: number
  /** Also share and dial private-network addresses through peer exchange (LAN devnets; default false). */
  readonly sharePrivateAddresses?: boolean
}

export interface P2PEvents {
  'peer:connected': [peer: PeerInfo]
  'peer:disconnected': [peerId: string]
  'peer:banned': [peerId: string, reason: string]
  'sync:progress': [progress: SyncProgress]
  synced: []
  /** A valid gossiped block that did not become the tip (a competitor at or below the tip's height). */
  'block:side': [id: Uint8Array, height: number]
}

export type P2PServices = {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  chain: ChainProtocols
}

interface PeerState {
  readonly id: PeerId
  status?: Status
  /** The first status exchange has finished (successfully or not). */
  statusDone: boolean
  statusAt: number
  /** Its chain is heavier than ours and its tip unknown to us. */
  ahead: boolean
  /** No sync attempt with this peer before this time (ms). */
  retryAfter: number
}

/** Ancestors fetched by ID for a gossiped orphan before falling back to a locator sync. */
const MAX_ANCESTORS = 32
const STATUS_ATTEMPTS = 3
const SYNC_BACKOFF_MS = 5_000
const MAX_FUTURE_RETRIES = 16

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err))

export class P2PService extends EventEmitter<P2PEvents> implements NetworkView {
  readonly peerId: string
  readonly protocols: ProtocolIds
  readonly topics: GossipTopics
  readonly messages: WireMessages
  private node!: Libp2p<P2PServices>
  private readonly chain: ChainLike
  private readonly pool: PoolLike
  private readonly log: Logger
  private readonly maxPeers: number
  private readonly banSeconds: number
  private readonly requestTimeoutMs: number
  private readonly statusIntervalMs: number
  private readonly maxStrikes: number
  private readonly sharePrivate: boolean
  private readonly bootstrapAddresses: readonly Multiaddr[]
  private readonly bans = new BanList()
  private readonly limiter: PeerRateLimiter
  private readonly syncer: Syncer
  private readonly states = new Map<string, PeerState>()
  private readonly strikes = new Map<string, number>()
  private readonly dialing = new Set<string>()
  private readonly fetchingParents = new Set<string>()
  private readonly futureTimers = new Set<NodeJS.Timeout>()
  private abort = new AbortController()
  private running = false
  private syncing: Promise<void> | undefined
  private rate = 0
  private wasSynced = false
  /** The bootstrap dials made at start are under way. */
  private bootstrapping = false
  private timer: NodeJS.Timeout | undefined
  private maintaining = false

  private constructor(
    opts: P2PServiceOptions,
    private readonly privateKey: PrivateKey,
  ) {
    super()
    this.chain = opts.chain
    this.pool = opts.pool
    this.log = opts.logger.child({ module: 'p2p' })
    this.maxPeers = opts.maxPeers ?? 32
    this.banSeconds = opts.banSeconds ?? 600
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000
    this.statusIntervalMs = opts.statusIntervalMs ?? 10_000
    this.maxStrikes = opts.maxStrikes ?? 5
    this.sharePrivate = opts.sharePrivateAddresses ?? false
    this.bootstrapAddresses = opts.bootstrap.flatMap((a) => tryMultiaddr(a) ?? [])
    this.peerId = peerIdFromPrivateKey(privateKey).toString()
    this.protocols = protocolIds(opts.chain.genesisId)
    this.topics = gossipTopics(opts.chain.genesisId)
    this.messages = new WireMessages(opts.chain.codec, opts.chain.def.constants)
    this.limiter = new PeerRateLimiter(opts.rateLimit ?? { perSecond: 20, burst: 40 })
    this.syncer = new Syncer({
      chain: this.chain,
      client: {
        blocksLater: (peer, req, signal) => this.node.services.chain.blocksLater(peer, req, signal),
      },
      batchSize: opts.syncBatchSize ?? 128,
      inFlight: opts.syncInFlight ?? 4,
      attempts: 3,
      onProgress: (p) => {
        this.rate = p.rate
        this.log.info({ event: 'sync:progress', ...p, rate: Math.round(p.rate) }, 'sync progress')
        this.emit('sync:progress', p)
      },
    })
  }

  /** Loads (or creates) the peer identity in `dataDir` and builds the libp2p host; `start()` starts it. */
  static async create(opts: P2PServiceOptions): Promise<P2PService> {
    const key = await loadOrCreatePeerKey(opts.dataDir)
    const service = new P2PService(opts, key)
    service.node = await service.createNode(opts)
    return service
  }

  private createNode(opts: P2PServiceOptions): Promise<Libp2p<P2PServices>> {
    const maxMessage = this.messages.maxMessageSize
    return createLibp2p<P2PServices>({
      start: false,
      privateKey: this.privateKey,
      addresses: { listen: [...opts.listen] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: banGater(this.bans),
      connectionManager: { maxConnections: this.maxPeers },
      peerDiscovery:
        opts.bootstrap.length > 0 ? [bootstrap({ list: [...opts.bootstrap], timeout: 100 })] : [],
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          emitSelf: false,
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          // content-addressed IDs: the same block or set from two publishers is one message
          msgIdFn: (msg: Message) => blake2b256(utf8(msg.topic), msg.data),
          maxInboundDataLength: maxMessage + 64 * 1024,
          allowedTopics: [this.topics.blocks, this.topics.txs],
        }),
        chain: chainProtocols({
          chain: this.chain,
          messages: this.messages,
          protocols: this.protocols,
          requestTimeoutMs: this.requestTimeoutMs,
          limiter: this.limiter,
          onStatus: (peer, status) => void this.recordStatus(peer, status),
          onMisbehaviour: (peer, what, detail) => this.onMisbehaviour(peer, what, detail),
          shareablePeers: (connection, max) => this.shareablePeers(connection, max),
        }),
      },
    })
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
    const byPeer = new Map<string, Connection[]>()
    for (const c of this.node.getConnections()) {
      const id = c.remotePeer.toString()
      const list = byPeer.get(id)
      if (list) list.push(c)
      else byPeer.set(id, [c])
    }
    return [...byPeer].map(([id, conns]) => {
      const status = this.states.get(id)?.status
      return {
        id,
        addresses: conns.map((c) => c.remoteAddr.toString()),
        direction: conns[0]!.direction,
        ...(status ? { height: status.height, tipId: toHex(status.tipId) } : {}),
      }
    })
  }

  /**
   * No known peer is ahead of us: false while the first bootstrap dials are under way and until the first
   * status round with each peer; true at once without bootstrap peers.
   */
  get synced(): boolean {
    if (this.syncing || this.bootstrapping) return false
    for (const s of this.states.values()) if (!s.statusDone || s.ahead) return false
    return true
  }

  /** Blocks per second of the current sync run, or of the last one. */
  get syncRate(): number {
    return this.rate
  }

  /** The libp2p host (for tests and diagnostics). */
  get libp2p(): Libp2p<P2PServices> {
    return this.node
  }

  isBanned(peerId: string): boolean {
    return this.bans.isBanned(peerId)
  }

  bannedPeers(): { peer: string; until: number }[] {
    return this.bans.entries()
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.running) return
    if (this.abort.signal.aborted) this.abort = new AbortController()
    this.running = true
    this.node.addEventListener('peer:connect', this.onPeerConnect)
    this.node.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.node.addEventListener('peer:identify', this.onPeerIdentify)
    this.chain.on('tip', this.onTip)
    try {
      await this.node.start()
    } catch (err) {
      this.running = false
      this.chain.off('tip', this.onTip)
      this.node.removeEventListener('peer:connect', this.onPeerConnect)
      this.node.removeEventListener('peer:disconnect', this.onPeerDisconnect)
      this.node.removeEventListener('peer:identify', this.onPeerIdentify)
      throw err
    }
    const pubsub = this.node.services.pubsub
    pubsub.topicValidators.set(this.topics.blocks, this.validateBlock)
    pubsub.topicValidators.set(this.topics.txs, this.validateTransactions)
    pubsub.subscribe(this.topics.blocks)
    pubsub.subscribe(this.topics.txs)
    this.timer = setInterval(() => void this.maintain(), this.statusIntervalMs)
    this.timer.unref()
    // the bootstrap peers at once (peer discovery and the maintenance timer would come later); until
    // those dials settle the node does not count as synced (it would build on a tip it has not compared)
    if (this.bootstrapAddresses.length > 0) {
      this.bootstrapping = true
      void this.dialBootstrap().finally(() => {
        this.bootstrapping = false
        this.checkSynced()
      })
    }
    this.log.info(
      {
        event: 'p2p:started',
        peerId: this.peerId,
        listen: this.listenAddresses,
        genesis: toHex(this.chain.genesisId),
      },
      'p2p started',
    )
    this.checkSynced()
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.bootstrapping = false
    this.abort.abort()
    if (this.timer) clearInterval(this.timer)
    for (const t of this.futureTimers) clearTimeout(t)
    this.futureTimers.clear()
    this.chain.off('tip', this.onTip)
    this.node.removeEventListener('peer:connect', this.onPeerConnect)
    this.node.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.node.removeEventListener('peer:identify', this.onPeerIdentify)
    const pubsub = this.node.services.pubsub
    pubsub.topicValidators.delete(this.topics.blocks)
    pubsub.topicValidators.delete(this.topics.txs)
    await this.syncing
    await this.node.stop()
    this.states.clear()
    this.log.info({ event: 'p2p:stopped' }, 'p2p stopped')
  }

  // ---- publishing ---------------------------------------------------------------------------------------

  /** Gossips a block this node created; returns the number of peers it was sent to. */
  publishBlock(block: Block): Promise<number> {
    return this.publish(this.topics.blocks, this.messages.encodeGossipBlock(block))
  }

  /** Gossips a transaction set this node accepted from its API; returns the number of peers it was sent to. */
  publishTransactionSet(txs: readonly Transaction[]): Promise<number> {
    return this.publish(this.topics.txs, this.messages.encodeGossipTransactions(txs))
  }

  private async publish(topic: string, data: Uint8Array): Promise<number> {
    if (!this.running) return 0
    try {
      const { recipients } = await this.node.services.pubsub.publish(topic, data)
      return recipients.length
    } catch (err) {
      this.log.warn({ event: 'gossip:publish-failed', topic, err: errorText(err) }, 'publish failed')
      return 0
    }
  }

  // ---- peers --------------------------------------------------------------------------------------------

  private readonly onPeerConnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail
    const id = peer.toString()
    if (this.bans.isBanned(id)) {
      void this.node.hangUp(peer).catch(() => undefined)
      return
    }
    if (!this.states.has(id))
      this.states.set(id, { id: peer, statusDone: false, statusAt: 0, ahead: false, retryAfter: 0 })
    const info = this.peers().find((p) => p.id === id)
    this.log.info(
      { event: 'peer:connected', peer: id, address: info?.addresses[0], direction: info?.direction },
      'peer connected',
    )
    if (info) this.emit('peer:connected', info)
    void this.greet(peer)
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    this.states.delete(id)
    this.limiter.forget(id)
    this.log.info({ event: 'peer:disconnected', peer: id }, 'peer disconnected')
    this.emit('peer:disconnected', id)
    this.checkSynced()
  }

  /** Identify lists the peer's protocols: without our status protocol it follows another chain. */
  private readonly onPeerIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols } = evt.detail
    if (!this.running || protocols.includes(this.protocols.status)) return
    this.ban(peerId, 'it does not speak the protocols of this chain (another genesis)')
  }

  /** Status first (a different chain is refused), then peer exchange. */
  private async greet(peer: PeerId): Promise<void> {
    if (await this.exchangeStatus(peer)) await this.exchangePeers(peer)
  }

  /** Sends our status and records the peer's; false when the peer is gone, banned or unresponsive. */
  private async exchangeStatus(peer: PeerId): Promise<boolean> {
    const id = peer.toString()
    for (let attempt = 1; attempt <= STATUS_ATTEMPTS; attempt++) {
      if (!this.running || !this.states.has(id)) return false
      try {
        const theirs = await this.node.services.chain.status(peer, ownStatus(this.chain))
        return await this.recordStatus(peer, theirs)
      } catch (err) {
        if (!this.running) return false
        if (err instanceof Error && err.name === 'UnsupportedProtocolError') {
          // the protocol ids carry the genesis prefix: this peer follows another chain
          this.ban(peer, 'it does not speak the protocols of this chain (another genesis)')
          return false
        }
        if (err instanceof ProtocolViolation) {
          this.strike(peer, `bad status: ${err.message}`)
        }
        if (this.node.getConnections(peer).length === 0) return false
        this.log.debug({ peer: id, attempt, err: errorText(err) }, 'status exchange failed')
        await new Promise((r) => setTimeout(r, 200 * attempt))
      }
    }
    const state = this.states.get(id)
    if (state) {
      state.statusDone = true
      state.statusAt = Date.now()
    }
    this.checkSynced()
    return false
  }

  /** A status from a peer (our request's answer or its request): refuses other chains, notes who is ahead. */
  private async recordStatus(peer: PeerId, status: Status): Promise<boolean> {
    const id = peer.toString()
    if (!equalBytes(status.genesisId, this.chain.genesisId)) {
      this.ban(peer, `it follows another chain (genesis ${toHex(status.genesisId)})`)
      return false
    }
    const state = this.states.get(id)
    if (!state || this.bans.isBanned(id)) return false
    state.status = status
    state.statusAt = Date.now()
    state.ahead = await this.isAhead(status)
    state.statusDone = true
    if (state.ahead) this.scheduleSync()
    this.checkSynced()
    return true
  }

  /** Heavier than our tip (lower depth) and with a tip we do not have. */
  private async isAhead(status: Status): Promise<boolean> {
    if (!(status.depth < this.chain.tip.depth)) return false
    return (await this.chain.meta(status.tipId)) === undefined
  }

  private readonly onTip = (tip: ChainTip): void => {
    for (const s of this.states.values()) {
      if (s.ahead && s.status && !(s.status.depth < tip.depth)) s.ahead = false
    }
    this.checkSynced()
  }

  private get maxOutbound(): number {
    return Math.max(1, Math.floor(this.maxPeers / 2))
  }

  private outboundCount(): number {
    const ids = new Set<string>()
    for (const c of this.node.getConnections())
      if (c.direction === 'outbound') ids.add(c.remotePeer.toString())
    return ids.size
  }

  /** Asks the peer for its peers and dials unknown ones while fewer than maxPeers/2 are outbound. */
  private async exchangePeers(peer: PeerId): Promise<void> {
    if (!this.running || this.outboundCount() + this.dialing.size >= this.maxOutbound) return
    let addresses: readonly string[]
    try {
      addresses = await this.node.services.chain.peers(peer, MAX_PEER_ADDRESSES)
    } catch (err) {
      if (err instanceof ProtocolViolation) this.strike(peer, `bad peers answer: ${err.message}`)
      return
    }
    const viaLoopback = this.node.getConnections(peer).some((c) => {
      const a = parseTcpAddress(c.remoteAddr)
      return a !== undefined && isLoopback(a)
    })
    for (const text of addresses) {
      if (!this.running || this.outboundCount() + this.dialing.size >= this.maxOutbound) break
      const ma = tryMultiaddr(text)
      const a = ma && parseTcpAddress(ma)
      if (!ma || !a?.peerId) continue
      const id = a.peerId
      if (id === this.peerId || this.bans.isBanned(id) || this.dialing.has(id) || this.states.has(id))
        continue
      if (!this.sharePrivate && !isShareable(a, viaLoopback)) continue
      this.dialing.add(id)
      this.log.debug({ peer: id, address: text }, 'dialing a peer learnt by peer exchange')
      this.node
        .dial(ma, {
          signal: AbortSignal.any([AbortSignal.timeout(this.requestTimeoutMs), this.abort.signal]),
        })
        .catch((err: unknown) => this.log.debug({ address: text, err: errorText(err) }, 'dial failed'))
        .finally(() => this.dialing.delete(id))
    }
  }

  /** The `peers` answer: listen addresses of our other peers that are shareable with the requester. */
  private async shareablePeers(connection: Connection, max: number): Promise<readonly string[]> {
    const requester = connection.remotePeer.toString()
    const requesterAddress = parseTcpAddress(connection.remoteAddr)
    const loopbackOk = requesterAddress !== undefined && isLoopback(requesterAddress)
    const out: string[] = []
    const seen = new Set<string>([requester])
    for (const c of this.node.getConnections()) {
      if (out.length >= max) break
      const id = c.remotePeer.toString()
      if (seen.has(id) || this.bans.isBanned(id)) continue
      seen.add(id)
      const known = await this.node.peerStore.get(c.remotePeer).catch(() => undefined)
      const candidates = known?.addresses.map((a) => a.multiaddr) ?? []
      if (c.direction === 'outbound') candidates.push(c.remoteAddr)
      for (const ma of candidates) {
        const a = parseTcpAddress(ma)
        if (!a || (a.peerId !== undefined && a.peerId !== id)) continue
        if (!this.sharePrivate && !isShareable(a, loopbackOk)) continue
        out.push(`/${a.family === 4 ? 'ip4' : 'ip6'}/${a.ip}/tcp/${a.port}/p2p/${id}`)
        break
      }
    }
    return out
  }

  // ---- penalties ----------------------------------------------------------------------------------------

  /** Bans a peer (default `banSeconds`): it is disconnected and refused until the ban ends. */
  ban(peer: PeerId, reason: string, seconds = this.banSeconds): void {
    const id = peer.toString()
    if (id === this.peerId) return
    const already = this.bans.isBanned(id)
    this.bans.ban(id, seconds)
    this.strikes.delete(id)
    this.states.delete(id)
    if (!already) {
      this.log.warn({ event: 'peer:banned', peer: id, reason, seconds }, 'peer banned')
      this.emit('peer:banned', id, reason)
    }
    void this.node.hangUp(peer).catch(() => undefined)
    this.checkSynced()
  }

  private strike(peer: PeerId, reason: string): void {
    const id = peer.toString()
    if (this.strikes.size > 10_000) this.strikes.clear()
    const n = (this.strikes.get(id) ?? 0) + 1
    this.log.debug({ event: 'peer:strike', peer: id, strikes: n, reason }, 'peer misbehaved')
    if (n >= this.maxStrikes) this.ban(peer, `${n} strikes, the last: ${reason}`)
    else this.strikes.set(id, n)
  }

  private onMisbehaviour(peer: PeerId, what: Misbehaviour, detail: string): void {
    if (what === 'rate-limited')
      this.log.debug({ peer: peer.toString(), detail }, 'request over the rate limit')
    else this.strike(peer, `${what}: ${detail}`)
  }

  // ---- sync ---------------------------------------------------------------------------------------------

  private checkSynced(): void {
    const synced = this.running && this.synced
    if (synced && !this.wasSynced) {
      this.log.info({ event: 'synced', height: this.chain.height }, 'synced')
      this.emit('synced')
    }
    this.wasSynced = synced
  }

  private scheduleSync(): void {
    if (!this.running || this.syncing) return
    this.syncing = this.syncLoop().finally(() => {
      this.syncing = undefined
      this.checkSynced()
    })
  }

  /** The connected peer that is furthest ahead and not in a retry pause. */
  private bestPeerAhead(): PeerState | undefined {
    const now = Date.now()
    let best: PeerState | undefined
    for (const s of this.states.values()) {
      if (!s.ahead || !s.status || s.retryAfter > now || this.bans.isBanned(s.id.toString())) continue
      if (!best || s.status.depth < best.status!.depth) best = s
    }
    return best
  }

  private async syncLoop(): Promise<void> {
    while (this.running) {
      const peer = this.bestPeerAhead()
      if (!peer) return
      const id = peer.id.toString()
      const before = this.chain.height
      this.log.info(
        { event: 'sync:start', peer: id, height: before, target: peer.status?.height },
        'sync run started',
      )
      const outcome = await this.syncer.syncFrom(peer.id, () => peer.status?.height ?? 0, this.abort.signal)
      if (!this.running) return
      this.rate = outcome.rate
      this.log.info(
        {
          event: 'sync:run',
          peer: id,
          outcome: outcome.kind,
          added: outcome.added,
          height: this.chain.height,
        },
        'sync run finished',
      )
      if (outcome.kind === 'invalid') {
        this.ban(peer.id, `it sent an invalid block: ${outcome.error.code}: ${outcome.error.message}`)
        continue
      }
      if (outcome.kind === 'misbehaved') this.strike(peer.id, `sync: ${outcome.detail}`)
      if (outcome.kind !== 'done') this.log.debug({ peer: id, detail: outcome.detail }, 'sync run stopped')
      peer.ahead = peer.status ? await this.isAhead(peer.status) : false
      // a peer that still claims more after a run that gained nothing waits before the next attempt
      if (peer.ahead && (outcome.kind !== 'done' || this.chain.height === before))
        peer.retryAfter = Date.now() + SYNC_BACKOFF_MS
    }
  }

  /** Periodic: refresh statuses, retry syncs, look for more peers, redial bootstrap peers when alone. */
  private async maintain(): Promise<void> {
    if (!this.running || this.maintaining) return
    this.maintaining = true
    try {
      const now = Date.now()
      const peers = [...this.states.values()]
      await Promise.all(
        peers
          .filter((s) => now - s.statusAt >= this.statusIntervalMs)
          .map((s) => this.exchangeStatus(s.id).catch(() => false)),
      )
      this.scheduleSync()
      this.bans.entries() // drops expired bans
      if (this.node.getConnections().length === 0) {
        // alone: the bootstrap peers again (the gater refuses banned ones)
        await this.dialBootstrap()
      } else if (this.outboundCount() < this.maxOutbound && peers.length > 0) {
        const pick = peers[Math.floor(Math.random() * peers.length)]!
        await this.exchangePeers(pick.id)
      }
    } catch (err) {
      this.log.debug({ err: errorText(err) }, 'maintenance failed')
    } finally {
      this.maintaining = false
    }
  }

  /** Dials every bootstrap peer we are not connected to (the gater refuses banned ones). */
  private async dialBootstrap(): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.requestTimeoutMs), this.abort.signal])
    await Promise.all(
      this.bootstrapAddresses.map((ma) => {
        const id = parseTcpAddress(ma)?.peerId
        if (id !== undefined && (id === this.peerId || this.states.has(id))) return undefined
        return this.node.dial(ma, { signal }).catch(() => undefined)
      }),
    )
  }

  // ---- gossip -------------------------------------------------------------------------------------------

  /** tip/side → ACCEPT; duplicate/future → IGNORE; orphan → IGNORE + fetch parents; invalid → REJECT + ban. */
  private readonly validateBlock = async (from: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    let block: Block
    try {
      block = this.messages.decodeGossipBlock(msg.data)
    } catch (err) {
      this.strike(from, `undecodable gossiped block: ${errorText(err)}`)
      return TopicValidatorResult.Reject
    }
    try {
      const result = await this.chain.addBlock(block)
      // how late blocks arrive and what became of them (devnet diagnostics: forks, ties, lag)
      this.log.debug(
        {
          event: 'gossip:block',
          status: result.status,
          id: toHex(result.id),
          parent: toHex(block.parentId),
          timestamp: block.timestamp,
          lagMs: Date.now() - block.timestamp * 1000,
        },
        'gossiped block',
      )
      switch (result.status) {
        case 'side':
          this.emit('block:side', result.id, result.height)
          return TopicValidatorResult.Accept
        case 'tip':
          return TopicValidatorResult.Accept
        case 'duplicate':
          return TopicValidatorResult.Ignore
        case 'future':
          this.retryLater(block, result.retryAt)
          return TopicValidatorResult.Ignore
        case 'orphan':
          void this.fetchAncestors(from, result.parentId)
          return TopicValidatorResult.Ignore
      }
    } catch (err) {
      if (err instanceof ValidationError) {
        this.ban(from, `it gossiped an invalid block: ${err.code}: ${err.message}`)
        return TopicValidatorResult.Reject
      }
      this.log.debug({ err: errorText(err) }, 'gossiped block not added')
      return TopicValidatorResult.Ignore
    }
  }

  /** A block valid but ahead of our clock is tried again when its time comes (a bounded number of them). */
  private retryLater(block: Block, retryAt: number): void {
    if (this.futureTimers.size >= MAX_FUTURE_RETRIES) return
    const delay = Math.max(0, retryAt * 1000 - Date.now()) + 50
    const t = setTimeout(() => {
      this.futureTimers.delete(t)
      if (this.running) this.chain.addBlock(block).catch(() => undefined)
    }, delay)
    t.unref()
    this.futureTimers.add(t)
  }

  /** The parents of a gossiped orphan, by ID from the peer that sent it; a locator sync when too many. */
  private async fetchAncestors(peer: PeerId, parentId: Uint8Array): Promise<void> {
    const key = toHex(parentId)
    if (!this.running || this.syncing || this.fetchingParents.has(key) || this.fetchingParents.size >= 4)
      return
    this.fetchingParents.add(key)
    try {
      const known = this.states.get(peer.toString())?.status
      if (known && known.height - this.chain.height > MAX_ANCESTORS) {
        // far behind this peer: a status refresh starts a locator sync
        await this.exchangeStatus(peer)
        return
      }
      const missing: Block[] = []
      let want = parentId
      while (!(await this.chain.meta(want))) {
        if (missing.length >= MAX_ANCESTORS) {
          // too far behind for one-by-one fetches: a status refresh starts a locator sync
          await this.exchangeStatus(peer)
          return
        }
        const block = await this.node.services.chain.block(peer, want)
        if (!block) return
        missing.unshift(block)
        want = block.parentId
      }
      if (missing.length === 0) return
      const { error } = await this.chain.addBlocks(missing)
      if (error?.error instanceof ValidationError)
        this.ban(peer, `it served an invalid block: ${error.error.code}: ${error.error.message}`)
    } catch (err) {
      if (err instanceof ProtocolViolation) this.strike(peer, `bad block answer: ${err.message}`)
      else this.log.debug({ err: errorText(err) }, 'fetching the parents of an orphan failed')
    } finally {
      this.fetchingParents.delete(key)
    }
  }

  /** accepted → ACCEPT; duplicate/already-confirmed/pool-full → IGNORE; invalid/conflict → REJECT + strike. */
  private readonly validateTransactions = async (
    from: PeerId,
    msg: Message,
  ): Promise<TopicValidatorResult> => {
    let txs: readonly Transaction[]
    try {
      txs = this.messages.decodeGossipTransactions(msg.data)
    } catch (err) {
      this.strike(from, `undecodable gossiped transactions: ${errorText(err)}`)
      return TopicValidatorResult.Reject
    }
    // while catching up, transactions spend outputs we do not have yet
    if (!this.synced) return TopicValidatorResult.Ignore
    try {
      await this.pool.addSet(txs)
      return TopicValidatorResult.Accept
    } catch (err) {
      const code = (err as { code?: unknown }).code
      const cause = (err as { cause?: unknown }).cause
      switch (code) {
        case 'invalid':
          // a race with a block we have not seen yet is not the sender's fault
          if (cause instanceof ValidationError && cause.code === 'missing-output')
            return TopicValidatorResult.Ignore
          this.strike(from, `invalid transaction set: ${errorText(err)}`)
          return TopicValidatorResult.Reject
        case 'conflict':
        case 'empty-set':
        case 'tx-too-large':
        case 'set-too-large':
          this.strike(from, `refused transaction set (${code}): ${errorText(err)}`)
          return TopicValidatorResult.Reject
        default:
          // duplicate, already-confirmed, pool-full, or a local failure
          return TopicValidatorResult.Ignore
      }
    }
  }
}
