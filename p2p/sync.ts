// DESIGN §5: catching up with a peer. One locator request finds the common ancestor; then height ranges are
// downloaded with several requests in flight and fed in order into `chain.addBlocks`, so validating one
// batch overlaps downloading the next ones. Stops at the first invalid block.
import type { PeerId } from '@libp2p/interface'
import { equalBytes } from '../consensus/encoding/hex.js'
import type { Block } from '../consensus/types/block.js'
import { ValidationError } from '../consensus/validation/errors.js'
import { ProtocolViolation } from './chain-protocols.js'
import { locatorHeights } from './protocols/locator.js'
import type { BlocksRequest, BlocksResponse } from './protocols/messages.js'
import type { ChainLike } from './types.js'

export interface SyncProgress {
  /** Our height after the latest batch. */
  readonly height: number
  /** The height the peer announced (or more, when its answers said it has more). */
  readonly target: number
  /** Blocks per second added by this run so far. */
  readonly rate: number
  /** Blocks this run added so far (tip or side). */
  readonly added: number
}

export interface SyncOptions {
  readonly chain: ChainLike
  readonly client: {
    /** The answer to a blocks request, decoded (and checked: may throw) when the function is called. */
    blocksLater(peer: PeerId, req: BlocksRequest, signal?: AbortSignal): Promise<() => BlocksResponse>
  }
  /** Blocks per range request. */
  readonly batchSize: number
  /** Range requests in flight at once. */
  readonly inFlight: number
  /** Attempts per request (timeouts and network errors; a protocol violation is not retried). */
  readonly attempts: number
  readonly onProgress?: (p: SyncProgress) => void
}

/** What every run reports. */
export interface RunStats {
  /** Blocks added (tip or side). */
  readonly added: number
  /** Blocks per second added. */
  readonly rate: number
  /** Requests that timed out (each attempt counts). */
  readonly timeouts: number
  /** The peer answered a request with no blocks (the locator request, or a range below its height). */
  readonly empty: boolean
}

export type SyncOutcome = RunStats &
  (
    | /** Reached the peer's height, or the peer had nothing newer to give. */
    { readonly kind: 'done' }
    /** The peer sent an invalid block (its verdict decides what the peer deserves). */
    | { readonly kind: 'invalid'; readonly error: ValidationError }
    /** The peer broke the protocol (bad encoding, unrelated blocks): penalise it. */
    | { readonly kind: 'misbehaved'; readonly detail: string }
    /** Timeouts, a lost connection, a reorg under us, or blocks that do not apply yet: try again later. */
    | { readonly kind: 'failed'; readonly detail: string }
  )

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    })
  })

const isTimeout = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')

/** A run must stop: carries the outcome. */
class Stop extends Error {
  constructor(
    readonly outcome: 'invalid' | 'misbehaved' | 'failed',
    readonly reason: unknown,
  ) {
    super(reason instanceof Error ? reason.message : String(reason))
  }
}

/** The locator of our main chain: its newest IDs dense, then exponentially sparser, down to genesis. */
export const chainLocator = (chain: ChainLike): Uint8Array[] =>
  locatorHeights(chain.height).map((h) => chain.idAt(h)!)

/** A locator answer's blocks follow the common ancestor: the first one's parent is a block of the locator. */
export function checkLocatorAnswer(locator: readonly Uint8Array[], blocks: readonly Block[]): void {
  if (blocks.length > 0 && !locator.some((id) => equalBytes(id, blocks[0]!.parentId)))
    throw new ProtocolViolation('the locator answer does not start after a locator block')
}

export class Syncer {
  constructor(private readonly opts: SyncOptions) {}

  /**
   * Downloads and adds the peer's blocks until our chain reaches `target()` (read live: status updates
   * raise it) or the peer has nothing more.
   */
  async syncFrom(peer: PeerId, target: () => number, signal: AbortSignal): Promise<SyncOutcome> {
    const { chain, batchSize, inFlight } = this.opts
    const started = performance.now()
    let added = 0
    let empty = false
    const counts = { timeouts: 0 }
    const rate = () => added / Math.max(0.001, (performance.now() - started) / 1000)
    const stats = (): RunStats => ({ added, rate: rate(), timeouts: counts.timeouts, empty })
    const run = new AbortController()
    const runSignal = AbortSignal.any([signal, run.signal])
    try {
      // 1. the common ancestor, and the first blocks after it
      const locator = chainLocator(chain)
      const first = (
        await this.fetch(peer, { kind: 'locator', ids: locator, count: batchSize }, runSignal, counts)
      )()
      if (first.blocks.length === 0) {
        // runs are for peers that claim a heavier chain: it has blocks after the common ancestor
        empty = true
        return { kind: 'done', ...stats() }
      }
      checkLocatorAnswer(locator, first.blocks)
      const ancestorId = first.blocks[0]!.parentId
      const ancestor = await chain.meta(ancestorId)
      if (!ancestor) throw new Stop('failed', 'the common ancestor disappeared')
      /** The last height to request (inclusive). */
      let goal = Math.max(target(), ancestor.height + first.blocks.length + (first.more ? batchSize : 0))
      let lastId = ancestorId

      const apply = async (blocks: readonly Block[]): Promise<void> => {
        // stopped: answers already downloaded are dropped, not validated (stop() waits for this run)
        if (signal.aborted) throw new Stop('failed', 'the sync was stopped')
        if (!equalBytes(blocks[0]!.parentId, lastId))
          throw new Stop('failed', 'the peer switched branches during the sync')
        const { results, error } = await chain.addBlocks(blocks)
        added += results.filter((r) => r.status === 'tip' || r.status === 'side').length
        if (error) {
          if (error.error instanceof ValidationError) throw new Stop('invalid', error.error)
          throw new Stop('failed', error.error)
        }
        const stuck = results.find((r) => r.status === 'future' || r.status === 'orphan')
        if (stuck) throw new Stop('failed', `a downloaded block is ${stuck.status}`)
        lastId = results[results.length - 1]!.id
        this.opts.onProgress?.({
          height: chain.height,
          target: Math.max(goal, chain.height),
          rate: rate(),
          added,
        })
      }

      // 2. height ranges, several in flight, applied in order
      // answers wait as bytes; each is decoded just before its blocks are added
      type Slot = { from: number; count: number; result: Promise<Settled<() => BlocksResponse>> }
      const queue: Slot[] = []
      let issued = ancestor.height + 1 + first.blocks.length
      const request = (from: number, count: number): Slot => ({
        from,
        count,
        result: settle(this.fetch(peer, { kind: 'range', from, count }, runSignal, counts)),
      })
      const fill = () => {
        goal = Math.max(goal, target())
        while (queue.length < inFlight && issued <= goal) {
          const count = Math.min(batchSize, goal - issued + 1)
          queue.push(request(issued, count))
          issued += count
        }
      }
      fill()
      await apply(first.blocks)
      for (let slot = queue.shift(); slot; slot = queue.shift()) {
        const res = await slot.result
        if (!res.ok) throw res.error
        const { blocks, more } = res.value()
        if (blocks.length === 0) {
          // the peer's chain ends before the range (it reorged or overstated its height)
          if (chain.height >= target()) break
          empty = true
          throw new Stop('failed', `the peer has no blocks from height ${slot.from}`)
        }
        // a short answer with more to come hit the size limit: the rest of the range goes first
        if (blocks.length < slot.count && more)
          queue.unshift(request(slot.from + blocks.length, slot.count - blocks.length))
        // the peer has grown past what we asked for
        if (more && queue.length === 0 && issued > goal) goal = issued + batchSize - 1
        // this answer is in: its place goes to the next range while its blocks are added
        fill()
        await apply(blocks)
        fill()
      }
      return { kind: 'done', ...stats() }
    } catch (err) {
      const stop =
        err instanceof Stop
          ? err
          : err instanceof ProtocolViolation
            ? new Stop('misbehaved', err)
            : new Stop('failed', err)
      if (stop.outcome === 'invalid')
        return { kind: 'invalid', ...stats(), error: stop.reason as ValidationError }
      return { kind: stop.outcome, ...stats(), detail: stop.message }
    } finally {
      run.abort()
    }
  }

  /** One request with bounded retries (each attempt has the client's request timeout). */
  private async fetch(
    peer: PeerId,
    req: BlocksRequest,
    signal: AbortSignal,
    counts: { timeouts: number },
  ): Promise<() => BlocksResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.opts.client.blocksLater(peer, req, signal)
      } catch (err) {
        if (!signal.aborted && isTimeout(err)) counts.timeouts++
        if (err instanceof ProtocolViolation || signal.aborted || attempt >= this.opts.attempts) throw err
        await sleep(100 * attempt, signal)
      }
    }
  }
}
