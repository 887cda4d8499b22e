// Found by review: an orphan adopted while a grouped import had a group staged on top of the one just
// committed was applied above the staged blocks, which published staged, unwritten IDs; the import then
// marked a valid main-chain block invalid, and after a restart the chain could not get past it. Orphans of
// imported blocks are now taken in after the import.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import type { Block } from '../../../../consensus/types/block.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { devnetDefinition, generateChain } from '../../../../devnet/chaingen.js'
import { Chain } from '../../../../node/chain/chain.js'
import { key, Table, u64be } from '../../../../node/chain/tables.js'
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
    blocks: 16,
    transactionsPerBlock: 2,
  }),
]
const open = (store: ReturnType<typeof createMemoryStore>) =>
  Chain.open({ store, def, registry, verifier: nodeEd25519, now: () => GENESIS + 100_000 })

describe('chain: orphans adopted during a grouped import', () => {
  it('a gossiped orphan whose parent ends a group neither corrupts the index nor invalidates the chain', async () => {
    const store = createMemoryStore()
    const chain = await open(store)
    // a peer gossips block 5 (a real block, child of block 4, which ends the first group of 4) ahead of the sync
    expect((await chain.addBlock(blocks[4]!, 'peer')).status).toBe('orphan')
    const result = await chain.addBlocks(blocks, 4)
    expect(result.error).toBeUndefined()
    expect(chain.height).toBe(16)
    for (let h = 0; h <= 17; h++) {
      const disk = await store.get(key(Table.Height, u64be(h)))
      expect(chain.idAt(h) && toHex(chain.idAt(h)!), `height ${h}`).toBe(disk && toHex(disk))
    }
    const again = await open(store)
    expect((await again.addBlocks(blocks, 4)).error).toBeUndefined()
    expect(again.height).toBe(16)
  })
})
