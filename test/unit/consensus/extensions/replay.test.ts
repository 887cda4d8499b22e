// A chain with minting and auth-coin, replayed block by block with the pure rules (test/utils/replay.ts):
// the state hash covers extension state, a reorg (revert, then other blocks) restores it exactly, and a
// fresh replay of the same blocks reaches the same hash.
import { describe, expect, it } from 'vitest'
import { nobleEd25519 } from '../../../../consensus/crypto/ed25519.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { authStatus, signAuthFulfillment } from '../../../../consensus/extensions/authcointx/index.js'
import { chainConsensus } from '../../../../consensus/extensions/catalog.js'
import { mintConditionAt, signMintFulfillment } from '../../../../consensus/extensions/minting/index.js'
import type { ChainDefinition } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../../../consensus/pobs/kernel.js'
import { extensionStateHash } from '../../../../consensus/state/extensions.js'
import type { Block } from '../../../../consensus/types/block.js'
import { conditionToJson } from '../../../../consensus/types/conditions.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { MemoryChain } from '../../../utils/replay.js'
import { addressOf, conditionOf, nonce } from './harness.js'
import { testKey } from './helpers.js'

const ed = nobleEd25519
const [staker, minter, authority, alice, bob] = ['staker', 'minter', 'authority', 'alice', 'bob'].map(
  testKey,
) as [SigningKey, SigningKey, SigningKey, SigningKey, SigningKey]
const base = preset('devnet')
const FEE = base.constants.minimumTransactionFee

/** Our devnet with a whitelist and minting; the staker holds every block stake. */
const def: ChainDefinition = {
  ...base,
  genesis: {
    ...base.genesis,
    coinOutputs: [{ value: 1000n * base.oneCoin, condition: conditionOf(staker) }],
    blockStakeOutputs: [{ value: 3000n, condition: conditionOf(staker) }],
  },
  extensions: {
    minting: {
      genesisMintCondition: conditionToJson(conditionOf(minter)),
      encoding: 'sia',
      requireMinerFees: true,
    },
    authcoin: {
      genesisAuthCondition: conditionToJson(conditionOf(authority)),
      authorizedByDefault: false,
      requireMinerFees: true,
    },
  },
}
const { registry, rules } = chainConsensus(def)
const NOW = () => 2_000_000_000

/** The next block on `chain`'s tip: the staker's respend, `txs`, and the payouts they owe. */
function nextBlock(chain: MemoryChain, txs: readonly Transaction[]): Block {
  const tip = chain.tip
  const pobsOutput = { blockHeight: tip.height, transactionIndex: 0, outputIndex: 0 }
  const holder = chain.blocks[tip.height]!.block.transactions[0]!
  const modifier = stakeModifier(tip.height + 1, def.constants.stakeModifierDelay, (h) => chain.blocks[h]!.id)
  let timestamp = tip.block.timestamp + 1
  while (!kernelMeetsTarget(kernelHash(modifier, pobsOutput, timestamp), 3000n, tip.childTarget)) timestamp++
  const respend = signSingleSignature(
    registry,
    ed,
    {
      ...emptyTransaction(1),
      blockStakeInputs: [{ parentId: registry.blockStakeOutputId(holder, 0), fulfillment: { type: 0 } }],
      blockStakeOutputs: [holder.blockStakeOutputs[0]!],
    },
    'blockStakeInputs',
    0,
    staker,
  )
  const fees = txs.reduce((s, tx) => s + tx.minerFees.reduce((a, f) => a + f, 0n), 0n)
  return {
    parentId: tip.id,
    timestamp,
    pobsOutput,
    minerPayouts: [{ value: def.constants.blockCreatorFee + fees, unlockHash: addressOf(staker) }],
    transactions: [respend, ...txs],
  }
}

let n = 0
const authorize = (...keys: SigningKey[]) =>
  signAuthFulfillment(
    registry,
    ed,
    {
      ...emptyTransaction(176),
      minerFees: [FEE],
      extension: {
        nonce: nonce(++n),
        authAddresses: keys.map(addressOf),
        deauthAddresses: [],
        authFulfillment: { type: 0 },
      },
    },
    authority,
  )
const mint = (to: SigningKey, value: bigint, signer = minter) =>
  signMintFulfillment(
    registry,
    ed,
    {
      ...emptyTransaction(129),
      coinOutputs: [{ value, condition: conditionOf(to) }],
      minerFees: [FEE],
      extension: { nonce: nonce(++n), mintFulfillment: { type: 0 } },
    },
    signer,
  )
const newMinter = (to: SigningKey) =>
  signMintFulfillment(
    registry,
    ed,
    {
      ...emptyTransaction(128),
      minerFees: [FEE],
      extension: { nonce: nonce(++n), mintFulfillment: { type: 0 }, mintCondition: conditionOf(to) },
    },
    minter,
  )

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
