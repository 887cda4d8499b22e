// docs/capacity.md "State": the capacity state in the `capacity` namespace. Values are rivbin.
//   clock                      u64: the latest block time a capacity transaction was applied at
//   node/<id>                  the registration: farmer key, resources, prices, payout condition, heights
//   heap/<id>, heap/<id>/<i>   the node's reservations not yet dropped: how many, and a binary min-heap of
//                              (end, resources) ordered by end (entry i's children are 2i+1 and 2i+2)
//   reserved/<id>              the sum of the heap's resources (u64 each)
//   nodes, nodes/<i>           how many nodes, the i-th registered node ID (registration order)
//   reservation/<txid>         one reservation (ID = the transaction ID)
//   owner/<address>[/<i>]      how many reservations an owner address has, the i-th one's ID
//   node-rsv/<id>[/<i>]        how many reservations a node has had, the i-th one's ID
// Time never goes back for expiry: a block is judged at T = max(its timestamp, clock), so a reservation
// that expired once stays expired and dropping it from the heap is exact. A reservation or an update of
// the node pops the entries with end ≤ T first: each write costs O(log n) small key changes (n the
// node's running reservations) and each expiry is paid once, by the first transaction on the node after it.
import { type Codec, currency, decode, encode, string, struct, u64n } from '../../encoding/codec.js'
import { toHex } from '../../encoding/hex.js'
import type { ExtensionStateView } from '../../state/extensions.js'
import { type Condition, conditionCodec } from '../../types/conditions.js'
import { type PublicKey, publicKeyCodec } from '../../types/publickey.js'
import type { UnlockHash } from '../../types/unlockhash.js'
import type { ExtensionStateWriter } from '../api.js'
import {
  CAPACITY_FORMAT,
  NO_RESOURCES,
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

/** One entry of a node's reservation heap. */
interface HeapEntry {
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

const heapEntryCodec: Codec<HeapEntry> = struct({ end: u64n, resources: resourcesCodec })

/** A running sum of resources: u64 each (it never exceeds a node's registered u32s, but is not bound to). */
const totalCodec: Codec<Resources> = struct({ cru: u64n, mru: u64n, sru: u64n, hru: u64n })

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
const heapKey = (id: string) => `heap/${id}`
const heapEntryKey = (id: string, i: number) => `heap/${id}/${i}`
const totalKey = (id: string) => `reserved/${id}`
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

const heapSize = (get: Get, nodeId: string): number => {
  const v = get(heapKey(nodeId))
  return v ? dec(u64n, v) : 0
}

const heapEntry = (get: Get, nodeId: string, i: number): HeapEntry => {
  const v = get(heapEntryKey(nodeId, i))
  // only this file writes the heap keys: an entry missing below the size is a corrupt store, not bad input
  if (!v) throw new Error(`capacity state: ${heapEntryKey(nodeId, i)} is missing`)
  return readHeapEntry(v)
}

/** `heapEntryCodec` read directly (the rules and queries read many entries): 8 + 4 × 4 bytes LE. */
function readHeapEntry(v: Uint8Array): HeapEntry {
  if (v.length !== 24) throw new Error(`capacity state: a heap entry is 24 bytes, got ${v.length}`)
  const d = new DataView(v.buffer, v.byteOffset, 24)
  const end = d.getUint32(0, true) + d.getUint32(4, true) * 2 ** 32
  if (end > Number.MAX_SAFE_INTEGER) throw new Error('capacity state: a heap entry ends after 2^53 − 1')
  const r = (at: number) => d.getUint32(at, true)
  return { end, resources: { cru: r(8), mru: r(12), sru: r(16), hru: r(20) } }
}

/** The sum of the node's heap: an upper bound of what is reserved (entries with end ≤ T count too). */
export function reservedTotal(get: Get, nodeId: string): Resources {
  const v = get(totalKey(nodeId))
  return v ? dec(totalCodec, v) : NO_RESOURCES
}

const add = (a: Resources, b: Resources, sign: 1 | -1): Resources => {
  const out: Record<string, number> = {}
  for (const k of RESOURCES) out[k] = a[k] + sign * b[k]
  return out as Resources
}

/**
 * What is reserved on the node at time `t`: the heap's sum minus its entries with end ≤ t. Read-only: it
 * visits the expired entries and their children only (a heap entry's children end no earlier than it).
 */
export function reservedAt(get: Get, nodeId: string, t: number): Resources {
  const total = reservedTotal(get, nodeId)
  const n = heapSize(get, nodeId)
  if (n === 0) return total
  const expired = { cru: 0, mru: 0, sru: 0, hru: 0 }
  const stack = [0]
  for (let i = stack.pop(); i !== undefined; i = stack.pop()) {
    const e = heapEntry(get, nodeId, i)
    if (e.end > t) continue
    expired.cru += e.resources.cru
    expired.mru += e.resources.mru
    expired.sru += e.resources.sru
    expired.hru += e.resources.hru
    if (2 * i + 1 < n) stack.push(2 * i + 1)
    if (2 * i + 2 < n) stack.push(2 * i + 2)
  }
  return add(total, expired, -1)
}

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

/**
 * A node's heap being changed: entries read once and written once, when `flush` writes the changed slots
 * in index order (so popping k of n entries writes at most min(k·log n, n) keys, however they moved).
 */
class HeapWrite {
  private readonly slots = new Map<number, HeapEntry | undefined>()
  readonly get: Get
  size: number
  total: Resources

  constructor(
    private readonly state: ExtensionStateWriter,
    private readonly nodeId: string,
  ) {
    this.get = (k) => state.get(k)
    this.size = heapSize(this.get, nodeId)
    this.total = reservedTotal(this.get, nodeId)
  }

  at(i: number): HeapEntry {
    const e = this.slots.has(i) ? this.slots.get(i) : heapEntry(this.get, this.nodeId, i)
    if (!e) throw new Error(`capacity state: heap entry ${i} of node "${this.nodeId}" read after removal`)
    return e
  }

  put(i: number, e: HeapEntry | undefined): void {
    this.slots.set(i, e)
  }

  /** Removes the entry ending first. */
  pop(): void {
    const root = this.at(0)
    this.total = add(this.total, root.resources, -1)
    const n = --this.size
    const last = this.at(n)
    this.put(n, undefined)
    if (n === 0) return
    // sift the last entry down from the root: the child ending first moves up while it ends before it
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      let c = l
      let child = this.at(l)
      if (l + 1 < n) {
        const right = this.at(l + 1)
        if (right.end < child.end) {
          c = l + 1
          child = right
        }
      }
      if (child.end >= last.end) break
      this.put(i, child)
      i = c
    }
    this.put(i, last)
  }

  push(entry: HeapEntry): void {
    // sift up: parents ending after it move down
    let i = this.size++
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = this.at(p)
      if (parent.end <= entry.end) break
      this.put(i, parent)
      i = p
    }
    this.put(i, entry)
    this.total = add(this.total, entry.resources, 1)
  }

  /** Writes the changed slots in index order, then the size and sum (both deleted when empty). */
  flush(): void {
    const changed = [...this.slots.keys()].sort((a, b) => a - b)
    for (const i of changed) {
      const e = this.slots.get(i)
      this.state.set(heapEntryKey(this.nodeId, i), e && enc(heapEntryCodec, e))
    }
    const n = this.size
    this.state.set(heapKey(this.nodeId), n > 0 ? enc(u64n, n) : undefined)
    this.state.set(totalKey(this.nodeId), n > 0 ? enc(totalCodec, this.total) : undefined)
    this.slots.clear()
  }
}

const popExpired = (heap: HeapWrite, t: number): void => {
  while (heap.size > 0 && heap.at(0).end <= t) heap.pop()
}

/**
 * Drops the node's reservations expired at `t` (end ≤ t) from its heap and sum. Called before an update
 * of the node is written at `t` (a reservation does it itself).
 */
export function expireReservations(state: ExtensionStateWriter, nodeId: string, t: number): void {
  const heap = new HeapWrite(state, nodeId)
  popExpired(heap, t)
  heap.flush()
}

/** Records a reservation made at `t`, dropping the node's reservations expired at `t` first. */
export function writeReservation(
  state: ExtensionStateWriter,
  id: Uint8Array,
  record: ReservationRecord,
  owner: UnlockHash,
  t: number,
): void {
  const heap = new HeapWrite(state, record.nodeId)
  popExpired(heap, t)
  heap.push({ end: record.end, resources: record.resources })
  heap.flush()
  state.set(reservationKey(id), enc(reservationCodec, record))
  append(state, `owner/${addressHex(owner)}`, id)
  append(state, `node-rsv/${record.nodeId}`, id)
}

export type { PublicKey }
