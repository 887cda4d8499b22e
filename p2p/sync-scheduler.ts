// DESIGN §5: when to sync and from whom, and whether the node is synced. A peer is ahead when its status
// claims a heavier chain with a tip we do not know; runs (sync.ts) go to the peer furthest ahead.

import { validationVerdict } from '../consensus/validation/verdict.js'
import type { P2PContext } from './context.js'
import type { PeerState } from './peers.js'
import { PENALTY } from './penalties.js'
import type { Status } from './protocols/messages.js'
import { Syncer, type SyncProgress } from './sync.js'
import type { ChainTip } from './types.js'

export interface SyncSchedulerOptions {
  /** Blocks per range request. */
  readonly batchSize: number
  /** Range requests in flight. */
  readonly inFlight: number
  /** The peers and their statuses. */
  readonly peers: () => Iterable<PeerState>
  /** The bootstrap dials made at start are under way. */
  readonly bootstrapping: () => boolean
  readonly onProgress: (p: SyncProgress) => void
  /** The node became synced. */
  readonly onSynced: () => void
}

interface Claim {
  /** Its chain is heavier than ours and its tip unknown to us. */
  ahead: boolean
  /** No sync attempt with this peer before this time (ms). */
  retryAfter: number
}

const SYNC_BACKOFF_MS = 5_000

export class SyncScheduler {
  private readonly claims = new Map<string, Claim>()
  private readonly syncer: Syncer
  private syncing: Promise<void> | undefined
  private wasSynced = false
  /** Blocks per second of the current sync run, or of the last one. */
  rate = 0

  constructor(
    private readonly ctx: P2PContext,
    private readonly opts: SyncSchedulerOptions,
  ) {
    this.syncer = new Syncer({
      chain: ctx.chain,
      client: { blocksLater: (peer, req, signal) => ctx.host.services.chain.blocksLater(peer, req, signal) },
      batchSize: opts.batchSize,
      inFlight: opts.inFlight,
      attempts: 3,
      onProgress: (p) => {
        this.rate = p.rate
        opts.onProgress(p)
      },
    })
  }

  /**
   * No known peer is ahead of us: false while the first bootstrap dials are under way and until the first
   * status round with each peer; true at once without bootstrap peers.
   */
  get synced(): boolean {
    if (!this.ctx.running || this.syncing || this.opts.bootstrapping()) return false
    for (const s of this.opts.peers()) if (!s.statusDone) return false
    for (const c of this.claims.values()) if (c.ahead) return false
    return true
  }

  /** A sync run is under way. */
  get isSyncing(): boolean {
    return this.syncing !== undefined
  }

  /** Waits for the run under way (the service is stopping). */
  async stop(): Promise<void> {
    await this.syncing
    this.claims.clear()
  }

  /** A peer's new status: is it ahead? Then a sync run starts (unless one is under way). */
  async noteStatus(state: PeerState): Promise<void> {
    if (!state.status) return
    const id = state.id.toString()
    const claim = this.claims.get(id) ?? { ahead: false, retryAfter: 0 }
    this.claims.set(id, claim)
    claim.ahead = await this.isAhead(state.status)
    if (claim.ahead) this.schedule()
  }

  /** The peer is gone or banned. */
  forget(id: string): void {
    this.claims.delete(id)
  }

  /** Heavier than our tip (lower depth) and with a tip we do not have. */
  private async isAhead(status: Status): Promise<boolean> {
    if (!(status.depth < this.ctx.chain.tip.depth)) return false
    return (await this.ctx.chain.meta(status.tipId)) === undefined
  }

  readonly onTip = (tip: ChainTip): void => {
    for (const [id, c] of this.claims) {
      const status = this.statusOf(id)
      if (c.ahead && status && !(status.depth < tip.depth)) c.ahead = false
    }
    this.check()
  }

  private statusOf(id: string): Status | undefined {
    for (const s of this.opts.peers()) if (s.id.toString() === id) return s.status
    return undefined
  }

  /** Emits `synced` when the node has just become synced. */
  check(): void {
    const synced = this.synced
    if (synced && !this.wasSynced) {
      this.ctx.log.info({ event: 'synced', height: this.ctx.chain.height }, 'synced')
      this.opts.onSynced()
    }
    this.wasSynced = synced
  }

  /** Starts a sync run unless one is under way. */
  schedule(): void {
    if (!this.ctx.running || this.syncing) return
    this.syncing = this.loop().finally(() => {
      this.syncing = undefined
      this.check()
    })
  }

  /** The connected peer that is furthest ahead and not in a retry pause. */
  private bestPeerAhead(): PeerState | undefined {
    const now = Date.now()
    let best: PeerState | undefined
    for (const s of this.opts.peers()) {
      const c = this.claims.get(s.id.toString())
      if (!c?.ahead || !s.status || c.retryAfter > now || this.ctx.penalties.isBanned(s.id.toString()))
        continue
      if (!best || s.status.depth < best.status!.depth) best = s
    }
    return best
  }

  private async loop(): Promise<void> {
    const { chain, log, penalties } = this.ctx
    while (this.ctx.running) {
      const peer = this.bestPeerAhead()
      if (!peer) return
      const id = peer.id.toString()
      const before = chain.height
      log.info(
        { event: 'sync:start', peer: id, height: before, target: peer.status?.height },
        'sync run started',
      )
      const outcome = await this.syncer.syncFrom(peer.id, () => peer.status?.height ?? 0, this.ctx.signal)
      if (!this.ctx.running) return
      this.rate = outcome.rate
      log.info(
        { event: 'sync:run', peer: id, outcome: outcome.kind, added: outcome.added, height: chain.height },
        'sync run finished',
      )
      if (outcome.kind === 'invalid' && validationVerdict(outcome.error.code, 'block') === 'reject') {
        const { code, message } = outcome.error
        penalties.penalise(id, PENALTY.invalidBlock, `it sent an invalid block: ${code}: ${message}`)
        continue
      }
      if (outcome.kind === 'misbehaved') penalties.penalise(id, PENALTY.badMessage, `sync: ${outcome.detail}`)
      if (outcome.kind !== 'done') {
        // an invalid block whose rule our clock decides is not the peer's fault: a retry later
        const detail =
          outcome.kind === 'invalid' ? `${outcome.error.code}: ${outcome.error.message}` : outcome.detail
        log.debug({ peer: id, detail }, 'sync run stopped')
      }
      const claim = this.claims.get(id)
      if (!claim) continue
      claim.ahead = peer.status ? await this.isAhead(peer.status) : false
      // a peer that still claims more after a run that gained nothing waits before the next attempt
      if (claim.ahead && (outcome.kind !== 'done' || chain.height === before))
        claim.retryAfter = Date.now() + SYNC_BACKOFF_MS
    }
  }
}
