import { registryFor } from '../consensus/extensions/catalog.js'
import { preset } from '../consensus/params/presets.js'
import type { TransactionRegistry } from '../consensus/types/transaction.js'

/**
 * The transaction types the offline tools understand by default: v0, v1, the tfchain layout of the
 * extensions (minting 128/129 in Sia, auth-coin 176/177 in rivbin) and grid capacity (224/225, its default
 * parameters).
 */
export function inspectRegistry(): TransactionRegistry {
  const tfchain = preset('tfchain-standard')
  return registryFor({ ...tfchain, extensions: { ...tfchain.extensions, capacity: {} } })
}
