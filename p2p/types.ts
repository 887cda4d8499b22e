// What the P2P layer needs from the node's chain and transaction pool (node/chain/chain.ts and
// node/mempool/pool.ts satisfy these structurally, so p2p/ does not depend on node/ at run time).
import type { Target } from '../consensus/pobs/target.js'
import type { Block, BlockCodec } from '../consensus/types/block.js'
import type { Transaction } from '../consensus/types/transaction.js'
import type { Verdict } from '../consensus/validation/verdict.js'

export interface ChainTip {
  readonly id: Uint8Array
  readonly height: number
  readonly depth: Target
  readonly childTarget: Target
}

export type AddBlockOutcome =
  | { readonly status: 'tip' | 'side'; readonly id: Uint8Array; readonly height: number }
  | { readonly status: 'duplicate'; readonly id: Uint8Array }
  | { readonly status: 'orphan'; readonly id: Uint8Array; readonly parentId: Uint8Array }
  | { readonly status: 'future'; readonly id: Uint8Array; readonly retryAt: number }

export interface ChainLike {
  readonly genesisId: Uint8Array
  readonly codec: BlockCodec
  readonly def: {
    readonly constants: { readonly blockSizeLimit: number; readonly transactionSetSizeLimit: number }
  }
  readonly tip: ChainTip
  readonly height: number
  idAt(height: number): Uint8Array | undefined
  block(id: Uint8Array): Promise<Block | undefined>
  meta(id: Uint8Array): Promise<{ readonly height: number } | undefined>
  isOnMainChain(id: Uint8Array, height: number): boolean
  /** Throws ValidationError for an invalid block. */
  /** `source`: the peer that sent the block (bounds what its orphans may hold). */
  addBlock(block: Block, source?: string): Promise<AddBlockOutcome>
  addBlocks(
    blocks: readonly Block[],
  ): Promise<{ results: readonly AddBlockOutcome[]; error?: { index: number; error: unknown } }>
  on(event: 'tip', listener: (tip: ChainTip) => void): unknown
  off(event: 'tip', listener: (tip: ChainTip) => void): unknown
}

export interface PoolLike {
  /** Throws an error with a `code` (PoolError) when the set is refused. */
  addSet(txs: readonly Transaction[]): Promise<unknown>
}

/** What a pool refusal says about the peer that gossiped the set (node/pool-verdict.ts decides). */
export interface PoolRefusal {
  readonly verdict: Verdict
  /** The refusal's code, for logs (`invalid/<rule>` for a consensus rule). */
  readonly code: string
  /** Index of the offending transaction in the set, when known. */
  readonly transaction?: number
}

// What the rest of the node sees of the P2P layer (P2PService implements it; the HTTP API reads it).

export interface PeerInfo {
  /** libp2p peer ID. */
  readonly id: string
  readonly addresses: readonly string[]
  readonly direction: 'inbound' | 'outbound'
  /** From the peer's last status message. */
  readonly height?: number
  readonly tipId?: string
}

export interface NetworkView {
  readonly peerId: string
  /** Addresses others can dial, with the /p2p/<id> suffix. */
  readonly listenAddresses: readonly string[]
  peers(): readonly PeerInfo[]
  /** True once the node has caught up with its peers (or has no peers to catch up with). */
  readonly synced: boolean
  /** Blocks per second applied by the last sync run (0 when idle). */
  readonly syncRate: number
}
