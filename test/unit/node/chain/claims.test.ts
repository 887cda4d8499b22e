// Found by review: chain claims under commit failures, failing reorgs and grouped imports with extensions.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { chainConsensus } from '../../../../consensus/extensions/catalog.js'
import type { Block } from '../../../../consensus/types/block.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { Chain } from '../../../../node/chain/chain.js'
import { BlockStatus, key, Table, u64be } from '../../../../node/chain/tables.js'
import type { KVStore } from '../../../../node/db/kvstore.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import {
  alice,
  authorize,
  base,
  bob,
  def,
  mint,
  NOW,
  newMinter,
  nextBlock,
  registry,
  rules,
} from '../../../utils/extchain.js'
import { genesisPayment } from '../../../utils/extnode.js'
import { MemoryChain } from '../../../utils/replay.js'

const openDef = {
  ...def,
  extensions: {
    ...def.extensions,
    authcoin: { ...(def.extensions as any).authcoin, authorizedByDefault: true },
  },
}
const open = chainConsensus(openDef as typeof def)

function branch(r: typeof rules, ...blockTxs: Transaction[][]) {
  const replay = new MemoryChain(def, r.registry, NOW, r)
  const blocks: Block[] = []
  for (const txs of blockTxs) {
    const b = nextBlock(replay, txs)
    replay.append(b)
    blocks.push(b)
  }
  return { blocks, replay }
}

function flaky(inner: KVStore) {
  const ctl = { failNext: 0, batches: 0 }
  const store = new Proxy(inner, {
    get(t, p) {
      if (p === 'batch')
        return async (ops: any) => {
          ctl.batches++
          if (ctl.failNext > 0 && --ctl.failNext === 0) throw new Error('disk full (injected)')
          return t.batch(ops)
        }
      const v = (t as any)[p]
      return typeof v === 'function' ? v.bind(t) : v
    },
  }) as KVStore
  return { store, ctl }
}

async function memVsDisk(chain: Chain, store: KVStore) {
  const mem: string[] = []
  const disk: string[] = []
  for (let h = 0; h <= 30; h++) {
    const m = chain.idAt(h)
    mem.push(m ? toHex(m).slice(0, 8) : '-')
    const d = await store.get(key(Table.Height, u64be(h)))
    disk.push(d ? toHex(d).slice(0, 8) : '-')
  }
  const tipDisk = await store.get(key(0x00 as any)) // unused
  void tipDisk
  return { mem: mem.join(' '), disk: disk.join(' ') }
}

const openChain = (store: KVStore) =>
  Chain.open({ store, def, registry, rules, verifier: nodeEd25519, now: NOW })

describe('chain claims', () => {
  it('a reorg whose batch commit throws leaves memory = disk = branch A; the retry lands on B', async () => {
    const a = branch(rules, [authorize(alice)], [mint(alice, 5n * base.oneCoin)], [newMinter(bob)])
    const b = branch(rules, [authorize(bob)], [], [], [])
    const inner = createMemoryStore()
    const { store, ctl } = flaky(inner)
    const chain = await openChain(store)
    for (const blk of a.blocks) expect((await chain.addBlock(blk)).status).toBe('tip')
    for (const blk of b.blocks.slice(0, 3)) expect((await chain.addBlock(blk)).status).toBe('side')
    ctl.failNext = 1
    await expect(chain.addBlock(b.blocks[3]!)).rejects.toThrow(/injected/)
    expect(chain.height).toBe(3)
    expect(toHex(await chain.stateHash())).toBe(toHex(a.replay.stateHash()))
    const v = await memVsDisk(chain, store)
    expect(v.mem).toBe(v.disk)
    const r = await chain.addBlock(b.blocks[3]!)
    expect(r.status).toBe('tip')
    expect(toHex(await chain.stateHash())).toBe(toHex(b.replay.stateHash()))
    const again = await openChain(store)
    expect(toHex(await again.stateHash())).toBe(toHex(b.replay.stateHash()))
  })

  it('a reorg failing validation in the middle of the new branch leaves A intact', async () => {
    const a = branch(rules, [authorize(alice)], [mint(alice, 5n * base.oneCoin)], [newMinter(bob)])
    // B2 pays bob without an authorization: valid where addresses are authorized by default, not here
    const b = branch(open.rules, [], [genesisPayment(bob, 10n * base.oneCoin)], [], [])
    const store = createMemoryStore()
    const chain = await openChain(store)
    for (const blk of a.blocks) await chain.addBlock(blk)
    for (const blk of b.blocks.slice(0, 3)) expect((await chain.addBlock(blk)).status).toBe('side')
    const err = await chain.addBlock(b.blocks[3]!).catch((e) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect(chain.height).toBe(3)
    expect(toHex(await chain.stateHash())).toBe(toHex(a.replay.stateHash()))
    const v = await memVsDisk(chain, store)
    expect(v.mem).toBe(v.disk)
    // the failing block (B2) and the ones after it are invalid; B1 stays stored
    const metas = await Promise.all(b.blocks.map((x) => chain.meta(chain.codec.id(x))))
    expect(metas.map((m) => m?.status)).toEqual([
      BlockStatus.Stored,
      BlockStatus.Invalid,
      BlockStatus.Invalid,
      BlockStatus.Invalid,
    ])
    const again = await openChain(store)
    expect(toHex(await again.stateHash())).toBe(toHex(a.replay.stateHash()))
  })

  it('a grouped import whose second group has a "bad" signature check redoes it one by one, state exact', async () => {
    const txs: Transaction[][] = [[authorize(alice)], [mint(alice, 7n * base.oneCoin)]]
    for (let i = 0; i < 9; i++) txs.push([])
    txs.push([newMinter(bob), authorize(bob)], [mint(bob, base.oneCoin, bob)])
    const a = branch(rules, ...txs)
    const store = createMemoryStore()
    let calls = 0
    const { verifyAll } = await import('../../../../node/chain/verify.js')
    const chain = await Chain.open({
      store,
      def,
      registry,
      rules,
      verifier: nodeEd25519,
      now: NOW,
      batchVerify: async (checks) => (++calls === 2 ? false : verifyAll(checks)),
    })
    const res = await chain.addBlocks(a.blocks, 4)
    expect(res.error).toBeUndefined()
    expect(chain.height).toBe(a.blocks.length)
    expect(toHex(await chain.stateHash())).toBe(toHex(a.replay.stateHash()))
    const v = await memVsDisk(chain, store)
    expect(v.mem).toBe(v.disk)
  })

  for (const failAt of [2, 3, 4]) {
    it(`a grouped import whose batch ${failAt} throws keeps memory = disk and the extension state`, async () => {
      const txs: Transaction[][] = [[authorize(alice)], [mint(alice, 7n * base.oneCoin)]]
      for (let i = 0; i < 9; i++) txs.push([])
      txs.push([newMinter(bob), authorize(bob)], [mint(bob, base.oneCoin, bob)])
      const a = branch(rules, ...txs)
      const { store, ctl } = flaky(createMemoryStore())
      const chain = await openChain(store)
      const before = ctl.batches
      void before
      ctl.failNext = failAt
      await expect(chain.addBlocks(a.blocks, 4)).rejects.toThrow(/injected/)
      const h = chain.height
      const prefix = branch(rules, ...txs.slice(0, h))
      expect(toHex(await chain.stateHash())).toBe(toHex(prefix.replay.stateHash()))
      const v = await memVsDisk(chain, store)
      expect(v.mem).toBe(v.disk)
      const res = await chain.addBlocks(a.blocks, 4)
      expect(res.error).toBeUndefined()
      expect(chain.height).toBe(a.blocks.length)
      expect(toHex(await chain.stateHash())).toBe(toHex(a.replay.stateHash()))
      const again = await openChain(store)
      expect(toHex(await again.stateHash())).toBe(toHex(a.replay.stateHash()))
    })
  }
})
