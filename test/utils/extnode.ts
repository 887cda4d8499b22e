// A node's parts (an in-memory chain, its pool, optionally its API) on the extension chain of ./extchain.ts,
// and the one valid transfer that chain has at genesis: the staker pays from its genesis coins. Shared by
// the node's pool, chain and API tests and the API fuzz target.
import pino from 'pino'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { chainConsensus } from '../../consensus/extensions/catalog.js'
import { type ChainDefinition, genesisTransaction } from '../../consensus/params/chain.js'
import { type SigningKey, signSingleSignature } from '../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../consensus/types/transaction.js'
import { buildApi } from '../../node/api/server.js'
import { Chain } from '../../node/chain/chain.js'
import { createMemoryStore } from '../../node/db/memory.js'
import { TransactionPool } from '../../node/mempool/pool.js'
import { conditionOf, def as extDef, FEE, NOW, registry, staker } from './extchain.js'

/**
 * The staker pays `value` of its genesis coins to `to` with `fee`, the change back to itself: a valid,
 * signed v1 transfer on the extension chain (all of them spend the same output, so they conflict).
 */
export function genesisPayment(to: SigningKey, value: bigint, fee = FEE): Transaction {
  const g = genesisTransaction(extDef)
  const total = g.coinOutputs[0]!.value
  return signSingleSignature(
    registry,
    nodeEd25519,
    {
      ...emptyTransaction(1),
      coinInputs: [{ parentId: registry.coinOutputId(g, 0), fulfillment: { type: 0 } }],
      coinOutputs: [
        { value, condition: conditionOf(to) },
        { value: total - value - fee, condition: conditionOf(staker) },
      ],
      minerFees: [fee],
    },
    'coinInputs',
    0,
    staker,
  )
}

/** An in-memory chain at genesis and its attached pool (clock `NOW`); `def` defaults to the extension chain. */
export async function openExtChain(def: ChainDefinition = extDef) {
  const { registry: reg, rules } = chainConsensus(def)
  const chain = await Chain.open({
    store: createMemoryStore(),
    def,
    registry: reg,
    rules,
    verifier: nodeEd25519,
    now: NOW,
  })
  const pool = new TransactionPool({ chain, verifier: nodeEd25519, now: NOW }).attach()
  return { chain, pool, rules }
}

/** `openExtChain` with the node's API (fastify, not listening) serving the chain's extension queries. */
export async function openExtNode(def: ChainDefinition = extDef) {
  const { chain, pool, rules } = await openExtChain(def)
  const app = await buildApi({
    chain,
    pool,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    extensions: rules.extensions,
  })
  return { chain, pool, app, rules }
}
