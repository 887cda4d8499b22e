// What the rest of the node sees of the P2P layer (implemented by p2p/service.ts; the API reads it).

export interface PeerInfo {
  /** libp2p peer ID. */
  readonly id: string
  readonly addresses: readonly string[]
  readonly direction: 'inbound' | 'outbound'
  /** From the peer's last status message. */
  readonly height?: number
  readonly tipId?: string
}

export interface NetworkView {
  readonly peerId: string
  /** Addresses others can dial, with the /p2p/<id> suffix. */
  readonly listenAddresses: readonly string[]
  peers(): readonly PeerInfo[]
  /** True once the node has caught up with its peers (or has no peers to catch up with). */
  readonly synced: boolean
  /** Blocks per second applied by the last sync run (0 when idle). */
  readonly syncRate: number
}
