// DESIGN §5 (P2P): the node's libp2p host. TCP + noise + yamux + identify + ping + gossipsub and the chain's
// request/response protocols; mdns is off (peers come from bootstrap lists and peer exchange).
import { bootstrap } from '@libp2p/bootstrap'
import { type GossipSub, gossipsub, type Message, StrictNoSign } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import type { ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { blake2b256 } from '../consensus/crypto/hash.js'
import { toHex, utf8 } from '../consensus/encoding/hex.js'
import { type ChainProtocols, type ChainProtocolsInit, chainProtocols } from './chain-protocols.js'
import type { GossipTopics } from './protocols/ids.js'

export type P2PServices = {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  chain: ChainProtocols
}

export type Host = Libp2p<P2PServices>

export interface HostOptions {
  readonly privateKey: PrivateKey
  readonly listen: readonly string[]
  readonly bootstrap: readonly string[]
  /** The connection manager's limit. */
  readonly maxConnections: number
  /** Inbound connections still in their handshake at most. */
  readonly maxIncomingPending: number
  readonly gater: ConnectionGater
  readonly topics: GossipTopics
  readonly protocols: ChainProtocolsInit
}

/** A gossip message's content-addressed ID, `H(topic ‖ data)`, remembered per data buffer (computed once). */
const contentIds = new WeakMap<Uint8Array, { readonly topic: string; readonly id: Uint8Array }>()
function contentId(topic: string, data: Uint8Array): Uint8Array {
  const known = contentIds.get(data)
  if (known && known.topic === topic) return known.id
  const id = blake2b256(utf8(topic), data)
  contentIds.set(data, { topic, id })
  return id
}

/** The host, not started. */
export function createHost(opts: HostOptions): Promise<Host> {
  const maxMessage = opts.protocols.messages.maxMessageSize
  return createLibp2p<P2PServices>({
    start: false,
    privateKey: opts.privateKey,
    addresses: { listen: [...opts.listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: opts.gater,
    connectionManager: {
      maxConnections: opts.maxConnections,
      maxIncomingPendingConnections: opts.maxIncomingPending,
      // new inbound connections per second from one host (libp2p's default, stated)
      inboundConnectionThreshold: 5,
    },
    peerDiscovery: opts.bootstrap.length > 0 ? [bootstrap({ list: [...opts.bootstrap], timeout: 100 })] : [],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        emitSelf: false,
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        // no envelope signatures (a wire change: topics version 2): a message's ID is its content hash, every
        // message is validated for what it carries, and penalties go to the peer that sent it to us, so an
        // author's signature added nothing but a signature to make per message and one to check per copy
        globalSignaturePolicy: StrictNoSign,
        // content-addressed IDs: the same block or set from two publishers is one message
        msgIdFn: (msg: Message) => contentId(msg.topic, msg.data),
        // the same ID, remembered from the first copy: a copy of a message seen already (every relayed
        // message arrives once per mesh peer) is dropped before anything else is done with it
        fastMsgIdFn: (msg) => toHex(contentId(msg.topic, msg.data ?? new Uint8Array(0))),
        maxInboundDataLength: maxMessage + 64 * 1024,
        // one message of a peer at a time: the next RPC is read from its stream only when the messages of
        // the last one are validated, so what a peer can make us hold and work on is that message plus
        // what the muxer's window buffers (its stream waits, not our pool); by default gossipsub reads on
        // and validates every message at once, and a peer streaming sets the pool ignores (no penalty)
        // queued unbounded work ahead of everyone else's
        awaitRpcHandler: true,
        awaitRpcMessageHandler: true,
        allowedTopics: [opts.topics.blocks, opts.topics.txs],
      }),
      chain: chainProtocols(opts.protocols),
    },
  })
}
