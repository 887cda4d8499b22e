// Issue #12: no reader (API, block creator, p2p) sees a block before its signatures are verified and its
// batch is committed. A grouped import stages blocks while their signatures are checked; here the check is
// held open, the readers are asked, then the check answers.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import type { Block } from '../../../../consensus/types/block.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../../../../devnet/chaingen.js'
import { Chain } from '../../../../node/chain/chain.js'
import type { SignatureCheck } from '../../../../node/chain/verify.js'
import { verifyAll } from '../../../../node/chain/verify.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { devKey } from '../../../utils/devchain.js'

const GENESIS = 1_700_000_000
const keys = [0, 1].map(devKey)
const def = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: GENESIS })
const registry = coreRegistry()
const blocks: Block[] = [
  ...generateChain({
    def,
    registry,
    ed: nodeEd25519,
    stakeKey: keys[0]!,
    keys,
    blocks: 12,
    transactionsPerBlock: 2,
  }),
]

/** A signature check that waits until the test answers it. */
function heldVerifier() {
  const waiting: { checks: readonly SignatureCheck[]; answer: (ok: boolean) => void }[] = []
  const verify = (checks: readonly SignatureCheck[]) =>
    new Promise<boolean>((resolve) => {
      waiting.push({ checks, answer: resolve })
    })
  return { verify, waiting }
}

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 2))
  if (!ok()) throw new Error(`timed out waiting for ${what}`)
}

async function readersSee(chain: Chain, height: number) {
  const id = chain.codec.id(blocks[height - 1]!)
  return {
    idAt: chain.idAt(height) !== undefined,
    blockAt: (await chain.blockAt(height)) !== undefined,
    block: (await chain.block(id)) !== undefined,
    meta: (await chain.meta(id)) !== undefined,
    onMain: chain.isOnMainChain(id, height),
    timestamp: chain.timestampAt(height) !== undefined,
    bytes: (await chain.blockBytesFrom(height, 1)).length > 0,
    recent: chain.recentTimestamps(1000).length > height,
  }
}

const hidden = {
  idAt: false,
  blockAt: false,
  block: false,
  meta: false,
  onMain: false,
  timestamp: false,
  bytes: false,
  recent: false,
}
const shown = {
  idAt: true,
  blockAt: true,
  block: true,
  meta: true,
  onMain: true,
  timestamp: true,
  bytes: true,
  recent: true,
}

describe('chain: staged blocks stay invisible until committed', () => {
  it('readers see a group only once its signatures verified and its batch is written', async () => {
    const held = heldVerifier()
    const chain = await Chain.open({
      store: createMemoryStore(),
      def,
      registry,
      verifier: nodeEd25519,
      batchVerify: held.verify,
      now: () => GENESIS + 10_000,
    })
    const tips: number[] = []
    chain.on('tip', (t) => tips.push(t.height))
    const importing = chain.addBlocks(blocks, 4)
    // the first group (1–4) is staged and waits for its signatures; the second (5–8) is staged on top of it
    await until('the first group to be staged', () => held.waiting.length === 1)
    expect(chain.height).toBe(0)
    expect(await readersSee(chain, 1)).toMatchObject(hidden)
    expect(await readersSee(chain, 4)).toMatchObject(hidden)
    held.waiting[0]!.answer(await verifyAll(held.waiting[0]!.checks))
    await until('the second group to be staged', () => held.waiting.length === 2)
    // group 1 is committed; group 2 is staged on top of it and still hidden
    await until('group 1 to commit', () => chain.height === 4)
    expect(await readersSee(chain, 4)).toMatchObject(shown)
    expect(await readersSee(chain, 5)).toMatchObject(hidden)
    expect(await readersSee(chain, 8)).toMatchObject(hidden)
    for (let i = 1; i < 3; i++) {
      await until(`group ${i + 1} to be staged`, () => held.waiting.length > i)
      held.waiting[i]!.answer(await verifyAll(held.waiting[i]!.checks))
    }
    const result = await importing
    expect(result.error).toBeUndefined()
    expect(chain.height).toBe(12)
    expect(await readersSee(chain, 12)).toMatchObject(shown)
    expect(tips).toEqual([4, 8, 12])
  })

  it('a group whose signature check fails is never seen, and the blocks are then taken one by one', async () => {
    const held = heldVerifier()
    const chain = await Chain.open({
      store: createMemoryStore(),
      def,
      registry,
      verifier: nodeEd25519,
      batchVerify: held.verify,
      now: () => GENESIS + 10_000,
    })
    const importing = chain.addBlocks(blocks.slice(0, 4), 4)
    await until('the group to be staged', () => held.waiting.length === 1)
    held.waiting[0]!.answer(false) // as if a signature were bad
    // retried one block at a time (each block verified on its own, by the same verifier)
    for (let i = 1; i <= 4; i++) {
      await until(`block ${i} to be checked on its own`, () => held.waiting.length > i)
      expect(chain.height).toBe(i - 1)
      expect(await readersSee(chain, i)).toMatchObject(hidden)
      held.waiting[i]!.answer(await verifyAll(held.waiting[i]!.checks))
    }
    const result = await importing
    expect(result.error).toBeUndefined()
    expect(chain.height).toBe(4)
    expect(await readersSee(chain, 4)).toMatchObject(shown)
  })
})
