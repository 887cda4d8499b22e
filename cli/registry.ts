import { registryFor } from '../consensus/extensions/catalog.js'
import { preset } from '../consensus/params/presets.js'
import type { TransactionRegistry } from '../consensus/types/transaction.js'

/**
 * The transaction types the offline tools understand by default: v0, v1 and the tfchain layout of the
 * extensions (minting 128/129 in Sia, auth-coin 176/177 in rivbin).
 */
export function inspectRegistry(): TransactionRegistry {
  return registryFor(preset('tfchain-standard'))
}
