// A block's ancestors on its own branch, which may leave the main chain: their IDs by height (the stake
// modifier and the stake's holder), their timestamps (median rule, retargeting) and the staked output.
import { toHex } from '../../consensus/encoding/hex.js'
import type { Block } from '../../consensus/types/block.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import type { StakeOutput } from '../../consensus/validation/block.js'
import type { BlockStore } from './blocks.js'
import type { WriteBuffer } from './buffer.js'
import type { MainView } from './main-index.js'

export class Ancestry {
  constructor(
    private readonly blocks: BlockStore,
    private readonly registry: TransactionRegistry,
  ) {}

  /** Block IDs of `parentId`'s branch by height, from `fromHeight` up to the parent (walks side branches). */
  async branchIds(
    main: MainView,
    parentId: Uint8Array,
    parentHeight: number,
    fromHeight: number,
    buf?: WriteBuffer,
  ): Promise<(h: number) => Uint8Array> {
    const side = new Map<number, Uint8Array>()
    let id = parentId
    let h = parentHeight
    while (h >= fromHeight && h >= 0 && !main.isOnMain(id, h)) {
      side.set(h, id)
      const m = await this.blocks.meta(id, buf)
      if (!m) throw new Error(`missing meta of ${toHex(id)}`)
      id = m.parentId
      h--
    }
    return (height: number) => side.get(height) ?? main.idAt(height)!
  }

  /** Timestamps of `parentId`'s branch from the parent backwards (at most `count`). */
  async branchTimestamps(
    main: MainView,
    parentId: Uint8Array,
    parentHeight: number,
    count: number,
    buf?: WriteBuffer,
  ): Promise<number[]> {
    const out: number[] = []
    let id = parentId
    let h = parentHeight
    while (out.length < count && h >= 0) {
      if (main.isOnMain(id, h)) {
        for (let i = h; i >= 0 && out.length < count; i--) out.push(main.timestampAt(i)!)
        break
      }
      const m = (await this.blocks.meta(id, buf))!
      out.push(m.timestamp)
      id = m.parentId
      h--
    }
    return out
  }

  async timestampOf(main: MainView, id: Uint8Array, height: number, buf?: WriteBuffer): Promise<number> {
    if (main.isOnMain(id, height)) return main.timestampAt(height)!
    const m = await this.blocks.meta(id, buf)
    if (!m) throw new Error(`missing meta of ${toHex(id)}`)
    return m.timestamp
  }

  /** The block stake output a block claims to stake, if it exists on the block's branch. */
  async stakeOutputOn(
    ancestorAt: (h: number) => Uint8Array,
    block: Block,
    parentHeight: number,
    buf?: WriteBuffer,
  ): Promise<StakeOutput | undefined> {
    const at = block.pobsOutput
    if (at.blockHeight > parentHeight) return undefined
    const holder = await this.blocks.block(ancestorAt(at.blockHeight), buf)
    const tx = holder?.transactions[at.transactionIndex]
    const out = tx?.blockStakeOutputs[at.outputIndex]
    if (!holder || !tx || !out) return undefined
    return {
      id: this.registry.blockStakeOutputId(tx, at.outputIndex),
      value: out.value,
      condition: out.condition,
      blockTimestamp: holder.timestamp,
    }
  }
}
