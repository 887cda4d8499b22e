// DESIGN §5 (P2P), in process: real libp2p hosts on 127.0.0.1 port 0 over real LevelDB chains in temp dirs.
// (a) sync from a bootstrap peer, (b) peer exchange + gossip across three nodes, (c) another genesis is
// refused, (d) a peer gossiping an invalid block is banned while the others go on, (g) a lost bootstrap
// peer is dialled again while others stay connected.
import { lpStream } from '@libp2p/utils'
import pino from 'pino'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { conditionUnlockHash, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import type { SingleSignatureFulfillment } from '../../consensus/types/fulfillments.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { signSingleSignature } from '../../consensus/types/sign.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { unlockHashToString } from '../../consensus/types/unlockhash.js'
import { devnetDefinition, generateChain } from '../../devnet/chaingen.js'
import { WireMessages } from '../../p2p/protocols/messages.js'
import { devKey } from '../utils/devchain.js'
import {
  connected,
  rssMb,
  type StartOptions,
  sleep,
  subscribed,
  TestNetwork,
  tipHex,
  until,
} from '../utils/p2p-network.js'

const keys = [devKey(0), devKey(1), devKey(2)]
// generated blocks are ~2 s apart: the genesis lies far enough back for all of them to be in the past
const GENESIS_TIME = Math.floor(Date.now() / 1000) - 5_000
const def = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: GENESIS_TIME })
const otherDef = devnetDefinition({ stakers: [keys[1]!], coinsTo: keys[1]!, timestamp: GENESIS_TIME - 1 })
const logger = pino({ level: process.env.P2P_LOG ?? 'silent' })

let blocks: Block[] = []
beforeAll(() => {
  const t0 = performance.now()
  blocks = [
    ...generateChain({
      def,
      registry: coreRegistry(),
      ed: nodeEd25519,
      stakeKey: keys[0]!,
      keys,
      blocks: 305,
      transactionsPerBlock: 1,
    }),
  ]
  console.log(`generated ${blocks.length} blocks in ${Math.round(performance.now() - t0)} ms`)
})

const net = new TestNetwork(def, () => blocks, logger)
afterEach(() => net.stopAll())
const startNode = (name: string, opts: StartOptions = {}) => net.start(name, opts)

/** The block with one signature byte of its coin transfer flipped (still decodes; fails validation). */
function tamper(block: Block): Block {
  const [respend, transfer, ...rest] = block.transactions
  const input = transfer!.coinInputs[0]!
  const f = input.fulfillment as SingleSignatureFulfillment
  const signature = f.signature.slice()
  signature[0]! ^= 0x01
  const tampered = { ...transfer!, coinInputs: [{ ...input, fulfillment: { ...f, signature } }] }
  return { ...block, transactions: [respend!, tampered, ...rest] }
}

/** A signed transfer of the first output of `block`'s coin transfer back to its owner (minus the fee). */
function spendFrom(block: Block): Transaction {
  const registry = coreRegistry()
  const source = block.transactions[1]!
  const out = source.coinOutputs[0]!
  const owner = keys.find(
    (k) =>
      unlockHashToString(conditionUnlockHash(out.condition)) ===
      unlockHashToString(publicKeyUnlockHash(k.publicKey)),
  )!
  const fee = def.constants.minimumTransactionFee
  const unsigned: Transaction = {
    version: 1,
    coinInputs: [{ parentId: registry.coinOutputId(source, 0), fulfillment: { type: 0 } }],
    coinOutputs: [{ value: out.value - fee, condition: out.condition }],
    blockStakeInputs: [],
    blockStakeOutputs: [],
    minerFees: [fee],
    arbitraryData: new Uint8Array(0),
  }
  return signSingleSignature(registry, nodeEd25519, unsigned, 'coinInputs', 0, owner)
}

describe('p2p', () => {
  it('(a) an empty node syncs 300 blocks from its bootstrap peer', async () => {
    const a = await startNode('a', { height: 300 })
    expect(a.p2p.synced).toBe(true) // no peers: synced at once
    const t0 = performance.now()
    const b = await startNode('b', { peers: [a] })
    await until(() => b.chain.height === 300 && b.p2p.synced, 30_000, 'b to sync to 300')
    const ms = performance.now() - t0
    console.log(
      `(a) synced 300 blocks in ${Math.round(ms)} ms, last run ${Math.round(b.p2p.syncRate)} blocks/s`,
    )
    expect(tipHex(b)).toBe(tipHex(a))
    expect(b.p2p.syncRate).toBeGreaterThan(0)
    const seenFromB = b.p2p.peers().find((p) => p.id === a.p2p.peerId)
    expect(seenFromB).toMatchObject({ direction: 'outbound', height: 300, tipId: tipHex(a) })
    expect(a.p2p.peers().find((p) => p.id === b.p2p.peerId)?.direction).toBe('inbound')
    expect(b.p2p.listenAddresses[0]).toMatch(
      new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${b.p2p.peerId}$`),
    )
  })

  it('(b) C finds A through B by peer exchange; a block and a transaction set A gossips reach C', async () => {
    // no periodic status refresh: after the connect-time sync only gossip can bring the new block
    const quiet = { statusIntervalMs: 60_000 }
    const a = await startNode('a', { height: 20, ...quiet })
    const b = await startNode('b', { peers: [a], ...quiet })
    await until(() => connected(b, a) && b.chain.height === 20, 10_000, 'b to connect to a and sync')
    const c = await startNode('c', { peers: [b], ...quiet })
    await until(() => connected(c, a), 10_000, 'c to dial a after peer exchange with b')
    await until(() => c.chain.height === 20 && c.p2p.synced, 10_000, 'c to sync')
    await until(() => subscribed(a, c), 10_000, "a to see c's subscription")

    const next = blocks[20]!
    expect((await a.chain.addBlock(next)).status).toBe('tip')
    expect(await a.p2p.publishBlock(next)).toBeGreaterThanOrEqual(1)
    await until(
      () => c.chain.height === 21 && b.chain.height === 21,
      10_000,
      'the gossiped block to reach c and b',
    )
    expect(tipHex(c)).toBe(tipHex(a))

    const tx = spendFrom(next)
    const txId = coreRegistry().id(tx)
    await a.pool.addSet([tx])
    await until(() => subscribed(a, b), 10_000, "a to see b's subscription")
    expect(await a.p2p.publishTransactionSet([tx])).toBeGreaterThanOrEqual(1)
    await until(
      () => b.pool.has(txId) && c.pool.has(txId),
      10_000,
      'the gossiped transaction to reach b and c',
    )
  })

  it('(b2) sets published together travel in one message; a forged set among them gets the sender penalised', async () => {
    const a = await startNode('a', { height: 20 })
    const b = await startNode('b', { peers: [a] })
    await until(() => b.chain.height === 20 && b.p2p.synced, 10_000, 'b to sync')
    await until(() => subscribed(a, b) && subscribed(b, a), 10_000, 'a and b to see each other subscribed')
    const registry = coreRegistry()
    const txs = [blocks[18]!, blocks[19]!].map(spendFrom)
    for (const tx of txs) await a.pool.addSet([tx])
    // published within the batching window: one message with both sets
    const published = txs.map((tx) => a.p2p.publishTransactionSet([tx]))
    expect(Math.min(...(await Promise.all(published)))).toBeGreaterThanOrEqual(1)
    await until(() => txs.every((tx) => b.pool.has(registry.id(tx))), 10_000, 'both sets to reach b')
    expect(b.p2p.penalties.score(a.p2p.peerId)).toBe(0)

    // a message with a valid set and a forged one: refused as a whole, its sender penalised for the forgery
    const x = await startNode('x', { peers: [b] })
    await until(() => x.chain.height === 20 && x.p2p.synced, 10_000, 'x to sync')
    await until(() => subscribed(x, b), 10_000, "x to see b's subscription")
    const honest = spendFrom(blocks[16]!)
    const input = honest.coinInputs[0]!
    const f = input.fulfillment as SingleSignatureFulfillment
    const forged = {
      ...honest,
      coinInputs: [
        { ...input, fulfillment: { ...f, signature: f.signature.map((v, i) => (i ? v : v ^ 1)) } },
      ],
    }
    const valid = spendFrom(blocks[17]!)
    await Promise.all([x.p2p.publishTransactionSet([valid]), x.p2p.publishTransactionSet([forged])])
    await until(() => b.p2p.penalties.score(x.p2p.peerId) >= 10, 10_000, 'b to penalise x')
    expect(b.pool.has(registry.id(valid))).toBe(true)
    expect(b.pool.has(registry.id(forged))).toBe(false)
  })

  it('(b3) a relayer forwards only sets it validated: a set it ignored unchecked never gets it penalised', async () => {
    // x (the attacker) and c each hold one connection, to a: whatever c gets from x comes through a
    const a = await startNode('a', { height: 20 })
    const c = await startNode('c', { peers: [a], maxPeers: 2 })
    const x = await startNode('x', { peers: [a], maxPeers: 2 })
    await until(() => [c, x].every((n) => n.chain.height === 20 && n.p2p.synced), 10_000, 'c and x to sync')
    await until(
      () => subscribed(a, c) && subscribed(c, a) && subscribed(a, x) && subscribed(x, a),
      10_000,
      'a, c and x to see each other subscribed',
    )
    const registry = coreRegistry()
    // a's pool (only a's) spends the output of block 16: a refuses another spend of it as a conflict,
    // IGNORE, without validating it; c has no such spend and validates it in full
    const spent = spendFrom(blocks[16]!)
    await a.pool.addSet([spent])
    const input = spent.coinInputs[0]!
    const f = input.fulfillment as SingleSignatureFulfillment
    const junk: Transaction = {
      ...spent,
      arbitraryData: Uint8Array.of(1),
      coinInputs: [
        { ...input, fulfillment: { ...f, signature: f.signature.map((v, i) => (i ? v : v ^ 1)) } },
      ],
    }
    const valid = spendFrom(blocks[17]!)
    // one message: a valid set (a accepts it) carrying the junk set
    await Promise.all([x.p2p.publishTransactionSet([valid]), x.p2p.publishTransactionSet([junk])])
    await until(() => c.pool.has(registry.id(valid)), 10_000, 'the valid set to reach c through a')
    await c.pool.settled()
    await sleep(300)
    expect(c.pool.has(registry.id(junk))).toBe(false)
    expect(connected(c, x) || connected(x, c)).toBe(false)
    // a did nothing wrong: it must not be penalised for a set it never vouched for
    expect(c.p2p.penalties.score(a.p2p.peerId)).toBe(0)
  })

  it('(b4) a peer streaming sets the pool ignores gets one message validated at a time', async () => {
    const a = await startNode('a', { height: 20 })
    const x = await startNode('x', { peers: [a] })
    await until(() => x.chain.height === 20 && x.p2p.synced, 10_000, 'x to sync')
    await until(() => subscribed(x, a) && subscribed(a, x), 10_000, 'a and x to see each other subscribed')
    const registry = coreRegistry()
    const messages = new WireMessages(new BlockCodec(registry), def.constants)
    const model = spendFrom(blocks[18]!)
    // sets spending outputs nobody has: ignored by the pool (missing output), no penalty, yet each one is
    // decoded and looked up; 200 messages of 64 such sets, sent as fast as x's host takes them
    const bogus = (m: number, i: number): Transaction => ({
      ...model,
      coinInputs: [{ ...model.coinInputs[0]!, parentId: blake2b256(Uint8Array.of(m, i, 7)) }],
    })
    const pubsub = x.p2p.libp2p.services.pubsub
    const before = rssMb()
    for (let m = 0; m < 200; m++) {
      const sets = Array.from({ length: 64 }, (_, i) => [bogus(m, i)])
      await pubsub.publish(x.p2p.topics.txs, messages.encodeGossipTransactionSets(sets))
    }
    const valid = spendFrom(blocks[19]!)
    await x.p2p.publishTransactionSet([valid])
    await until(
      () => a.pool.has(registry.id(valid)),
      60_000,
      "x's valid set to reach a's pool after the flood",
    )
    console.log(
      `b4: RSS of the test process ${before} → ${rssMb()} MB; peak validations of one peer at a: ${a.p2p.peakGossipValidationsPerPeer}`,
    )
    expect(a.p2p.peakGossipValidationsPerPeer).toBe(1)
    expect(a.p2p.isBanned(x.p2p.peerId)).toBe(false) // ignored sets are not an offence
  })

  it('(c) a node of another chain is refused and never synced', async () => {
    const a = await startNode('a', { height: 10 })
    const d = await startNode('d', { def: otherDef, peers: [a], statusIntervalMs: 300 })
    // identify shows a lacks d's protocols (and vice versa); whichever side notices first hangs up
    await until(() => a.p2p.isBanned(d.p2p.peerId) || d.p2p.isBanned(a.p2p.peerId), 10_000, 'a ban')
    await until(() => !connected(a, d) && !connected(d, a), 5_000, 'a and d to disconnect')
    // d keeps trying its bootstrap peer every 300 ms: the ban holds, nothing is synced
    await new Promise((r) => setTimeout(r, 1_200))
    expect(connected(a, d) || connected(d, a)).toBe(false)
    expect(d.chain.height).toBe(0)
    expect(a.chain.height).toBe(10)
    expect(a.p2p.peers()).toEqual([])
    expect(d.p2p.peers()).toEqual([])
    expect(d.p2p.synced).toBe(true) // nobody of its own chain is ahead
  })

  it('(d) a peer gossiping an invalid block is banned; the others keep going', async () => {
    const a = await startNode('a', { height: 20 })
    const b = await startNode('b', { peers: [a] })
    await until(() => b.chain.height === 20 && b.p2p.synced, 10_000, 'b to sync')
    const x = await startNode('x', { peers: [a] })
    await until(() => x.chain.height === 20 && x.p2p.synced, 10_000, 'x to sync')
    await until(() => subscribed(x, a), 10_000, "x to see a's subscription")
    await until(() => subscribed(a, b), 10_000, "a to see b's subscription")

    expect(await x.p2p.publishBlock(tamper(blocks[20]!))).toBeGreaterThanOrEqual(1)
    await until(() => a.p2p.isBanned(x.p2p.peerId), 10_000, 'a to ban x')
    await until(() => !connected(a, x), 5_000, 'a to drop x')
    expect(a.chain.height).toBe(20)

    const next = blocks[20]!
    expect((await a.chain.addBlock(next)).status).toBe('tip')
    expect(await a.p2p.publishBlock(next)).toBeGreaterThanOrEqual(1)
    await until(() => b.chain.height === 21, 10_000, 'the valid block to reach b')
    expect(tipHex(b)).toBe(tipHex(a))
    expect(connected(a, b)).toBe(true)
    expect(b.p2p.isBanned(a.p2p.peerId)).toBe(false)
  })

  it('(e) request floods are cut off and garbage requests get the sender banned', async () => {
    const a = await startNode('a', { height: 5, rateLimit: { perSecond: 2, burst: 10 }, banScore: 50 })
    const b = await startNode('b', { peers: [a] })
    await until(() => b.chain.height === 5 && b.p2p.synced, 10_000, 'b to sync')
    const aId = a.p2p.libp2p.peerId
    // requests one after another until ten are refused (at most 200): a bucket of 10 refilled at 2/s
    // answers at most 10 + 2 per second elapsed, however fast or slow the requests go
    let answered = 0
    let refused = 0
    const started = performance.now()
    for (let i = 0; i < 200 && refused < 10; i++) {
      try {
        await b.p2p.libp2p.services.chain.peers(aId)
        answered++
      } catch {
        refused++
      }
    }
    const seconds = (performance.now() - started) / 1000
    console.log(`(e) ${answered} answered, ${refused} refused in ${seconds.toFixed(2)} s`)
    expect(refused).toBe(10)
    expect(answered).toBeLessThanOrEqual(10 + Math.floor(2 * seconds) + 1)
    expect(connected(a, b)).toBe(true) // over the limit is refused, not punished

    const g = await startNode('g', { peers: [a] })
    await until(() => g.chain.height === 5 && g.p2p.synced, 10_000, 'g to sync')
    for (let i = 0; i < 3; i++) {
      const stream = await g.p2p.libp2p.dialProtocol(aId, a.p2p.protocols.block)
      const lp = lpStream(stream)
      await lp.write(Uint8Array.of(1, 2, 3)) // not a 32-byte block ID
      await expect(lp.read({ signal: AbortSignal.timeout(5_000) })).rejects.toThrow()
    }
    await until(() => a.p2p.isBanned(g.p2p.peerId), 5_000, 'a to ban g after three bad requests')
    await until(() => !connected(a, g), 5_000, 'a to drop g')
    expect(a.p2p.isBanned(b.p2p.peerId)).toBe(false)
  })

  it('(f) a gossiped orphan brings its parents: in one locator request when close, by a locator sync when far', async () => {
    const quiet = { statusIntervalMs: 60_000 }
    // b's debug log tells how the parents came
    const logged: { event?: string; fetched?: number; via?: string }[] = []
    const capture = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) })
    const local = new TestNetwork(def, () => blocks, capture)
    try {
      const a = await startNode('a', { height: 20, ...quiet })
      const b = await local.start('b', { peers: [a], ...quiet })
      await until(() => b.chain.height === 20 && b.p2p.synced, 10_000, 'b to sync')
      await until(() => subscribed(a, b), 10_000, "a to see b's subscription")

      // four blocks b has not seen, then the fifth by gossip: its four parents come in one request
      expect((await a.chain.addBlocks(blocks.slice(20, 24))).error).toBeUndefined()
      expect((await a.chain.addBlock(blocks[24]!)).status).toBe('tip')
      await a.p2p.publishBlock(blocks[24]!)
      await until(() => b.chain.height === 25, 10_000, 'b to fetch the orphan parents')
      expect(logged.filter((l) => l.event === 'gossip:parents')).toEqual([
        expect.objectContaining({ fetched: 4, via: 'locator' }),
      ])

      // 40 more: beyond what one request brings, and 32 by ID, b falls back to a status round and a sync
      expect((await a.chain.addBlocks(blocks.slice(25, 65))).error).toBeUndefined()
      expect(a.chain.height).toBe(65)
      await a.p2p.publishBlock(blocks[64]!)
      await until(() => b.chain.height === 65 && b.p2p.synced, 10_000, 'b to catch up with a')
      expect(tipHex(b)).toBe(tipHex(a))
    } finally {
      await local.stopAll()
    }
  })

  it('(g) a bootstrap peer lost while another stays connected is dialled again (a partition heals)', async () => {
    const fast = { statusIntervalMs: 300 }
    const b = await startNode('b', { height: 5, ...fast })
    const c = await startNode('c', { height: 5, ...fast })
    const a = await startNode('a', { peers: [b, c], ...fast })
    await until(
      () => connected(a, b) && connected(a, c) && connected(c, a),
      10_000,
      'a and its bootstrap peers to see each other',
    )
    // c drops a (as a cut link would); a keeps b, so it is not alone, and neither b nor c can lead a back
    // to c by peer exchange (b knows only a, c dials nobody): only a's redial of its bootstrap peer can
    let dropped = false
    a.p2p.libp2p.addEventListener('peer:disconnect', (e) => {
      if (e.detail.toString() === c.p2p.peerId) dropped = true
    })
    await c.p2p.libp2p.hangUp(a.p2p.libp2p.peerId)
    await until(() => dropped, 10_000, 'a to see c gone')
    expect(connected(a, b)).toBe(true)
    await until(
      () => connected(a, c) && a.p2p.libp2p.getConnections(c.p2p.libp2p.peerId).length > 0,
      10_000,
      'a to dial c again',
    )
  })
})
