// A wallet's transaction history from what a node's explorer lists per address (spec §7.3 step 2): what
// each transaction moved in and out of the wallet. Browser-safe.
import { toHex } from '../../consensus/encoding/hex.js'
import { conditionUnlockHash } from '../../consensus/types/conditions.js'
import type { Currency } from '../../consensus/types/currency.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import type { UnlockHash } from '../../consensus/types/unlockhash.js'

/** A transaction touching the wallet, placed in a main-chain block or unconfirmed (no height). */
export interface ListedTransaction {
  readonly id: string
  readonly height?: number
  readonly index?: number
  readonly transaction: Transaction
  readonly coinOutputIds: readonly string[]
  readonly blockStakeOutputIds: readonly string[]
}

/** The miner payouts of one block to the wallet. */
export interface ListedPayouts {
  readonly blockId: string
  readonly height: number
  readonly payouts: readonly { readonly id: string; readonly value: Currency }[]
}

export interface HistoryEntry {
  readonly kind: 'transaction' | 'payout'
  /** The transaction ID, or the block ID of a payout. */
  readonly id: string
  /** Undefined while unconfirmed. */
  readonly height?: number
  /** Net change of the wallet's coins (negative when it paid). */
  readonly coins: bigint
  readonly blockStakes: bigint
  /** The miner fees, when the wallet paid them (it spent an input). */
  readonly fee: Currency
}

/**
 * The net effect of each transaction on the wallet, newest first (unconfirmed first). `owns` says whether
 * an address is the wallet's. An input counts when the output it spends is among the listed ones, so the
 * list must hold every transaction that paid the wallet (what an untruncated explorer answer holds).
 */
export function walletHistory(
  transactions: readonly ListedTransaction[],
  payouts: readonly ListedPayouts[],
  owns: (uh: UnlockHash) => boolean,
): HistoryEntry[] {
  const unique = new Map<string, ListedTransaction>()
  for (const t of transactions) {
    const seen = unique.get(t.id)
    // the same transaction may be listed unconfirmed by one answer and confirmed by a later one
    if (!seen || (seen.height === undefined && t.height !== undefined)) unique.set(t.id, t)
  }
  const ownedCoins = new Map<string, Currency>()
  const ownedStakes = new Map<string, Currency>()
  for (const t of unique.values()) {
    t.transaction.coinOutputs.forEach((o, i) => {
      if (owns(conditionUnlockHash(o.condition))) ownedCoins.set(t.coinOutputIds[i]!, o.value)
    })
    t.transaction.blockStakeOutputs.forEach((o, i) => {
      if (owns(conditionUnlockHash(o.condition))) ownedStakes.set(t.blockStakeOutputIds[i]!, o.value)
    })
  }
  for (const b of payouts) for (const p of b.payouts) ownedCoins.set(p.id, p.value)

  const entries: (HistoryEntry & { position: number })[] = []
  for (const t of unique.values()) {
    const tx = t.transaction
    let coins = 0n
    let blockStakes = 0n
    let spends = false
    for (const id of t.coinOutputIds) coins += ownedCoins.get(id) ?? 0n
    for (const id of t.blockStakeOutputIds) blockStakes += ownedStakes.get(id) ?? 0n
    for (const i of tx.coinInputs) {
      const v = ownedCoins.get(toHex(i.parentId))
      if (v !== undefined) {
        coins -= v
        spends = true
      }
    }
    for (const i of tx.blockStakeInputs) {
      const v = ownedStakes.get(toHex(i.parentId))
      if (v !== undefined) {
        blockStakes -= v
        spends = true
      }
    }
    const fee = spends ? tx.minerFees.reduce((s, f) => s + f, 0n) : 0n
    entries.push({
      kind: 'transaction',
      id: t.id,
      ...(t.height === undefined ? {} : { height: t.height }),
      coins,
      blockStakes,
      fee,
      position: t.index ?? 0,
    })
  }
  // one entry per block, its payouts to every wallet address merged
  const blocks = new Map<string, { height: number; payouts: Map<string, Currency> }>()
  for (const b of payouts) {
    const entry = blocks.get(b.blockId) ?? { height: b.height, payouts: new Map() }
    for (const p of b.payouts) entry.payouts.set(p.id, p.value)
    blocks.set(b.blockId, entry)
  }
  for (const [blockId, b] of blocks) {
    entries.push({
      kind: 'payout',
      id: blockId,
      height: b.height,
      coins: [...b.payouts.values()].reduce((s, v) => s + v, 0n),
      blockStakes: 0n,
      fee: 0n,
      // a block's payouts are created after its transactions
      position: Number.MAX_SAFE_INTEGER,
    })
  }
  const height = (e: HistoryEntry) => e.height ?? Number.MAX_SAFE_INTEGER
  entries.sort((a, b) => height(b) - height(a) || b.position - a.position)
  return entries.map(({ position: _, ...e }) => e)
}
