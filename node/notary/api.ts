// GET /notary/:hash (docs/notary.md): every main-chain registration of a document hash, each a receipt
// that verifies offline (consensus/extensions/notary/receipt.ts).
import { equalBytes, toHex } from '../../consensus/encoding/hex.js'
import {
  blockLeafHashes,
  headerOfLeaves,
  notaryReceipt,
  notaryReceiptToJson,
} from '../../consensus/extensions/notary/receipt.js'
import { transactionNotaryHash } from '../../consensus/extensions/notary/record.js'
import type { Block, BlockHeader } from '../../consensus/types/block.js'
import { notFound, parseHashParam } from '../api/errors.js'
import * as S from '../api/schemas.js'
import type { ApiRoutes } from '../api/server.js'
import { notaryEntries } from './indexer.js'

/** The most registrations one answer lists (`more` says when there are others). */
export const MAX_NOTARY_REGISTRATIONS = 100

export const notaryRoutes: ApiRoutes = (app, { chain, pool, sendJson }) => {
  app.get<{ Params: { hash: string } }>(
    '/notary/:hash',
    {
      schema: {
        summary: 'every main-chain registration of a document hash, each with an offline-verifiable receipt',
        tags: ['notary'],
        params: S.params({ hash: 'blake2b-256 of the document, 64 hex' }),
        response: S.answers(S.NOTARY, 400, 404),
      },
    },
    async (req, reply) => {
      const hash = parseHashParam('hash', req.params.hash)
      const entries = await notaryEntries(chain, hash, MAX_NOTARY_REGISTRATIONS + 1)
      const registrations = []
      // registrations of one hash can share a block (anyone can register it again, cheaply): each block is
      // read and its Merkle leaves hashed once per answer, not once per registration
      const blocks = new Map<
        string,
        { block: Block; precomputed: { leafHashes: Uint8Array[]; header: BlockHeader } } | undefined
      >()
      for (const e of entries.slice(0, MAX_NOTARY_REGISTRATIONS)) {
        const blockKey = toHex(e.blockId)
        if (!blocks.has(blockKey)) {
          const b = await chain.block(e.blockId)
          if (!b) blocks.set(blockKey, undefined)
          else {
            const leafHashes = blockLeafHashes(chain.codec, b)
            blocks.set(blockKey, {
              block: b,
              precomputed: { leafHashes, header: headerOfLeaves(b, leafHashes) },
            })
          }
        }
        const read = blocks.get(blockKey)
        // a reorg between the index read and this one: the entry left with its block
        if (!read || !chain.isOnMainChain(e.blockId, e.height)) continue
        const { block, precomputed } = read
        const tx = block.transactions[e.index]
        const recorded = tx && transactionNotaryHash(tx)
        if (!recorded || !equalBytes(recorded, hash))
          throw new Error(
            `notary index entry ${toHex(hash)} at ${e.height}/${e.index} does not match its block`,
          )
        registrations.push(
          notaryReceiptToJson(
            notaryReceipt(chain.codec, {
              genesisId: chain.genesisId,
              hash,
              block,
              height: e.height,
              txIndex: e.index,
              precomputed,
            }),
          ),
        )
      }
      if (registrations.length === 0) {
        const pending = pool.transactions().find((tx) => {
          const h = transactionNotaryHash(tx)
          return h !== undefined && equalBytes(h, hash)
        })
        throw notFound(
          pending
            ? `hash ${toHex(hash)} is registered by transaction ${toHex(chain.registry.id(pending))}, which is not in a block yet`
            : `hash ${toHex(hash)} is not registered on the main chain`,
        )
      }
      return sendJson(reply, {
        hash: toHex(hash),
        height: chain.height,
        registrations,
        more: entries.length > MAX_NOTARY_REGISTRATIONS ? true : undefined,
      })
    },
  )
}
