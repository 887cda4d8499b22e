import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { ConnectionLimits, connectionSlots, ipKey } from '../../../p2p/connection-limits.js'

let nextId = 0
const conn = (address: string, direction: 'inbound' | 'outbound', open = nextId): Connection =>
  ({
    id: `c${nextId++}`,
    direction,
    remoteAddr: multiaddr(address),
    timeline: { open },
  }) as unknown as Connection

function limits(open: Connection[], opts: { limitLoopback?: boolean } = {}) {
  return new ConnectionLimits({
    maxInbound: 4,
    maxInboundPerIp: 2,
    limitLoopback: opts.limitLoopback ?? false,
    connections: () => open,
  })
}

describe('connection limits', () => {
  it('split maxPeers: half for our own dials', () => {
    expect(connectionSlots(32)).toEqual({ outbound: 16, inbound: 16 })
    expect(connectionSlots(1)).toEqual({ outbound: 1, inbound: 0 })
  })

  it('key an address by its IPv4 address or its IPv6 /64', () => {
    expect(ipKey(multiaddr('/ip4/8.8.8.8/tcp/1'))).toEqual({ key: '8.8.8.8', loopback: false })
    expect(ipKey(multiaddr('/ip6/2001:db8:1:2:3:4:5:6/tcp/1'))?.key).toBe('2001:db8:1:2::/64')
    expect(ipKey(multiaddr('/ip6/2001:db8:1:2::9/tcp/1'))?.key).toBe('2001:db8:1:2::/64')
    expect(ipKey(multiaddr('/ip6/2001:db8::/tcp/1'))?.key).toBe('2001:db8:0:0::/64')
    expect(ipKey(multiaddr('/ip6/::1/tcp/1'))).toEqual({ key: '0:0:0:0::/64', loopback: true })
  })

  it('refuse a third inbound connection from one IP, whatever its identities', () => {
    const open = [conn('/ip4/8.8.8.8/tcp/1', 'inbound'), conn('/ip4/8.8.8.8/tcp/2', 'inbound')]
    const l = limits(open)
    expect(l.refuseInbound(multiaddr('/ip4/8.8.8.8/tcp/3'))).toMatch(/8\.8\.8\.8 already holds 2/)
    expect(l.refuseInbound(multiaddr('/ip4/8.8.4.4/tcp/3'))).toBeUndefined()
    // an IPv6 attacker gets one /64, not 2^64 addresses
    const v6 = limits([
      conn('/ip6/2001:db8:1:2::1/tcp/1', 'inbound'),
      conn('/ip6/2001:db8:1:2::2/tcp/1', 'inbound'),
    ])
    expect(v6.refuseInbound(multiaddr('/ip6/2001:db8:1:2::3/tcp/1'))).toBeDefined()
  })

  it('keep the outbound slots: inbound stops at its share', () => {
    const open = ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'].map((ip) => conn(`/ip4/${ip}/tcp/1`, 'inbound'))
    open.push(conn('/ip4/5.5.5.5/tcp/1', 'outbound'))
    expect(limits(open).refuseInbound(multiaddr('/ip4/6.6.6.6/tcp/1'))).toMatch(/all 4 inbound slots/)
  })

  it('close only the later of connections that raced past the gater', () => {
    const open = [3, 1, 2].map((t) => conn('/ip4/8.8.8.8/tcp/1', 'inbound', t))
    open.push(conn('/ip4/8.8.8.8/tcp/1', 'outbound', 0), conn('/ip4/9.9.9.9/tcp/1', 'inbound', 4))
    const excess = limits(open).excess()
    expect(excess.map((e) => e.connection)).toEqual([open[0]])
    expect(excess[0]!.reason).toMatch(/8\.8\.8\.8 already holds 2/)
  })

  it('leave loopback alone unless asked (devnets and tests run many nodes on one machine)', () => {
    const open = [1, 2].map((t) => conn('/ip4/127.0.0.1/tcp/1', 'inbound', t))
    expect(limits(open).refuseInbound(multiaddr('/ip4/127.0.0.1/tcp/9'))).toBeUndefined()
    expect(
      limits(open, { limitLoopback: true }).refuseInbound(multiaddr('/ip4/127.0.0.1/tcp/9')),
    ).toBeDefined()
  })

  it('cap dials to one IP the same way (peer exchange can name many identities at one address)', () => {
    const open = [conn('/ip4/8.8.8.8/tcp/1', 'outbound')]
    const l = limits(open)
    expect(l.outboundFull(multiaddr('/ip4/8.8.8.8/tcp/2'), [])).toBe(false)
    expect(l.outboundFull(multiaddr('/ip4/8.8.8.8/tcp/2'), [multiaddr('/ip4/8.8.8.8/tcp/3')])).toBe(true)
  })
})
