// Simulation (no network, simulated clock): three block creators on the devnet preset, partitions,
// fork choice, reorgs compared with a fresh replay, and a double spend across branches.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import type { Block } from '../../consensus/types/block.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../consensus/types/conditions.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { signSingleSignature } from '../../consensus/types/sign.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { devnetDefinition } from '../../devnet/chaingen.js'
import { BlockCreator, type TransactionSource } from '../../node/blockcreator/creator.js'
import type { Chain } from '../../node/chain/chain.js'
import { devKey, openChain, SimClock } from '../utils/devchain.js'
import { MemoryChain } from '../utils/replay.js'

/** Offers queued transactions to block creation while they are not on the node's chain. */
class Queue implements TransactionSource {
  readonly txs: Transaction[] = []
  private readonly confirmed = new Set<string>()
  constructor(chain: Chain) {
    const ids = (b: Block) => b.transactions.map((tx) => toHex(chain.registry.id(tx)))
    chain.on('applied', (b) => {
      for (const id of ids(b)) this.confirmed.add(id)
    })
    chain.on('reverted', (b) => {
      for (const id of ids(b)) this.confirmed.delete(id)
    })
  }
  transactionsForBlock(): readonly Transaction[] {
    return this.txs.filter((tx) => !this.confirmed.has(toHex(coreRegistry().id(tx))))
  }
}

interface SimNode {
  readonly chain: Chain
  readonly creator: BlockCreator
  readonly queue: Queue
}

const keys = [devKey(0), devKey(1), devKey(2)]
const funder = devKey(3)

async function network(clock: SimClock) {
  const def = devnetDefinition({ stakers: keys, coinsTo: funder, timestamp: clock.t })
  const nodes: SimNode[] = []
  for (const key of keys) {
    const chain = await openChain(def, clock)
    const queue = new Queue(chain)
    nodes.push({
      chain,
      queue,
      creator: new BlockCreator({ chain, keys: [key], ed: nodeEd25519, now: clock.now, pool: queue }),
    })
  }
  return { def, nodes }
}

/** Gives `to` every main-chain block of `from` it does not have yet (blocks arrive in height order). */
async function sync(from: Chain, to: Chain): Promise<void> {
  for (let h = 1; h <= from.height; h++) {
    const block = (await from.blockAt(h))!
    await to.addBlock(block)
  }
}

/** Runs creation for `seconds` of simulated time among the nodes of `group`, relaying every block. */
async function run(
  clock: SimClock,
  group: readonly SimNode[],
  seconds: number,
  onBlock?: (b: Block) => void,
): Promise<void> {
  for (let s = 0; s < seconds; s++) {
    clock.advance(1)
    for (const node of group) {
      // creators publish when their winning second arrives
      const made = await node.creator.createDueBlock(clock.t)
      if (!made || 'waitUntil' in made || made.result.status !== 'tip') continue
      onBlock?.(made.block)
      for (const other of group) if (other !== node) await other.chain.addBlock(made.block)
    }
  }
}

async function replayHash(
  nodeChain: Chain,
  def: ReturnType<typeof devnetDefinition>,
  now: () => number,
): Promise<string> {
  const fresh = new MemoryChain(def, coreRegistry(), now)
  for (let h = 1; h <= nodeChain.height; h++) fresh.append((await nodeChain.blockAt(h))!)
  return toHex(fresh.utxoHash())
}

describe('simulated devnet (3 block creators, simulated clock)', () => {
  it('builds one chain, and resolves a partition by fork choice with a replay-equal state', async () => {
    const clock = new SimClock(1_800_000_000)
    const { def, nodes } = await network(clock)
    await run(clock, nodes, 60)
    const heights = nodes.map((n) => n.chain.height)
    expect(Math.min(...heights)).toBeGreaterThan(10)
    expect(new Set(nodes.map((n) => toHex(n.chain.tip.id))).size).toBe(1)

    // partition: node 0 alone, nodes 1 and 2 together; both sides keep building
    const forkHeight = nodes[0]!.chain.height
    await run(clock, [nodes[0]!], 40)
    await run(clock, [nodes[1]!, nodes[2]!], 40)
    expect(toHex(nodes[0]!.chain.tip.id)).not.toBe(toHex(nodes[1]!.chain.tip.id))

    // heal: everybody sees both branches; they agree on the heavier one
    const reverted: number[] = []
    for (const n of nodes) n.chain.on('reverted', (_b, _id, h) => reverted.push(h))
    for (const a of nodes) for (const b of nodes) if (a !== b) await sync(a.chain, b.chain)
    const tips = new Set(nodes.map((n) => toHex(n.chain.tip.id)))
    expect(tips.size).toBe(1)
    expect(reverted.length).toBeGreaterThan(0)
    expect(Math.min(...reverted)).toBeGreaterThan(forkHeight)
    // after the reorg the unspent set equals a fresh replay of the winning branch
    for (const n of nodes)
      expect(toHex(await n.chain.utxoHash())).toBe(await replayHash(n.chain, def, clock.now))
    for (const n of nodes) await n.chain.close()
  })

  it('applies exactly one of two conflicting spends made on two branches', async () => {
    const clock = new SimClock(1_800_000_000)
    const { def, nodes } = await network(clock)
    await run(clock, nodes, 30)
    // one genesis coin output, spent in two different ways
    const genesisTx = (await nodes[0]!.chain.blockAt(0))!.transactions[0]!
    const parentId = coreRegistry().coinOutputId(genesisTx, 0)
    const value = genesisTx.coinOutputs[0]!.value
    const fee = def.constants.minimumTransactionFee
    const spendTo = (k: (typeof keys)[number]) =>
      signSingleSignature(
        coreRegistry(),
        nodeEd25519,
        {
          version: 1,
          coinInputs: [{ parentId, fulfillment: { type: 0 } }],
          coinOutputs: [
            { value: value - fee, condition: unlockHashCondition(publicKeyUnlockHash(k.publicKey)) },
          ],
          blockStakeInputs: [],
          blockStakeOutputs: [],
          minerFees: [fee],
          arbitraryData: new Uint8Array(0),
        },
        'coinInputs',
        0,
        funder,
      )
    const [spendA, spendB] = [spendTo(keys[0]!), spendTo(keys[1]!)]
    nodes[0]!.queue.txs.push(spendA)
    nodes[1]!.queue.txs.push(spendB)
    nodes[2]!.queue.txs.push(spendB)
    const included = new Set<string>()
    const note = (b: Block) => {
      for (const tx of b.transactions.slice(1)) included.add(toHex(coreRegistry().id(tx)))
    }
    await run(clock, [nodes[0]!], 30, note)
    await run(clock, [nodes[1]!, nodes[2]!], 30, note)
    expect(included).toEqual(new Set([toHex(coreRegistry().id(spendA)), toHex(coreRegistry().id(spendB))]))
    for (const a of nodes) for (const b of nodes) if (a !== b) await sync(a.chain, b.chain)
    expect(new Set(nodes.map((n) => toHex(n.chain.tip.id))).size).toBe(1)
    const chain = nodes[0]!.chain
    const onChain = await Promise.all(
      [spendA, spendB].map((tx) => chain.transactionLocation(coreRegistry().id(tx))),
    )
    expect(onChain.filter(Boolean)).toHaveLength(1)
    expect(await chain.coinOutput(parentId)).toBeUndefined()
    for (const n of nodes)
      expect(toHex(await n.chain.utxoHash())).toBe(await replayHash(n.chain, def, clock.now))
    for (const n of nodes) await n.chain.close()
  })
})
