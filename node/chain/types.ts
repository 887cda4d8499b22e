// What the chain tells its callers.
import type { Target } from '../../consensus/pobs/target.js'
import type { Block } from '../../consensus/types/block.js'
import type { BlockMeta } from './tables.js'

export interface TipInfo {
  readonly id: Uint8Array
  readonly height: number
  readonly timestamp: number
  readonly depth: Target
  readonly childTarget: Target
}

export type AddBlockResult =
  /** The block is the new tip (`reverted` is non-empty after a reorg). */
  | {
      readonly status: 'tip'
      readonly id: Uint8Array
      readonly height: number
      readonly reverted: readonly Block[]
      readonly applied: readonly Block[]
    }
  /** Stored on a lighter branch. */
  | { readonly status: 'side'; readonly id: Uint8Array; readonly height: number }
  | { readonly status: 'duplicate'; readonly id: Uint8Array }
  /** Parent unknown: kept until the parent arrives. */
  | { readonly status: 'orphan'; readonly id: Uint8Array; readonly parentId: Uint8Array }
  /** Valid but ahead of the local clock: retry at `retryAt` (spec §5.2 step 8). */
  | { readonly status: 'future'; readonly id: Uint8Array; readonly retryAt: number }

/** A block past its arrival checks, with its metadata and encoding; or one to retry later. */
export type Prepared =
  | { readonly meta: BlockMeta; readonly encoded: Uint8Array }
  | { readonly futureUntil: number }
