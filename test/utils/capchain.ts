// Our devnet with the capacity extension only (no whitelist): the staker of test/utils/extchain.ts holds
// every block stake and the genesis coins; builders for capacity registrations and reservations.
import { nobleEd25519 } from '../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { type Prices, type Resources, signFarmer } from '../../consensus/extensions/capacity/index.js'
import { chainConsensus } from '../../consensus/extensions/catalog.js'
import { type ChainDefinition, genesisTransaction } from '../../consensus/params/chain.js'
import type { Block } from '../../consensus/types/block.js'
import type { Condition } from '../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../consensus/types/transaction.js'
import { Chain } from '../../node/chain/chain.js'
import { createMemoryStore } from '../../node/db/memory.js'
import { TransactionPool } from '../../node/mempool/pool.js'
import { conditionOf } from '../unit/consensus/extensions/harness.js'
import { def as extDef, FEE, NOW, nextBlock as nextExtBlock, staker } from './extchain.js'
import { MemoryChain } from './replay.js'

const ed = nobleEd25519

export const capDef: ChainDefinition = { ...extDef, extensions: { capacity: {} } }
export const cap = chainConsensus(capDef)

export const nextCapBlock = (chain: MemoryChain, txs: readonly Transaction[]): Block =>
  nextExtBlock(chain, txs, { def: capDef, registry: cap.registry })

/** An unspent coin output to spend: its ID, value and owner. */
export interface Spendable {
  readonly id: Uint8Array
  readonly value: bigint
  readonly owner: SigningKey
}

/** A v1 payment splitting `from` into `values` for `to` (in order), the change back to the owner. */
export function split(from: Spendable, to: readonly (readonly [SigningKey, bigint])[]): Transaction {
  const paid = to.reduce((s, [, v]) => s + v, 0n)
  return signSingleSignature(
    cap.registry,
    ed,
    {
      ...emptyTransaction(1),
      coinInputs: [{ parentId: from.id, fulfillment: { type: 0 } }],
      coinOutputs: [
        ...to.map(([k, value]) => ({ value, condition: conditionOf(k) })),
        { value: from.value - paid - FEE, condition: conditionOf(from.owner) },
      ],
      minerFees: [FEE],
    },
    'coinInputs',
    0,
    from.owner,
  )
}

export function registration(
  from: Spendable,
  nodeId: string,
  resources: Resources,
  prices: Prices,
  farmer: SigningKey = from.owner,
  payout: Condition = conditionOf(farmer),
): Transaction {
  let tx: Transaction = {
    ...emptyTransaction(224),
    coinInputs: [{ parentId: from.id, fulfillment: { type: 0 } }],
    coinOutputs: [{ value: from.value - FEE, condition: conditionOf(from.owner) }],
    minerFees: [FEE],
    extension: {
      nodeId,
      resources,
      prices,
      payoutCondition: payout,
      farmerKey: farmer.publicKey,
      farmerSignature: new Uint8Array(0),
    },
  }
  tx = signFarmer(cap.registry, ed, tx, farmer)
  return signSingleSignature(cap.registry, ed, tx, 'coinInputs', 0, from.owner)
}

export function reservation(
  from: Spendable,
  nodeId: string,
  resources: Resources,
  hours: number,
  payment: bigint,
  payout: Condition,
): Transaction {
  return signSingleSignature(
    cap.registry,
    ed,
    {
      ...emptyTransaction(225),
      coinInputs: [{ parentId: from.id, fulfillment: { type: 0 } }],
      coinOutputs: [
        { value: payment, condition: payout },
        { value: from.value - payment - FEE, condition: conditionOf(from.owner) },
      ],
      minerFees: [FEE],
      extension: { nodeId, resources, hours, ownerCondition: conditionOf(from.owner) },
    },
    'coinInputs',
    0,
    from.owner,
  )
}

/** Output `i` of `tx`, owned by `owner`, as something to spend. */
export const outputOf = (tx: Transaction, i: number, owner: SigningKey): Spendable => ({
  id: cap.registry.coinOutputId(tx, i),
  value: tx.coinOutputs[i]!.value,
  owner,
})

/** The staker's genesis coins. */
export const genesisCoins = (): Spendable => outputOf(genesisTransaction(capDef), 0, staker)

/**
 * A node's in-memory chain of `capDef` and its pool, with `add(txs)` appending the next block (made on a
 * replay of the same chain) to both. The pool's clock is `NOW`, or with `poolAtChainTime` the tip's
 * timestamp (the pool judges at the next block's earliest time, and these blocks are seconds apart).
 */
export async function openCapChain(opts: { poolAtChainTime?: boolean } = {}) {
  const { registry, rules } = cap
  const chain = await Chain.open({
    store: createMemoryStore(),
    def: capDef,
    registry,
    rules,
    verifier: nodeEd25519,
    now: NOW,
  })
  const pool = new TransactionPool({
    chain,
    verifier: nodeEd25519,
    now: opts.poolAtChainTime ? () => chain.tip.timestamp : NOW,
  }).attach()
  const replay = new MemoryChain(capDef, registry, NOW, rules)
  const add = async (txs: readonly Transaction[]): Promise<void> => {
    const b = nextCapBlock(replay, txs)
    replay.append(b)
    const { status } = await chain.addBlock(b)
    if (status !== 'tip') throw new Error(`block ${replay.tip.height} was added as ${status}, not as the tip`)
  }
  return { chain, pool, add }
}
