// DESIGN §5: when to sync and from whom, and whether the node is synced. A peer is ahead when its status
// claims a heavier chain with a tip we do not know; that claim is unproven until blocks back it
// (claims.ts). Runs (sync.ts) go to the peer with the best credible claim first; a run that brings
// nothing penalises the peer by what it cost us and discredits its claims until it backs one.
import { validationVerdict } from '../consensus/validation/verdict.js'
import { Claims } from './claims.js'
import { errorText, type P2PContext } from './context.js'
import type { PeerState } from './peers.js'
import { PENALTY } from './penalties.js'
import type { Status } from './protocols/messages.js'
import { Syncer, type SyncOutcome, type SyncProgress } from './sync.js'
import type { ChainTip } from './types.js'

export interface SyncSchedulerOptions {
  /** Blocks per range request. */
  readonly batchSize: number
  /** Range requests in flight. */
  readonly inFlight: number
  /** How long a claim counts before blocks back it; a run that adds none for this long is stopped. */
  readonly claimGraceMs: number
  /** How long a connected peer's first status exchange may hold the node back. */
  readonly statusGraceMs: number
  /** The pause after a run that did not reach the claim; it doubles with each fruitless run, up to 60 s. */
  readonly backoffMs: number
  /** The peers and their statuses. */
  readonly peers: () => Iterable<PeerState>
  readonly peer: (id: string) => PeerState | undefined
  /** The bootstrap dials made at start are under way. */
  readonly bootstrapping: () => boolean
  readonly onProgress: (p: SyncProgress) => void
  /** The node became synced. */
  readonly onSynced: () => void
}

/** The longest pause between attempts with a peer whose runs bring nothing. */
const MAX_SYNC_BACKOFF_MS = 60_000

export class SyncScheduler {
  readonly claims: Claims
  private readonly syncer: Syncer
  private syncing: Promise<void> | undefined
  /** The peer of the run under way. */
  private syncingFrom: string | undefined
  /** Blocks the run under way has added so far. */
  private added = 0
  /** Aborts the run under way when it has added nothing for a grace period. */
  private stall: AbortController | undefined
  private watchdog: NodeJS.Timeout | undefined
  private recheck: NodeJS.Timeout | undefined
  private wasSynced = false
  /** Blocks per second of the current sync run, or of the last one. */
  rate = 0

  constructor(
    private readonly ctx: P2PContext,
    private readonly opts: SyncSchedulerOptions,
  ) {
    this.claims = new Claims({
      graceMs: opts.claimGraceMs,
      backoffMs: opts.backoffMs,
      maxBackoffMs: Math.max(opts.backoffMs, MAX_SYNC_BACKOFF_MS),
    })
    this.syncer = new Syncer({
      chain: ctx.chain,
      client: { blocksLater: (peer, req, signal) => ctx.host.services.chain.blocksLater(peer, req, signal) },
      batchSize: opts.batchSize,
      inFlight: opts.inFlight,
      attempts: 3,
      onProgress: (p) => {
        this.rate = p.rate
        // blocks from the peer back its claim
        if (p.added > this.added) this.onBacked()
        this.added = p.added
        opts.onProgress(p)
      },
    })
  }

  /**
   * The node is not behind any peer whose claim counts: false while the first bootstrap dials are under way,
   * while a connected peer's first status exchange is pending (at most `statusGraceMs` after it connected)
   * and while a peer's claim of a heavier chain is credible (fresh, or backed by blocks within the grace
   * period, and no fruitless run since). True at once without peers.
   */
  get synced(): boolean {
    return this.evaluate().synced
  }

  private evaluate(): { synced: boolean; until?: number } {
    if (!this.ctx.running || this.opts.bootstrapping()) return { synced: false }
    const now = Date.now()
    let until: number | undefined
    const earliest = (t: number) => {
      until = until === undefined ? t : Math.min(until, t)
    }
    for (const s of this.opts.peers()) {
      const end = s.connectedAt + this.opts.statusGraceMs
      if (!s.statusDone && end > now) earliest(end)
    }
    const claims = this.claims.sweep()
    if (claims.expiresAt !== undefined) earliest(claims.expiresAt)
    return until === undefined ? { synced: true } : { synced: false, until }
  }

  /** A sync run is under way. */
  get isSyncing(): boolean {
    return this.syncing !== undefined
  }

  /** Its claims do not count (see Claims). */
  discredited(peer: string): boolean {
    return this.claims.discredited(peer)
  }

  /** Waits for the run under way (the service is stopping). */
  async stop(): Promise<void> {
    if (this.recheck) clearTimeout(this.recheck)
    this.recheck = undefined
    await this.syncing
    this.claims.clear()
  }

  /** A peer's new status: is it ahead? Then a sync run starts (unless one is under way). */
  async noteStatus(state: PeerState): Promise<void> {
    if (!state.status) return
    const ahead = await this.isAhead(state.status)
    this.claims.update(state.id.toString(), ahead)
    if (ahead) this.schedule()
  }

  /** The peer is banned. */
  forget(id: string): void {
    this.claims.forget(id)
  }

  /** The peer disconnected. */
  disconnected(id: string): void {
    this.claims.disconnected(id)
  }

  /** Heavier than our tip (lower depth) and with a tip we do not have. */
  private async isAhead(status: Status): Promise<boolean> {
    if (!(status.depth < this.ctx.chain.tip.depth)) return false
    return (await this.ctx.chain.meta(status.tipId)) === undefined
  }

  readonly onTip = (tip: ChainTip): void => {
    // our tip reached the claim: neither backed nor fruitless, just no longer ahead
    for (const [id, c] of this.claims.entries()) {
      const status = this.opts.peer(id)?.status
      if (c.ahead && status && !(status.depth < tip.depth)) c.ahead = false
    }
    this.check()
  }

  /** Emits `synced` when the node has just become synced; re-checks when a grace period runs out. */
  check(): void {
    const { synced, until } = this.evaluate()
    if (synced && !this.wasSynced) {
      this.ctx.log.info({ event: 'synced', height: this.ctx.chain.height }, 'synced')
      this.opts.onSynced()
    }
    this.wasSynced = synced
    if (this.recheck) clearTimeout(this.recheck)
    this.recheck = undefined
    if (until !== undefined && this.ctx.running) {
      this.recheck = setTimeout(() => this.check(), Math.max(0, until - Date.now()) + 5)
      this.recheck.unref()
    }
  }

  /** Starts a sync run unless one is under way. */
  schedule(): void {
    if (!this.ctx.running || this.syncing) return
    this.syncing = this.loop().finally(() => {
      this.syncing = undefined
      this.check()
    })
  }

  /** The peer to sync from next: credible claims first, then the heaviest; none in a retry pause. */
  private nextPeer(): PeerState | undefined {
    const now = Date.now()
    let best: PeerState | undefined
    let bestCredible = false
    for (const s of this.opts.peers()) {
      const id = s.id.toString()
      const c = this.claims.get(id)
      if (!c?.ahead || !s.status || c.retryAfter > now || this.ctx.penalties.isBanned(id)) continue
      const credible = this.claims.credible(id)
      const better =
        !best ||
        (credible && !bestCredible) ||
        (credible === bestCredible && s.status.depth < best.status!.depth)
      if (better) {
        best = s
        bestCredible = credible
      }
    }
    return best
  }

  private onBacked(): void {
    const id = this.syncingFrom
    if (id === undefined) return
    this.claims.backed(id)
    this.armWatchdog()
  }

  /** (Re)starts the countdown that stops the run under way when no block arrives for a grace period. */
  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog)
    const stall = this.stall
    this.watchdog = setTimeout(
      () => stall?.abort(new Error('no block for a grace period')),
      this.opts.claimGraceMs,
    )
    this.watchdog.unref()
  }

  private async loop(): Promise<void> {
    const { chain, log } = this.ctx
    while (this.ctx.running) {
      const peer = this.nextPeer()
      if (!peer) return
      const id = peer.id.toString()
      const before = chain.height
      log.info(
        {
          event: 'sync:start',
          peer: id,
          height: before,
          target: peer.status?.height,
          credible: this.claims.credible(id),
        },
        'sync run started',
      )
      const stall = new AbortController()
      this.stall = stall
      this.syncingFrom = id
      this.added = 0
      this.armWatchdog()
      let outcome: SyncOutcome
      try {
        outcome = await this.syncer.syncFrom(
          peer.id,
          () => peer.status?.height ?? 0,
          AbortSignal.any([this.ctx.signal, stall.signal]),
        )
      } finally {
        this.syncingFrom = undefined
        if (this.watchdog) clearTimeout(this.watchdog)
        this.watchdog = undefined
        this.stall = undefined
      }
      if (!this.ctx.running) return
      this.rate = outcome.rate
      log.info(
        {
          event: 'sync:run',
          peer: id,
          outcome: outcome.kind,
          added: outcome.added,
          timeouts: outcome.timeouts,
          empty: outcome.empty,
          stalled: stall.signal.aborted,
          height: chain.height,
        },
        'sync run finished',
      )
      await this.judge(peer, outcome)
      this.check()
    }
  }

  /** What the run says about the peer: penalties, a discredited claim, a pause before the next attempt. */
  private async judge(peer: PeerState, outcome: SyncOutcome): Promise<void> {
    const id = peer.id.toString()
    const { penalties, log } = this.ctx
    if (outcome.kind === 'invalid') {
      const { code, message } = outcome.error
      if (validationVerdict(code, 'block') === 'reject') {
        penalties.penalise(id, PENALTY.invalidBlock, `it sent an invalid block: ${code}: ${message}`)
        return
      }
      // a rule our clock decides: not the peer's fault, and not a reason to hold block creation back
      log.debug({ peer: id, rule: code, err: message }, 'sync stopped at a block our clock refuses')
    }
    if (outcome.kind === 'misbehaved') penalties.penalise(id, PENALTY.badMessage, `sync: ${outcome.detail}`)
    const claim = this.claims.get(id)
    if (!claim) return
    claim.ahead = peer.status ? await this.isAhead(peer.status).catch(() => false) : false
    if (!claim.ahead) return
    if (outcome.added > 0) {
      // backed, but not all the way: go on after a pause
      if (outcome.kind !== 'done') this.claims.pause(id, this.opts.backoffMs)
      return
    }
    // it claims more and gave nothing: empty answers, stalls, timeouts
    this.claims.fruitless(id)
    if (outcome.kind === 'invalid') return
    const points =
      PENALTY.fruitlessSync + (outcome.empty ? PENALTY.emptyAnswer : 0) + PENALTY.timeout * outcome.timeouts
    const detail = outcome.kind === 'done' ? 'no blocks' : errorText(outcome.detail)
    penalties.penalise(id, points, `it claims a heavier chain but a sync brought nothing (${detail})`)
  }
}
