// Issue 13 (security review of the devnet), in process on 127.0.0.1: real libp2p hosts over real LevelDB
// chains. (a) A liar claims a heavier unknown tip and answers block requests with nothing: the honest nodes
// stay synced, keep creating, accepting and relaying, stop recommending it and ban it. (b) The same liar
// never answering. (c) An honest peer whose clock runs ahead is not banned for its "future" blocks. (d) One
// IP cannot take every connection slot with fresh identities, and inbound peers cannot starve our own dials.
import { randomBytes } from 'node:crypto'
import { identify } from '@libp2p/identify'
import type { Libp2p, Stream } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import pino from 'pino'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../../devnet/chaingen.js'
import { BlockCreator } from '../../node/blockcreator/creator.js'
import { protocolIds } from '../../p2p/protocols/ids.js'
import { WireMessages } from '../../p2p/protocols/messages.js'
import { devKey } from '../utils/devchain.js'
import { connected, rssMb, sleep, TestNetwork, type TestNode, tipHex, until } from '../utils/p2p-network.js'

const keys = [devKey(0), devKey(1), devKey(2)]
const GENESIS_TIME = Math.floor(Date.now() / 1000) - 5_000
const def = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: GENESIS_TIME })
const logger = pino({ level: process.env.P2P_LOG ?? 'silent' })
/** Short timeouts and pauses, so penalties add up within a test. */
const FAST = { requestTimeoutMs: 1_000, statusIntervalMs: 500, syncBackoffMs: 200, claimGraceMs: 2_500 }

let blocks: Block[] = []
beforeAll(() => {
  blocks = [
    ...generateChain({
      def,
      registry: coreRegistry(),
      ed: nodeEd25519,
      stakeKey: keys[0]!,
      keys,
      blocks: 20,
      transactionsPerBlock: 1,
    }),
  ]
})

const net = new TestNetwork(def, () => blocks, logger)
const liars: Libp2p[] = []
const creators: BlockCreator[] = []
afterEach(async () => {
  for (const c of creators.splice(0)) c.stop()
  for (const l of liars.splice(0)) await l.stop()
  await net.stopAll()
})

/**
 * A libp2p host that speaks our protocols and lies: its status claims a chain far heavier than anyone's,
 * with a new unknown tip each time; it answers block requests with no blocks, or never.
 */
async function startLiar(
  chainDef: ChainDefinition,
  genesisId: Uint8Array,
  mode: 'empty' | 'silent',
  opts: { claim?: 'heavier' | 'lighter'; localAddress?: string } = {},
): Promise<Libp2p & { blockRequests: () => number }> {
  const messages = new WireMessages(new BlockCodec(coreRegistry()), chainDef.constants)
  const ids = protocolIds(genesisId)
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    // dials from this source address (any of 127.0.0.0/8 is this machine)
    transports: [
      tcp(opts.localAddress ? { dialOpts: { noDelay: true, ...{ localAddress: opts.localAddress } } } : {}),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  })
  let blockRequests = 0
  const answer = (reply: () => Uint8Array | undefined) => async (stream: Stream) => {
    try {
      const lp = lpStream(stream)
      await lp.read({ signal: AbortSignal.timeout(5_000) })
      const out = reply()
      if (out === undefined) return // never answers: the stream stays open until the asker gives up
      await lp.write(out)
      await stream.close()
    } catch {
      stream.abort(new Error('liar: stream failed'))
    }
  }
  await node.handle(
    ids.status,
    answer(() =>
      messages.encodeStatus({
        genesisId,
        height: opts.claim === 'lighter' ? 0 : 1_000_000,
        tipId: randomBytes(32),
        depth: opts.claim === 'lighter' ? 2n ** 255n : 1n,
      }),
    ),
  )
  await node.handle(
    ids.blocks,
    answer(() => {
      blockRequests++
      return mode === 'empty' ? messages.encodeBlocksResponse({ blocks: [], more: false }) : undefined
    }),
  )
  await node.handle(
    ids.block,
    answer(() => messages.encodeBlockResponse(undefined)),
  )
  await node.handle(
    ids.peers,
    answer(() => messages.encodePeersResponse({ addresses: [] })),
  )
  liars.push(node)
  return Object.assign(node, { blockRequests: () => blockRequests })
}

/** The longest stretch (ms) during which `node` was not synced, sampled every 20 ms until stopped. */
function watchSynced(node: TestNode): { stop: () => number } {
  let longest = 0
  let since: number | undefined
  const timer = setInterval(() => {
    const now = Date.now()
    if (node.p2p.synced) {
      if (since !== undefined) longest = Math.max(longest, now - since)
      since = undefined
    } else since ??= now
  }, 20)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(longest, since === undefined ? 0 : Date.now() - since)
    },
  }
}

const dialFrom = (liar: Libp2p, n: TestNode) => liar.dial(multiaddr(n.p2p.listenAddresses[0]!))

describe('p2p attacks', () => {
  it('(a) a liar claiming a heavier tip and answering empty: the honest nodes stay synced, create, ' +
    'relay and ban it', async () => {
    const a = await net.start('a', { height: 20, ...FAST })
    const b = await net.start('b', { peers: [a], ...FAST })
    await until(() => b.chain.height === 20 && b.p2p.synced, 10_000, 'b to sync')
    const creator = new BlockCreator({
      chain: a.chain,
      keys: [keys[0]!],
      ed: nodeEd25519,
      pool: a.pool,
      canCreate: () => a.p2p.synced,
    })
    creators.push(creator)
    creator.start((block, result) => {
      if (result.status === 'tip') void a.p2p.publishBlock(block)
    })
    a.p2p.on('synced', () => creator.wake())

    const rssBefore = rssMb()
    const liar = await startLiar(def, a.chain.genesisId, 'empty')
    const liarId = liar.peerId.toString()
    const watchA = watchSynced(a)
    const watchB = watchSynced(b)
    const heightAtLiar = a.chain.height
    await dialFrom(liar, a)
    await dialFrom(liar, b)
    await until(() => liar.blockRequests() >= 2, 10_000, 'the honest nodes to try syncing from the liar')

    // a keeps creating blocks and b keeps accepting them
    await until(() => a.chain.height >= heightAtLiar + 3, 30_000, 'a to create three more blocks')
    await until(() => tipHex(b) === tipHex(a), 10_000, "b to follow a's tip")
    // peer exchange does not recommend the liar
    const recommended = await b.p2p.libp2p.services.chain.peers(a.p2p.libp2p.peerId)
    expect(recommended.some((addr) => addr.endsWith(liarId))).toBe(false)

    await until(() => a.p2p.isBanned(liarId) && b.p2p.isBanned(liarId), 30_000, 'both to ban the liar')
    const longestA = watchA.stop()
    const longestB = watchB.stop()
    console.log(
      `(a) liar banned after ${liar.blockRequests()} block requests; longest unsynced stretch a ${longestA} ms, ` +
        `b ${longestB} ms (grace ${FAST.claimGraceMs} ms); a created ${a.chain.height - heightAtLiar} blocks; ` +
        `RSS ${rssBefore} -> ${rssMb()} MB`,
    )
    expect(a.p2p.synced && b.p2p.synced).toBe(true)
    expect(connected(a, liarId) || connected(b, liarId)).toBe(false)
    expect(connected(a, b)).toBe(true)
  }, 60_000)

  it('(b) a liar that never answers block requests: synced again after the grace period, then banned', async () => {
    const a = await net.start('a', { height: 20, ...FAST })
    const b = await net.start('b', { peers: [a], ...FAST })
    await until(() => b.chain.height === 20 && b.p2p.synced, 10_000, 'b to sync')
    const liar = await startLiar(def, a.chain.genesisId, 'silent')
    const liarId = liar.peerId.toString()
    const watchA = watchSynced(a)
    await dialFrom(liar, a)
    await until(() => liar.blockRequests() >= 1, 10_000, 'a to ask the liar for blocks')
    // the claim stops counting once its grace runs out without a block
    await until(() => a.p2p.synced, 3 * FAST.claimGraceMs, 'a to count as synced again')

    await until(() => a.p2p.isBanned(liarId), 45_000, 'a to ban the silent liar')
    console.log(
      `(b) silent liar banned after ${liar.blockRequests()} block requests; ` +
        `longest unsynced stretch ${watchA.stop()} ms`,
    )
    expect(a.p2p.synced).toBe(true)
    expect(b.p2p.isBanned(a.p2p.peerId)).toBe(false)
  }, 60_000)

  it('(c) an honest peer whose clock runs two minutes ahead is not banned for its blocks', async () => {
    // its chain starts two minutes in our future: every block is "too far in the future" for us
    const future = Math.floor(Date.now() / 1000) + 120
    const skewedDef = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: future })
    const skewedBlocks = [
      ...generateChain({
        def: skewedDef,
        registry: coreRegistry(),
        ed: nodeEd25519,
        stakeKey: keys[0]!,
        keys,
        blocks: 6,
        transactionsPerBlock: 0,
      }),
    ]
    const skewedNet = new TestNetwork(skewedDef, () => skewedBlocks, logger)
    try {
      const clockAhead = () => Math.floor(Date.now() / 1000) + 300
      const s = await skewedNet.start('s', { height: 5, now: clockAhead, ...FAST })
      const a = await skewedNet.start('a', { peers: [s], ...FAST })
      await until(() => connected(a, s), 10_000, 'a to connect to s')
      await until(() => a.p2p.synced, 3 * FAST.claimGraceMs, 'a to count as synced')
      // a gossiped block of s's clock: ignored, not punished
      await until(
        () => a.p2p.libp2p.services.pubsub.getSubscribers(a.p2p.topics.blocks).length > 0,
        10_000,
        'gossip mesh',
      )
      expect((await s.chain.addBlock(skewedBlocks[5]!)).status).toBe('tip')
      await s.p2p.publishBlock(skewedBlocks[5]!)
      await sleep(1_500)
      expect(a.chain.height).toBe(0) // its blocks are in our future
      expect(a.p2p.isBanned(s.p2p.peerId)).toBe(false)
      expect(s.p2p.isBanned(a.p2p.peerId)).toBe(false)
      expect(connected(a, s)).toBe(true)
      expect(a.p2p.penalties.score(s.p2p.peerId)).toBe(0)
    } finally {
      await skewedNet.stopAll()
    }
  }, 30_000)

  it('(d) one IP gets two inbound slots whatever its identities; inbound cannot starve our own dials', async () => {
    // 8 peers: 4 inbound slots, 4 kept for our dials; the per-IP cap applies to loopback here
    const a = await net.start('a', { height: 5, maxPeers: 8, limitLoopback: true, ...FAST })
    const address = multiaddr(a.p2p.listenAddresses[0]!)
    const rssBefore = rssMb()
    const fromIp = (ip: string) =>
      a.p2p.libp2p
        .getConnections()
        .filter((c) => c.direction === 'inbound' && c.remoteAddr.toString().startsWith(`/ip4/${ip}/`)).length
    const host = (localAddress: string) =>
      startLiar(def, a.chain.genesisId, 'empty', { claim: 'lighter', localAddress })
    const sybils = await Promise.all(Array.from({ length: 6 }, () => host('127.0.0.1')))
    const dials = await Promise.allSettled(
      sybils.map((s) => s.dial(address, { signal: AbortSignal.timeout(5_000) })),
    )
    await until(() => fromIp('127.0.0.1') <= 2, 5_000, 'a to close the connections over the cap')
    const accepted = dials.filter((d) => d.status === 'fulfilled').length
    console.log(
      `(d) 6 identities from 127.0.0.1: ${accepted} dials succeeded, ${fromIp('127.0.0.1')} connections held`,
    )
    expect(fromIp('127.0.0.1')).toBeLessThanOrEqual(2)

    // two more addresses fill the inbound share; a fourth address is refused
    for (const ip of ['127.0.0.2', '127.0.0.3']) {
      const h = await host(ip)
      await h.dial(address, { signal: AbortSignal.timeout(5_000) })
      await until(() => fromIp(ip) === 1, 5_000, `a to hold the connection from ${ip}`)
    }
    const inbound = () => a.p2p.libp2p.getConnections().filter((c) => c.direction === 'inbound').length
    await until(() => inbound() === 4, 5_000, 'the inbound share to be full')
    const late = await host('127.0.0.4')
    await late.dial(address, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
    await until(() => fromIp('127.0.0.4') === 0, 5_000, 'a to refuse the fourth address')

    // our own dial still gets a slot
    const c = await net.start('c', { height: 5, listen: ['/ip4/127.0.0.5/tcp/0'], ...FAST })
    await a.p2p.libp2p.dial(multiaddr(c.p2p.listenAddresses[0]!), { signal: AbortSignal.timeout(5_000) })
    await until(() => connected(a, c), 5_000, 'a to connect to c')
    expect(inbound()).toBeLessThanOrEqual(4)
    console.log(`(d) RSS ${rssBefore} -> ${rssMb()} MB with ${liars.length} hostile hosts`)
  }, 30_000)
})
