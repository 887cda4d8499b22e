import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { BlockCreator } from '../../../../node/blockcreator/creator.js'
import { devKey, devnetWithStakers, openChain, SimClock } from '../../../utils/devchain.js'
import { MemoryChain } from '../../../utils/replay.js'

describe('block creator', () => {
  it('creates a valid chain of 60 blocks on the devnet preset with a simulated clock', async () => {
    const key = devKey(0)
    const clock = new SimClock(1_800_000_000)
    const def = devnetWithStakers([key], clock.t)
    const chain = await openChain(def, clock)
    const creator = new BlockCreator({ chain, keys: [key], ed: nodeEd25519, now: clock.now })
    const reference = new MemoryChain(def, coreRegistry(), clock.now)
    for (let rounds = 0; chain.height < 60 && rounds < 10_000; rounds++) {
      clock.advance(1)
      const made = await creator.createBlock()
      if (made) {
        expect(made.result.status).toBe('tip')
        reference.append(made.block)
      }
    }
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

  it('leaves the next block to an equally heavy competitor with a lower ID', async () => {
    const [a, b] = [devKey(0), devKey(1)]
    const clock = new SimClock(1_800_000_000)
    const def = devnetWithStakers([a, b], clock.t)
    const chainA = await openChain(def, clock)
    const chainB = await openChain(def, clock)
    const creatorA = new BlockCreator({ chain: chainA, keys: [a], ed: nodeEd25519, now: clock.now })
    const creatorB = new BlockCreator({ chain: chainB, keys: [b], ed: nodeEd25519, now: clock.now })
    clock.advance(def.constants.blockStakeAging + 1)
    for (const [creator, chain] of [
      [creatorA, chainA],
      [creatorB, chainB],
    ] as const) {
      for (let rounds = 0; chain.height < 1 && rounds < 1000; rounds++) {
        clock.advance(1)
        await creator.createBlock()
      }
    }
    const blockB = (await chainB.blockAt(1))!
    const idB = chainB.tip.id
    expect((await chainA.addBlock(blockB)).status).toBe('side')
    creatorA.noteCompetitor(idB, 1)
    const yields = await (
      creatorA as unknown as { yieldsToCompetitor(): Promise<boolean> }
    ).yieldsToCompetitor()
    expect(yields).toBe(toHex(idB) < toHex(chainA.tip.id))
    await chainA.close()
    await chainB.close()
  })
})
