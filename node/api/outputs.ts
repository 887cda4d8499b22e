// GET /addresses/:address/outputs: the unspent outputs of an address and its balance, for wallets and the
// devnet faucet. Built from the chain's address index: the outputs the address's transactions created
// and the miner payouts of its blocks, kept while still unspent (or, for payouts, not yet matured).
import { toHex } from '../../consensus/encoding/hex.js'
import type { JsonValue } from '../../consensus/encoding/json.js'
import type { DelayedOutput, OutputEntry } from '../../consensus/state/outputs.js'
import {
  type Condition,
  conditionFulfillable,
  conditionUnlockHash,
  LOCK_TIME_MIN_TIMESTAMP,
} from '../../consensus/types/conditions.js'
import { currencyToJson } from '../../consensus/types/currency.js'
import { type UnlockHash, unlockHashEquals, unlockHashToString } from '../../consensus/types/unlockhash.js'
import type { Chain } from '../chain/chain.js'
import type { TransactionPool } from '../mempool/pool.js'
import { addressHistory } from './address.js'
import { outputView } from './views.js'

/** A time lock not yet reached: `until` is a block height or a unix time (spec §3.4). */
export interface LockInfo {
  readonly until: bigint
  readonly kind: 'height' | 'time'
}

/** The time lock that keeps `c` unfulfillable at the tip (height and timestamp as the pool checks). */
export function pendingLock(c: Condition, tip: { height: number; timestamp: number }): LockInfo | undefined {
  if (c.type !== 3 || conditionFulfillable(c, { blockHeight: tip.height, blockTime: tip.timestamp }))
    return undefined
  return { until: c.lockTime, kind: c.lockTime < LOCK_TIME_MIN_TIMESTAMP ? 'height' : 'time' }
}

/**
 * The answer of GET /addresses/:address/outputs. Each output is `spendable` unless it is time-locked
 * (`locked`), an immature miner payout (`maturityHeight`) or spent by a pool transaction
 * (`unconfirmedSpender`). Balances:
 * - `coins.unlocked` / `blockStakes.unlocked`: the spendable outputs;
 * - `locked`: time-locked outputs;
 * - `coins.immature`: miner payouts not yet matured;
 * - `unconfirmed`: outputs of pool transactions paying the address that no other pool transaction
 *   spends (the change of a pending spend is here; the outputs it spends are in no sum).
 * `more`: the address has more than `limit` index entries and older outputs may be missing.
 */
export async function addressOutputs(
  chain: Chain,
  pool: TransactionPool,
  uh: UnlockHash,
  limit: number,
): Promise<JsonValue> {
  const tip = chain.tip
  const maturityDelay = chain.def.constants.maturityDelay
  const coinOutputs: JsonValue[] = []
  const blockStakeOutputs: JsonValue[] = []
  const coins = { unlocked: 0n, locked: 0n, immature: 0n, unconfirmed: 0n }
  const blockStakes = { unlocked: 0n, locked: 0n, unconfirmed: 0n }

  const addUnspent = (o: OutputEntry, kind: 'coin' | 'blockstake'): void => {
    const lock = pendingLock(o.condition, tip)
    const spender = pool.spenderOf(o.id)
    const sums = kind === 'coin' ? coins : blockStakes
    if (lock) sums.locked += o.value
    else if (!spender) sums.unlocked += o.value
    ;(kind === 'coin' ? coinOutputs : blockStakeOutputs).push(
      outputView(o, {
        spendable: !lock && !spender,
        locked: lock && { until: lock.until, kind: lock.kind },
        unconfirmedSpender: spender && toHex(chain.registry.id(spender)),
      }),
    )
  }

  // delayed payouts by maturity height (a block's payouts mature together)
  const delayed = new Map<number, readonly DelayedOutput[]>()
  const delayedAt = async (height: number): Promise<readonly DelayedOutput[]> => {
    const cached = delayed.get(height)
    if (cached) return cached
    const list = await chain.delayedAt(height)
    delayed.set(height, list)
    return list
  }

  const history = await addressHistory(chain, uh, limit)
  for (const e of history.entries) {
    if (e.kind === 'transaction') {
      const tx = (await chain.block(e.location.blockId))?.transactions[e.location.index]
      if (!tx) continue
      const ids = chain.registry.outputIds(tx)
      for (const [i, o] of tx.coinOutputs.entries()) {
        if (!unlockHashEquals(conditionUnlockHash(o.condition), uh)) continue
        const unspent = await chain.coinOutput(ids.coinOutputIds[i]!)
        if (unspent) addUnspent(unspent, 'coin')
      }
      for (const [i, o] of tx.blockStakeOutputs.entries()) {
        if (!unlockHashEquals(conditionUnlockHash(o.condition), uh)) continue
        const unspent = await chain.blockStakeOutput(ids.blockStakeOutputIds[i]!)
        if (unspent) addUnspent(unspent, 'blockstake')
      }
      continue
    }
    const block = await chain.block(e.blockId)
    if (!block) continue
    const payoutIds = chain.codec.minerPayoutIds(block, e.blockId)
    // the payouts of block h sit in the delayed table until block h + maturityDelay moves them
    const maturityHeight = e.height + maturityDelay
    for (const [i, p] of block.minerPayouts.entries()) {
      if (!unlockHashEquals(p.unlockHash, uh)) continue
      const id = payoutIds[i]!
      if (maturityHeight > tip.height) {
        const waiting = (await delayedAt(maturityHeight)).find((d) => toHex(d.id) === toHex(id))
        if (waiting) {
          coins.immature += waiting.value
          coinOutputs.push(outputView(waiting, { spendable: false, maturityHeight }))
          continue
        }
        // matured since the tip was read: look for it among the unspent coins
      }
      const unspent = await chain.coinOutput(id)
      if (unspent) addUnspent(unspent, 'coin')
    }
  }

  for (const tx of pool.transactions()) {
    const ids = chain.registry.outputIds(tx)
    for (const [i, o] of tx.coinOutputs.entries())
      if (unlockHashEquals(conditionUnlockHash(o.condition), uh) && !pool.spenderOf(ids.coinOutputIds[i]!))
        coins.unconfirmed += o.value
    for (const [i, o] of tx.blockStakeOutputs.entries())
      if (
        unlockHashEquals(conditionUnlockHash(o.condition), uh) &&
        !pool.spenderOf(ids.blockStakeOutputIds[i]!)
      )
        blockStakes.unconfirmed += o.value
  }

  const decimal = (sums: Record<string, bigint>): { [key: string]: string } =>
    Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, currencyToJson(v)]))
  return {
    address: unlockHashToString(uh),
    height: tip.height,
    coinOutputs,
    blockStakeOutputs,
    balance: { coins: decimal(coins), blockStakes: decimal(blockStakes) },
    more: history.more,
  }
}
