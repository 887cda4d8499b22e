// Address activity for the explorer and the event stream: main-chain history from the chain's address
// index, and unconfirmed pool transactions that pay to or spend from an address.
import { toHex } from '../../consensus/encoding/hex.js'
import type { Block } from '../../consensus/types/block.js'
import { conditionUnlockHash } from '../../consensus/types/conditions.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashEquals } from '../../consensus/types/unlockhash.js'
import type { Chain } from '../chain/chain.js'
import type { TxLocation } from '../chain/tables.js'
import type { TransactionPool } from '../mempool/pool.js'

/** A main-chain event of an address: a transaction touching it, or a block paying it a miner payout. */
export type AddressEntry =
  | { readonly kind: 'transaction'; readonly id: Uint8Array; readonly location: TxLocation }
  | { readonly kind: 'payout'; readonly blockId: Uint8Array; readonly height: number }

export interface AddressHistory {
  /** Newest first (within a block: its transactions last to first, then its payouts). */
  readonly entries: readonly AddressEntry[]
  /** More entries exist beyond `limit`. */
  readonly more: boolean
}

/** The newest `limit` main-chain events of `uh`, from the chain's address index. */
export async function addressHistory(chain: Chain, uh: UnlockHash, limit: number): Promise<AddressHistory> {
  const rows = await chain.addressActivity(uh, { limit: limit + 1, newestFirst: true })
  const entries: AddressEntry[] = []
  for (const row of rows.slice(0, limit)) {
    // a row is a transaction ID or, for miner payouts, a block ID
    const location = await chain.transactionLocation(row.id)
    entries.push(
      location
        ? { kind: 'transaction', id: row.id, location }
        : { kind: 'payout', blockId: row.id, height: row.height },
    )
  }
  // the index orders a block's entries by ID: order them as in the block (payouts last), newest first
  const position = (e: AddressEntry) => (e.kind === 'payout' ? -1 : e.location.index)
  const height = (e: AddressEntry) => (e.kind === 'payout' ? e.height : e.location.height)
  entries.sort((a, b) => height(b) - height(a) || position(b) - position(a))
  return { entries, more: rows.length > limit }
}

/** Pays to `uh` through an output (coins or block stakes). */
export const paysTo = (tx: Transaction, uh: UnlockHash): boolean =>
  [...tx.coinOutputs, ...tx.blockStakeOutputs].some((o) =>
    unlockHashEquals(conditionUnlockHash(o.condition), uh),
  )

/**
 * The unconfirmed transactions among `txs` that pay to or spend from `uh`. The outputs they spend are
 * unspent on the chain or created by pool transactions.
 */
export async function poolTransactionsTouching(
  chain: Chain,
  pool: TransactionPool,
  txs: readonly Transaction[],
  uh: UnlockHash,
): Promise<Transaction[]> {
  let poolOwners: Map<string, UnlockHash> | undefined
  const ownerInPool = (id: Uint8Array): UnlockHash | undefined => {
    if (!poolOwners) {
      poolOwners = new Map()
      for (const ptx of pool.transactions()) {
        const ids = chain.registry.outputIds(ptx)
        for (const [i, o] of ptx.coinOutputs.entries())
          poolOwners.set(toHex(ids.coinOutputIds[i]!), conditionUnlockHash(o.condition))
        for (const [i, o] of ptx.blockStakeOutputs.entries())
          poolOwners.set(toHex(ids.blockStakeOutputIds[i]!), conditionUnlockHash(o.condition))
      }
    }
    return poolOwners.get(toHex(id))
  }
  const out: Transaction[] = []
  for (const tx of txs) {
    if (paysTo(tx, uh)) {
      out.push(tx)
      continue
    }
    const spends = async (parentId: Uint8Array, kind: 'coin' | 'blockstake'): Promise<boolean> => {
      const inPool = ownerInPool(parentId)
      if (inPool) return unlockHashEquals(inPool, uh)
      const entry =
        kind === 'coin' ? await chain.coinOutput(parentId) : await chain.blockStakeOutput(parentId)
      return entry !== undefined && unlockHashEquals(conditionUnlockHash(entry.condition), uh)
    }
    let touches = false
    for (const i of tx.coinInputs) if (!touches && (await spends(i.parentId, 'coin'))) touches = true
    for (const i of tx.blockStakeInputs)
      if (!touches && (await spends(i.parentId, 'blockstake'))) touches = true
    if (touches) out.push(tx)
  }
  return out
}

/** One address event of an applied block (`txid` for a transaction, `blockid` for a miner payout). */
export interface AddressBlockEvent {
  readonly txid?: string
  readonly blockid?: string
  readonly height: number
}

/** The address events of newly applied main-chain blocks, from the chain's address index. */
export async function appliedActivity(
  chain: Chain,
  applied: readonly { readonly block: Block; readonly id: Uint8Array; readonly height: number }[],
  uh: UnlockHash,
): Promise<AddressBlockEvent[]> {
  if (applied.length === 0) return []
  // position: order in the applied blocks (a block's payouts after its transactions)
  const wanted = new Map<string, { height: number; kind: 'tx' | 'block'; position: number }>()
  let position = 0
  for (const a of applied) {
    for (const tx of a.block.transactions)
      wanted.set(toHex(chain.registry.id(tx)), { height: a.height, kind: 'tx', position: position++ })
    wanted.set(toHex(a.id), { height: a.height, kind: 'block', position: position++ })
  }
  // newest first: blocks applied since this update add rows above the wanted ones (hence the margin)
  const rows = await chain.addressActivity(uh, { newestFirst: true, limit: wanted.size + 64 })
  const found: { event: AddressBlockEvent; position: number }[] = []
  for (const row of rows) {
    const hex = toHex(row.id)
    const w = wanted.get(hex)
    if (!w || w.height !== row.height) continue
    const event = w.kind === 'tx' ? { txid: hex, height: row.height } : { blockid: hex, height: row.height }
    found.push({ event, position: w.position })
  }
  return found.sort((a, b) => a.position - b.position).map((f) => f.event)
}
