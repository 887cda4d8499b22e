// Blocks whose parent is not known yet, kept until it arrives (bounded: the oldest parent's are dropped).
import { equalBytes } from '../../consensus/encoding/hex.js'
import { hexKey } from '../../consensus/state/outputs.js'
import type { Block } from '../../consensus/types/block.js'

export class OrphanPool {
  private readonly byParent = new Map<string, { block: Block; id: Uint8Array }[]>()
  private count = 0

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count
  }

  add(block: Block, id: Uint8Array): void {
    const k = hexKey(block.parentId)
    const list = this.byParent.get(k) ?? []
    if (list.some((o) => equalBytes(o.id, id))) return
    if (this.count >= this.max) {
      const oldest = this.byParent.keys().next().value!
      this.count -= this.byParent.get(oldest)!.length
      this.byParent.delete(oldest)
    }
    list.push({ block, id })
    this.byParent.set(k, list)
    this.count++
  }

  /** Removes and returns the orphans waiting for `parentId`. */
  takeChildren(parentId: Uint8Array): Block[] {
    const k = hexKey(parentId)
    const list = this.byParent.get(k)
    if (!list) return []
    this.byParent.delete(k)
    this.count -= list.length
    return list.map((o) => o.block)
  }
}
