// Per-peer request rate limits: a token bucket per peer (refilled continuously, capped at the burst).

export interface RateLimitOptions {
  /** Tokens added per second. */
  readonly perSecond: number
  /** Bucket capacity (the largest burst). */
  readonly burst: number
  /** Clock in milliseconds (injectable for tests). */
  readonly now?: () => number
}

interface Bucket {
  tokens: number
  at: number
}

export class PeerRateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly perSecond: number
  private readonly burst: number
  private readonly now: () => number

  constructor(opts: RateLimitOptions) {
    if (!(opts.perSecond > 0) || !(opts.burst >= 1)) throw new RangeError('rate limits must be positive')
    this.perSecond = opts.perSecond
    this.burst = opts.burst
    this.now = opts.now ?? (() => performance.now())
  }

  /** Takes one token of `peer`'s bucket; false when it is empty (the request must be refused). */
  take(peer: string): boolean {
    const now = this.now()
    let b = this.buckets.get(peer)
    if (!b) {
      b = { tokens: this.burst, at: now }
      this.buckets.set(peer, b)
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond)
      b.at = now
    }
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  /** Forgets a peer (on disconnect). */
  forget(peer: string): void {
    this.buckets.delete(peer)
  }
}
