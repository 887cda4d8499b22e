// DESIGN §5: what misbehaviour costs a peer. Each penalty adds points weighted by the work it cost us;
// points decay with time, so an honest peer's occasional timeout is forgotten; reaching the ban score bans
// the peer: it is disconnected and refused (bans.ts gates its connections) until the ban ends.
import type { Logger } from 'pino'
import { BanList } from './bans.js'

/** The default ban score. */
export const BAN_SCORE = 100

/** Points per kind of misbehaviour, out of BAN_SCORE. */
export const PENALTY = {
  /** An undecodable or out-of-bounds message, request or answer. */
  badMessage: 20,
  /** A block that fails validation (its header, stake and every signature were checked): a ban. */
  invalidBlock: BAN_SCORE,
  /** A rejected transaction set, plus `perSignature` for each input it made us check. */
  rejectedSet: 10,
  perSignature: 2,
  /** A sync run from a peer that claimed a heavier chain and added nothing. */
  fruitlessSync: 10,
  /** … because it answered with no blocks although it claimed more: a lie, not a network failure. */
  emptyAnswer: 15,
  /** … per request of that run that timed out. */
  timeout: 5,
  /** It did not answer our status requests. */
  noStatus: 10,
} as const

export interface PenaltyOptions {
  /** How long a ban lasts (seconds). */
  readonly banSeconds: number
  /** Points that ban (default BAN_SCORE). */
  readonly banScore?: number
  /** Points forgotten per second (default: the ban score in 10 minutes). */
  readonly decayPerSecond?: number
  readonly log: Logger
  /** A peer was banned now (not called again while its ban runs): disconnect it. */
  readonly onBan: (peer: string, reason: string, seconds: number) => void
  /** Clock in milliseconds (tests). */
  readonly now?: () => number
}

/** Scores kept at most (a flood of identities cannot grow the map without bound). */
const MAX_TRACKED = 10_000

interface Score {
  points: number
  at: number
}

export class Penalties {
  readonly bans: BanList
  readonly banScore: number
  private readonly decayPerMs: number
  private readonly now: () => number
  private readonly scores = new Map<string, Score>()

  constructor(private readonly opts: PenaltyOptions) {
    this.now = opts.now ?? Date.now
    this.bans = new BanList(this.now)
    this.banScore = opts.banScore ?? BAN_SCORE
    this.decayPerMs = (opts.decayPerSecond ?? this.banScore / 600) / 1000
  }

  isBanned(peer: string): boolean {
    return this.bans.isBanned(peer)
  }

  /** Banned peers with the unix time (ms) their ban ends (drops expired bans). */
  banned(): { peer: string; until: number }[] {
    return this.bans.entries()
  }

  /** The peer's points now (after decay). */
  score(peer: string): number {
    const s = this.scores.get(peer)
    return s ? Math.max(0, s.points - (this.now() - s.at) * this.decayPerMs) : 0
  }

  /** Bans `peer` for `seconds` (default `banSeconds`). */
  ban(peer: string, reason: string, seconds = this.opts.banSeconds): void {
    const already = this.bans.isBanned(peer)
    this.bans.ban(peer, seconds)
    this.scores.delete(peer)
    if (already) return
    this.opts.log.warn({ event: 'peer:banned', peer, reason, seconds }, 'peer banned')
    this.opts.onBan(peer, reason, seconds)
  }

  /** Adds `points` to the peer's score; bans it when the score reaches the ban score. Returns the score. */
  penalise(peer: string, points: number, reason: string): number {
    if (this.bans.isBanned(peer)) return this.banScore
    if (!this.scores.has(peer) && this.scores.size >= MAX_TRACKED) this.forgetLowest()
    const score = this.score(peer) + points
    this.opts.log.debug(
      { event: 'peer:penalty', peer, points, score: Math.round(score), reason },
      'peer misbehaved',
    )
    if (score >= this.banScore) {
      this.ban(peer, `penalty score ${Math.round(score)}, the last for: ${reason}`)
      return score
    }
    this.scores.set(peer, { points: score, at: this.now() })
    return score
  }

  /** Drops the scores that decayed to nothing, or else the lowest half. */
  private forgetLowest(): void {
    for (const peer of this.scores.keys()) if (this.score(peer) === 0) this.scores.delete(peer)
    if (this.scores.size < MAX_TRACKED) return
    const sorted = [...this.scores.keys()].sort((a, b) => this.score(a) - this.score(b))
    for (const peer of sorted.slice(0, sorted.length / 2)) this.scores.delete(peer)
  }
}
