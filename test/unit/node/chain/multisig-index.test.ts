// The multisig wallet index (node/chain/indexers.ts multisigIndexer) and GET /addresses/:address/multisig:
// each member of a multisig condition (plain or time-locked) of a main-chain output maps to the wallet; a
// reorg removes what the reverted blocks wrote and nothing more; a data directory whose index entries are
// missing is caught up when it opens (LevelDB).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { genesisTransaction } from '../../../../consensus/params/chain.js'
import type { Block } from '../../../../consensus/types/block.js'
import { type Condition, conditionUnlockHash } from '../../../../consensus/types/conditions.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { buildApi } from '../../../../node/api/server.js'
import { Chain } from '../../../../node/chain/chain.js'
import { indexerMarkerKey, MULTISIG_INDEX } from '../../../../node/chain/indexers.js'
import { indexKey } from '../../../../node/chain/tables.js'
import { type BatchOp, prefixRange } from '../../../../node/db/kvstore.js'
import { openLevelStore } from '../../../../node/db/level.js'
import { TransactionPool } from '../../../../node/mempool/pool.js'
import { cap, capDef, nextCapBlock, type Spendable } from '../../../utils/capchain.js'
import { addressOf, alice, bob, conditionOf, FEE, NOW, staker } from '../../../utils/extchain.js'
import { OpenApiChecker } from '../../../utils/openapi.js'
import { MemoryChain } from '../../../utils/replay.js'

const { registry, rules } = cap
const COIN = capDef.oneCoin
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const pair: Condition = {
  type: 4,
  unlockHashes: [addressOf(alice), addressOf(bob)],
  minimumSignatureCount: 2,
}
const lockedTrio: Condition = {
  type: 3,
  lockTime: 1_000_000n,
  condition: {
    type: 4,
    unlockHashes: [addressOf(alice), addressOf(bob), addressOf(staker)],
    minimumSignatureCount: 1,
  },
}
const PAIR = unlockHashToString(conditionUnlockHash(pair))
const TRIO = unlockHashToString(conditionUnlockHash(lockedTrio))

/** A payment from `from` to `condition`, the change back to its owner. */
function payTo(from: Spendable, condition: Condition, value: bigint): Transaction {
  return signSingleSignature(
    registry,
    nodeEd25519,
    {
      ...emptyTransaction(1),
      coinInputs: [{ parentId: from.id, fulfillment: { type: 0 } }],
      coinOutputs: [
        { value, condition },
        { value: from.value - value - FEE, condition: conditionOf(from.owner) },
      ],
      minerFees: [FEE],
    },
    'coinInputs',
    0,
    from.owner,
  )
}

async function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'blockstake-multisig-index-'))
  dirs.push(dir)
  return dir
}

async function openChain(dir: string) {
  const store = await openLevelStore(join(dir, 'db'))
  return Chain.open({ store, def: capDef, registry, rules, verifier: nodeEd25519, now: NOW })
}

const wallets = async (chain: Chain, who: typeof alice) =>
  (await chain.multisigWallets(addressOf(who), 100)).wallets.map((w) => unlockHashToString(w.address)).sort()

describe('chain: multisig wallet index', () => {
  it('maps members to their wallets, follows a reorg and is caught up on open', async () => {
    const dir = await dataDir()
    const chain = await openChain(dir)
    const g = genesisTransaction(capDef)
    const genesis: Spendable = {
      id: registry.coinOutputId(g, 0),
      value: g.coinOutputs[0]!.value,
      owner: staker,
    }
    // branch a: block 1 pays the pair and the locked trio, block 2 pays the pair again
    const a = new MemoryChain(capDef, registry, NOW, rules)
    const first = payTo(genesis, pair, 10n * COIN)
    const change1: Spendable = {
      id: registry.coinOutputId(first, 1),
      value: first.coinOutputs[1]!.value,
      owner: staker,
    }
    const second = payTo(change1, lockedTrio, 5n * COIN)
    const change2: Spendable = {
      id: registry.coinOutputId(second, 1),
      value: second.coinOutputs[1]!.value,
      owner: staker,
    }
    const third = payTo(change2, pair, 1n * COIN)
    const add = async (replay: MemoryChain, txs: Parameters<typeof nextCapBlock>[1]): Promise<Block> => {
      const b = nextCapBlock(replay, txs)
      replay.append(b)
      return b
    }
    const a1 = await add(a, [first, second])
    const a2 = await add(a, [third])
    for (const b of [a1, a2]) expect((await chain.addBlock(b)).status).toBe('tip')
    expect(await wallets(chain, alice)).toEqual([PAIR, TRIO].sort())
    expect(await wallets(chain, bob)).toEqual([PAIR, TRIO].sort())
    expect(await wallets(chain, staker)).toEqual([TRIO])
    const pairEntry = (await chain.multisigWallets(addressOf(bob), 100)).wallets.find(
      (w) => unlockHashToString(w.address) === PAIR,
    )
    expect(pairEntry?.condition).toEqual(pair)
    // a limit: one wallet listed, more said
    const one = await chain.multisigWallets(addressOf(alice), 1)
    expect(one.wallets).toHaveLength(1)
    expect(one.more).toBe(true)

    // branch c forks after a1 and outgrows a: a2's entry of the pair goes, a1's stays
    const c = new MemoryChain(capDef, registry, NOW, rules)
    c.append(a1)
    const c2 = await add(c, [])
    const c3 = await add(c, [])
    await chain.addBlock(c2)
    await chain.addBlock(c3)
    expect(chain.tip.height).toBe(3)
    expect(await wallets(chain, alice)).toEqual([PAIR, TRIO].sort())
    const entries = async () => (await chain.indexEntries(MULTISIG_INDEX, new Uint8Array(0), 1000)).length
    expect(await entries()).toBe(5) // pair: alice, bob (a1); trio: alice, bob, staker (a1)

    // branch b from genesis outgrows c: no multisig output left on the main chain
    const b = new MemoryChain(capDef, registry, NOW, rules)
    for (let i = 0; i < 5; i++) await chain.addBlock(await add(b, []))
    expect(chain.tip.height).toBe(5)
    expect(await wallets(chain, alice)).toEqual([])
    expect(await entries()).toBe(0)

    // back to c (now the longer one): its entries return; then a data directory without them is caught up
    for (let i = 0; i < 3; i++) await chain.addBlock(await add(c, []))
    expect(chain.tip.height).toBe(6)
    expect(await wallets(chain, bob)).toEqual([PAIR, TRIO].sort())
    await chain.close()
    // the index entries and marker gone, as in a data directory made by a build without the index
    const raw = await openLevelStore(join(dir, 'db'))
    const ops: BatchOp[] = [{ type: 'del', key: indexerMarkerKey(MULTISIG_INDEX) }]
    for await (const [k] of raw.entries(prefixRange(indexKey(MULTISIG_INDEX, new Uint8Array(0)))))
      ops.push({ type: 'del', key: k })
    expect(ops).toHaveLength(6)
    await raw.batch(ops)
    await raw.close()
    const reopened = await openChain(dir)
    expect(await wallets(reopened, bob)).toEqual([PAIR, TRIO].sort())

    // the API route answers the same, as its schema says
    const pool = new TransactionPool({ chain: reopened, verifier: nodeEd25519, now: NOW }).attach()
    const app = await buildApi({
      chain: reopened,
      pool,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      extensions: rules.extensions,
    })
    const checker = new OpenApiChecker((await app.inject({ url: '/openapi.json' })).json())
    const get = async (url: string, status: number) => {
      const r = await app.inject({ url })
      expect(r.statusCode, url).toBe(status)
      checker.check('GET', url, status, r.json())
      return r.json()
    }
    const bobs = await get(`/addresses/${unlockHashToString(addressOf(bob))}/multisig`, 200)
    expect(bobs.wallets.map((w: { address: string }) => w.address).sort()).toEqual([PAIR, TRIO].sort())
    expect(bobs.more).toBe(false)
    expect(bobs.wallets.find((w: { address: string }) => w.address === PAIR).condition).toEqual({
      type: 4,
      data: {
        unlockhashes: [unlockHashToString(addressOf(alice)), unlockHashToString(addressOf(bob))],
        minimumsignaturecount: 2,
      },
    })
    expect(
      (await get(`/addresses/${unlockHashToString(addressOf(staker))}/multisig?limit=1`, 200)).wallets,
    ).toHaveLength(1)
    expect((await get('/addresses/nope/multisig', 400)).message).toMatch(/address/)
    await get(`/addresses/${unlockHashToString(addressOf(alice))}/multisig?limit=0`, 400)
    await app.close()
    pool.detach()
    await reopened.close()
  })
})
