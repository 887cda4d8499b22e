// Found by review: a batch signature check that failed for a reason other than a bad signature (verifyAll
// answers false on any WebCrypto error) marked a valid block invalid for good.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { alice, authorize, def, NOW, nextBlock, registry, rules } from '../../../utils/extchain.js'
import { MemoryChain } from '../../../utils/replay.js'

describe('batchVerify false but every signature verifies', () => {
  it('applies the block when every signature verifies one by one', async () => {
    const replay = new MemoryChain(def, registry, NOW, rules)
    const b1 = nextBlock(replay, [authorize(alice)])
    replay.append(b1)
    const store = createMemoryStore()
    let flaky = true
    const chain = await Chain.open({
      store,
      def,
      registry,
      rules,
      verifier: nodeEd25519,
      now: NOW,
      batchVerify: async () => !flaky,
    }) // e.g. verifyAll's catch-all after a transient WebCrypto error
    // every signature verifies one by one: the block is valid and is applied
    const first = await chain.addBlock(b1)
    expect(first.status).toBe('tip')
    flaky = false
    expect((await chain.addBlock(b1)).status).toBe('duplicate')
    expect(chain.height).toBe(1)
  })
})
