// DESIGN §5: what misbehaviour costs a peer. Strikes add up to a ban; a banned peer is disconnected and
// refused (bans.ts gates its connections) until the ban ends.
import type { Logger } from 'pino'
import { BanList } from './bans.js'

export interface PenaltyOptions {
  /** How long a ban lasts (seconds). */
  readonly banSeconds: number
  /** Strikes before a ban. */
  readonly maxStrikes: number
  readonly log: Logger
  /** A peer was banned now (not called again while its ban runs): disconnect it. */
  readonly onBan: (peer: string, reason: string, seconds: number) => void
}

/** Strikes kept at most (a flood of identities cannot grow the map without bound). */
const MAX_TRACKED = 10_000

export class Penalties {
  readonly bans = new BanList()
  private readonly strikes = new Map<string, number>()

  constructor(private readonly opts: PenaltyOptions) {}

  isBanned(peer: string): boolean {
    return this.bans.isBanned(peer)
  }

  /** Banned peers with the unix time (ms) their ban ends (drops expired bans). */
  banned(): { peer: string; until: number }[] {
    return this.bans.entries()
  }

  /** Bans `peer` for `seconds` (default `banSeconds`). */
  ban(peer: string, reason: string, seconds = this.opts.banSeconds): void {
    const already = this.bans.isBanned(peer)
    this.bans.ban(peer, seconds)
    this.strikes.delete(peer)
    if (already) return
    this.opts.log.warn({ event: 'peer:banned', peer, reason, seconds }, 'peer banned')
    this.opts.onBan(peer, reason, seconds)
  }

  /** One strike; the `maxStrikes`th bans. */
  strike(peer: string, reason: string): void {
    if (this.strikes.size > MAX_TRACKED) this.strikes.clear()
    const n = (this.strikes.get(peer) ?? 0) + 1
    this.opts.log.debug({ event: 'peer:strike', peer, strikes: n, reason }, 'peer misbehaved')
    if (n >= this.opts.maxStrikes) this.ban(peer, `${n} strikes, the last: ${reason}`)
    else this.strikes.set(peer, n)
  }
}
