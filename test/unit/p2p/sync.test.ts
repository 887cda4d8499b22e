// p2p/sync.ts through its injectable client: a scripted peer answers blocks requests from a real
// generated chain (devnet/chaingen), checks the answers as ChainProtocols.blocksLater does, and a fake
// chain keeps the ChainLike contract (p2p/types.ts) the way node/chain does.
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { equalBytes, toHex } from '../../../consensus/encoding/hex.js'
import { genesisBlock } from '../../../consensus/params/chain.js'
import { ROOT_DEPTH } from '../../../consensus/pobs/target.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { ValidationError } from '../../../consensus/validation/errors.js'
import { devnetDefinition, generateChain } from '../../../devnet/chaingen.js'
import { ProtocolViolation } from '../../../p2p/chain-protocols.js'
import type { BlocksRequest, BlocksResponse } from '../../../p2p/protocols/messages.js'
import { Syncer, type SyncOptions, type SyncOutcome, type SyncProgress } from '../../../p2p/sync.js'
import type { AddBlockOutcome, ChainLike, ChainTip } from '../../../p2p/types.js'
import { devKey } from '../../utils/devchain.js'

const registry = coreRegistry()
const codec = new BlockCodec(registry)
const key = devKey(0)
const def = devnetDefinition({ stakers: [key], coinsTo: key, timestamp: 1_700_000_000 })
const genesis = genesisBlock(def)
const idHex = (b: Block) => toHex(codec.id(b))
/** The peer's height. */
const HEIGHT = 120
const BATCH = 10

/** The peer's main chain: genesis, then blocks 1…HEIGHT. */
let main: Block[] = []
/** Another branch from the same genesis (its blocks carry a transfer, so their IDs differ). */
let fork: Block[] = []
let peer: PeerId

beforeAll(async () => {
  const generate = (blocks: number, transactionsPerBlock: number) => [
    genesis,
    ...generateChain({
      def,
      registry,
      ed: nodeEd25519,
      stakeKey: key,
      keys: [key],
      blocks,
      transactionsPerBlock,
    }),
  ]
  main = generate(HEIGHT, 0)
  fork = generate(8, 1)
  peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
})

afterEach(() => {
  vi.useRealTimers()
})

// ---- a chain that keeps the ChainLike contract ------------------------------------------------------------

interface Known {
  readonly id: Uint8Array
  readonly block: Block
  readonly height: number
}

/**
 * In memory, like node/chain: a block must extend a known block (else `orphan`), the longest branch is the
 * main chain (a block on a shorter one is `side`), `addBlocks` adds in order and stops at the first
 * block that throws, reporting its index. Validation is not redone here: `invalid` names the blocks that
 * fail it (with a ValidationError, as the real chain throws) and `future` those too far ahead to accept.
 */
class FakeChain implements ChainLike {
  readonly genesisId: Uint8Array
  readonly codec = codec
  readonly def = def
  readonly invalid = new Set<string>()
  readonly future = new Set<string>()
  /** IDs of every block handed to `addBlocks`, in order. */
  readonly fed: string[] = []
  /** Runs after each `addBlocks` call. */
  afterBatch?: () => void
  private readonly known = new Map<string, Known>()
  private mainIds: Uint8Array[]

  /** `blocks[0]` is the genesis; the others extend it. */
  constructor(
    blocks: readonly Block[],
    /** Time each `addBlocks` call takes, as validation does (ms). */
    private readonly validateMs = 0,
  ) {
    this.genesisId = codec.id(blocks[0]!)
    this.known.set(toHex(this.genesisId), { id: this.genesisId, block: blocks[0]!, height: 0 })
    this.mainIds = [this.genesisId]
    for (const b of blocks.slice(1)) this.accept(b)
  }

  get height(): number {
    return this.mainIds.length - 1
  }
  get tip(): ChainTip {
    return { id: this.mainIds[this.height]!, height: this.height, depth: ROOT_DEPTH, childTarget: ROOT_DEPTH }
  }
  idAt(height: number): Uint8Array | undefined {
    return this.mainIds[height]
  }
  async block(id: Uint8Array): Promise<Block | undefined> {
    return this.known.get(toHex(id))?.block
  }
  async meta(id: Uint8Array): Promise<{ height: number } | undefined> {
    const k = this.known.get(toHex(id))
    return k && { height: k.height }
  }
  isOnMainChain(id: Uint8Array, height: number): boolean {
    const at = this.mainIds[height]
    return at !== undefined && equalBytes(at, id)
  }
  async addBlock(block: Block): Promise<AddBlockOutcome> {
    return this.accept(block)
  }
  async addBlocks(blocks: readonly Block[]) {
    if (this.validateMs > 0) await new Promise((r) => setTimeout(r, this.validateMs))
    const results: AddBlockOutcome[] = []
    try {
      for (const [index, block] of blocks.entries()) {
        try {
          results.push(this.accept(block))
        } catch (error) {
          return { results, error: { index, error } }
        }
      }
      return { results }
    } finally {
      this.afterBatch?.()
    }
  }
  on(): this {
    return this
  }
  off(): this {
    return this
  }
  /** The main chain's block IDs from height 1. */
  mainChain(): string[] {
    return this.mainIds.slice(1).map(toHex)
  }

  private accept(block: Block): AddBlockOutcome {
    const id = codec.id(block)
    const hex = toHex(id)
    this.fed.push(hex)
    if (this.known.has(hex)) return { status: 'duplicate', id }
    const parent = this.known.get(toHex(block.parentId))
    if (!parent) return { status: 'orphan', id, parentId: block.parentId }
    if (this.invalid.has(hex))
      throw new ValidationError(
        'kernel-above-target',
        `the PoBS kernel of ${hex.slice(0, 8)} misses the target`,
      )
    if (this.future.has(hex)) return { status: 'future', id, retryAt: block.timestamp - 30 }
    const height = parent.height + 1
    this.known.set(hex, { id, block, height })
    if (height <= this.height) return { status: 'side', id, height }
    // the longer branch becomes the main chain: back to where it leaves the old one
    const branch: Uint8Array[] = []
    for (let k: Known = { id, block, height }; !this.isOnMainChain(k.id, k.height); ) {
      branch.unshift(k.id)
      k = this.known.get(toHex(k.block.parentId))!
    }
    this.mainIds.length = height - branch.length + 1
    this.mainIds.push(...branch)
    return { status: 'tip', id, height }
  }
}

// ---- a peer behind the injectable client ------------------------------------------------------------------

/**
 * What an honest node answers (ChainProtocols.answerBlocks): its main-chain blocks after the newest
 * locator block it has, or from a height; at most `count`, or `perAnswer` (its message size limit);
 * `more` when its chain goes on after the last block sent.
 */
function honestAnswer(chain: readonly Block[], req: BlocksRequest, perAnswer = Number.POSITIVE_INFINITY) {
  let from: number
  if (req.kind === 'range') from = req.from
  else {
    const heights = req.ids.map((id) => chain.findIndex((b) => equalBytes(codec.id(b), id)))
    const ancestor = heights.find((h) => h >= 0)
    if (ancestor === undefined) return { blocks: [], more: false }
    from = ancestor + 1
  }
  const blocks = chain.slice(from, from + Math.min(req.count, perAnswer))
  return { blocks, more: from + blocks.length <= chain.length - 1 }
}

/** The checks ChainProtocols.blocksLater makes when its answer is decoded. */
function checked(req: BlocksRequest, res: BlocksResponse): BlocksResponse {
  if (res.blocks.length > req.count)
    throw new ProtocolViolation(`asked for ${req.count} blocks, got ${res.blocks.length}`)
  for (let i = 1; i < res.blocks.length; i++)
    if (!equalBytes(res.blocks[i]!.parentId, codec.id(res.blocks[i - 1]!)))
      throw new ProtocolViolation(`block ${i} of the response does not extend block ${i - 1}`)
  return res
}

/** An answer, a failed request, or none at all (the request runs into its timeout). */
type Reply = BlocksResponse | Error | 'stall'

interface ClientOptions {
  /** The peer's reply to the `attempt`th time it is sent this request (default: honest). */
  readonly reply?: (req: BlocksRequest, attempt: number) => Reply
  /** When the answer arrives (ms; default: on the next turn of the event loop). */
  readonly delayMs?: (req: BlocksRequest) => number
  /** Each attempt's timeout, as ChainProtocols puts `AbortSignal.timeout(requestTimeoutMs)` on it. */
  readonly timeoutMs?: number
}

const sameRequest = (a: BlocksRequest, b: BlocksRequest) =>
  a.kind === b.kind &&
  (a.kind === 'locator' || (b.kind === 'range' && a.from === b.from && a.count === b.count))

/** `SyncOptions.client` for a peer holding `chain`, which counts its requests and how many are open. */
class ScriptedClient {
  readonly requests: BlocksRequest[] = []
  /** `from` of the range answers, in the order they arrived. */
  readonly arrivals: number[] = []
  open = 0
  maxOpen = 0

  constructor(
    private readonly chain: readonly Block[],
    private readonly opts: ClientOptions = {},
  ) {}

  honest = (req: BlocksRequest): BlocksResponse => honestAnswer(this.chain, req)
  /** How many times the range from `from` was asked for. */
  attempts(from: number): number {
    return this.requests.filter((r) => r.kind === 'range' && r.from === from).length
  }
  ranges(): { from: number; count: number }[] {
    return this.requests.flatMap((r) => (r.kind === 'range' ? [{ from: r.from, count: r.count }] : []))
  }

  readonly blocksLater = (_peer: PeerId, req: BlocksRequest, signal?: AbortSignal) => {
    this.requests.push(req)
    const attempt = this.requests.filter((r) => sameRequest(r, req)).length
    const reply = this.opts.reply?.(req, attempt) ?? this.honest(req)
    this.open++
    this.maxOpen = Math.max(this.maxOpen, this.open)
    return new Promise<() => BlocksResponse>((resolve, reject) => {
      let settled = false
      const finish = (then: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(timeout)
        clearTimeout(answer)
        signal?.removeEventListener('abort', onAbort)
        this.open--
        then()
      }
      const onAbort = () => finish(() => reject(signal!.reason))
      const timeout = setTimeout(
        () =>
          finish(() => reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))),
        this.opts.timeoutMs ?? 10_000,
      )
      const answer =
        reply === 'stall'
          ? undefined
          : setTimeout(
              () =>
                finish(() => {
                  if (reply instanceof Error) return reject(reply)
                  if (req.kind === 'range') this.arrivals.push(req.from)
                  resolve(() => checked(req, reply))
                }),
              this.opts.delayMs?.(req) ?? 0,
            )
      if (signal?.aborted) onAbort()
      else signal?.addEventListener('abort', onAbort)
    })
  }
}

const syncer = (chain: ChainLike, client: ScriptedClient, opts: Partial<SyncOptions> = {}) =>
  new Syncer({ chain, client, batchSize: BATCH, inFlight: 4, attempts: 3, ...opts })
const syncFrom = (s: Syncer, target = HEIGHT, signal = new AbortController().signal) =>
  s.syncFrom(peer, () => target, signal)
const ids = (blocks: readonly Block[]) => blocks.slice(1).map(idHex)

// ---- the tests --------------------------------------------------------------------------------------------

describe('Syncer', () => {
  it.each([1, 4])(
    'keeps %i range requests in flight and adds the blocks in order when answers arrive out of order',
    async (inFlight) => {
      const chain = new FakeChain([genesis])
      // within each window of `inFlight` requests, the later ones are answered sooner
      const client = new ScriptedClient(main, {
        delayMs: (req) =>
          req.kind === 'range' ? 2 + 6 * (inFlight - 1 - (((req.from - 1) / BATCH) % inFlight)) : 0,
      })
      const outcome = await syncFrom(syncer(chain, client, { inFlight }))
      expect(outcome).toMatchObject({ kind: 'done', added: HEIGHT })
      expect(chain.mainChain()).toEqual(ids(main))
      expect(chain.fed).toEqual(ids(main))
      expect(client.maxOpen).toBe(inFlight)
      if (inFlight > 1) expect(client.arrivals).not.toEqual([...client.arrivals].sort((a, b) => a - b))
      // the ranges tile the heights after the locator answer, each at most one batch
      const ranges = client.ranges().sort((a, b) => a.from - b.from)
      expect(ranges[0]!.from).toBe(BATCH + 1)
      for (const [i, r] of ranges.entries()) {
        expect(r.count).toBeLessThanOrEqual(BATCH)
        if (i > 0) expect(r.from).toBe(ranges[i - 1]!.from + ranges[i - 1]!.count)
      }
      expect(ranges.at(-1)!.from + ranges.at(-1)!.count - 1).toBe(HEIGHT)
    },
  )

  it('reports progress after each batch: heights rise to the target, never past what it says', async () => {
    const chain = new FakeChain([genesis])
    const progress: SyncProgress[] = []
    const outcome = await syncFrom(
      syncer(chain, new ScriptedClient(main), { onProgress: (p) => progress.push(p) }),
    )
    expect(outcome.kind).toBe('done')
    expect(progress.map((p) => p.height)).toEqual(
      Array.from({ length: HEIGHT / BATCH }, (_, i) => (i + 1) * BATCH),
    )
    for (const p of progress) {
      expect(p.target).toBeGreaterThanOrEqual(p.height)
      expect(Number.isFinite(p.rate) && p.rate >= 0).toBe(true)
    }
    expect(progress.at(-1)!.target).toBe(HEIGHT)
  })

  it('finds the common ancestor of another branch and switches to the longer chain', async () => {
    const chain = new FakeChain(fork)
    const outcome = await syncFrom(syncer(chain, new ScriptedClient(main)))
    // the first 8 blocks go on a side branch until it is the longer one; both kinds count as added
    expect(outcome).toMatchObject({ kind: 'done', added: HEIGHT })
    expect(chain.mainChain()).toEqual(ids(main))
  })

  it('is done at once when the peer has nothing newer (an empty locator answer)', async () => {
    const chain = new FakeChain(main.slice(0, 51))
    const client = new ScriptedClient(main.slice(0, 51))
    expect(await syncFrom(syncer(chain, client), 50)).toMatchObject({ kind: 'done', added: 0 })
    expect(client.requests.map((r) => r.kind)).toEqual(['locator'])
  })

  it('follows a peer whose answers say its chain goes on past the height it announced', async () => {
    const chain = new FakeChain([genesis])
    const outcome = await syncFrom(syncer(chain, new ScriptedClient(main)), 30)
    expect(outcome).toMatchObject({ kind: 'done', added: HEIGHT })
  })

  it('asks again for the rest of a range the peer cut short (its size limit), and still keeps to inFlight', async () => {
    const chain = new FakeChain([genesis])
    const client = new ScriptedClient(main, { reply: (req) => honestAnswer(main, req, 3) })
    expect(await syncFrom(syncer(chain, client))).toMatchObject({ kind: 'done', added: HEIGHT })
    expect(chain.fed).toEqual(ids(main))
    // the ranges start after the locator answer's 3 blocks; the rest of 4–13 after its first 3 is asked next
    expect(client.ranges()).toContainEqual({ from: 7, count: 7 })
    expect(client.maxOpen).toBeLessThanOrEqual(4)
  })

  describe('a peer that stalls or fails', () => {
    it('times out each attempt and fails after `attempts` of them, in bounded time, leaving nothing open', async () => {
      vi.useFakeTimers()
      const chain = new FakeChain([genesis])
      const timeoutMs = 1000
      const client = new ScriptedClient(main, {
        timeoutMs,
        reply: (req) => (req.kind === 'range' && req.from === 21 ? 'stall' : client.honest(req)),
      })
      const startedAt = Date.now() // the fake clock
      let outcome: SyncOutcome | undefined
      void syncFrom(syncer(chain, client, { attempts: 3 })).then((o) => {
        outcome = o
      })
      for (let step = 0; step < 100 && !outcome; step++) await vi.advanceTimersByTimeAsync(100)
      expect(outcome).toMatchObject({ kind: 'failed', added: 20, detail: expect.stringMatching(/timeout/) })
      // three timeouts and the pauses between the attempts (100 ms, 200 ms)
      expect(Date.now() - startedAt).toBeLessThanOrEqual(3 * timeoutMs + 300 + 100)
      expect(client.attempts(21)).toBe(3)
      expect(chain.height).toBe(20)
      expect(client.open).toBe(0)
    })

    it('retries a request that failed (a lost connection) and completes the sync', async () => {
      const chain = new FakeChain([genesis])
      const client = new ScriptedClient(main, {
        reply: (req, attempt) =>
          req.kind === 'range' && req.from === 21 && attempt === 1
            ? new Error('connection reset')
            : client.honest(req),
      })
      expect(await syncFrom(syncer(chain, client))).toMatchObject({ kind: 'done', added: HEIGHT })
      expect(client.attempts(21)).toBe(2)
      expect(chain.mainChain()).toEqual(ids(main))
    })

    it('gives up after `attempts` failed requests and keeps the blocks added before', async () => {
      const chain = new FakeChain([genesis])
      const client = new ScriptedClient(main, {
        reply: (req) =>
          req.kind === 'range' && req.from === 21 ? new Error('connection reset') : client.honest(req),
      })
      const outcome = await syncFrom(syncer(chain, client, { attempts: 2 }))
      expect(outcome).toMatchObject({ kind: 'failed', added: 20, detail: 'connection reset' })
      expect(client.attempts(21)).toBe(2)
      expect(chain.height).toBe(20)
    })
  })

  describe('a peer that lies', () => {
    const lie = (from: number, res: () => BlocksResponse | Error) =>
      new ScriptedClient(main, {
        reply: (req) => (req.kind === 'range' && req.from === from ? res() : honestAnswer(main, req)),
      })

    it('misbehaved: a locator answer that does not start after a locator block', async () => {
      const chain = new FakeChain([genesis])
      const client = new ScriptedClient(main, {
        reply: (req) =>
          req.kind === 'locator' ? { blocks: main.slice(5, 15), more: true } : honestAnswer(main, req),
      })
      const outcome = await syncFrom(syncer(chain, client))
      expect(outcome).toMatchObject({
        kind: 'misbehaved',
        added: 0,
        detail: expect.stringMatching(/locator/),
      })
      expect(chain.fed).toEqual([])
    })

    it('misbehaved: more blocks than asked for', async () => {
      const chain = new FakeChain([genesis])
      const client = lie(21, () => ({ blocks: main.slice(21, 21 + BATCH + 1), more: true }))
      const outcome = await syncFrom(syncer(chain, client))
      expect(outcome).toMatchObject({ kind: 'misbehaved', added: 20, detail: 'asked for 10 blocks, got 11' })
      expect(chain.height).toBe(20)
    })

    it('misbehaved: blocks that do not extend each other', async () => {
      const chain = new FakeChain([genesis])
      const client = lie(21, () => ({ blocks: [...main.slice(21, 25), ...main.slice(26, 32)], more: true }))
      const outcome = await syncFrom(syncer(chain, client))
      expect(outcome).toMatchObject({
        kind: 'misbehaved',
        added: 20,
        detail: expect.stringMatching(/does not extend/),
      })
    })

    it('misbehaved, not retried: a request the client refuses as a protocol violation', async () => {
      const chain = new FakeChain([genesis])
      const client = lie(21, () => new ProtocolViolation('the answer exceeds the message size limit'))
      const outcome = await syncFrom(syncer(chain, client))
      expect(outcome).toMatchObject({ kind: 'misbehaved', added: 20 })
      expect(client.attempts(21)).toBe(1)
    })

    it('invalid: a block the chain refuses, with its ValidationError; the blocks before it stay', async () => {
      const chain = new FakeChain([genesis])
      chain.invalid.add(idHex(main[25]!))
      const outcome = await syncFrom(syncer(chain, new ScriptedClient(main)))
      expect(outcome).toMatchObject({ kind: 'invalid', added: 24 })
      expect(outcome.kind === 'invalid' && outcome.error).toBeInstanceOf(ValidationError)
      expect(outcome.kind === 'invalid' && outcome.error.code).toBe('kernel-above-target')
      expect(chain.height).toBe(24)
      expect(chain.fed.at(-1)).toBe(idHex(main[25]!)) // nothing is fed after the invalid block
    })

    it('failed: a range that does not connect to the blocks before it (the peer switched branches)', async () => {
      const chain = new FakeChain([genesis])
      const client = lie(21, () => ({ blocks: fork.slice(1, 9), more: true }))
      const outcome = await syncFrom(syncer(chain, client))
      expect(outcome).toMatchObject({
        kind: 'failed',
        added: 20,
        detail: expect.stringMatching(/switched branches/),
      })
      expect(chain.mainChain()).toEqual(ids(main.slice(0, 21)))
    })

    it('failed: an empty answer below the height the peer announced', async () => {
      const chain = new FakeChain([genesis])
      const client = lie(41, () => ({ blocks: [], more: true }))
      const outcome = await syncFrom(syncer(chain, client))
      expect(outcome).toMatchObject({
        kind: 'failed',
        added: 40,
        detail: expect.stringMatching(/no blocks from height 41/),
      })
    })

    it('failed: a peer that announced more than it has', async () => {
      const chain = new FakeChain([genesis])
      const outcome = await syncFrom(syncer(chain, new ScriptedClient(main)), HEIGHT + 25)
      expect(outcome).toMatchObject({
        kind: 'failed',
        added: HEIGHT,
        detail: expect.stringMatching(/no blocks from/),
      })
      expect(chain.height).toBe(HEIGHT)
    })

    it('done: a last answer that claims more than there is costs one more request, no more', async () => {
      const chain = new FakeChain([genesis])
      const client = new ScriptedClient(main, {
        reply: (req) => ({ ...honestAnswer(main, req), more: true }),
      })
      expect(await syncFrom(syncer(chain, client))).toMatchObject({ kind: 'done', added: HEIGHT })
      expect(client.ranges().filter((r) => r.from > HEIGHT)).toHaveLength(1)
    })

    it('failed: blocks the chain holds back as too far in the future', async () => {
      const chain = new FakeChain([genesis])
      chain.future.add(idHex(main[35]!))
      const outcome = await syncFrom(syncer(chain, new ScriptedClient(main)))
      expect(outcome).toMatchObject({ kind: 'failed', added: 34, detail: 'a downloaded block is future' })
    })
  })

  describe('stopping', () => {
    it('ends at once when aborted while a request is pending', async () => {
      const chain = new FakeChain([genesis])
      const stop = new AbortController()
      const client = new ScriptedClient(main, {
        timeoutMs: 60_000,
        reply: (req) => {
          if (req.kind === 'range' && req.from === 31) {
            setTimeout(() => stop.abort(), 10)
            return 'stall'
          }
          return honestAnswer(main, req)
        },
      })
      const outcome = await syncFrom(syncer(chain, client), HEIGHT, stop.signal)
      expect(outcome).toMatchObject({ kind: 'failed', added: 30 })
      expect(client.attempts(31)).toBe(1) // an aborted request is not retried
      expect(client.open).toBe(0)
    })

    it('adds no batch after the abort, even one already downloaded', async () => {
      // validation takes a while, so the next batches' answers are in by the time it is stopped
      const chain = new FakeChain([genesis], 20)
      const stop = new AbortController()
      let fedAtStop = -1
      chain.afterBatch = () => {
        if (chain.height === 30) {
          stop.abort()
          fedAtStop = chain.fed.length
        }
      }
      const client = new ScriptedClient(main)
      const outcome = await syncFrom(syncer(chain, client), HEIGHT, stop.signal)
      expect(client.arrivals).toContain(31)
      expect(outcome).toMatchObject({ kind: 'failed', added: 30, detail: 'the sync was stopped' })
      expect(chain.fed.length).toBe(fedAtStop)
      expect(client.open).toBe(0)
    })

    it('does not start when the signal is already aborted', async () => {
      const chain = new FakeChain([genesis])
      const stop = new AbortController()
      stop.abort()
      const client = new ScriptedClient(main)
      expect(await syncFrom(syncer(chain, client), HEIGHT, stop.signal)).toMatchObject({
        kind: 'failed',
        added: 0,
      })
      expect(client.requests).toHaveLength(1)
      expect(chain.fed).toEqual([])
    })
  })
})
