// Issue #13, pool poison: a transaction valid at the tip's time but not at any later one (here: a chain
// builder's rule that refuses a transaction past the deadline in its data; a legacy atomic-swap claim past
// its time lock is the built-in case) entered every pool, and every creator's block then failed. The creator
// now checks each set in its own block's context: the set stays out of the block, the block is made, and the
// pool's revalidation after it drops the set.
import { afterEach, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import { jsonObject } from '../../../../consensus/encoding/json.js'
import {
  BUILTIN_EXTENSIONS,
  chainConsensus,
  type Extension,
  ruleError,
} from '../../../../consensus/extensions/index.js'
import { genesisTransaction } from '../../../../consensus/params/chain.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction } from '../../../../consensus/types/transaction.js'
import { BlockCreator } from '../../../../node/blockcreator/creator.js'
import { Chain } from '../../../../node/chain/chain.js'
import { createMemoryStore } from '../../../../node/db/memory.js'
import { type RemovalReason, TransactionPool } from '../../../../node/mempool/index.js'
import { devKey, devnetWithStakers, SimClock } from '../../../utils/devchain.js'

const decoder = new TextDecoder()

/** A chain builder's rule: a transaction whose data reads `deadline:T` is valid only in blocks up to time T. */
const deadline: Extension<Record<string, never>> = {
  name: 'deadline',
  parseParams: (value, path) => {
    jsonObject(value ?? {}, path)
    return {}
  },
  paramsToJson: () => ({}),
  versions: () => [],
  enable: () => ({
    name: 'deadline',
    transactionTypes: [],
    rules: [
      {
        name: 'deadline/before',
        versions: 'all',
        validate(tx, _spent, ctx) {
          const m = /^deadline:(\d+)$/.exec(decoder.decode(tx.arbitraryData))
          if (m && ctx.blockTime > Number(m[1]))
            throw ruleError(
              'deadline/before',
              'extension-rule',
              `past its deadline ${m[1]} (block time ${ctx.blockTime})`,
            )
        },
      },
    ],
  }),
}

const chains: Chain[] = []
afterEach(async () => {
  for (const c of chains.splice(0)) await c.close()
})

describe('block creator: a pool transaction that expires before the next block', () => {
  it('stays out of the block, the block is made, and the set then leaves the pool', async () => {
    const key = devKey(0)
    const clock = new SimClock(1_800_000_000)
    const def = { ...devnetWithStakers([key], clock.t), extensions: { deadline: {} } }
    const { registry, rules } = chainConsensus(def, [...BUILTIN_EXTENSIONS, deadline])
    const chain = await Chain.open({
      store: createMemoryStore(),
      def,
      registry,
      rules,
      verifier: nodeEd25519,
      now: clock.now,
    })
    chains.push(chain)
    const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: clock.now }).attach()
    const creator = new BlockCreator({ chain, keys: [key], ed: nodeEd25519, pool, now: clock.now })
    const removed: RemovalReason[] = []
    pool.on('removed', (_ids, reason) => removed.push(reason))

    const g = genesisTransaction(def)
    const total = g.coinOutputs[0]!.value
    const fee = def.constants.minimumTransactionFee
    const expiring = signSingleSignature(
      registry,
      nodeEd25519,
      {
        ...emptyTransaction(1),
        coinInputs: [{ parentId: registry.coinOutputId(g, 0), fulfillment: { type: 0 } }],
        coinOutputs: [
          { value: total - fee, condition: unlockHashCondition(publicKeyUnlockHash(key.publicKey)) },
        ],
        minerFees: [fee],
        arbitraryData: utf8(`deadline:${clock.t + 5}`),
      },
      'coinInputs',
      0,
      key,
    )
    await pool.addSet([expiring]) // valid in a block made now
    expect(pool.size).toBe(1)

    clock.advance(30) // every block from now on is past the deadline
    let made: Awaited<ReturnType<BlockCreator['createBlock']>>
    for (let i = 0; i < 1000 && !made; i++) {
      made = await creator.createBlock()
      clock.advance(1)
    }
    expect(made?.result.status).toBe('tip')
    expect(made!.block.transactions).toHaveLength(1) // the creator's respend only
    expect(chain.height).toBe(1)
    // the revalidation after the block drops it: it is not valid at the next block's time either
    await pool.settled()
    expect(pool.size).toBe(0)
    expect(removed).toContain('invalid')
  })
})
