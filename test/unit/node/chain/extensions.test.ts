// Issue #12: extension state on the node's LevelDB chain. It is written in each block's batch, survives a
// restart, goes through the grouped import, and a reorg across an auth update restores it exactly: the
// node's state hash equals a fresh replay of the winning branch with the pure rules (test/utils/replay.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { authAddressUpdateOf, authStatus } from '../../../../consensus/extensions/authcointx/index.js'
import { mintConditionAt } from '../../../../consensus/extensions/minting/index.js'
import type { Block } from '../../../../consensus/types/block.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import { unlockHashBytes } from '../../../../consensus/types/unlockhash.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { Chain } from '../../../../node/chain/chain.js'
import type { ChainIndexer } from '../../../../node/chain/indexers.js'
import { indexKey, u64be } from '../../../../node/chain/tables.js'
import { openLevelStore } from '../../../../node/db/level.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import {
  addressOf,
  alice,
  authorize,
  base,
  bob,
  conditionOf,
  def,
  mint,
  minter,
  NOW,
  newMinter,
  nextBlock,
  registry,
  rules,
} from '../../../utils/extchain.js'
import { MemoryChain } from '../../../utils/replay.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
async function openNodeChain(dir = mkdtempSync(join(tmpdir(), 'blockstake-extchain-'))) {
  if (!dirs.includes(dir)) dirs.push(dir)
  const chain = await Chain.open({
    store: await openLevelStore(dir),
    def,
    registry,
    rules,
    verifier: nodeEd25519,
    now: NOW,
  })
  return { chain, dir }
}

/** Builds a branch on a pure replay from genesis; returns its blocks and the replay. */
function branch(...blockTxs: Transaction[][]): { blocks: Block[]; replay: MemoryChain } {
  const replay = new MemoryChain(def, registry, NOW, rules)
  const blocks: Block[] = []
  for (const txs of blockTxs) {
    const block = nextBlock(replay, txs)
    replay.append(block)
    blocks.push(block)
  }
  return { blocks, replay }
}

describe('node chain: extension state', () => {
  it('stores it with each block, reloads it, and a reorg across an auth update restores it exactly', async () => {
    // branch A: alice authorized at 1, minted to at 2, a new minter (bob, authorized) at 3
    const a = branch(
      [authorize(alice)],
      [mint(alice, 50n * base.oneCoin)],
      [newMinter(bob), authorize(bob), mint(bob, base.oneCoin, bob)],
    )
    // branch B, heavier: four blocks from genesis with no extension transaction
    const b = branch([], [], [], [])
    const { chain, dir } = await openNodeChain()
    const genesisHash = toHex(await chain.stateHash())
    for (const block of a.blocks) expect((await chain.addBlock(block)).status).toBe('tip')
    expect(toHex(await chain.stateHash())).toBe(toHex(a.replay.stateHash()))
    expect(authStatus(chain.extensionState, addressOf(alice))).toEqual({ authorized: true, since: 1 })
    expect(mintConditionAt(chain.extensionState, 3)).toEqual(conditionOf(bob))

    // a block breaking a rule is refused and changes nothing
    const bad = nextBlock(a.replay, [mint(alice, base.oneCoin, minter)]) // the old minter
    await expect(chain.addBlock(bad)).rejects.toBeInstanceOf(ValidationError)
    expect(toHex(await chain.stateHash())).toBe(toHex(a.replay.stateHash()))

    // the heavier branch: A's three blocks are reverted, with their authorizations and mint condition
    const results = []
    for (const block of b.blocks) results.push(await chain.addBlock(block))
    expect(results.map((r) => r.status)).toEqual(['side', 'side', 'side', 'tip'])
    expect(chain.height).toBe(4)
    expect(authStatus(chain.extensionState, addressOf(alice))).toEqual({
      authorized: false,
      since: undefined,
    })
    expect(mintConditionAt(chain.extensionState, 4)).toEqual(conditionOf(minter))
    const fresh = toHex(b.replay.stateHash())
    expect(toHex(await chain.stateHash())).toBe(fresh)
    expect(fresh).not.toBe(genesisHash) // the UTXO set moved on
    await chain.close()

    // a restart reads the same state back from LevelDB
    const again = (await openNodeChain(dir)).chain
    expect(toHex(await again.stateHash())).toBe(fresh)
    expect(authStatus(again.extensionState, addressOf(alice)).authorized).toBe(false)
    await again.close()
  })

  it('a grouped import carries extension state from group to group', async () => {
    const blocks: Transaction[][] = [[authorize(alice)], [mint(alice, 7n * base.oneCoin)]]
    for (let i = 0; i < 9; i++) blocks.push([])
    blocks.push([newMinter(bob), authorize(bob)], [mint(bob, base.oneCoin, bob)])
    const a = branch(...blocks)
    const { chain } = await openNodeChain()
    const result = await chain.addBlocks(a.blocks, 4) // groups of 4 staged on top of each other
    expect(result.error).toBeUndefined()
    expect(chain.height).toBe(a.blocks.length)
    expect(toHex(await chain.stateHash())).toBe(toHex(a.replay.stateHash()))
    expect(authStatus(chain.extensionState, addressOf(bob))).toEqual({ authorized: true, since: 12 })
    await chain.close()
  })
})

describe('node chain: an extension indexer', () => {
  it('writes its entries in the block batch and removes them when the block leaves the main chain', async () => {
    const store = createMemoryStore()
    // an index of the heights at which addresses were authorized (keyed by address)
    const authorizedAt: ChainIndexer = {
      name: 'authorized-at',
      index(buf, { block, height }, op) {
        for (const tx of block.transactions) {
          if (tx.version !== 176) continue
          for (const a of authAddressUpdateOf(tx).authAddresses) {
            const k = indexKey('authorized-at', unlockHashBytes(a))
            if (op === 'put') buf.put(k, u64be(height))
            else buf.del(k)
          }
        }
      },
    }
    const chain = await Chain.open({
      store,
      def,
      registry,
      rules,
      verifier: nodeEd25519,
      now: NOW,
      indexers: [authorizedAt],
    })
    const a = branch([authorize(alice)], [])
    const b = branch([], [], [])
    for (const block of a.blocks) await chain.addBlock(block)
    const k = indexKey('authorized-at', unlockHashBytes(addressOf(alice)))
    expect(await store.get(k)).toEqual(u64be(1))
    for (const block of b.blocks) await chain.addBlock(block)
    expect(chain.height).toBe(3)
    expect(await store.get(k)).toBeUndefined()
    await chain.close()
  })
})
