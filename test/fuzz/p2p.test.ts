import { fuzzSlice } from './slice.js'

fuzzSlice([
  'p2p-status',
  'p2p-blocks-request',
  'p2p-blocks-response',
  'p2p-block-request',
  'p2p-block-response',
  'p2p-peers-request',
  'p2p-peers-response',
  'p2p-gossip-block',
  'p2p-gossip-transactions',
])
