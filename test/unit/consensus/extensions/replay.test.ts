// A chain with minting and auth-coin, replayed block by block with the pure rules (test/utils/replay.ts):
// the state hash covers extension state, a reorg (revert, then other blocks) restores it exactly, and a
// fresh replay of the same blocks reaches the same hash.
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { authStatus } from '../../../../consensus/extensions/authcointx/index.js'
import { mintConditionAt } from '../../../../consensus/extensions/minting/index.js'
import { extensionStateHash } from '../../../../consensus/state/extensions.js'
import type { Block } from '../../../../consensus/types/block.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
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

describe('replaying a chain with extensions', () => {
  it('tracks extension state in the state hash and restores it exactly through a reorg', () => {
    const chain = new MemoryChain(def, registry, NOW, rules)
    const hashes = [toHex(chain.stateHash())]
    const extension = [toHex(chain.extensionHash())]
    const add = (txs: Transaction[]): Block => {
      const block = nextBlock(chain, txs)
      chain.append(block)
      hashes.push(toHex(chain.stateHash()))
      extension.push(toHex(chain.extensionHash()))
      return block
    }
    const b1 = add([authorize(alice)])
    const b2 = add([mint(alice, 50n * base.oneCoin)])
    // a new minter, its address authorized, and its first coin creation, all in one block
    const b3 = add([newMinter(bob), authorize(bob), mint(bob, base.oneCoin, bob)])
    expect(new Set(hashes).size).toBe(4)
    expect(extension[2]).toBe(extension[1]) // a coin creation changes no extension state
    expect(mintConditionAt(chain.extensionState, 3)).toEqual(conditionOf(bob))

    // an invalid block (the old minter mints) changes nothing
    let refused: unknown
    try {
      chain.append(nextBlock(chain, [mint(alice, base.oneCoin)]))
    } catch (err) {
      refused = err
    }
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as ValidationError).code).toBe('mint-unfulfilled')
    expect(toHex(chain.stateHash())).toBe(hashes[3])

    // reorg: back to height 1, another branch, back again, and the first branch once more
    chain.revertTip()
    chain.revertTip()
    expect(toHex(chain.stateHash())).toBe(hashes[1])
    expect(mintConditionAt(chain.extensionState, 3)).toEqual(conditionOf(minter))
    expect(authStatus(chain.extensionState, addressOf(bob)).authorized).toBe(false)
    add([authorize(bob)])
    add([mint(bob, 2n * base.oneCoin)])
    expect(hashes.slice(4)).not.toContain(hashes[2])
    expect(hashes[5]).not.toBe(hashes[3])
    chain.revertTip()
    chain.revertTip()
    expect(toHex(chain.stateHash())).toBe(hashes[1])
    chain.append(b2)
    expect(toHex(chain.stateHash())).toBe(hashes[2])
    chain.append(b3)
    expect(toHex(chain.stateHash())).toBe(hashes[3])

    // a fresh replay of the same blocks reaches the same state
    const fresh = new MemoryChain(def, registry, NOW, rules)
    for (const b of [b1, b2, b3]) fresh.append(b)
    expect(toHex(fresh.stateHash())).toBe(hashes[3])
    expect(toHex(fresh.extensionHash())).toBe(toHex(chain.extensionHash()))
  })

  it('a chain without extensions has an empty extension state', () => {
    const plain = new MemoryChain(base, coreRegistry())
    expect(plain.extensionState.size).toBe(0)
    expect(toHex(plain.extensionHash())).toBe(toHex(extensionStateHash([], blake2b256)))
  })
})
