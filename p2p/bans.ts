// Temporary bans of misbehaving peers and the connection gater that enforces them (DESIGN §5).
import type { ConnectionGater, PeerId } from '@libp2p/interface'

export class BanList {
  private readonly until = new Map<string, number>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Bans `peer` for `seconds` (extends a shorter ban). */
  ban(peer: string, seconds: number): void {
    const until = this.now() + seconds * 1000
    if ((this.until.get(peer) ?? 0) < until) this.until.set(peer, until)
  }

  isBanned(peer: string): boolean {
    const until = this.until.get(peer)
    if (until === undefined) return false
    if (until > this.now()) return true
    this.until.delete(peer)
    return false
  }

  /** Banned peers with the unix time (ms) their ban ends. */
  entries(): { peer: string; until: number }[] {
    const now = this.now()
    const out: { peer: string; until: number }[] = []
    for (const [peer, until] of this.until) {
      if (until > now) out.push({ peer, until })
      else this.until.delete(peer)
    }
    return out
  }
}

/** Refuses every dial to and every connection from a banned peer. */
export function banGater(bans: BanList): ConnectionGater {
  const denied = (peerId: PeerId) => bans.isBanned(peerId.toString())
  return {
    denyDialPeer: denied,
    denyInboundEncryptedConnection: denied,
    denyOutboundEncryptedConnection: denied,
    denyInboundUpgradedConnection: denied,
    denyOutboundUpgradedConnection: denied,
  }
}
