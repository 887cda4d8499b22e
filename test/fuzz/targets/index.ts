// Every fuzz target by name, in run order: one per decoder that takes outside bytes or text.
import type { FuzzInput, Target } from '../engine.js'
import { apiTarget } from './api.js'
import {
  blockBinaryTarget,
  blockJsonTarget,
  conditionBinaryTarget,
  conditionJsonTarget,
  fulfillmentBinaryTarget,
  fulfillmentJsonTarget,
  transactionBinaryTarget,
  transactionJsonTarget,
} from './consensus.js'
import { chainDefinitionTarget, keystoreTarget, transactionFileTarget } from './files.js'
import { p2pTargets } from './p2p.js'

// each target has its own decoded type
type AnyTarget = Target<FuzzInput, any>
export type TargetFactory = () => AnyTarget | Promise<AnyTarget>

const factories: TargetFactory[] = [
  () => blockBinaryTarget('sia'),
  () => blockBinaryTarget('rivbin'),
  blockJsonTarget,
  transactionBinaryTarget,
  transactionJsonTarget,
  () => conditionBinaryTarget('sia'),
  () => conditionBinaryTarget('rivbin'),
  conditionJsonTarget,
  () => fulfillmentBinaryTarget('sia'),
  () => fulfillmentBinaryTarget('rivbin'),
  fulfillmentJsonTarget,
  ...p2pTargets,
  apiTarget,
  chainDefinitionTarget,
  keystoreTarget,
  transactionFileTarget,
]

/** Target names in run order (building a target to learn its name is cheap but not free: listed here). */
export const TARGET_NAMES = [
  'block-sia',
  'block-rivbin',
  'block-json',
  'transaction-sia',
  'transaction-json',
  'condition-sia',
  'condition-rivbin',
  'condition-json',
  'fulfillment-sia',
  'fulfillment-rivbin',
  'fulfillment-json',
  'p2p-status',
  'p2p-blocks-request',
  'p2p-blocks-response',
  'p2p-block-request',
  'p2p-block-response',
  'p2p-peers-request',
  'p2p-peers-response',
  'p2p-gossip-block',
  'p2p-gossip-transactions',
  'api-txpool',
  'chain-definition',
  'keystore',
  'transaction-file',
] as const

/** Builds the target called `name`. */
export async function createTarget(name: string): Promise<AnyTarget> {
  const i = TARGET_NAMES.indexOf(name as (typeof TARGET_NAMES)[number])
  if (i < 0) throw new Error(`unknown fuzz target "${name}" (known: ${TARGET_NAMES.join(', ')})`)
  const target = await factories[i]!()
  if (target.name !== name) throw new Error(`fuzz target ${i} is "${target.name}", listed as "${name}"`)
  return target
}
