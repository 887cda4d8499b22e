// Browser-safe: the wire format of the blockstake P2P protocols (no Node or libp2p transport imports).
export * from './ids.js'
export * from './locator.js'
export * from './messages.js'
