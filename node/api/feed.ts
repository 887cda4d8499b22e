// Groups the chain's `reverted` / `applied` events into one update per tip change (a reorg reverts and
// applies in one step) and counts them for /metrics. One set of chain listeners per API.
import { EventEmitter } from 'node:events'
import type { Block } from '../../consensus/types/block.js'
import type { Chain, TipInfo } from '../chain/chain.js'

export interface BlockRef {
  readonly block: Block
  readonly id: Uint8Array
  readonly height: number
}

export interface ChainUpdate {
  readonly tip: TipInfo
  /** Newest first, as reverted. */
  readonly reverted: readonly BlockRef[]
  /** Oldest first, as applied. */
  readonly applied: readonly BlockRef[]
}

export class ChainFeed extends EventEmitter<{ update: [update: ChainUpdate] }> {
  blocksApplied = 0
  reorgs = 0
  private reverted: BlockRef[] = []
  private applied: BlockRef[] = []

  private readonly onApplied = (block: Block, id: Uint8Array, height: number): void => {
    this.blocksApplied++
    this.applied.push({ block, id, height })
  }

  private readonly onReverted = (block: Block, id: Uint8Array, height: number): void => {
    this.reverted.push({ block, id, height })
  }

  private readonly onTip = (tip: TipInfo): void => {
    const update: ChainUpdate = { tip, reverted: this.reverted, applied: this.applied }
    this.reverted = []
    this.applied = []
    if (update.reverted.length > 0) this.reorgs++
    // a failing subscriber must never fail the chain write that emitted the tip
    for (const listener of this.listeners('update')) {
      try {
        listener(update)
      } catch (err) {
        this.onError(err)
      }
    }
  }

  constructor(
    private readonly chain: Chain,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    super()
    this.setMaxListeners(0)
    chain.on('applied', this.onApplied)
    chain.on('reverted', this.onReverted)
    chain.on('tip', this.onTip)
  }

  close(): void {
    this.chain.off('applied', this.onApplied)
    this.chain.off('reverted', this.onReverted)
    this.chain.off('tip', this.onTip)
    this.removeAllListeners()
  }
}
