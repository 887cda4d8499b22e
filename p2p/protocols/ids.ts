// DESIGN §5: protocol ids and gossip topics are scoped by the chain's genesis ID, so nodes of different
// chains never agree on a protocol and never share a topic.
import { toHex } from '../../consensus/encoding/hex.js'

/** The first 16 hex characters (8 bytes) of the genesis block ID. */
export function genesisPrefix(genesisId: Uint8Array): string {
  if (genesisId.length !== 32) throw new RangeError(`a genesis ID has 32 bytes, got ${genesisId.length}`)
  return toHex(genesisId.subarray(0, 8))
}

export interface ProtocolIds {
  /** Status exchange: genesis, height, tip, depth. */
  readonly status: string
  /** Blocks by locator or height range. */
  readonly blocks: string
  /** One block by ID. */
  readonly block: string
  /** Peer exchange. */
  readonly peers: string
}

export interface GossipTopics {
  /** A Sia-encoded block. */
  readonly blocks: string
  /** A Sia-encoded list of transaction sets (version 2; version 1 carried one set per message). */
  readonly txs: string
}

/** `/blockstake/<genesis16>/<name>/1` */
export function protocolIds(genesisId: Uint8Array): ProtocolIds {
  const p = genesisPrefix(genesisId)
  return {
    status: `/blockstake/${p}/status/1`,
    blocks: `/blockstake/${p}/blocks/1`,
    block: `/blockstake/${p}/block/1`,
    peers: `/blockstake/${p}/peers/1`,
  }
}

/**
 * `blockstake/<genesis16>/blocks/2` and `blockstake/<genesis16>/txs/2`: version 2 messages carry no envelope
 * signature (p2p/host.ts `StrictNoSign`), version 1 were signed by their author.
 */
export function gossipTopics(genesisId: Uint8Array): GossipTopics {
  const p = genesisPrefix(genesisId)
  return { blocks: `blockstake/${p}/blocks/2`, txs: `blockstake/${p}/txs/2` }
}
