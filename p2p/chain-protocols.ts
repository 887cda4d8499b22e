// DESIGN §5: the request/response protocols (`status`, `blocks`, `block`, `peers`) as a libp2p service
// (js-libp2p protocol-ping style): handlers are registered in start() and removed in stop(); every client
// request runs under `AbortSignal.timeout`; every stream read is capped at the message size limit; handlers
// never throw on bad input (the stream is closed and the peer reported).
import type {
  AbortOptions,
  Connection,
  PeerId,
  Startable,
  Stream,
  StreamHandler,
  StreamHandlerOptions,
} from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { equalBytes } from '../consensus/encoding/hex.js'
import type { Block } from '../consensus/types/block.js'
import type { ProtocolIds } from './protocols/ids.js'
import {
  type BlocksRequest,
  type BlocksResponse,
  MAX_PEER_ADDRESSES,
  type Status,
  type WireMessages,
} from './protocols/messages.js'
import type { PeerRateLimiter } from './rate-limit.js'
import type { ChainLike } from './types.js'

/** What the service needs from libp2p (a subset of its components). */
export interface ChainProtocolsComponents {
  readonly registrar: {
    handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
    unhandle(protocol: string, options?: AbortOptions): Promise<void>
  }
  readonly connectionManager: {
    openStream(peer: PeerId, protocol: string, options?: AbortOptions): Promise<Stream>
  }
}

export type Misbehaviour =
  /** Undecodable or out-of-bounds input. */
  | 'bad-message'
  /** More requests than the rate limit allows. */
  | 'rate-limited'

export interface ChainProtocolsInit {
  readonly chain: ChainLike
  readonly messages: WireMessages
  readonly protocols: ProtocolIds
  /** Deadline of every request (client) and of reading a request and writing its answer (server). */
  readonly requestTimeoutMs: number
  /** Shared by `status`, `blocks`, `block` and `peers`; excess requests get their stream closed. */
  readonly limiter: PeerRateLimiter
  /** A peer told us its status (it requested ours). */
  readonly onStatus: (peer: PeerId, status: Status) => void
  /** A peer sent something it should not have. */
  readonly onMisbehaviour: (peer: PeerId, what: Misbehaviour, detail: string) => void
  /** Addresses to answer a `peers` request on `connection` with (at most `max`). */
  readonly shareablePeers: (connection: Connection, max: number) => Promise<readonly string[]>
}

/** Stored blocks read per store round trip when answering a range. */
const RAW_READ_CHUNK = 32

/** A chain that can hand out the stored Sia bytes of its main-chain blocks (the node's `Chain`). */
interface RawBlockSource {
  blockBytesFrom?(from: number, count: number): Promise<{ id: Uint8Array; bytes: Uint8Array }[]>
}

/** A reply to a request was not what the protocol promises (the caller decides how to punish). */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation'
}

const isAbortLike = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')

export class ChainProtocols implements Startable {
  readonly [Symbol.toStringTag] = 'blockstake/chain-protocols'
  private started = false
  /** Aborted by stop(): every request and answer in flight ends. */
  private lifetime = new AbortController()
  private readonly handlers: [string, StreamHandler][]

  constructor(
    private readonly components: ChainProtocolsComponents,
    private readonly init: ChainProtocolsInit,
  ) {
    const p = init.protocols
    this.handlers = [
      [p.status, this.serve(this.answerStatus)],
      [p.blocks, this.serve(this.answerBlocks)],
      [p.block, this.serve(this.answerBlock)],
      [p.peers, this.serve(this.answerPeers)],
    ]
  }

  async start(): Promise<void> {
    if (this.lifetime.signal.aborted) this.lifetime = new AbortController()
    for (const [protocol, handler] of this.handlers)
      await this.components.registrar.handle(protocol, handler, { maxInboundStreams: 16 })
    this.started = true
  }

  async stop(): Promise<void> {
    this.started = false
    this.lifetime.abort()
    for (const [protocol] of this.handlers) await this.components.registrar.unhandle(protocol)
  }

  isStarted(): boolean {
    return this.started
  }

  // ---- client -----------------------------------------------------------------------------------------

  /** Our status for the peer, its status back. */
  async status(peer: PeerId, ours: Status, signal?: AbortSignal): Promise<Status> {
    const m = this.init.messages
    const reply = await this.request(peer, this.init.protocols.status, m.encodeStatus(ours), signal)
    return decodeOr(m.decodeStatus, reply)
  }

  /**
   * Blocks by locator or height range, decoded and checked (they must extend each other) only when the
   * returned function is called, which throws a `ProtocolViolation` then: a sync keeps several answers
   * in flight as compact bytes, not as decoded blocks, which take many times their encoded size.
   */
  async blocksLater(peer: PeerId, req: BlocksRequest, signal?: AbortSignal): Promise<() => BlocksResponse> {
    const reply = await this.request(
      peer,
      this.init.protocols.blocks,
      this.init.messages.encodeBlocksRequest(req),
      signal,
    )
    return () => this.decodeBlocks(req, reply)
  }

  private decodeBlocks(req: BlocksRequest, reply: Uint8Array): BlocksResponse {
    const res = decodeOr(this.init.messages.decodeBlocksResponse, reply)
    if (res.blocks.length > req.count)
      throw new ProtocolViolation(`asked for ${req.count} blocks, got ${res.blocks.length}`)
    const codec = this.init.chain.codec
    for (let i = 1; i < res.blocks.length; i++) {
      if (!equalBytes(res.blocks[i]!.parentId, codec.id(res.blocks[i - 1]!)))
        throw new ProtocolViolation(`block ${i} of the response does not extend block ${i - 1}`)
    }
    return res
  }

  /** One block by ID (undefined when the peer does not have it); checks the ID. */
  async block(peer: PeerId, id: Uint8Array, signal?: AbortSignal): Promise<Block | undefined> {
    const m = this.init.messages
    const reply = await this.request(peer, this.init.protocols.block, m.encodeBlockRequest({ id }), signal)
    const block = decodeOr(m.decodeBlockResponse, reply)
    if (block && !equalBytes(this.init.chain.codec.id(block), id))
      throw new ProtocolViolation('the peer answered with another block')
    return block
  }

  /** Addresses of the peer's peers (unchecked strings). */
  async peers(peer: PeerId, max = MAX_PEER_ADDRESSES, signal?: AbortSignal): Promise<readonly string[]> {
    const m = this.init.messages
    const reply = await this.request(peer, this.init.protocols.peers, m.encodePeersRequest({ max }), signal)
    const res = decodeOr(m.decodePeersResponse, reply)
    if (res.addresses.length > max) throw new ProtocolViolation(`asked for ${max} addresses`)
    return res.addresses
  }

  /** One request, one length-prefixed reply, under the request timeout (and `signal`). */
  private async request(
    peer: PeerId,
    protocol: string,
    payload: Uint8Array,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const signals = [AbortSignal.timeout(this.init.requestTimeoutMs), this.lifetime.signal]
    if (signal) signals.push(signal)
    const opts = { signal: AbortSignal.any(signals) }
    const stream = await this.components.connectionManager.openStream(peer, protocol, opts)
    try {
      const lp = this.lp(stream, this.init.messages.maxMessageSize)
      await lp.write(payload, opts)
      const reply = await lp.read(opts)
      await stream.close(opts)
      return reply.subarray()
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  private lp(stream: Stream, maxDataLength: number) {
    return lpStream(stream, { maxDataLength, maxBufferSize: Math.max(4 << 20, 2 * maxDataLength) })
  }

  // ---- server -----------------------------------------------------------------------------------------

  /** Wraps an answer function: rate limit, bounded read, decode, answer, close; never throws. */
  private serve(answer: (request: Uint8Array, connection: Connection) => Promise<Uint8Array>): StreamHandler {
    return async (stream, connection) => {
      const peer = connection.remotePeer
      if (!this.init.limiter.take(peer.toString())) {
        this.init.onMisbehaviour(peer, 'rate-limited', stream.protocol)
        stream.abort(new Error('rate limit exceeded'))
        return
      }
      const opts = {
        signal: AbortSignal.any([AbortSignal.timeout(this.init.requestTimeoutMs), this.lifetime.signal]),
      }
      try {
        const lp = this.lp(stream, this.init.messages.maxRequestSize)
        let request: Uint8Array
        try {
          request = (await lp.read(opts)).subarray()
        } catch (err) {
          if (!isAbortLike(err) && err instanceof Error && /length/i.test(err.name))
            this.init.onMisbehaviour(peer, 'bad-message', `${stream.protocol}: ${err.message}`)
          throw err
        }
        let reply: Uint8Array
        try {
          reply = await answer(request, connection)
        } catch (err) {
          if (err instanceof BadRequest) {
            this.init.onMisbehaviour(peer, 'bad-message', `${stream.protocol}: ${err.message}`)
          }
          throw err
        }
        await lp.write(reply, opts)
        await stream.close(opts)
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      }
    }
  }

  private readonly answerStatus = async (request: Uint8Array, connection: Connection) => {
    const theirs = decodeRequest(this.init.messages.decodeStatus, request)
    this.init.onStatus(connection.remotePeer, theirs)
    return this.init.messages.encodeStatus(ownStatus(this.init.chain))
  }

  private readonly answerBlocks = async (request: Uint8Array) => {
    const req = decodeRequest(this.init.messages.decodeBlocksRequest, request)
    const chain = this.init.chain
    let from: number
    if (req.kind === 'range') {
      from = req.from
    } else {
      // the newest locator ID on our main chain is the common ancestor
      let ancestor: number | undefined
      for (const id of req.ids) {
        const meta = await chain.meta(id)
        if (meta && chain.isOnMainChain(id, meta.height)) {
          ancestor = meta.height
          break
        }
      }
      if (ancestor === undefined) return this.init.messages.encodeBlocksResponse({ blocks: [], more: false })
      from = ancestor + 1
    }
    const raw = chain as ChainLike & RawBlockSource
    if (raw.blockBytesFrom) return this.mainChainBlocksRaw(raw.blockBytesFrom.bind(raw), from, req.count)
    return this.init.messages.encodeBlocksResponse(await this.mainChainBlocks(from, req.count))
  }

  /**
   * `mainChainBlocks`, encoded, from the stored block bytes: the same selection (a block's parent ID is
   * its first 32 bytes) without decoding and re-encoding every block.
   */
  private async mainChainBlocksRaw(
    blockBytesFrom: NonNullable<RawBlockSource['blockBytesFrom']>,
    from: number,
    count: number,
  ): Promise<Uint8Array> {
    const chain = this.init.chain
    const budget = this.init.messages.maxMessageSize - 64
    const blocks: Uint8Array[] = []
    let size = 0
    let expectParent: Uint8Array | undefined
    // read in chunks, so large blocks past the size budget are not all loaded
    reading: for (let h = from; h < from + count; h += RAW_READ_CHUNK) {
      const chunk = await blockBytesFrom(h, Math.min(RAW_READ_CHUNK, from + count - h))
      for (const { id, bytes } of chunk) {
        // a reorg while reading: stop at the last block that still extends the previous one
        if (expectParent && !equalBytes(bytes.subarray(0, 32), expectParent)) break reading
        if (blocks.length > 0 && size + bytes.length > budget) break reading
        blocks.push(bytes)
        size += bytes.length
        expectParent = id
      }
      if (chunk.length < Math.min(RAW_READ_CHUNK, from + count - h)) break
    }
    return this.init.messages.encodeBlocksResponseRaw(blocks, from + blocks.length <= chain.height)
  }

  /** Main-chain blocks from `from`, at most `count`, within the message size (at least one block). */
  private async mainChainBlocks(from: number, count: number): Promise<BlocksResponse> {
    const chain = this.init.chain
    const budget = this.init.messages.maxMessageSize - 64
    const blocks: Block[] = []
    let size = 0
    let expectParent: Uint8Array | undefined
    for (let h = from; h < from + count; h++) {
      const id = chain.idAt(h)
      if (!id) break
      const block = await chain.block(id)
      // a reorg while reading: stop at the last block that still extends the previous one
      if (!block || (expectParent && !equalBytes(block.parentId, expectParent))) break
      const encodedSize = chain.codec.encode(block).length
      if (blocks.length > 0 && size + encodedSize > budget) break
      blocks.push(block)
      size += encodedSize
      expectParent = id
    }
    return { blocks, more: from + blocks.length <= chain.height }
  }

  private readonly answerBlock = async (request: Uint8Array) => {
    const { id } = decodeRequest(this.init.messages.decodeBlockRequest, request)
    return this.init.messages.encodeBlockResponse(await this.init.chain.block(id))
  }

  private readonly answerPeers = async (request: Uint8Array, connection: Connection) => {
    const { max } = decodeRequest(this.init.messages.decodePeersRequest, request)
    const addresses = (await this.init.shareablePeers(connection, max)).slice(0, max)
    return this.init.messages.encodePeersResponse({ addresses })
  }
}

/** A request that does not decode. */
class BadRequest extends Error {
  override readonly name = 'BadRequest'
}

function decodeRequest<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return decode(bytes)
  } catch (err) {
    throw new BadRequest(err instanceof Error ? err.message : String(err))
  }
}

function decodeOr<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return decode(bytes)
  } catch (err) {
    throw new ProtocolViolation(err instanceof Error ? err.message : String(err))
  }
}

/** The status message of a chain. */
export function ownStatus(chain: ChainLike): Status {
  const tip = chain.tip
  return { genesisId: chain.genesisId, height: tip.height, tipId: tip.id, depth: tip.depth }
}

/** The libp2p service factory: `services: { chain: chainProtocols(init) }`. */
export function chainProtocols(
  init: ChainProtocolsInit,
): (components: ChainProtocolsComponents) => ChainProtocols {
  return (components) => new ChainProtocols(components, init)
}
