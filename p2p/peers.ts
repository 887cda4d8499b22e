// DESIGN §5: the node's peers. Connections and what we know of each peer (its status), the status exchange
// on every connection (a peer of another chain is banned), peer exchange while outbound slots are free, and
// the bootstrap peers (dialled at start and again whenever the node is alone).
import type { Connection, IdentifyResult, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { equalBytes, toHex } from '../consensus/encoding/hex.js'
import { isLoopback, isShareable, parseTcpAddress, tryMultiaddr } from './addresses.js'
import { ownStatus, ProtocolViolation } from './chain-protocols.js'
import { type ConnectionLimits, connectionSlots } from './connection-limits.js'
import { errorText, type P2PContext } from './context.js'
import { PENALTY } from './penalties.js'
import type { ProtocolIds } from './protocols/ids.js'
import { MAX_PEER_ADDRESSES, type Status } from './protocols/messages.js'
import type { PeerRateLimiter } from './rate-limit.js'
import type { PeerInfo } from './types.js'

export interface PeerState {
  readonly id: PeerId
  status?: Status
  /** The first status exchange has finished (successfully or not). */
  statusDone: boolean
  statusAt: number
  /** When it connected (ms). */
  readonly connectedAt: number
}

export interface PeerManagerOptions {
  /** The connection limit; peer exchange dials until half of it is outbound. */
  readonly maxPeers: number
  /** Status refresh period. */
  readonly statusIntervalMs: number
  /** Also share and dial private-network addresses. */
  readonly sharePrivate: boolean
  readonly bootstrap: readonly Multiaddr[]
  readonly protocols: ProtocolIds
  readonly limiter: PeerRateLimiter
  readonly limits: ConnectionLimits
  /** Whether a peer may be named to others in peer exchange (not one that lies or misbehaves). */
  readonly recommendable: (peer: string) => boolean
  /** A peer's status was recorded (before the peer counts as compared). */
  readonly onStatus: (state: PeerState) => Promise<void>
  readonly onConnected: (info: PeerInfo) => void
  readonly onDisconnected: (id: string) => void
  /** A status round ended or the bootstrap dials settled: `synced` may have changed. */
  readonly onChange: () => void
}

const STATUS_ATTEMPTS = 3

export class PeerManager {
  readonly states = new Map<string, PeerState>()
  /** Peer exchange dials under way, by peer. */
  private readonly dialing = new Map<string, Multiaddr>()
  /** The bootstrap dials made at start are under way. */
  bootstrapping = false

  constructor(
    private readonly ctx: P2PContext,
    private readonly opts: PeerManagerOptions,
  ) {}

  start(): void {
    const host = this.ctx.host
    host.addEventListener('peer:connect', this.onPeerConnect)
    host.addEventListener('peer:disconnect', this.onPeerDisconnect)
    host.addEventListener('peer:identify', this.onPeerIdentify)
    host.addEventListener('connection:open', this.onConnectionOpen)
    // the bootstrap peers at once (peer discovery and the maintenance timer would come later); until
    // those dials settle the node does not count as synced (it would build on a tip it has not compared)
    if (this.opts.bootstrap.length > 0) {
      this.bootstrapping = true
      void this.dialBootstrap(Number.POSITIVE_INFINITY).finally(() => {
        this.bootstrapping = false
        this.opts.onChange()
      })
    }
  }

  stop(): void {
    this.bootstrapping = false
    const host = this.ctx.host
    host.removeEventListener('peer:connect', this.onPeerConnect)
    host.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    host.removeEventListener('peer:identify', this.onPeerIdentify)
    host.removeEventListener('connection:open', this.onConnectionOpen)
  }

  /** Inbound connections that raced past the gater's limits are closed as soon as one opens. */
  private readonly onConnectionOpen = (): void => {
    for (const { connection, reason } of this.opts.limits.excess()) {
      this.ctx.log.debug(
        {
          event: 'peer:refused',
          peer: connection.remotePeer.toString(),
          address: connection.remoteAddr.toString(),
          reason,
        },
        'connection over the limits closed',
      )
      connection.abort(new Error(reason))
    }
  }

  /** Connected peers, one entry per peer. */
  peers(): PeerInfo[] {
    const byPeer = new Map<string, Connection[]>()
    for (const c of this.ctx.host.getConnections()) {
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

  /** Forgets a peer (banned). */
  forget(id: string): void {
    this.states.delete(id)
  }

  private readonly onPeerConnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail
    const id = peer.toString()
    if (this.ctx.penalties.isBanned(id)) {
      void this.ctx.host.hangUp(peer).catch(() => undefined)
      return
    }
    if (!this.states.has(id))
      this.states.set(id, { id: peer, statusDone: false, statusAt: 0, connectedAt: Date.now() })
    const info = this.peers().find((p) => p.id === id)
    this.ctx.log.info(
      { event: 'peer:connected', peer: id, address: info?.addresses[0], direction: info?.direction },
      'peer connected',
    )
    if (info) this.opts.onConnected(info)
    void this.greet(peer)
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    this.states.delete(id)
    this.opts.limiter.forget(id)
    this.ctx.log.info({ event: 'peer:disconnected', peer: id }, 'peer disconnected')
    this.opts.onDisconnected(id)
  }

  /** Identify lists the peer's protocols: without our status protocol it follows another chain. */
  private readonly onPeerIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols } = evt.detail
    if (!this.ctx.running || protocols.includes(this.opts.protocols.status)) return
    this.ctx.penalties.ban(
      peerId.toString(),
      'it does not speak the protocols of this chain (another genesis)',
    )
  }

  /** Status first (a different chain is refused), then peer exchange. */
  private async greet(peer: PeerId): Promise<void> {
    if (await this.exchangeStatus(peer)) await this.exchangePeers(peer)
  }

  /** Sends our status and records the peer's; false when the peer is gone, banned or unresponsive. */
  async exchangeStatus(peer: PeerId): Promise<boolean> {
    const id = peer.toString()
    for (let attempt = 1; attempt <= STATUS_ATTEMPTS; attempt++) {
      if (!this.ctx.running || !this.states.has(id)) return false
      try {
        const theirs = await this.ctx.host.services.chain.status(peer, ownStatus(this.ctx.chain))
        return await this.recordStatus(peer, theirs)
      } catch (err) {
        if (!this.ctx.running) return false
        if (err instanceof Error && err.name === 'UnsupportedProtocolError') {
          // the protocol ids carry the genesis prefix: this peer follows another chain
          this.ctx.penalties.ban(id, 'it does not speak the protocols of this chain (another genesis)')
          return false
        }
        if (err instanceof ProtocolViolation)
          this.ctx.penalties.penalise(id, PENALTY.badMessage, `bad status: ${err.message}`)
        if (this.ctx.host.getConnections(peer).length === 0) return false
        this.ctx.log.debug({ peer: id, attempt, err: errorText(err) }, 'status exchange failed')
        await new Promise((r) => setTimeout(r, 200 * attempt))
      }
    }
    const state = this.states.get(id)
    if (state) {
      state.statusDone = true
      state.statusAt = Date.now()
      this.ctx.penalties.penalise(id, PENALTY.noStatus, 'no answer to our status requests')
    }
    this.opts.onChange()
    return false
  }

  /** A status from a peer (our request's answer or its request): refuses other chains. */
  async recordStatus(peer: PeerId, status: Status): Promise<boolean> {
    const id = peer.toString()
    if (!equalBytes(status.genesisId, this.ctx.chain.genesisId)) {
      this.ctx.penalties.ban(id, `it follows another chain (genesis ${toHex(status.genesisId)})`)
      return false
    }
    const state = this.states.get(id)
    if (!state || this.ctx.penalties.isBanned(id)) return false
    state.status = status
    state.statusAt = Date.now()
    await this.opts.onStatus(state)
    state.statusDone = true
    this.opts.onChange()
    return true
  }

  private get maxOutbound(): number {
    return connectionSlots(this.opts.maxPeers).outbound
  }

  private outboundCount(): number {
    const ids = new Set<string>()
    for (const c of this.ctx.host.getConnections())
      if (c.direction === 'outbound') ids.add(c.remotePeer.toString())
    return ids.size
  }

  /** Asks the peer for its peers and dials unknown ones while fewer than maxPeers/2 are outbound. */
  private async exchangePeers(peer: PeerId): Promise<void> {
    const full = () => this.outboundCount() + this.dialing.size >= this.maxOutbound
    if (!this.ctx.running || full()) return
    let addresses: readonly string[]
    try {
      addresses = await this.ctx.host.services.chain.peers(peer, MAX_PEER_ADDRESSES)
    } catch (err) {
      if (err instanceof ProtocolViolation)
        this.ctx.penalties.penalise(peer.toString(), PENALTY.badMessage, `bad peers answer: ${err.message}`)
      return
    }
    const viaLoopback = this.ctx.host.getConnections(peer).some((c) => {
      const a = parseTcpAddress(c.remoteAddr)
      return a !== undefined && isLoopback(a)
    })
    for (const text of addresses) {
      if (!this.ctx.running || full()) break
      const ma = tryMultiaddr(text)
      const a = ma && parseTcpAddress(ma)
      if (!ma || !a?.peerId) continue
      const id = a.peerId
      if (
        id === this.ctx.host.peerId.toString() ||
        this.ctx.penalties.isBanned(id) ||
        this.dialing.has(id) ||
        this.states.has(id)
      )
        continue
      if (!this.opts.sharePrivate && !isShareable(a, viaLoopback)) continue
      // one address's worth of identities at most, as for inbound connections
      if (this.opts.limits.outboundFull(ma, [...this.dialing.values()])) continue
      this.dialing.set(id, ma)
      this.ctx.log.debug({ peer: id, address: text }, 'dialing a peer learnt by peer exchange')
      this.ctx.host
        .dial(ma, {
          signal: AbortSignal.any([AbortSignal.timeout(this.ctx.requestTimeoutMs), this.ctx.signal]),
        })
        .catch((err: unknown) => this.ctx.log.debug({ address: text, err: errorText(err) }, 'dial failed'))
        .finally(() => this.dialing.delete(id))
    }
  }

  /** The `peers` answer: listen addresses of our other peers that are shareable with the requester. */
  async shareablePeers(connection: Connection, max: number): Promise<readonly string[]> {
    const requester = connection.remotePeer.toString()
    const requesterAddress = parseTcpAddress(connection.remoteAddr)
    const loopbackOk = requesterAddress !== undefined && isLoopback(requesterAddress)
    const out: string[] = []
    const seen = new Set<string>([requester])
    for (const c of this.ctx.host.getConnections()) {
      if (out.length >= max) break
      const id = c.remotePeer.toString()
      if (seen.has(id) || this.ctx.penalties.isBanned(id) || !this.opts.recommendable(id)) continue
      seen.add(id)
      const known = await this.ctx.host.peerStore.get(c.remotePeer).catch(() => undefined)
      const candidates = known?.addresses.map((a) => a.multiaddr) ?? []
      if (c.direction === 'outbound') candidates.push(c.remoteAddr)
      for (const ma of candidates) {
        const a = parseTcpAddress(ma)
        if (!a || (a.peerId !== undefined && a.peerId !== id)) continue
        if (!this.opts.sharePrivate && !isShareable(a, loopbackOk)) continue
        out.push(`/${a.family === 4 ? 'ip4' : 'ip6'}/${a.ip}/tcp/${a.port}/p2p/${id}`)
        break
      }
    }
    return out
  }

  /** Periodic: asks every peer whose status is older than the refresh period for it again. */
  async refreshStatuses(): Promise<void> {
    const now = Date.now()
    await Promise.all(
      [...this.states.values()]
        .filter((s) => now - s.statusAt >= this.opts.statusIntervalMs)
        .map((s) => this.exchangeStatus(s.id).catch(() => false)),
    )
  }

  /** Periodic: more peers by peer exchange while outbound slots are free; the bootstrap peers when alone. */
  async findPeers(): Promise<void> {
    const peers = [...this.states.values()]
    if (this.ctx.host.getConnections().length === 0) {
      // alone: the bootstrap peers again (the gater refuses banned ones)
      await this.dialBootstrap(Number.POSITIVE_INFINITY)
    } else if (this.outboundCount() < this.maxOutbound) {
      // bootstrap peers lost while others stayed (a partition, their restart) are dialled again too: else
      // the two halves of a network that split stay apart for good, each connected within itself
      await this.dialBootstrap(this.maxOutbound - this.outboundCount())
      if (peers.length > 0) await this.exchangePeers(peers[Math.floor(Math.random() * peers.length)]!.id)
    }
  }

  /** Dials up to `slots` bootstrap peers we are not connected to (the gater refuses banned ones). */
  private async dialBootstrap(slots: number): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.ctx.requestTimeoutMs), this.ctx.signal])
    const self = this.ctx.host.peerId.toString()
    const missing = this.opts.bootstrap.filter((ma) => {
      const id = parseTcpAddress(ma)?.peerId
      return !(id !== undefined && (id === self || this.states.has(id) || this.dialing.has(id)))
    })
    await Promise.all(
      missing.slice(0, slots).map((ma) => this.ctx.host.dial(ma, { signal }).catch(() => undefined)),
    )
  }
}
