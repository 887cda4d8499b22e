import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import type { ChainDefinition } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import type { Block } from '../../../../consensus/types/block.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { Chain } from '../../../../node/chain/chain.js'
import type { KVStore } from '../../../../node/db/kvstore.js'
import { openLevelStore } from '../../../../node/db/level.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { generatedChain } from '../../../utils/devchain.js'
import { loadOracleChains } from '../../../utils/oracle.js'
import { MemoryChain } from '../../../utils/replay.js'

const NOW = () => 1_800_000_000
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'blockstake-chain-'))
  dirs.push(d)
  return d
}

const open = (def: ChainDefinition, store: KVStore) =>
  Chain.open({ store, def, registry: coreRegistry(), verifier: nodeEd25519, now: NOW })

/** Any valid chain: 300 generated devnet blocks, each a respend and a fee-paying transfer. */
const generated = generatedChain({ blocks: 300, transactionsPerBlock: 1 })

describe('chain: replays of the reference chains', () => {
  for (const oracle of loadOracleChains()) {
    it(`${oracle.name}: every block applies with the reference ID and child target (LevelDB)`, async () => {
      const dir = tempDir()
      const chain = await open(oracle.def, await openLevelStore(dir))
      expect(toHex(chain.genesisId)).toBe(oracle.genesisId)
      const reference = new MemoryChain(oracle.def, coreRegistry(), NOW)
      for (const [i, block] of oracle.blocks.entries()) {
        const result = await chain.addBlock(block)
        const expected = oracle.expected[i]!
        expect(result.status, `height ${expected.height}`).toBe('tip')
        expect(toHex(chain.tip.id)).toBe(expected.id)
        expect(chain.tip.height).toBe(expected.height)
        expect(chain.tip.childTarget.toString(16).padStart(64, '0')).toBe(expected.child_target)
        const replayed = reference.append(block)
        expect(toHex(replayed.stakeModifier)).toBe(expected.stakemodifier_bytes)
        expect(chain.tip.depth).toBe(replayed.depth)
      }
      expect(toHex(await chain.utxoHash())).toBe(toHex(reference.utxoHash()))
      await chain.close()
      // a restart resumes from the stored tip
      const again = await open(oracle.def, await openLevelStore(dir))
      expect(toHex(again.tip.id)).toBe(oracle.expected.at(-1)!.id)
      expect(toHex(await again.utxoHash())).toBe(toHex(reference.utxoHash()))
      expect(await again.addBlock(oracle.blocks[5]!)).toMatchObject({ status: 'duplicate' })
      await again.close()
    })
  }
})

describe('chain: orphans and data directories', () => {
  it('keeps orphans until their parent arrives', async () => {
    const chain = await open(generated.def, createMemoryStore())
    const [b1, b2, b3] = generated.blocks
    expect((await chain.addBlock(b3!)).status).toBe('orphan')
    expect((await chain.addBlock(b2!)).status).toBe('orphan')
    expect((await chain.addBlock(b1!)).status).toBe('tip')
    expect(chain.tip.height).toBe(3)
    await chain.close()
  })

  it('refuses a data directory of another chain', async () => {
    const dir = tempDir()
    await (await open(generated.def, await openLevelStore(dir))).close()
    const store = await openLevelStore(dir)
    await expect(open(preset('rivine-devnet'), store)).rejects.toThrow(/another chain/)
    await store.close()
  })
})

// ---- tampering ------------------------------------------------------------------------------------

/** A deterministic PRNG so a failing case can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

type Tamper = { name: string; code: string; apply: (b: Block) => Block | undefined }

const tampers: Tamper[] = [
  {
    name: 'respend signature byte',
    code: 'unfulfilled',
    apply: (b) => {
      const tx = b.transactions[0]!
      const f = tx.blockStakeInputs[0]!.fulfillment
      if (f.type !== 1) return undefined
      const signature = f.signature.slice()
      signature[7]! ^= 0x01
      return {
        ...b,
        transactions: [
          { ...tx, blockStakeInputs: [{ ...tx.blockStakeInputs[0]!, fulfillment: { ...f, signature } }] },
          ...b.transactions.slice(1),
        ],
      }
    },
  },
  {
    name: 'timestamp below the median',
    code: 'timestamp-too-early',
    apply: (b) => ({ ...b, timestamp: generated.def.genesis.timestamp - 1 }),
  },
  {
    name: 'timestamp far in the future',
    code: 'timestamp-too-far-future',
    apply: (b) => ({ ...b, timestamp: NOW() + 100_000 }),
  },
  {
    name: 'stake output index',
    code: 'stake-output-missing',
    apply: (b) => ({ ...b, pobsOutput: { ...b.pobsOutput, outputIndex: b.pobsOutput.outputIndex + 7 } }),
  },
  {
    name: 'payout value',
    code: 'payout-sum',
    apply: (b) => ({
      ...b,
      minerPayouts: b.minerPayouts.map((p, i) => (i === 0 ? { ...p, value: p.value + 1n } : p)),
    }),
  },
  {
    name: 'fee below the minimum',
    code: 'fee-too-low',
    apply: (b) => {
      const i = b.transactions.findIndex((t) => t.minerFees.length > 0)
      if (i < 0) return undefined
      const tx = b.transactions[i]!
      const cut = tx.minerFees[0]! - 1n
      const txs = [...b.transactions]
      txs[i] = {
        ...tx,
        minerFees: [1n],
        coinOutputs: tx.coinOutputs.map((o, j) => (j === 0 ? { ...o, value: o.value + cut } : o)),
      }
      return {
        ...b,
        transactions: txs,
        minerPayouts: b.minerPayouts.map((p, j) => (j === 1 ? { ...p, value: p.value - cut } : p)),
      }
    },
  },
]

describe('chain: tampered blocks are rejected with the right code', () => {
  const random = rng(20261122)

  it('tampers one field in random blocks, and the fee of block 3', async () => {
    const chain = await open(generated.def, createMemoryStore())
    let checked = 0
    for (const [i, block] of generated.blocks.entries()) {
      if (random() < 0.15) {
        const t = tampers[Math.floor(random() * 5)]!
        const bad = t.apply(block)
        if (bad) {
          const err = await chain.addBlock(bad).then(
            () => undefined,
            (e: unknown) => e,
          )
          expect(err, `${t.name} at height ${i + 1}`).toBeInstanceOf(ValidationError)
          expect((err as ValidationError).code, `${t.name} at height ${i + 1}`).toBe(t.code)
          checked++
        }
      }
      expect((await chain.addBlock(block)).status).toBe('tip')
    }
    expect(checked).toBeGreaterThan(20)
    await chain.close()

    const a = await open(generated.def, createMemoryStore())
    for (const block of generated.blocks.slice(0, 2)) await a.addBlock(block)
    const bad = tampers[5]!.apply(generated.blocks[2]!)!
    await expect(a.addBlock(bad)).rejects.toMatchObject({ code: 'fee-too-low', details: { transaction: 1 } })
    // the tip is untouched and the real block still applies
    expect(a.tip.height).toBe(2)
    expect((await a.addBlock(generated.blocks[2]!)).status).toBe('tip')
    await a.close()
  })
})

describe('chain: grouped import (addBlocks)', () => {
  it('imports a whole chain in groups with the same result as one by one', async () => {
    const chain = await open(generated.def, createMemoryStore())
    const applied: number[] = []
    chain.on('applied', (_b, _id, h) => applied.push(h))
    const { results, error } = await chain.addBlocks(generated.blocks, 16)
    expect(error).toBeUndefined()
    expect(results.map((r) => r.status)).toEqual(generated.blocks.map(() => 'tip'))
    expect(applied).toEqual(generated.blocks.map((_, i) => i + 1))
    expect(toHex(chain.tip.id)).toBe(generated.ids.at(-1))
    const reference = new MemoryChain(generated.def, coreRegistry(), NOW)
    for (const b of generated.blocks) reference.append(b)
    expect(toHex(await chain.utxoHash())).toBe(toHex(reference.utxoHash()))
    await chain.close()
  })

  it('stops at a block with a bad signature, keeping everything before it', async () => {
    const chain = await open(generated.def, createMemoryStore())
    const bad = tampers[0]!.apply(generated.blocks[70]!)!
    const blocks = [...generated.blocks.slice(0, 70), bad, ...generated.blocks.slice(71, 100)]
    const { results, error } = await chain.addBlocks(blocks, 16)
    expect(error?.index).toBe(70)
    expect(error?.error).toBeInstanceOf(ValidationError)
    expect((error!.error as ValidationError).code).toBe('unfulfilled')
    expect(results).toHaveLength(70)
    expect(chain.tip.height).toBe(70)
    const reference = new MemoryChain(generated.def, coreRegistry(), NOW)
    for (const b of generated.blocks.slice(0, 70)) reference.append(b)
    expect(toHex(await chain.utxoHash())).toBe(toHex(reference.utxoHash()))
    // the rest still imports after the bad block
    const rest = await chain.addBlocks(generated.blocks.slice(70), 16)
    expect(rest.error).toBeUndefined()
    expect(chain.tip.height).toBe(300)
    await chain.close()
  })

  it('skips blocks it already has and continues', async () => {
    const chain = await open(generated.def, createMemoryStore())
    await chain.addBlocks(generated.blocks.slice(0, 20))
    const { results, error } = await chain.addBlocks(generated.blocks.slice(0, 40))
    expect(error).toBeUndefined()
    expect(results.slice(0, 20).every((r) => r.status === 'duplicate')).toBe(true)
    expect(chain.tip.height).toBe(40)
    await chain.close()
  })

  it('hands out the stored bytes of a main-chain range in one read', async () => {
    const chain = await open(generated.def, createMemoryStore())
    await chain.addBlocks(generated.blocks.slice(0, 10))
    const range = await chain.blockBytesFrom(8, 5) // heights 8…10 exist
    expect(range.map((r) => toHex(r.id))).toEqual([8, 9, 10].map((h) => toHex(chain.idAt(h)!)))
    expect(range.map((r) => toHex(r.bytes))).toEqual(
      generated.blocks.slice(7, 10).map((b) => toHex(chain.codec.encode(b))),
    )
    expect(await chain.blockBytesFrom(11, 5)).toEqual([])
    await chain.close()
  })

  it('looks up outputs and transaction locations in one read, the same as one by one', async () => {
    for (const store of [createMemoryStore(), await openLevelStore(tempDir())]) {
      const chain = await open(generated.def, store)
      await chain.addBlocks(generated.blocks.slice(0, 10))
      const txs = generated.blocks.slice(0, 10).flatMap((b) => b.transactions)
      const registry = chain.registry
      // spent and unspent outputs, stake outputs, confirmed and unknown transactions
      const coins = txs.flatMap((tx) => registry.outputIds(tx).coinOutputIds)
      const blockStakes = txs.flatMap((tx) => registry.outputIds(tx).blockStakeOutputIds)
      const transactions = [...txs.map((tx) => registry.id(tx)), new Uint8Array(32).fill(7)]
      const found = await chain.lookup({ coins, blockStakes, transactions })
      expect(found.coins).toEqual(await Promise.all(coins.map((id) => chain.coinOutput(id))))
      expect(found.blockStakes).toEqual(
        await Promise.all(blockStakes.map((id) => chain.blockStakeOutput(id))),
      )
      expect(found.transactions).toEqual(
        await Promise.all(transactions.map((id) => chain.transactionLocation(id))),
      )
      expect(found.coins.some((o) => o === undefined) && found.coins.some((o) => o !== undefined)).toBe(true)
      expect(found.transactions.at(-1)).toBeUndefined()
      expect(await chain.lookup({ coins: [], blockStakes: [], transactions: [] })).toEqual({
        coins: [],
        blockStakes: [],
        transactions: [],
      })
      await chain.close()
    }
  })
})

describe('chain: reorgs onto a long side branch', () => {
  it('validates each side block against its own branch, however far back the fork is, then switches', async () => {
    // two branches from one genesis: the stake modifier of a block reads the 256 IDs ending 20 blocks back
    // on its own branch; only the 11 newest side ancestors were looked up, older ones came from the main
    // chain, so a side block more than about 11 blocks above the fork failed its kernel check and was marked
    // invalid (issue #13: a node on its own branch for longer could never rejoin the network)
    const a = generatedChain({ blocks: 40, transactionsPerBlock: 0 })
    const b = generatedChain({ blocks: 80, transactionsPerBlock: 1 })
    expect(a.ids[0]).toBe(b.ids[0])
    const chain = await open(a.def, createMemoryStore())
    expect((await chain.addBlocks(a.blocks)).error).toBeUndefined()
    let reverted = 0
    // one at a time, as gossip and sync hand over blocks of a fork
    for (const block of b.blocks) {
      const r = await chain.addBlock(block)
      if (r.status === 'tip') reverted += r.reverted.length
    }
    expect(toHex(chain.tip.id)).toBe(b.ids.at(-1))
    expect(reverted).toBe(40)
    const fresh = await open(b.def, createMemoryStore())
    expect((await fresh.addBlocks(b.blocks)).error).toBeUndefined()
    expect(toHex(await chain.stateHash())).toBe(toHex(await fresh.stateHash()))
    await chain.close()
    await fresh.close()
  })
})

describe('chain: address activity', () => {
  it('lists the transactions and payouts of an address', async () => {
    const blocks = generated.blocks.slice(0, 40)
    const chain = await open(generated.def, createMemoryStore())
    await chain.addBlocks(blocks)
    const creator = generated.def.genesis.blockStakeOutputs[0]!.condition
    if (creator.type !== 1) throw new Error('expected an address')
    const all = await chain.addressActivity(creator.unlockHash)
    // every block: the respend (a transaction) and the payout (the block)
    expect(all.length).toBeGreaterThanOrEqual(2 * blocks.length)
    expect(all.map((a) => a.height)).toEqual([...all.map((a) => a.height)].sort((a, b) => a - b))
    const newest = await chain.addressActivity(creator.unlockHash, { newestFirst: true, limit: 2 })
    expect(newest.every((a) => a.height === 40)).toBe(true)
    await chain.close()
  })
})
