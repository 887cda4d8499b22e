import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { genesisBlock } from '../../../../consensus/params/chain.js'
import type { Block } from '../../../../consensus/types/block.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { BlockCreator, kernelQuality, TIE_SIT_OUT_SECONDS } from '../../../../node/blockcreator/creator.js'
import { buildTransaction, keyring, signInputs } from '../../../../wallet/tx/build.js'
import { devKey, devnetWithStakers, openChain, SimClock } from '../../../utils/devchain.js'
import { MemoryChain } from '../../../utils/replay.js'

/**
 * Two nodes with a chain and a creator each, on one simulated clock, each staking `perNode` of the
 * devnet's equal genesis stakes; each creator hears of the side blocks of its chain, as the node wires
 * them.
 */
async function twoStakers(perNode = 1) {
  const keys = Array.from({ length: 2 * perNode }, (_, i) => devKey(i))
  const clock = new SimClock(1_800_000_000)
  const def = devnetWithStakers(keys, clock.t)
  const chains = [await openChain(def, clock), await openChain(def, clock)] as const
  const creators = chains.map(
    (chain, i) =>
      new BlockCreator({ chain, keys: keys.filter((_, k) => k % 2 === i), ed: nodeEd25519, now: clock.now }),
  )
  for (const i of [0, 1]) chains[i]!.on('side', (id, height) => creators[i]!.noteCompetitor(id, height))
  clock.advance(def.constants.blockStakeAging + 1)
  const start = clock.t
  return {
    clock,
    chains,
    creators,
    /** Each creates blocks on its own (cut off from the other) from the same second up to `height`. */
    async apart(height: number) {
      for (const i of [0, 1]) {
        clock.t = start
        for (let rounds = 0; chains[i]!.height < height && rounds < 3000; rounds++) {
          clock.advance(1)
          await creators[i]!.createBlock()
        }
      }
      expect(chains.map((c) => c.height)).toEqual([height, height])
    },
    /** Each receives the other's block at `height`, and keeps it beside its own. */
    async exchange(height: number) {
      for (const i of [0, 1]) {
        const theirs = (await chains[1 - i]!.blockAt(height))!
        expect((await chains[i]!.addBlock(theirs)).status).toBe('side')
      }
    },
    /**
     * Connected: each second, a creator whose second has come makes a block and the other receives it,
     * until both follow one tip (bounded). Returns how many seconds both made a block (a tie again).
     */
    async together() {
      let ties = 0
      for (let s = 0; s < 600 && toHex(chains[0].tip.id) !== toHex(chains[1].tip.id); s++) {
        clock.advance(1)
        const made = [await creators[0]!.createDueBlock(clock.t), await creators[1]!.createDueBlock(clock.t)]
        if (made.every((m) => m && 'block' in m)) ties++
        for (const i of [0, 1]) {
          const out = made[i]
          if (out && 'block' in out) await chains[1 - i]!.addBlock(out.block)
        }
      }
      expect(toHex(chains[0].tip.id)).toBe(toHex(chains[1].tip.id))
      return ties
    },
  }
}

describe('block creator', () => {
  it('creates a valid chain of 60 blocks on the devnet preset with a simulated clock', async () => {
    const key = devKey(0)
    const clock = new SimClock(1_800_000_000)
    const def = devnetWithStakers([key], clock.t)
    const chain = await openChain(def, clock)
    const building: { height: number; timestamp: number }[] = []
    const creator = new BlockCreator({
      chain,
      keys: [key],
      ed: nodeEd25519,
      now: clock.now,
      onBuilding: (at) => building.push(at),
    })
    const reference = new MemoryChain(def, coreRegistry(), clock.now)
    for (let rounds = 0; chain.height < 60 && rounds < 10_000; rounds++) {
      clock.advance(1)
      const made = await creator.createBlock()
      if (made) {
        expect(made.result.status).toBe('tip')
        // announced before it was built (the node logs it: crash tests kill a node in block creation)
        expect(building.at(-1)).toEqual({ height: chain.height, timestamp: made.block.timestamp })
        reference.append(made.block)
      }
    }
    expect(building).toHaveLength(60)
    expect(chain.height).toBe(60)
    expect(toHex(await chain.utxoHash())).toBe(toHex(reference.utxoHash()))
    // block times stay near the 2 s target on average
    const span = chain.tip.timestamp - def.genesis.timestamp
    expect(span / 60).toBeGreaterThan(0.5)
    expect(span / 60).toBeLessThan(8)
    await chain.close()
  })

  it('keeps its stake after a reorg drops the blocks it created', async () => {
    const [a, b] = [devKey(0), devKey(1)]
    const clock = new SimClock(1_800_000_000)
    const def = devnetWithStakers([a, b], clock.t)
    const chainA = await openChain(def, clock)
    const chainB = await openChain(def, clock)
    const creatorA = new BlockCreator({ chain: chainA, keys: [a], ed: nodeEd25519, now: clock.now })
    const creatorB = new BlockCreator({ chain: chainB, keys: [b], ed: nodeEd25519, now: clock.now })
    clock.advance(def.constants.blockStakeAging + 1)
    // B makes one block on its own, A two on its own: A's branch is heavier
    const made = async (creator: BlockCreator, chain: typeof chainA, height: number) => {
      for (let rounds = 0; chain.height < height && rounds < 1000; rounds++) {
        clock.advance(1)
        await creator.createBlock()
      }
      expect(chain.height).toBe(height)
    }
    await made(creatorB, chainB, 1)
    await made(creatorA, chainA, 2)
    await creatorB.refresh()
    const before = creatorB.stakes.map((s) => toHex(s.id))
    expect(before).toHaveLength(1)
    expect(creatorB.stakes[0]!.position.blockHeight).toBe(1)
    const results = await chainB.addBlocks([(await chainA.blockAt(1))!, (await chainA.blockAt(2))!])
    expect(results.error).toBeUndefined()
    expect(toHex(chainB.tip.id)).toBe(toHex(chainA.tip.id))
    // B's block is gone: its genesis output is unspent again and B can create blocks with it
    await creatorB.refresh()
    expect(creatorB.stakes.map((s) => s.position.blockHeight)).toEqual([0])
    await made(creatorB, chainB, 3)
    await chainA.close()
    await chainB.close()
  })

  it('keeps the position of its stake when a later reorg meets a respend it made on a lost branch', async () => {
    // A respend of the same input is the same transaction: after B's block at height 1 loses, B's block at
    // height 3 respends the same genesis output and creates the same output ID at (3, 0, 0). A later
    // reorg must not bring back (1, 0, 0) for that ID (the devnet scenario's creator then made only
    // invalid blocks: "the block does not spend its block stake output").
    const [a, b, c] = [devKey(0), devKey(1), devKey(2)]
    const clock = new SimClock(1_800_000_000)
    const def = devnetWithStakers([a, b, c], clock.t)
    const [chainA, chainB, chainC] = [
      await openChain(def, clock),
      await openChain(def, clock),
      await openChain(def, clock),
    ]
    const creatorA = new BlockCreator({ chain: chainA, keys: [a], ed: nodeEd25519, now: clock.now })
    const creatorB = new BlockCreator({ chain: chainB, keys: [b], ed: nodeEd25519, now: clock.now })
    const creatorC = new BlockCreator({ chain: chainC, keys: [c], ed: nodeEd25519, now: clock.now })
    clock.advance(def.constants.blockStakeAging + 1)
    const next = async (creator: BlockCreator, chain: typeof chainA) => {
      const height = chain.height
      for (let rounds = 0; chain.height === height && rounds < 1000; rounds++) {
        clock.advance(1)
        await creator.createBlock()
      }
      expect(chain.height).toBe(height + 1)
      await creator.refresh() // as on the node, where every new tip starts a round
      return (await chain.blockAt(chain.height))!
    }
    const add = async (chain: typeof chainA, ...blocks: Block[]) => {
      for (const block of blocks) await chain.addBlock(block)
    }
    const positions = () => creatorB.stakes.map((s) => s.position.blockHeight)
    // B's block 1 loses to A's block 1 and C's block 2 on it
    await next(creatorB, chainB)
    const a1 = await next(creatorA, chainA)
    await add(chainC, a1)
    const c2 = await next(creatorC, chainC)
    await add(chainB, a1, c2)
    await creatorB.refresh()
    expect(positions()).toEqual([0])
    // B respends its genesis output again, at height 3
    const b3 = await next(creatorB, chainB)
    await add(chainA, c2, b3)
    await add(chainC, b3)
    const a4 = await next(creatorA, chainA)
    await add(chainB, a4)
    await add(chainC, a4)
    // B follows A's block 5, then C's branch 5', 6' replaces it
    const a5 = await next(creatorA, chainA)
    await creatorC.refresh()
    const c5 = await next(creatorC, chainC)
    const c6 = await next(creatorC, chainC)
    expect((await chainB.addBlock(a5)).status).toBe('tip')
    await creatorB.refresh()
    expect((await chainB.addBlock(c5)).status).toBe('side')
    expect((await chainB.addBlock(c6)).status).toBe('tip')
    await creatorB.refresh()
    expect(positions()).toEqual([3])
    // and B's next block is valid
    await next(creatorB, chainB)
    for (const chain of [chainA, chainB, chainC]) await chain.close()
  })

  it('after a tie, the higher-ID tip leaves out only its own respend, which wins the same seconds', async () => {
    const [a, b, c] = [devKey(0), devKey(1), devKey(2)]
    const clock = new SimClock(1_800_000_000)
    const def = devnetWithStakers([a, b, c], clock.t)
    const chainA = await openChain(def, clock)
    const chainB = await openChain(def, clock)
    const creatorA = new BlockCreator({ chain: chainA, keys: [a], ed: nodeEd25519, now: clock.now })
    const creatorB = new BlockCreator({ chain: chainB, keys: [b], ed: nodeEd25519, now: clock.now })
    clock.advance(def.constants.blockStakeAging + 1)
    const start = clock.t
    // A and B each create block 1 on their own (a tie when both are published in the same second)
    for (const [creator, chain] of [
      [creatorA, chainA],
      [creatorB, chainB],
    ] as const) {
      clock.t = start
      for (let rounds = 0; chain.height < 1 && rounds < 1000; rounds++) {
        clock.advance(1)
        await creator.createBlock()
      }
    }
    const [blockA, blockB] = [(await chainA.blockAt(1))!, (await chainB.blockAt(1))!]
    expect((await chainA.addBlock(blockB)).status).toBe('side')
    expect((await chainB.addBlock(blockA)).status).toBe('side')
    // both respends sit at (1, 0, 0) of their branch: they win exactly the same seconds
    const froms = Array.from({ length: 20 }, (_, i) => clock.t + 10 * i)
    const seconds = async (creator: BlockCreator) => {
      const found: (number | undefined)[] = []
      for (const from of froms) found.push((await creator.findSolution(from))?.timestamp)
      return found
    }
    const wins = await seconds(creatorA)
    expect(wins.some((t) => t !== undefined)).toBe(true)
    expect(await seconds(creatorB)).toEqual(wins)
    // the creator of the higher-ID tip leaves its respend out of the first second it wins once it knows
    // of the competitor (however long after the tie that second comes), and of the few after it: the
    // competitor's creator wins that second and its block ends the tie
    const aLower = toHex(chainA.tip.id) < toHex(chainB.tip.id)
    const [lower, higher] = aLower ? [chainA, chainB] : [chainB, chainA]
    const [lowerCreator, higherCreator] = aLower ? [creatorA, creatorB] : [creatorB, creatorA]
    lowerCreator.noteCompetitor(higher.tip.id, 1)
    higherCreator.noteCompetitor(lower.tip.id, 1)
    expect(await seconds(lowerCreator)).toEqual(wins)
    const first = wins.find((t) => t !== undefined)!
    const higherWins = await seconds(higherCreator)
    expect(higherWins.filter((t) => t !== undefined && t < first + TIE_SIT_OUT_SECONDS)).toEqual([])
    // should no block of the competitor come by then, its creator is gone: the respend creates again
    const later = froms.flatMap((from, i) => (from >= first + TIE_SIT_OUT_SECONDS ? [i] : []))
    expect(later.length).toBeGreaterThan(0)
    expect(later.map((i) => higherWins[i])).toEqual(later.map((i) => wins[i]))
    // any other output on the higher-ID branch still creates blocks there (C's genesis output)
    const creatorC = new BlockCreator({ chain: higher, keys: [c], ed: nodeEd25519, now: clock.now })
    creatorC.noteCompetitor(lower.tip.id, 1)
    const made = await Promise.all(froms.map((from) => creatorC.findSolution(from)))
    expect(made.some((s) => s !== undefined)).toBe(true)
    await chainA.close()
    await chainB.close()
  })

  it('two tied creators alone (cut off together) end the tie at the first second their respends win', async () => {
    const { clock, chains, creators, apart, exchange, together } = await twoStakers()
    await apart(1)
    // each node receives the other's block 1: a tie, which both creators hear of from their chain
    await exchange(1)
    const lower = toHex(chains[0].tip.id) < toHex(chains[1].tip.id) ? 0 : 1
    const lowerTip = toHex(chains[lower]!.tip.id)
    // the first second their respends win: both would extend their own branch then, and again after
    let firstWin: number | undefined
    for (let from = clock.t + 1; firstWin === undefined && from < clock.t + 600; from += 10)
      firstWin = (await creators[lower]!.findSolution(from))?.timestamp
    expect(firstWin).toBeDefined()
    expect(await together()).toBe(0)
    // the lower-ID branch's creator won that second alone, and its block ended the tie
    expect(chains[0].height).toBe(2)
    expect(toHex(chains[0].idAt(1)!)).toBe(lowerTip)
    expect(chains[0].tip.timestamp).toBe(firstWin)
    for (const chain of chains) await chain.close()
  })

  it('two branches grown apart to about the same work (a healed partition) stop extending at the same seconds', async () => {
    const { clock, chains, apart, exchange, together } = await twoStakers()
    await apart(3)
    clock.t = Math.max(chains[0].tip.timestamp, chains[1].tip.timestamp)
    // healed: each receives the other's branch, which does not outweigh its own by a fifth of a block
    for (let h = 1; h <= 3; h++) await exchange(h)
    expect(await together()).toBe(0)
    expect(chains[0].height).toBe(4)
    for (const chain of chains) await chain.close()
  })

  it('healed branches whose outputs below the tips are twins too stop extending at the same seconds', async () => {
    // two stakes per node: each branch's blocks 1..4 put outputs at (1..4, 0, 0), twins of the other's
    const { clock, chains, apart, exchange, together } = await twoStakers(2)
    await apart(4)
    clock.t = Math.max(chains[0].tip.timestamp, chains[1].tip.timestamp)
    for (let h = 1; h <= 4; h++) await exchange(h)
    expect(await together()).toBe(0)
    for (const chain of chains) await chain.close()
  })

  it('lets a pool transaction that moves its stake be the block respend (stake send from its own wallet)', async () => {
    const [key, other] = [devKey(0), devKey(1)]
    const clock = new SimClock(1_800_000_000)
    const def = devnetWithStakers([key], clock.t)
    const chain = await openChain(def, clock)
    const registry = chain.registry
    const genesisTx = genesisBlock(def).transactions[0]!
    const mine = unlockHashCondition(publicKeyUnlockHash(key.publicKey))
    const theirs = unlockHashCondition(publicKeyUnlockHash(other.publicKey))
    const stake = genesisTx.blockStakeOutputs[0]!
    const unsigned = buildTransaction({
      coins: {
        available: [
          {
            id: registry.coinOutputId(genesisTx, 0),
            value: genesisTx.coinOutputs[0]!.value,
            condition: mine,
          },
        ],
        outputs: [],
      },
      blockStakes: {
        available: [{ id: registry.blockStakeOutputId(genesisTx, 0), value: stake.value, condition: mine }],
        outputs: [{ value: 100n, condition: theirs }],
      },
      fee: def.constants.minimumTransactionFee,
      change: mine,
    })
    const { tx: move } = signInputs(
      registry,
      nodeEd25519,
      unsigned,
      { coinInputs: [mine], blockStakeInputs: [mine] },
      keyring([key]),
    )
    const creator = new BlockCreator({
      chain,
      keys: [key],
      ed: nodeEd25519,
      now: clock.now,
      pool: { transactionsForBlock: () => [move] },
    })
    let made: Awaited<ReturnType<BlockCreator['createBlock']>>
    for (let rounds = 0; !made && rounds < 1000; rounds++) {
      clock.advance(1)
      made = await creator.createBlock()
    }
    expect(made?.result.status).toBe('tip')
    // no respend of its own: the wallet's transaction spends the stake output
    expect(made!.block.transactions.map((t) => toHex(registry.id(t)))).toEqual([toHex(registry.id(move))])
    expect(await chain.blockStakeOutput(registry.blockStakeOutputId(move, 0))).toMatchObject({ value: 100n })
    // the change comes back at (1, 0, 1): it ages before it stakes again (spec §6.4)
    await creator.refresh()
    expect(creator.stakes.map((s) => [s.value, s.position])).toEqual([
      [stake.value - 100n, { blockHeight: 1, transactionIndex: 0, outputIndex: 1 }],
    ])
    await chain.close()
  })

  it('ranks winning kernels by quality: 0 for the best, towards 1 at the bound target × value', () => {
    const target = 1n << 200n
    const at = (n: bigint) => {
      const hash = new Uint8Array(32)
      for (let i = 31; i >= 0; i--, n >>= 8n) hash[i] = Number(n & 0xffn)
      return hash
    }
    expect(kernelQuality(at(0n), 1000n, target)).toBe(0)
    expect(kernelQuality(at(target * 250n), 1000n, target)).toBe(0.25)
    expect(kernelQuality(at(target * 1000n - 1n), 1000n, target)).toBeLessThan(1)
    expect(kernelQuality(at(target * 1000n - 1n), 1000n, target)).toBeGreaterThan(0.999)
  })
})
