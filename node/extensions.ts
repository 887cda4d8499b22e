// DESIGN §3, the node part of the node-level hook: what an extension adds to a full node, an indexer
// written in each block's atomic batch and routes of the HTTP API. The built-in ones are composed here;
// a chain builder's program passes its own list to `BlockstakeNode.start`.
import type { ApiRoutes } from './api/server.js'
import type { ChainIndexer } from './chain/indexers.js'
import { notaryRoutes } from './notary/api.js'
import { notaryIndexer } from './notary/indexer.js'

export interface NodeExtension {
  readonly name: string
  readonly indexers?: readonly ChainIndexer[]
  readonly routes?: ApiRoutes
}

/** What every node runs unless told otherwise: the notary index and `GET /notary/:hash` (docs/notary.md). */
export const BUILTIN_NODE_EXTENSIONS: readonly NodeExtension[] = [
  { name: 'notary', indexers: [notaryIndexer], routes: notaryRoutes },
]
