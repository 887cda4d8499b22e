// The main chain by height (block IDs and timestamps), with a committed length. A grouped import stages
// blocks above the committed length while their signatures are verified; only the import sees them
// (`working*`). Every reader (API, block creator, p2p) sees the committed part: a block is visible once its
// batch is on disk.
import { equalBytes } from '../../consensus/encoding/hex.js'

/** Read access to a main chain by height: the committed one, or the writer's working one. */
export interface MainView {
  readonly length: number
  idAt(height: number): Uint8Array | undefined
  timestampAt(height: number): number | undefined
  isOnMain(id: Uint8Array, height: number): boolean
}

export class MainIndex implements MainView {
  private committedLength: number

  constructor(
    private readonly ids: Uint8Array[],
    private readonly timestamps: number[],
  ) {
    this.committedLength = ids.length
    this.working = new WorkingView(ids, timestamps)
  }

  /** A copy to switch branches on (reverts pop from it); it replaces this one once the switch commits. */
  fork(): MainIndex {
    const n = this.committedLength
    return new MainIndex(this.ids.slice(0, n), this.timestamps.slice(0, n))
  }

  // ---- committed: what readers see ----------------------------------------------------------------

  get length(): number {
    return this.committedLength
  }

  idAt(height: number): Uint8Array | undefined {
    return height < this.committedLength ? this.ids[height] : undefined
  }

  timestampAt(height: number): number | undefined {
    return height < this.committedLength ? this.timestamps[height] : undefined
  }

  isOnMain(id: Uint8Array, height: number): boolean {
    const m = this.idAt(height)
    return m !== undefined && equalBytes(m, id)
  }

  /** Timestamps from the committed tip backwards (at most `count`). */
  recentTimestamps(count: number): number[] {
    return this.timestamps.slice(Math.max(0, this.committedLength - count), this.committedLength).reverse()
  }

  /** Committed IDs from `from`, at most `count`. */
  idsFrom(from: number, count: number): Uint8Array[] {
    return this.ids.slice(Math.max(0, from), Math.min(this.committedLength, Math.max(0, from + count)))
  }

  // ---- working: the writer's view, staged blocks included --------------------------------------------

  /** The writer's view: committed blocks plus those staged above them. */
  readonly working: MainView

  get workingTip(): Uint8Array {
    return this.ids[this.ids.length - 1]!
  }

  /** Stages a block on top of the working chain. */
  push(id: Uint8Array, timestamp: number): void {
    this.ids.push(id)
    this.timestamps.push(timestamp)
  }

  /** Removes the working tip (a revert on a fork). */
  pop(): void {
    this.ids.pop()
    this.timestamps.pop()
    if (this.committedLength > this.ids.length) this.committedLength = this.ids.length
  }

  /** Drops staged blocks above `length` (a group that failed or was not written). */
  truncate(length: number): void {
    this.ids.length = length
    this.timestamps.length = length
    if (this.committedLength > length) this.committedLength = length
  }

  /** The working chain up to `length` is on disk: readers see it from now on. */
  commitUpTo(length: number): void {
    this.committedLength = Math.min(length, this.ids.length)
  }
}

class WorkingView implements MainView {
  constructor(
    private readonly ids: readonly Uint8Array[],
    private readonly timestamps: readonly number[],
  ) {}

  get length(): number {
    return this.ids.length
  }

  idAt(height: number): Uint8Array | undefined {
    return this.ids[height]
  }

  timestampAt(height: number): number | undefined {
    return this.timestamps[height]
  }

  isOnMain(id: Uint8Array, height: number): boolean {
    const m = this.ids[height]
    return m !== undefined && equalBytes(m, id)
  }
}
