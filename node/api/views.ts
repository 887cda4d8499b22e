// The JSON shapes the API answers with: Rivine's JSON for blocks and transactions (spec §4.3, §5.1),
// wrapped with the IDs a client would otherwise have to compute.
import { bigintToFixed, toHex } from '../../consensus/encoding/hex.js'
import type { JsonValue } from '../../consensus/encoding/json.js'
import type { Target } from '../../consensus/pobs/target.js'
import type { OutputEntry } from '../../consensus/state/outputs.js'
import type { Block } from '../../consensus/types/block.js'
import { conditionToJson, conditionUnlockHash } from '../../consensus/types/conditions.js'
import { currencyToJson } from '../../consensus/types/currency.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { unlockHashToString } from '../../consensus/types/unlockhash.js'
import type { Chain } from '../chain/chain.js'
import type { TxLocation } from '../chain/tables.js'

/** A 256-bit target or depth as 64 hex characters (big-endian, as Rivine's byte arrays). */
export const targetHex = (t: Target): string => toHex(bigintToFixed(t, 32))

export function blockView(chain: Chain, block: Block, id: Uint8Array, height: number): JsonValue {
  return {
    id: toHex(id),
    height,
    mainChain: chain.isOnMainChain(id, height),
    block: chain.codec.toJson(block),
    transactionIds: block.transactions.map((tx) => toHex(chain.registry.id(tx))),
    minerPayoutIds: chain.codec.minerPayoutIds(block, id).map(toHex),
  }
}

/** A transaction with its IDs; `at` places it in a main-chain block, otherwise it is unconfirmed. */
export function transactionView(chain: Chain, tx: Transaction, at?: TxLocation): JsonValue {
  const ids = chain.registry.outputIds(tx)
  return {
    id: toHex(ids.id),
    ...(at
      ? { height: at.height, blockId: toHex(at.blockId), index: at.index }
      : { unconfirmed: true as const }),
    transaction: chain.registry.toJson(tx),
    coinOutputIds: ids.coinOutputIds.map(toHex),
    blockStakeOutputIds: ids.blockStakeOutputIds.map(toHex),
  }
}

/** An unspent output; `extra` fields whose value is `undefined` are left out. */
export function outputView(
  o: OutputEntry,
  extra: { readonly [key: string]: JsonValue | undefined } = {},
): JsonValue {
  return {
    id: toHex(o.id),
    value: currencyToJson(o.value),
    condition: conditionToJson(o.condition),
    unlockhash: unlockHashToString(conditionUnlockHash(o.condition)),
    ...extra,
  }
}
