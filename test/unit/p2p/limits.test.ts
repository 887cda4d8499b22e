import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import {
  isLoopback,
  isPublicLooking,
  isShareable,
  parseTcpAddress,
  tryMultiaddr,
} from '../../../p2p/addresses.js'
import { BanList, banGater } from '../../../p2p/bans.js'
import { loadOrCreatePeerKey, PEER_KEY_FILE } from '../../../p2p/peer-key.js'
import { PeerRateLimiter } from '../../../p2p/rate-limit.js'

describe('PeerRateLimiter', () => {
  it('allows a burst, then the refill rate, per peer', () => {
    let t = 0
    const limiter = new PeerRateLimiter({ perSecond: 20, burst: 40, now: () => t })
    let ok = 0
    for (let i = 0; i < 100; i++) if (limiter.take('a')) ok++
    expect(ok).toBe(40)
    expect(limiter.take('b')).toBe(true) // buckets are per peer
    t += 100 // 0.1 s refills 2 tokens
    expect(limiter.take('a')).toBe(true)
    expect(limiter.take('a')).toBe(true)
    expect(limiter.take('a')).toBe(false)
    t += 60_000 // refills cap at the burst
    ok = 0
    for (let i = 0; i < 100; i++) if (limiter.take('a')) ok++
    expect(ok).toBe(40)
    limiter.forget('a')
    expect(limiter.take('a')).toBe(true)
    expect(() => new PeerRateLimiter({ perSecond: 0, burst: 1 })).toThrow(RangeError)
  })
})

describe('BanList', () => {
  const peer = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'

  it('bans until the time runs out, and the gater refuses banned peers', async () => {
    let now = 1_000
    const bans = new BanList(() => now)
    const gater = banGater(bans)
    const id = peerIdFromString(peer)
    expect(await gater.denyDialPeer!(id)).toBe(false)
    bans.ban(peer, 600)
    expect(bans.isBanned(peer)).toBe(true)
    expect(await gater.denyDialPeer!(id)).toBe(true)
    expect(bans.entries()).toEqual([{ peer, until: 601_000 }])
    bans.ban(peer, 10) // a shorter ban does not shorten the running one
    now = 600_000
    expect(bans.isBanned(peer)).toBe(true)
    now = 601_001
    expect(bans.isBanned(peer)).toBe(false)
    expect(bans.entries()).toEqual([])
  })
})

describe('addresses', () => {
  const id = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
  const parse = (s: string) => parseTcpAddress(multiaddr(s))

  it('parses plain TCP addresses with an optional peer ID', () => {
    expect(parse(`/ip4/1.2.3.4/tcp/4001/p2p/${id}`)).toEqual({
      ip: '1.2.3.4',
      family: 4,
      port: 4001,
      peerId: id,
    })
    expect(parse('/ip6/::1/tcp/9')).toEqual({ ip: '::1', family: 6, port: 9 })
    expect(parse('/ip4/1.2.3.4/udp/4001')).toBeUndefined()
    expect(parse('/dns4/example.com/tcp/1')).toBeUndefined()
    expect(parse('/ip4/1.2.3.4/tcp/1/ws')).toBeUndefined()
    expect(tryMultiaddr('not an address')).toBeUndefined()
  })

  it('shares public addresses, and loopback only with loopback peers', () => {
    const a = (s: string) => parse(s)!
    expect(isPublicLooking(a('/ip4/8.8.8.8/tcp/1'))).toBe(true)
    for (const ip of [
      '10.0.0.1',
      '127.0.0.1',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.1.1',
      '100.64.0.1',
      '0.0.0.0',
    ])
      expect(isPublicLooking(a(`/ip4/${ip}/tcp/1`)), ip).toBe(false)
    expect(isPublicLooking(a('/ip6/2001:db8::1/tcp/1'))).toBe(true)
    for (const ip of ['::1', 'fe80::1', 'fd00::1', '::'])
      expect(isPublicLooking(a(`/ip6/${ip}/tcp/1`)), ip).toBe(false)
    expect(isLoopback(a('/ip4/127.0.0.1/tcp/1'))).toBe(true)
    expect(isShareable(a('/ip4/127.0.0.1/tcp/1'), true)).toBe(true)
    expect(isShareable(a('/ip4/127.0.0.1/tcp/1'), false)).toBe(false)
    expect(isShareable(a('/ip4/192.168.0.2/tcp/1'), true)).toBe(false)
  })
})

describe('persistent peer identity', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('is created once with mode 0600 and reloaded unchanged', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'blockstake-peerkey-')), 'nested')
    dirs.push(join(dir, '..'))
    const first = await loadOrCreatePeerKey(dir)
    const file = join(dir, PEER_KEY_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual([PEER_KEY_FILE]) // no temporary file left behind
    const again = await loadOrCreatePeerKey(dir)
    expect(peerIdFromPrivateKey(again).toString()).toBe(peerIdFromPrivateKey(first).toString())
    expect(first.type).toBe('Ed25519')
    expect(readFileSync(file).length).toBeGreaterThan(32)
  })

  it('refuses a file that is not a key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blockstake-peerkey-'))
    dirs.push(dir)
    writeFileSync(join(dir, PEER_KEY_FILE), 'garbage')
    await expect(loadOrCreatePeerKey(dir)).rejects.toThrow(/not a libp2p private key/)
  })
})
