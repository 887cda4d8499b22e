// DESIGN §4, docs/capacity.md: grid capacity as a chain enables it under `extensions.capacity`, and the
// routes a node serves from its state.
import { DecodeError } from '../../encoding/errors.js'
import { fromHex, toHex } from '../../encoding/hex.js'
import type { JsonValue } from '../../encoding/json.js'
import { conditionToJson, conditionUnlockHash, publicKeyUnlockHash } from '../../types/conditions.js'
import { currencyToJson } from '../../types/currency.js'
import { publicKeyToString } from '../../types/publickey.js'
import { parseUnlockHash, type UnlockHash, unlockHashToString } from '../../types/unlockhash.js'
import { type Extension, type ExtensionQuery, type QueryContext, QueryError } from '../api.js'
import { ADDRESS, arrayOf, CONDITION, CURRENCY, HASH, int, obj, type Schema, str } from '../schemas.js'
import { type CapacityParams, capacityParamsToJson, capacityVersions, parseCapacityParams } from './params.js'
import { capacityRules } from './rules.js'
import {
  CAPACITY,
  capacityGetter,
  capacityTime,
  freeOf,
  nodeCount,
  nodeIds,
  nodeRecord,
  nodeReservationCount,
  nodeReservationIds,
  ownerReservationCount,
  ownerReservationIds,
  reservationRecord,
  reservedAt,
} from './state.js'
import { capacityTransactionTypes, NODE_ID, nodeIdError, pricesToJson, resourcesToJson } from './types.js'

export const capacityExtension: Extension<CapacityParams> = {
  name: CAPACITY,
  parseParams: parseCapacityParams,
  paramsToJson: capacityParamsToJson,
  versions: capacityVersions,
  enable: (p) => ({
    name: CAPACITY,
    transactionTypes: capacityTransactionTypes(p),
    rules: capacityRules(p),
    queries: capacityQueries,
  }),
}

/** The node's state now: registered, reserved and free capacity, prices, farmer and payout. */
export function nodeToJson(ctx: QueryContext, nodeId: string): JsonValue | undefined {
  const get = capacityGetter(ctx.state)
  const node = nodeRecord(get, nodeId)
  if (!node) return undefined
  const reserved = reservedAt(get, nodeId, capacityTime(get, ctx.time))
  return {
    nodeId,
    farmer: unlockHashToString(publicKeyUnlockHash(node.farmerKey)),
    farmerKey: publicKeyToString(node.farmerKey),
    registered: resourcesToJson(node.resources),
    reserved: resourcesToJson(reserved),
    free: resourcesToJson(freeOf(node.resources, reserved)),
    prices: pricesToJson(node.prices),
    payout: unlockHashToString(conditionUnlockHash(node.payoutCondition)),
    payoutCondition: conditionToJson(node.payoutCondition),
    registeredAt: node.registeredAt,
    updatedAt: node.updatedAt,
  }
}

function reservationToJson(ctx: QueryContext, id: Uint8Array): JsonValue | undefined {
  const get = capacityGetter(ctx.state)
  const r = reservationRecord(get, id)
  if (!r) return undefined
  const now = capacityTime(get, ctx.time)
  return {
    id: toHex(id),
    nodeId: r.nodeId,
    owner: unlockHashToString(conditionUnlockHash(r.ownerCondition)),
    resources: resourcesToJson(r.resources),
    hours: r.hours,
    price: currencyToJson(r.price),
    height: r.height,
    start: r.start,
    end: r.end,
    expired: now >= r.end,
    secondsLeft: Math.max(0, r.end - now),
  }
}

const MAX_LIST = 1000

function listParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^(0|[1-9][0-9]{0,8})$/.test(value))
    throw new QueryError(400, `invalid-${name}`, `${name} must be a non-negative integer, got "${value}"`)
  return Number(value)
}

function nodeIdParam(value: string | undefined): string {
  const err = nodeIdError(value ?? '')
  if (err) throw new QueryError(400, 'invalid-node-id', `node: ${err}`)
  return value as string
}

const NODE_ID_SCHEMA = str('a node ID: 1–64 characters of a-z, 0-9 and -', { pattern: NODE_ID.source })
const RESOURCES = obj({
  cru: int('compute resource units'),
  mru: int('memory resource units'),
  sru: int('SSD storage resource units'),
  hru: int('HDD storage resource units'),
})
const PRICES = obj({ cru: CURRENCY, mru: CURRENCY, sru: CURRENCY, hru: CURRENCY })

/** `nodeToJson`'s shape. */
const NODE: Schema = obj({
  nodeId: NODE_ID_SCHEMA,
  farmer: ADDRESS,
  farmerKey: str("the farmer's public key, <algorithm>:<hex>", { pattern: '^[a-z0-9]+:[0-9a-f]+$' }),
  registered: RESOURCES,
  reserved: RESOURCES,
  free: RESOURCES,
  prices: PRICES,
  payout: ADDRESS,
  payoutCondition: CONDITION,
  registeredAt: int('height of the registration'),
  updatedAt: int('height of the last update'),
})

/** `reservationToJson`'s shape. */
const RESERVATION: Schema = obj({
  id: HASH,
  nodeId: NODE_ID_SCHEMA,
  owner: ADDRESS,
  resources: RESOURCES,
  hours: int('hours reserved'),
  price: CURRENCY,
  height: int('height of the reservation'),
  start: int('unix seconds'),
  end: int('unix seconds'),
  expired: { type: 'boolean' },
  secondsLeft: int('seconds until the end, 0 when expired'),
})

const capacityQueries: readonly ExtensionQuery[] = [
  {
    path: '/capacity/nodes',
    description: 'the registered nodes, oldest first (?offset, ?limit ≤ 1000): {total, nodes: [node]}',
    response: obj({ total: int('registered nodes'), nodes: arrayOf(NODE) }),
    answer: (params, ctx) => {
      const offset = listParam(params.offset, 'offset', 0)
      const limit = Math.min(listParam(params.limit, 'limit', MAX_LIST), MAX_LIST)
      const get = capacityGetter(ctx.state)
      const ids = nodeIds(get, offset, limit)
      return { total: nodeCount(get), nodes: ids.map((id) => nodeToJson(ctx, id) ?? null) }
    },
  },
  {
    path: '/capacity/nodes/:id',
    description:
      'a node now: {nodeId, farmer, registered, reserved, free, prices, payout} (resources {cru, mru, sru, hru})',
    response: NODE,
    answer: (params, ctx) => {
      const nodeId = nodeIdParam(params.id)
      const node = nodeToJson(ctx, nodeId)
      if (!node) throw new QueryError(404, 'not-found', `no node "${nodeId}" is registered`)
      return node
    },
  },
  {
    path: '/capacity/reservations',
    description:
      'reservations of ?owner=ADDRESS or ?node=ID, oldest first (?offset, ?limit ≤ 1000), with expiry and seconds left: {total, reservations}',
    response: obj({ total: int('reservations in all'), reservations: arrayOf(RESERVATION) }),
    answer: (params, ctx) => {
      const get = capacityGetter(ctx.state)
      // anyone can name any address as a reservation's owner: the lists are paged like the nodes'
      const offset = listParam(params.offset, 'offset', 0)
      const limit = Math.min(listParam(params.limit, 'limit', MAX_LIST), MAX_LIST)
      let ids: Uint8Array[]
      let total: number
      if (params.owner !== undefined && params.node === undefined) {
        let owner: UnlockHash
        try {
          owner = parseUnlockHash(params.owner)
        } catch (err) {
          if (err instanceof DecodeError)
            throw new QueryError(400, 'invalid-address', `owner: ${err.message}`)
          throw err
        }
        ids = ownerReservationIds(get, owner, offset, limit)
        total = ownerReservationCount(get, owner)
      } else if (params.node !== undefined && params.owner === undefined) {
        const nodeId = nodeIdParam(params.node)
        if (!nodeRecord(get, nodeId))
          throw new QueryError(404, 'not-found', `no node "${nodeId}" is registered`)
        ids = nodeReservationIds(get, nodeId, offset, limit)
        total = nodeReservationCount(get, nodeId)
      } else {
        throw new QueryError(400, 'invalid-query', 'give exactly one of ?owner=ADDRESS and ?node=ID')
      }
      return { total, reservations: ids.map((id) => reservationToJson(ctx, id) ?? null) }
    },
  },
  {
    path: '/capacity/reservations/:id',
    description: 'one reservation by its ID (the transaction ID)',
    response: RESERVATION,
    answer: (params, ctx) => {
      let id: Uint8Array
      try {
        id = fromHex(params.id ?? '', 32, 'id')
      } catch {
        throw new QueryError(400, 'invalid-id', 'a reservation ID is 64 hex characters')
      }
      const r = reservationToJson(ctx, id)
      if (!r) throw new QueryError(404, 'not-found', `no reservation ${params.id}`)
      return r
    },
  },
]
