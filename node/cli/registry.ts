import { coreRegistry } from '../../consensus/types/registry.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'

/** The transaction types the offline tools understand. */
export function inspectRegistry(): TransactionRegistry {
  return coreRegistry()
}
