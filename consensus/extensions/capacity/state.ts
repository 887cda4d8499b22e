// docs/capacity.md "State": the capacity state in the `capacity` namespace. Values are rivbin.
//   clock                      u64: the latest block time a capacity transaction was applied at
//   node/<id>                  the registration: farmer key, resources, prices, payout condition, heights
//   active/<id>                the node's reservations not yet expired: [(id, end, resources)]
//   nodes, nodes/<i>           how many nodes, the i-th registered node ID (registration order)
//   reservation/<txid>         one reservation (ID = the transaction ID)
//   owner/<address>[/<i>]      how many reservations an owner address has, the i-th one's ID
//   node-rsv/<id>[/<i>]        how many reservations a node has had, the i-th one's ID
// Time never goes back for expiry: a block is judged at T = max(its timestamp, clock), so a reservation
// that expired once stays expired and dropping it from `active/<id>` is exact.
import {
  array,
  type Codec,
  currency,
  decode,
  encode,
  fixedBytes,
  string,
  struct,
  u64n,
} from '../../encoding/codec.js'
import { toHex } from '../../encoding/hex.js'
import type { ExtensionStateView } from '../../state/extensions.js'
import { type Condition, conditionCodec } from '../../types/conditions.js'
import { type PublicKey, publicKeyCodec } from '../../types/publickey.js'
import type { UnlockHash } from '../../types/unlockhash.js'
import type { ExtensionStateWriter } from '../api.js'
import {
  CAPACITY_FORMAT,
  type Prices,
  pricesCodec,
  RESOURCES,
  type Resource,
  type Resources,
  resourcesCodec,
} from './types.js'

export const CAPACITY = 'capacity'

export interface NodeRecord {
  readonly farmerKey: PublicKey
  readonly resources: Resources
  readonly prices: Prices
  readonly payoutCondition: Condition
  /** The height of the first registration and of the latest update. */
  readonly registeredAt: number
  readonly updatedAt: number
}

export interface ActiveReservation {
  readonly id: Uint8Array
  /** Unix seconds: the reservation counts while T < end. */
  readonly end: number
  readonly resources: Resources
}

export interface ReservationRecord {
  readonly nodeId: string
  readonly resources: Resources
  readonly hours: number
  /** Unix seconds: T of the including block, and start + hours × 3600. */
  readonly start: number
  readonly end: number
  readonly ownerCondition: Condition
  readonly price: bigint
  readonly height: number
}

const nodeCodec: Codec<NodeRecord> = struct({
  farmerKey: publicKeyCodec,
  resources: resourcesCodec,
  prices: pricesCodec,
  payoutCondition: conditionCodec,
  registeredAt: u64n,
  updatedAt: u64n,
})

const activeCodec: Codec<readonly ActiveReservation[]> = array(
  struct({ id: fixedBytes(32), end: u64n, resources: resourcesCodec }),
  56,
)

const reservationCodec: Codec<ReservationRecord> = struct({
  nodeId: string,
  resources: resourcesCodec,
  hours: u64n,
  start: u64n,
  end: u64n,
  ownerCondition: conditionCodec,
  price: currency,
  height: u64n,
})

const enc = <T>(codec: Codec<T>, v: T) => encode(codec, v, CAPACITY_FORMAT)
const dec = <T>(codec: Codec<T>, b: Uint8Array) => decode(codec, b, CAPACITY_FORMAT)

const nodeKey = (id: string) => `node/${id}`
const activeKey = (id: string) => `active/${id}`
const reservationKey = (id: Uint8Array) => `reservation/${toHex(id)}`
const addressHex = (uh: UnlockHash) => `${uh.type.toString(16).padStart(2, '0')}${toHex(uh.hash)}`
const CLOCK = 'clock'

type Get = (key: string) => Uint8Array | undefined
const getter =
  (view: ExtensionStateView): Get =>
  (key) =>
    view.get(CAPACITY, key)

// ---- reads ------------------------------------------------------------------------------------------

/** The clock: the latest block time a capacity transaction was applied at (0 before any). */
export const capacityClock = (get: Get): number => {
  const v = get(CLOCK)
  return v ? dec(u64n, v) : 0
}

/** The time a block at `blockTime` is judged at: never earlier than an earlier capacity block's. */
export const capacityTime = (get: Get, blockTime: number): number => Math.max(capacityClock(get), blockTime)

export function nodeRecord(get: Get, nodeId: string): NodeRecord | undefined {
  const v = get(nodeKey(nodeId))
  return v ? dec(nodeCodec, v) : undefined
}

/** The node's reservations still counting at time `t` (end > t). */
export function activeReservations(get: Get, nodeId: string, t: number): ActiveReservation[] {
  const v = get(activeKey(nodeId))
  return v ? dec(activeCodec, v).filter((r) => r.end > t) : []
}

export function sumResources(list: readonly Resources[]): Resources {
  const out: Record<string, number> = { cru: 0, mru: 0, sru: 0, hru: 0 }
  for (const r of list) for (const k of RESOURCES) out[k]! += r[k]
  return out as Resources
}

/** What is reserved on the node at time `t`. */
export const reservedAt = (get: Get, nodeId: string, t: number): Resources =>
  sumResources(activeReservations(get, nodeId, t).map((r) => r.resources))

/** Registered minus reserved, per resource (never negative: updates may not drop below the reserved). */
export function freeOf(registered: Resources, reserved: Resources): Resources {
  const out: Record<string, number> = {}
  for (const k of RESOURCES) out[k] = Math.max(0, registered[k] - reserved[k])
  return out as Resources
}

/** The first resource of `want` that `have` does not cover, or `undefined`. */
export function shortOf(want: Resources, have: Resources): Resource | undefined {
  return RESOURCES.find((k) => want[k] > have[k])
}

export function reservationRecord(get: Get, id: Uint8Array): ReservationRecord | undefined {
  const v = get(reservationKey(id))
  return v ? dec(reservationCodec, v) : undefined
}

const count = (get: Get, key: string): number => {
  const v = get(key)
  return v ? dec(u64n, v) : 0
}

function listOf<T>(get: Get, key: string, read: (v: Uint8Array) => T, offset = 0, limit = Infinity): T[] {
  const n = count(get, key)
  const out: T[] = []
  for (let i = offset; i < n && out.length < limit; i++) {
    const v = get(`${key}/${i}`)
    if (v) out.push(read(v))
  }
  return out
}

const textDecoder = new TextDecoder()

/** How many nodes are registered, and their IDs in registration order. */
export const nodeCount = (get: Get): number => count(get, 'nodes')
export const nodeIds = (get: Get, offset = 0, limit = Infinity): string[] =>
  listOf(get, 'nodes', (v) => textDecoder.decode(v), offset, limit)

/** How many reservations an owner address has, and their IDs, oldest first (from `offset`, at most `limit`). */
export const ownerReservationCount = (get: Get, owner: UnlockHash): number =>
  count(get, `owner/${addressHex(owner)}`)
export const ownerReservationIds = (
  get: Get,
  owner: UnlockHash,
  offset = 0,
  limit = Infinity,
): Uint8Array[] => listOf(get, `owner/${addressHex(owner)}`, (v) => v, offset, limit)

/** How many reservations a node has had, and their IDs, oldest first (from `offset`, at most `limit`). */
export const nodeReservationCount = (get: Get, nodeId: string): number => count(get, `node-rsv/${nodeId}`)
export const nodeReservationIds = (get: Get, nodeId: string, offset = 0, limit = Infinity): Uint8Array[] =>
  listOf(get, `node-rsv/${nodeId}`, (v) => v, offset, limit)

export { getter as capacityGetter }

// ---- writes -----------------------------------------------------------------------------------------

function append(state: ExtensionStateWriter, key: string, value: Uint8Array): void {
  const n = count((k) => state.get(k), key)
  state.set(`${key}/${n}`, value)
  state.set(key, enc(u64n, n + 1))
}

/** Moves the clock to `t` when it is later. */
export function advanceClock(state: ExtensionStateWriter, t: number): void {
  if (t > capacityClock((k) => state.get(k))) state.set(CLOCK, enc(u64n, t))
}

/** Writes a registration (a new node, or an update by its farmer). */
export function writeNode(
  state: ExtensionStateWriter,
  nodeId: string,
  record: NodeRecord,
  isNew: boolean,
): void {
  state.set(nodeKey(nodeId), enc(nodeCodec, record))
  if (isNew) append(state, 'nodes', new TextEncoder().encode(nodeId))
}

/** Records a reservation, dropping the node's reservations expired at `t` from its active list. */
export function writeReservation(
  state: ExtensionStateWriter,
  id: Uint8Array,
  record: ReservationRecord,
  owner: UnlockHash,
  t: number,
): void {
  const get: Get = (k) => state.get(k)
  const active = [
    ...activeReservations(get, record.nodeId, t),
    { id, end: record.end, resources: record.resources },
  ]
  state.set(activeKey(record.nodeId), enc(activeCodec, active))
  state.set(reservationKey(id), enc(reservationCodec, record))
  append(state, `owner/${addressHex(owner)}`, id)
  append(state, `node-rsv/${record.nodeId}`, id)
}

export type { PublicKey }
