// DESIGN §5: a peer's claim of a heavier chain is unproven until blocks back it. A status costs nothing to
// send, so no single peer may hold the node "not synced" (no block creation, no transaction relay) on its
// word alone: a claim counts only while it is fresh (within the grace period) or being backed by blocks,
// and not at all after a sync from that peer brought nothing, until the peer backs a claim again.

/** Claims kept at most (disconnected discredited peers are dropped beyond it). */
const MAX_TRACKED = 10_000

export interface Claim {
  /** Its last status claims a chain heavier than ours, with a tip we do not know. */
  ahead: boolean
  /** When the claim was made or last backed by a block (ms). */
  since: number
  /** Sync runs in a row from this peer that added no block (or claims that expired unbacked). */
  fruitless: number
  /** No sync attempt with this peer before this time (ms). */
  retryAfter: number
}

export interface ClaimsOptions {
  /** How long an unbacked claim counts (ms). */
  readonly graceMs: number
  /** First pause after a fruitless run (ms); it doubles with each one, up to `maxBackoffMs`. */
  readonly backoffMs: number
  readonly maxBackoffMs: number
  readonly now?: () => number
}

export class Claims {
  private readonly claims = new Map<string, Claim>()
  private readonly now: () => number

  constructor(private readonly opts: ClaimsOptions) {
    this.now = opts.now ?? Date.now
  }

  get(peer: string): Claim | undefined {
    return this.claims.get(peer)
  }

  entries(): IterableIterator<[string, Claim]> {
    return this.claims.entries()
  }

  /** The peer's latest status is (or is not) ahead of us. A claim made now starts its grace period. */
  update(peer: string, ahead: boolean): Claim {
    let c = this.claims.get(peer)
    if (!c) {
      c = { ahead: false, since: 0, fruitless: 0, retryAfter: 0 }
      this.claims.set(peer, c)
    }
    if (ahead && !c.ahead) c.since = this.now()
    c.ahead = ahead
    return c
  }

  /** A sync from the peer added blocks: its claim is backed. */
  backed(peer: string): void {
    const c = this.claims.get(peer)
    if (!c) return
    c.fruitless = 0
    c.since = this.now()
  }

  /** A sync run from the peer added nothing: its claims stop counting until it backs one. */
  fruitless(peer: string): void {
    const c = this.claims.get(peer)
    if (!c) return
    c.fruitless++
    this.pause(peer, Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (c.fruitless - 1)))
  }

  /** No sync attempt with the peer for `ms`. */
  pause(peer: string, ms: number): void {
    const c = this.claims.get(peer)
    if (c) c.retryAfter = this.now() + ms
  }

  forget(peer: string): void {
    this.claims.delete(peer)
  }

  /**
   * The peer disconnected: its claim ends, but a discredited peer stays discredited (reconnecting does not
   * buy a new grace period); the records kept are bounded.
   */
  disconnected(peer: string): void {
    const c = this.claims.get(peer)
    if (!c) return
    if (c.fruitless === 0) {
      this.claims.delete(peer)
      return
    }
    c.ahead = false
    if (this.claims.size > MAX_TRACKED)
      for (const [id, other] of this.claims) if (!other.ahead) this.claims.delete(id)
  }

  clear(): void {
    this.claims.clear()
  }

  /** The claim holds the node back: ahead, fresh or backed lately, and no fruitless run since. */
  credible(peer: string): boolean {
    const c = this.claims.get(peer)
    return c !== undefined && this.isCredible(c)
  }

  /** Its claims do not count (a fruitless run or an expired claim since it last backed one). */
  discredited(peer: string): boolean {
    return (this.claims.get(peer)?.fruitless ?? 0) > 0
  }

  private isCredible(c: Claim): boolean {
    return c.ahead && c.fruitless === 0 && this.now() - c.since < this.opts.graceMs
  }

  /**
   * Counts claims whose grace ran out unbacked as fruitless (a peer cannot renew its grace by taking a
   * claim back and making it again); returns whether any claim is still credible and, if so, when the
   * first of them expires.
   */
  sweep(): { credible: boolean; expiresAt?: number } {
    const now = this.now()
    let expiresAt: number | undefined
    for (const c of this.claims.values()) {
      if (!c.ahead || c.fruitless > 0) continue
      const end = c.since + this.opts.graceMs
      if (end <= now) c.fruitless = 1
      else expiresAt = expiresAt === undefined ? end : Math.min(expiresAt, end)
    }
    return expiresAt === undefined ? { credible: false } : { credible: true, expiresAt }
  }
}
