// The light-client endpoints (DESIGN §7, docs/light-client.md): headers with their kernel proofs, transaction
// and output inclusion proofs, checkpoints. Everything is read from committed main-chain blocks; the wire
// format is light/proof.ts, which the SDK parses.
import { equalBytes, toHex } from '../../consensus/encoding/hex.js'
import type { JsonValue } from '../../consensus/encoding/json.js'
import type { Block } from '../../consensus/types/block.js'
import { conditionUnlockHash } from '../../consensus/types/conditions.js'
import {
  checkpointToJson,
  type LightHeader,
  lightHeader,
  lightHeadersToJson,
  lightTransactionProofToJson,
  MAX_LIGHT_HEADERS,
  transactionProof,
} from '../../light/proof.js'
import type { Chain } from '../chain/chain.js'
import type { TxLocation } from '../chain/tables.js'
import { ApiError, notFound, parseHashParam, parseUintParam } from './errors.js'
import * as S from './schemas.js'
import type { ApiRoutes } from './server.js'

export const DEFAULT_LIGHT_HEADERS = 100
/** How many address index entries GET /light/proof/output/:id reads to find the creating transaction. */
const MAX_OUTPUT_SCAN = 1000

const HASH = { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } as const
const UINT = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } as const

// the answers (light/proof.ts writes them, docs/light-client.md describes them; the SDK parses every field)
const HEX = { type: 'string', pattern: '^([0-9a-f]{2})*$' } as const
const N = { type: 'integer', minimum: 0 } as const
const PROOF_FIELDS = {
  transaction: { ...HEX, description: 'the transaction, binary encoding, hex' },
  leafIndex: { ...N, description: "the transaction's leaf among the block's Merkle leaves" },
  leafCount: N,
  path: { type: 'array', items: S.HASH, description: 'sibling hashes from the leaf up' },
} as const
const PROOF = { type: 'object', properties: PROOF_FIELDS, required: Object.keys(PROOF_FIELDS) }
const TX_PROOF_FIELDS = { version: N, transactionId: S.HASH, height: N, blockId: S.HASH, ...PROOF_FIELDS }
const TX_PROOF = { type: 'object', properties: TX_PROOF_FIELDS, required: Object.keys(TX_PROOF_FIELDS) }
const HEADERS = {
  type: 'object',
  properties: {
    version: N,
    genesisId: S.HASH,
    tip: { type: 'object', properties: { height: N, id: S.HASH }, required: ['height', 'id'] },
    headers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          height: N,
          id: S.HASH,
          header: {
            ...HEX,
            description: 'the block header (parent ID, PoBS output, timestamp, Merkle root)',
          },
          stake: PROOF,
          respend: PROOF,
        },
        required: ['height', 'id', 'header'],
      },
    },
  },
  required: ['version', 'genesisId', 'tip', 'headers'],
}
const OUTPUT_PROOF = {
  type: 'object',
  properties: {
    ...TX_PROOF_FIELDS,
    output: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['coin', 'blockstake'] }, index: N },
      required: ['kind', 'index'],
    },
  },
  required: [...Object.keys(TX_PROOF_FIELDS), 'output'],
}
const TARGET = { type: 'string', pattern: '^[0-9a-f]{64}$' }
const CHECKPOINT = {
  type: 'object',
  properties: { height: N, id: S.HASH, childTarget: TARGET, depth: TARGET, timestamp: N },
  required: ['height', 'id', 'childTarget', 'depth'],
}

/** The proof of the transaction at `at`, or undefined when a reorg took its block off the main chain. */
async function proofAt(chain: Chain, at: TxLocation): Promise<JsonValue | undefined> {
  const block = await chain.block(at.blockId)
  if (!block || !chain.isOnMainChain(at.blockId, at.height)) return undefined
  const tx = block.transactions[at.index]
  if (!tx) throw new Error(`transaction index entry ${at.height}/${at.index} does not match its block`)
  return lightTransactionProofToJson({
    transactionId: chain.registry.id(tx),
    height: at.height,
    blockId: at.blockId,
    ...transactionProof(chain.codec, block, at.index),
  })
}

export const lightRoutes: ApiRoutes = (app, { chain, sendJson }) => {
  app.get<{ Querystring: { from?: string; count?: string; proofs?: string } }>(
    '/light/headers',
    {
      schema: {
        summary: 'main-chain headers from a height, each with the proofs its PoBS kernel check needs',
        tags: ['light'],
        response: S.answers(HEADERS, 400, 404),
        querystring: {
          type: 'object',
          properties: { from: UINT, count: UINT, proofs: { type: 'string', enum: ['0', '1'] } },
          required: ['from'],
        },
      },
    },
    async (req, reply) => {
      const from = parseUintParam('from', req.query.from)
      const count =
        req.query.count === undefined
          ? DEFAULT_LIGHT_HEADERS
          : parseUintParam('count', req.query.count, MAX_LIGHT_HEADERS)
      const withProofs = req.query.proofs !== '0'
      const tip = chain.tip
      // the blocks a page reads, by height: stakes are mostly created a few blocks back
      const cache = new Map<number, Block | undefined>()
      const blockAt = async (h: number): Promise<Block | undefined> => {
        if (!cache.has(h)) cache.set(h, await chain.blockAt(h))
        return cache.get(h)
      }
      const headers: LightHeader[] = []
      for (let h = from; h < from + count && h <= tip.height; h++) {
        const block = await blockAt(h)
        if (!block) break // a reorg shortened the chain meanwhile
        headers.push(await lightHeader(chain.codec, block, h, blockAt, withProofs))
        if (cache.size > 4 * MAX_LIGHT_HEADERS) cache.clear()
      }
      return sendJson(
        reply,
        lightHeadersToJson({
          genesisId: chain.genesisId,
          tip: { height: tip.height, id: tip.id },
          headers,
        }),
      )
    },
  )

  app.get<{ Params: { id: string } }>(
    '/light/proof/tx/:id',
    {
      schema: {
        summary: "a main-chain transaction with its Merkle inclusion proof against its block's header",
        tags: ['light'],
        params: { type: 'object', properties: { id: HASH }, required: ['id'] },
        response: S.answers(TX_PROOF, 400, 404),
      },
    },
    async (req, reply) => {
      const id = parseHashParam('id', req.params.id)
      const at = await chain.transactionLocation(id)
      const proof = at && (await proofAt(chain, at))
      if (!proof) throw notFound(`transaction ${toHex(id)} is not in a main-chain block`)
      return sendJson(reply, proof)
    },
  )

  // the transaction that created a coin or block stake output (unspent, or a spent coin output), found
  // through the address index of the output's condition
  app.get<{ Params: { id: string } }>(
    '/light/proof/output/:id',
    {
      schema: {
        summary: 'an output with the inclusion proof of the transaction that created it',
        tags: ['light'],
        params: { type: 'object', properties: { id: HASH }, required: ['id'] },
        response: S.answers(OUTPUT_PROOF, 400, 404),
      },
    },
    async (req, reply) => {
      const id = parseHashParam('id', req.params.id)
      const coin = (await chain.coinOutput(id)) ?? (await chain.spentCoinOutput(id))
      const stake = coin ? undefined : await chain.blockStakeOutput(id)
      const output = coin ?? stake
      if (!output) throw notFound(`output ${toHex(id)} is not an unspent output or a spent coin output`)
      const rows = await chain.addressActivity(conditionUnlockHash(output.condition), {
        limit: MAX_OUTPUT_SCAN,
        newestFirst: true,
      })
      for (const row of rows) {
        const at = await chain.transactionLocation(row.id)
        if (!at) continue // a miner payout row
        const block = await chain.block(at.blockId)
        const tx = block?.transactions[at.index]
        if (!tx) continue
        const ids = chain.registry.outputIds(tx)
        const list = coin ? ids.coinOutputIds : ids.blockStakeOutputIds
        const index = list.findIndex((o) => equalBytes(o, id))
        if (index < 0) continue
        const proof = await proofAt(chain, at)
        if (!proof) continue
        return sendJson(reply, {
          ...(proof as Record<string, JsonValue>),
          output: { kind: coin ? 'coin' : 'blockstake', index },
        })
      }
      throw notFound(
        `output ${toHex(id)}: no transaction among the newest ${MAX_OUTPUT_SCAN} of its address creates it (a miner payout is proven by its block)`,
      )
    },
  )

  app.get<{ Params: { height: string } }>(
    '/light/checkpoint/:height',
    {
      schema: {
        summary: 'a checkpoint a light client may start from: height, block ID, child target, depth',
        tags: ['light'],
        params: { type: 'object', properties: { height: UINT }, required: ['height'] },
        response: S.answers(CHECKPOINT, 400, 404),
      },
    },
    async (req, reply) => {
      const height = parseUintParam('height', req.params.height)
      const id = chain.idAt(height)
      const meta = id && (await chain.meta(id))
      if (!id || !meta) throw notFound(`no block at height ${height} (the tip is at ${chain.height})`)
      if (meta.height !== height)
        throw new ApiError(500, 'internal', `block ${toHex(id)} is not at ${height}`)
      return sendJson(reply, {
        ...(checkpointToJson({ height, id, childTarget: meta.childTarget, depth: meta.depth }) as Record<
          string,
          JsonValue
        >),
        timestamp: meta.timestamp,
      })
    },
  )
}
