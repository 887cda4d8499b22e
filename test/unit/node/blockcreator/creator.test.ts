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
})
