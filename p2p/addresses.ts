// Which peer addresses are worth sharing through peer exchange: TCP over a public-looking IP, or over
// loopback (local networks of tests and devnets), always with the /p2p/<id> suffix.
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'

export interface TcpAddress {
  readonly ip: string
  readonly family: 4 | 6
  readonly port: number
  readonly peerId?: string
}

/** The IP, port and peer ID of a plain `/ip4|ip6/…/tcp/…[/p2p/…]` address; undefined for anything else. */
export function parseTcpAddress(ma: Multiaddr): TcpAddress | undefined {
  const parts = ma.getComponents()
  const [ip, tcp, p2p, ...rest] = parts
  if (!ip || !tcp || rest.length > 0) return undefined
  if ((ip.name !== 'ip4' && ip.name !== 'ip6') || ip.value === undefined) return undefined
  if (tcp.name !== 'tcp' || tcp.value === undefined) return undefined
  if (p2p && (p2p.name !== 'p2p' || p2p.value === undefined)) return undefined
  const port = Number(tcp.value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
  return { ip: ip.value, family: ip.name === 'ip4' ? 4 : 6, port, ...(p2p ? { peerId: p2p.value } : {}) }
}

/** A multiaddr string from a peer, or undefined when it does not parse. */
export function tryMultiaddr(text: string): Multiaddr | undefined {
  try {
    return multiaddr(text)
  } catch {
    return undefined
  }
}

export function isLoopback(a: TcpAddress): boolean {
  return a.family === 4 ? a.ip.startsWith('127.') : a.ip === '::1'
}

/** Not loopback, private, link-local, shared, multicast or unspecified. */
export function isPublicLooking(a: TcpAddress): boolean {
  if (a.family === 4) {
    const o = a.ip.split('.').map(Number)
    if (o.length !== 4 || o.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false
    const [x, y] = o as [number, number, number, number]
    if (x === 0 || x === 10 || x === 127 || x >= 224) return false
    if (x === 100 && y >= 64 && y < 128) return false // carrier-grade NAT
    if (x === 169 && y === 254) return false
    if (x === 172 && y >= 16 && y < 32) return false
    if (x === 192 && y === 168) return false
    return true
  }
  const ip = a.ip.toLowerCase()
  if (ip === '::' || ip === '::1') return false
  if (/^f[cd]/.test(ip) || /^fe[89ab]/.test(ip) || ip.startsWith('ff')) return false
  if (ip.startsWith('::ffff:')) return isPublicLooking({ ...a, ip: ip.slice(7), family: 4 })
  return true
}

/** Whether `a` may be shared with a peer (loopback only with peers that are themselves on loopback). */
export function isShareable(a: TcpAddress, allowLoopback: boolean): boolean {
  return isPublicLooking(a) || (allowLoopback && isLoopback(a))
}
