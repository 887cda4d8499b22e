// The spent coin output index (node/chain/indexers.ts): every coin input of a main-chain block maps its
// output to the spending transaction, with the output's value and condition; a reorg removes the entries
// of the blocks it reverts and writes those of the blocks it applies.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import type { Block } from '../../../../consensus/types/block.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { generatedChain } from '../../../utils/devchain.js'

const registry = coreRegistry()
const NOW = () => 1_800_000_000

/** Every coin input of `blocks`: the output it spends and the transaction spending it. */
const coinInputs = (blocks: readonly Block[]) =>
  blocks.flatMap((b) =>
    b.transactions.flatMap((tx) =>
      tx.coinInputs.map((i) => ({ outputId: i.parentId, transactionId: toHex(registry.id(tx)) })),
    ),
  )

describe('chain: spent coin output index', () => {
  it('names the spender of every spent coin output, and follows a reorg', async () => {
    const a = generatedChain({ blocks: 30, transactionsPerBlock: 1 })
    const b = generatedChain({ blocks: 60, transactionsPerBlock: 0 })
    const chain = await Chain.open({
      store: createMemoryStore(),
      def: a.def,
      registry,
      verifier: nodeEd25519,
      now: NOW,
    })
    expect((await chain.addBlocks(a.blocks)).error).toBeUndefined()
    const spentOnA = coinInputs(a.blocks)
    expect(spentOnA.length).toBeGreaterThanOrEqual(30)
    // the outputs the genesis and the blocks created, to compare values and conditions with
    const created = new Map<string, { value: bigint; condition: unknown }>()
    for (const block of a.blocks)
      for (const tx of block.transactions) {
        const ids = registry.outputIds(tx).coinOutputIds
        for (const [i, o] of tx.coinOutputs.entries()) created.set(toHex(ids[i]!), o)
      }
    for (const { outputId, transactionId } of spentOnA) {
      const spent = await chain.spentCoinOutput(outputId)
      expect(spent, `output ${toHex(outputId)}`).toBeDefined()
      expect(toHex(spent!.transactionId)).toBe(transactionId)
      expect(await chain.coinOutput(outputId)).toBeUndefined()
      expect(await chain.transactionLocation(spent!.transactionId)).toBeDefined()
      const made = created.get(toHex(outputId))
      if (made) expect({ value: spent!.value, condition: spent!.condition }).toEqual(made)
    }
    // an unspent output has no entry
    const tipTx = a.blocks.at(-1)!.transactions.at(-1)!
    expect(await chain.spentCoinOutput(registry.outputIds(tipTx).coinOutputIds[0]!)).toBeUndefined()

    // a heavier branch without a's transfers: their entries go, b's come
    for (const block of b.blocks) await chain.addBlock(block)
    expect(toHex(chain.tip.id)).toBe(b.ids.at(-1))
    const spentOnB = coinInputs(b.blocks)
    const onB = new Set(spentOnB.map((s) => `${toHex(s.outputId)} ${s.transactionId}`))
    let removed = 0
    for (const s of spentOnA) {
      if (onB.has(`${toHex(s.outputId)} ${s.transactionId}`)) continue
      const spent = await chain.spentCoinOutput(s.outputId)
      // spent by b's own transaction, or not at all
      if (spent) expect(onB.has(`${toHex(s.outputId)} ${toHex(spent.transactionId)}`)).toBe(true)
      else removed++
    }
    expect(removed).toBeGreaterThan(0)
    for (const { outputId, transactionId } of spentOnB)
      expect(toHex((await chain.spentCoinOutput(outputId))!.transactionId)).toBe(transactionId)
    await chain.close()
  })
})
