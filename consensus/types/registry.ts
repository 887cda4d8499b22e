import { TransactionRegistry } from './transaction.js'
import { v0TransactionType } from './v0.js'
import { v1TransactionType } from './v1.js'

/** The core registry: v0 (legacy) and v1; chains add their extension types with `.with(...)`. */
export const coreRegistry = (): TransactionRegistry =>
  new TransactionRegistry([v0TransactionType, v1TransactionType])
