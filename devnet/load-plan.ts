// The transactions of a devnet load run (issue #13), built and signed before anything is sent: the faucet's
// output split into one output per chain by a tree of fan-out transactions, then per chain a run of
// transfers, each spending the previous one's change, so no two chains ever conflict.
import type { Ed25519 } from '../consensus/crypto/ed25519.js'
import type { ChainDefinition } from '../consensus/params/chain.js'
import { type Condition, publicKeyUnlockHash, unlockHashCondition } from '../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../consensus/types/sign.js'
import type { Transaction, TransactionRegistry } from '../consensus/types/transaction.js'
import type { UnlockHash } from '../consensus/types/unlockhash.js'

/** Outputs of one fan-out transaction at most (about 12 KB, under the 16 KB transaction size limit). */
const FANOUT_WIDTH = 200

export interface LoadPlan {
  /** Fan-out transactions, every parent before its children. */
  readonly fanout: readonly Transaction[]
  /** The transfers: chain i's transaction k spends the change of transaction k - 1 (the first a fan-out output). */
  readonly chains: readonly (readonly Transaction[])[]
}

export interface PlanOptions {
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly ed: Ed25519
  /** Owns `source` and every output of the plan except the payments. */
  readonly key: SigningKey
  /** An unspent coin output of `key` large enough for the whole plan (the rest goes back to `key`). */
  readonly source: { readonly id: Uint8Array; readonly value: bigint }
  readonly chains: number
  /** Transfers per chain. */
  readonly depth: number
  /** Where the payments go (round robin). */
  readonly receivers: readonly UnlockHash[]
}

/** Builds and signs every transaction of a load run (nothing is submitted). */
export function planLoad(opts: PlanOptions): LoadPlan {
  const { registry, ed, key } = opts
  if (opts.chains < 1 || opts.depth < 1) throw new RangeError('a load plan needs at least one transfer')
  if (opts.receivers.length === 0) throw new RangeError('a load plan needs a receiver')
  const fee = opts.def.constants.minimumTransactionFee
  const payment = opts.def.oneCoin
  const own: Condition = unlockHashCondition(publicKeyUnlockHash(key.publicKey))
  const leafValue = BigInt(opts.depth) * (payment + fee)
  /** What a fan-out subtree for `n` chains spends (its transactions' fees included). */
  const need = (n: number): bigint =>
    n <= FANOUT_WIDTH ? BigInt(n) * leafValue + fee : groups(n).reduce((s, g) => s + need(g), 0n) + fee
  const groups = (n: number): number[] => {
    const count = Math.min(FANOUT_WIDTH, Math.ceil(n / FANOUT_WIDTH))
    return Array.from({ length: count }, (_, i) => Math.floor(n / count) + (i < n % count ? 1 : 0))
  }
  const total = need(opts.chains)
  if (total > opts.source.value)
    throw new RangeError(`the plan needs ${total} base units, the source output holds ${opts.source.value}`)

  const sign = (inputId: Uint8Array, outputs: { value: bigint; condition: Condition }[]): Transaction => {
    const unsigned: Transaction = {
      version: 1,
      coinInputs: [{ parentId: inputId, fulfillment: { type: 0 } }],
      coinOutputs: outputs,
      blockStakeInputs: [],
      blockStakeOutputs: [],
      minerFees: [fee],
      arbitraryData: new Uint8Array(0),
    }
    const tx = signSingleSignature(registry, ed, unsigned, 'coinInputs', 0, key)
    if (registry.encode(tx).length > opts.def.constants.transactionSizeLimit)
      throw new Error('a fan-out transaction is over the transaction size limit')
    return tx
  }

  const fanout: Transaction[] = []
  const leaves: Uint8Array[] = []
  /** Splits `input` (worth `value`) into outputs for `n` chains; `change` keeps what is left over. */
  const split = (input: Uint8Array, value: bigint, n: number, change: boolean): void => {
    const parts = n <= FANOUT_WIDTH ? Array.from({ length: n }, () => 1) : groups(n)
    const outputs = parts.map((p) => ({ value: n <= FANOUT_WIDTH ? leafValue : need(p), condition: own }))
    const spent = outputs.reduce((s, o) => s + o.value, 0n) + fee
    if (change && value > spent) outputs.push({ value: value - spent, condition: own })
    const tx = sign(input, outputs)
    fanout.push(tx)
    const ids = registry.outputIds(tx).coinOutputIds
    if (n <= FANOUT_WIDTH) leaves.push(...ids.slice(0, n))
    else for (const [i, p] of parts.entries()) split(ids[i]!, outputs[i]!.value, p, false)
  }
  split(opts.source.id, opts.source.value, opts.chains, true)

  let turn = 0
  const chains = leaves.map((leaf) => {
    const txs: Transaction[] = []
    let input = leaf
    let value = leafValue
    for (let k = 0; k < opts.depth; k++) {
      const to = unlockHashCondition(opts.receivers[turn++ % opts.receivers.length]!)
      const change = value - payment - fee
      const tx = sign(input, [
        { value: payment, condition: to },
        ...(change > 0n ? [{ value: change, condition: own }] : []),
      ])
      txs.push(tx)
      // the last transfer spends the chain's output to its end (no change)
      if (change > 0n) input = registry.outputIds(tx).coinOutputIds[1]!
      value = change
    }
    return txs
  })
  return { fanout, chains }
}
