// Blocks whose parent is not known yet, kept until it arrives. Bounded in blocks, bytes and transactions
// (a decoded transaction holds far more memory than its bytes), overall and per source (the peer that sent
// it): a source over its share loses its own oldest orphans first, so one peer cannot push out the others'.
import { equalBytes } from '../../consensus/encoding/hex.js'
import { hexKey } from '../../consensus/state/outputs.js'
import type { Block } from '../../consensus/types/block.js'

export interface OrphanLimits {
  /** Orphans kept at most. */
  readonly blocks: number
  /** Their encoded size at most. */
  readonly bytes: number
  /** Their transactions at most. */
  readonly transactions: number
  /** One source's share of each limit (a fraction of it). */
  readonly perSource: number
}

export const DEFAULT_ORPHAN_LIMITS: OrphanLimits = {
  blocks: 256,
  bytes: 8_000_000,
  transactions: 20_000,
  perSource: 0.25,
}

interface Orphan {
  readonly block: Block
  readonly id: Uint8Array
  readonly key: string
  readonly source: string
  readonly bytes: number
  readonly transactions: number
}

interface Usage {
  blocks: number
  bytes: number
  transactions: number
}

const LOCAL = ''

export class OrphanPool {
  /** Insertion order is age: the first entry is the oldest. */
  private readonly all = new Map<string, Orphan>()
  private readonly byParent = new Map<string, Orphan[]>()
  private readonly usage = new Map<string, Usage>()
  private readonly total: Usage = { blocks: 0, bytes: 0, transactions: 0 }

  constructor(private readonly limits: OrphanLimits = DEFAULT_ORPHAN_LIMITS) {}

  get size(): number {
    return this.total.blocks
  }

  get bytes(): number {
    return this.total.bytes
  }

  /**
   * Keeps `block` (encoded in `bytes` bytes) until its parent arrives. Returns false when it cannot be
   * kept at all (it alone is over a source's share).
   */
  add(block: Block, id: Uint8Array, bytes: number, source = LOCAL): boolean {
    const key = hexKey(id)
    if (this.all.has(key)) return true
    const transactions = block.transactions.length
    const share = (limit: number) => Math.max(1, Math.floor(limit * this.limits.perSource))
    if (bytes > share(this.limits.bytes) || transactions > share(this.limits.transactions)) return false
    const mine = this.usage.get(source) ?? { blocks: 0, bytes: 0, transactions: 0 }
    // over its share: the source's own oldest orphans go first
    while (
      mine.blocks > 0 &&
      (mine.blocks + 1 > share(this.limits.blocks) ||
        mine.bytes + bytes > share(this.limits.bytes) ||
        mine.transactions + transactions > share(this.limits.transactions))
    )
      this.drop(this.oldestOf(source)!)
    // over the whole budget: the oldest orphan of the source holding the most bytes (identities cost
    // nothing, so sources that share the budget between them still push out their own first)
    while (
      this.total.blocks > 0 &&
      (this.total.blocks + 1 > this.limits.blocks ||
        this.total.bytes + bytes > this.limits.bytes ||
        this.total.transactions + transactions > this.limits.transactions)
    )
      this.drop(this.oldestOf(this.largestSource())!)
    const orphan: Orphan = { block, id, key, source, bytes, transactions }
    this.all.set(key, orphan)
    const parent = hexKey(block.parentId)
    const siblings = this.byParent.get(parent)
    if (siblings) siblings.push(orphan)
    else this.byParent.set(parent, [orphan])
    this.count(orphan, 1)
    return true
  }

  has(id: Uint8Array): boolean {
    return this.all.has(hexKey(id))
  }

  /** Removes and returns the orphans waiting for `parentId`. */
  takeChildren(parentId: Uint8Array): Block[] {
    const list = this.byParent.get(hexKey(parentId))
    if (!list) return []
    for (const o of [...list]) this.drop(o)
    return list.map((o) => o.block)
  }

  private largestSource(): string {
    let largest = ''
    let bytes = -1
    for (const [source, u] of this.usage)
      if (u.bytes > bytes) {
        largest = source
        bytes = u.bytes
      }
    return largest
  }

  private oldestOf(source: string): Orphan | undefined {
    for (const o of this.all.values()) if (o.source === source) return o
    return undefined
  }

  private drop(o: Orphan): void {
    if (!this.all.delete(o.key)) return
    const parent = hexKey(o.block.parentId)
    const siblings = this.byParent.get(parent)
    if (siblings) {
      const rest = siblings.filter((s) => !equalBytes(s.id, o.id))
      if (rest.length > 0) this.byParent.set(parent, rest)
      else this.byParent.delete(parent)
    }
    this.count(o, -1)
  }

  private count(o: Orphan, sign: 1 | -1): void {
    const u = this.usage.get(o.source) ?? { blocks: 0, bytes: 0, transactions: 0 }
    for (const t of [u, this.total]) {
      t.blocks += sign
      t.bytes += sign * o.bytes
      t.transactions += sign * o.transactions
    }
    if (u.blocks === 0) this.usage.delete(o.source)
    else this.usage.set(o.source, u)
  }
}
