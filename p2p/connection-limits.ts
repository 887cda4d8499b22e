// DESIGN §5: connection slots. Identities are free, addresses are not: one IP (one /64 for IPv6) holds at most
// `maxInboundPerIp` inbound connections, and inbound connections together at most `maxInbound`, so the
// remaining slots stay free for the node's own dials (inbound peers cannot starve them). The gater refuses
// before the encryption handshake; a connection that raced past it is closed once it opens.
import type { Connection, ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { isLoopback, parseTcpAddress } from './addresses.js'
import type { BanList } from './bans.js'

export interface ConnectionLimitsOptions {
  /** Inbound connections at most. */
  readonly maxInbound: number
  /** Inbound connections from one IP (IPv6: one /64) at most. */
  readonly maxInboundPerIp: number
  /** Apply the per-IP cap to loopback too (tests); off by default, loopback is this machine. */
  readonly limitLoopback: boolean
  /** The open connections. */
  readonly connections: () => readonly Connection[]
}

/** The network an address counts against: the IPv4 address, or the /64 of an IPv6 one. */
export function ipKey(ma: Multiaddr): { key: string; loopback: boolean } | undefined {
  const a = parseTcpAddress(ma)
  if (!a) return undefined
  const loopback = isLoopback(a)
  if (a.family === 4) return { key: a.ip, loopback }
  const groups = expandIpv6(a.ip)
  return { key: groups ? `${groups.slice(0, 4).join(':')}::/64` : a.ip, loopback }
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or undefined. */
function expandIpv6(ip: string): string[] | undefined {
  let text = ip.toLowerCase()
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] ? halves[0].split(':') : []
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...tail]
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined
  return groups.map((g) => g.replace(/^0+(?=.)/, ''))
}

/** How `maxPeers` splits: half (at least one) for our own dials, the rest for inbound connections. */
export function connectionSlots(maxPeers: number): { outbound: number; inbound: number } {
  const outbound = Math.max(1, Math.floor(maxPeers / 2))
  return { outbound, inbound: Math.max(0, maxPeers - outbound) }
}

export class ConnectionLimits {
  constructor(private readonly opts: ConnectionLimitsOptions) {}

  /** Why another inbound connection from `remote` is refused now, or undefined. */
  refuseInbound(remote: Multiaddr): string | undefined {
    return this.check(remote, this.inbound())
  }

  /**
   * The open inbound connections that are over the limits, each with the reason: every connection is judged
   * against those opened before it, so of several that raced past the gater only the later ones go.
   */
  excess(): { connection: Connection; reason: string }[] {
    const inbound = this.inbound().sort(
      (a, b) => a.timeline.open - b.timeline.open || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    const kept: Connection[] = []
    const out: { connection: Connection; reason: string }[] = []
    for (const connection of inbound) {
      const reason = this.check(connection.remoteAddr, kept)
      if (reason) out.push({ connection, reason })
      else kept.push(connection)
    }
    return out
  }

  private inbound(): Connection[] {
    return this.opts.connections().filter((c) => c.direction === 'inbound')
  }

  private check(remote: Multiaddr, inbound: readonly Connection[]): string | undefined {
    if (inbound.length >= this.opts.maxInbound)
      return `all ${this.opts.maxInbound} inbound slots are taken (the others are kept for our own dials)`
    const ip = ipKey(remote)
    if (!ip || (ip.loopback && !this.opts.limitLoopback)) return undefined
    const fromIp = inbound.filter((c) => ipKey(c.remoteAddr)?.key === ip.key).length
    if (fromIp >= this.opts.maxInboundPerIp)
      return `${ip.key} already holds ${fromIp} inbound connections (at most ${this.opts.maxInboundPerIp})`
    return undefined
  }

  /** Outbound connections and dials to `remote`'s IP, against the same cap (peer exchange may name many). */
  outboundFull(remote: Multiaddr, dialing: readonly Multiaddr[]): boolean {
    const ip = ipKey(remote)
    if (!ip || (ip.loopback && !this.opts.limitLoopback)) return false
    const same = (ma: Multiaddr) => ipKey(ma)?.key === ip.key
    const open = this.opts
      .connections()
      .filter((c) => c.direction === 'outbound' && same(c.remoteAddr)).length
    return open + dialing.filter(same).length >= this.opts.maxInboundPerIp
  }
}

/** Refuses banned peers and, for inbound connections, whatever the limits refuse. */
export function connectionGater(bans: BanList, limits: ConnectionLimits): ConnectionGater {
  const banned = (peerId: PeerId) => bans.isBanned(peerId.toString())
  return {
    denyDialPeer: banned,
    denyInboundConnection: (maConn: MultiaddrConnection) =>
      limits.refuseInbound(maConn.remoteAddr) !== undefined,
    denyInboundEncryptedConnection: banned,
    denyOutboundEncryptedConnection: banned,
    denyInboundUpgradedConnection: banned,
    denyOutboundUpgradedConnection: banned,
  }
}
