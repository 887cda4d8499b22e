// consensus/extensions/capacity/state.ts: a node's reservations live in a min-heap by end time with a
// running sum (docs/capacity.md "State"). The verdicts and the reserved amounts must be those of the plain
// rule (reserved at T = Σ reservations with end > T) in every case, apply + revert must give back the
// state exactly and equal a fresh replay, and a reservation's writes must stay small however many
// reservations run on the node (issue #15: the old whole-list rewrite made each cost O(running)).
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import {
  CAPACITY_DEFAULTS,
  capacityExtension,
  capacityGetter,
  capacityTime,
  type Prices,
  RESOURCES,
  type Resource,
  type Resources,
  reservedAt,
  signFarmer,
} from '../../../../consensus/extensions/capacity/index.js'
import { preset } from '../../../../consensus/params/presets.js'
import type { MemoryExtensionState } from '../../../../consensus/state/extensions.js'
import type { Condition } from '../../../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { conditionOf, ed, Harness } from './harness.js'
import { testKey } from './helpers.js'

const COIN = 1_000_000_000n
const FEE = COIN / 10n
const def = preset('devnet')
const HOUR = 3600 / def.constants.blockFrequency // heights per hour
const farmer = testKey('capacity heap farmer') as SigningKey
const tenant = testKey('capacity heap tenant') as SigningKey
const PRICES: Prices = { cru: 1n, mru: 1n, sru: 1n, hru: 1n }

const chain = () => new Harness(def, [capacityExtension.enable(CAPACITY_DEFAULTS)])

/** Every coin output funded, so that a fresh harness can be given the same ones for a replay. */
const funded: { id: Uint8Array; value: bigint; condition: Condition }[] = []
let serial = 0
function coins(h: Harness, key: SigningKey) {
  const o = {
    id: blake2b256(utf8(`capacity heap ${serial++}`)),
    value: 1000n * COIN,
    condition: conditionOf(key),
  }
  funded.push(o)
  return h.fund(o.id, o.value, o.condition)
}

function register(h: Harness, nodeId: string, resources: Resources): Transaction {
  const input = coins(h, farmer)
  let tx: Transaction = {
    ...emptyTransaction(224),
    coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
    coinOutputs: [{ value: input.value - FEE, condition: conditionOf(farmer) }],
    minerFees: [FEE],
    extension: {
      nodeId,
      resources,
      prices: PRICES,
      payoutCondition: conditionOf(farmer),
      farmerKey: farmer.publicKey,
      farmerSignature: new Uint8Array(0),
    },
  }
  tx = signFarmer(h.registry, ed, tx, farmer)
  return signSingleSignature(h.registry, ed, tx, 'coinInputs', 0, farmer)
}

function reserve(h: Harness, nodeId: string, resources: Resources, hours: number): Transaction {
  const input = coins(h, tenant)
  const pay = BigInt(RESOURCES.reduce((s, k) => s + resources[k], 0)) * BigInt(hours)
  return signSingleSignature(
    h.registry,
    ed,
    {
      ...emptyTransaction(225),
      coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
      coinOutputs: [
        { value: pay, condition: conditionOf(farmer) },
        { value: input.value - pay - FEE, condition: conditionOf(tenant) },
      ],
      minerFees: [FEE],
      extension: { nodeId, resources, hours, ownerCondition: conditionOf(tenant) },
    },
    'coinInputs',
    0,
    tenant,
  )
}

const snapshot = (s: MemoryExtensionState) =>
  [...s.entries()].map((e) => `${e.extension}/${e.key}=${Buffer.from(e.value).toString('hex')}`).sort()

const written = (r: ReturnType<Harness['block']>) =>
  r.extensionChanges.reduce((s, c) => s + c.key.length + (c.before?.length ?? 0) + (c.after?.length ?? 0), 0)

// ---- the plain rule, as the old list state implemented it ------------------------------------------

interface ModelNode {
  registered: Resources
  list: { end: number; resources: Resources }[]
}
interface Model {
  clock: number
  nodes: Map<string, ModelNode>
}
const cloneModel = (m: Model): Model => ({
  clock: m.clock,
  nodes: new Map([...m.nodes].map(([k, v]) => [k, { registered: v.registered, list: [...v.list] }])),
})
function modelReserved(n: ModelNode, t: number): Resources {
  const out: Record<string, number> = { cru: 0, mru: 0, sru: 0, hru: 0 }
  for (const e of n.list) if (e.end > t) for (const k of RESOURCES) out[k]! += e.resources[k]
  return out as Resources
}
const firstShort = (want: Resources, have: Resources): Resource | undefined =>
  RESOURCES.find((k) => want[k] > have[k])
const show = (r: Resources) => RESOURCES.map((k) => `${k} ${r[k]}`).join(', ')

/** The node's heap keys (docs/capacity.md "State"): every parent ends no later than its children, the sum is theirs. */
function checkHeap(state: MemoryExtensionState, nodeId: string) {
  const get = (k: string) => state.get('capacity', k)
  const u64 = (b: Uint8Array, at = 0) => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at, true))
  const sizeKey = get(`heap/${nodeId}`)
  const n = sizeKey ? u64(sizeKey) : 0
  const ends: number[] = []
  const sum = [0, 0, 0, 0]
  for (let i = 0; i < n; i++) {
    const e = get(`heap/${nodeId}/${i}`)!
    expect(e.length).toBe(24)
    ends.push(u64(e))
    for (let r = 0; r < 4; r++) sum[r]! += new DataView(e.buffer, e.byteOffset).getUint32(8 + 4 * r, true)
    if (i > 0) expect(ends[(i - 1) >> 1]!).toBeLessThanOrEqual(ends[i]!)
  }
  expect(get(`heap/${nodeId}/${n}`)).toBeUndefined()
  const total = get(`reserved/${nodeId}`)
  expect(total ? [0, 1, 2, 3].map((r) => u64(total, 8 * r)) : [0, 0, 0, 0]).toEqual(sum)
  return n
}

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number) {
  let a = seed
  return (n: number) => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (((t ^ (t >>> 14)) >>> 0) % n) as number
  }
}

describe('capacity: the reservation heap', () => {
  it('gives the verdicts and reserved amounts of the plain rule over random blocks, reorgs and a replay', () => {
    const rnd = random(15)
    const h = chain()
    const NODES = ['node-a', 'node-b', 'node-c']
    const START: Resources = { cru: 60, mru: 30, sru: 0, hru: 0 }
    let model: Model = { clock: 0, nodes: new Map() }
    interface Applied {
      height: number
      txs: Transaction[]
      changes: ReturnType<Harness['block']>['extensionChanges']
      model: Model
      snapshot: string[]
    }
    const applied: Applied[] = []
    const initial = { model: cloneModel(model), snapshot: snapshot(h.state) }
    const counts = {
      deepest: 0,
      accepted: 0,
      overReservation: 0,
      belowReserved: 0,
      reverted: 0,
      backwards: 0,
    }

    const first = NODES.map((id) => register(h, id, START))
    const t0 = h.context().blockTime
    const r0 = h.block(...first)
    model.clock = t0
    for (const id of NODES) model.nodes.set(id, { registered: START, list: [] })
    applied.push({
      height: h.height - 1,
      txs: first,
      changes: r0.extensionChanges,
      model: cloneModel(model),
      snapshot: snapshot(h.state),
    })

    for (let b = 0; b < 90; b++) {
      const jump = rnd(10) === 0 ? -rnd(HOUR / 2) : rnd(10) === 0 ? 2 * HOUR : rnd(HOUR * 0.7)
      if (jump < 0) counts.backwards++
      h.height = Math.max(2, h.height + jump)
      const bt = h.context().blockTime
      const T = Math.max(model.clock, bt)
      const work = cloneModel(model)
      const pending: Transaction[] = []
      const candidates = 5 + rnd(20)
      for (let c = 0; c < candidates; c++) {
        const nodeId = NODES[rnd(NODES.length)]!
        const node = work.nodes.get(nodeId)!
        const reserved = modelReserved(node, T)
        if (rnd(8) === 0) {
          // an update of the node's resources: refused below what is reserved at T
          const resources: Resources = { cru: 20 + rnd(50), mru: 10 + rnd(25), sru: 0, hru: 0 }
          const tx = register(h, nodeId, resources)
          const short = firstShort(reserved, resources)
          if (short) {
            const err = h.refusal(...pending, tx)
            expect(err.code).toBe('below-reserved')
            expect(err.details.transaction).toBe(pending.length)
            expect(err.message).toContain(
              `${short} of node "${nodeId}" cannot drop to ${resources[short]}: ${reserved[short]} is reserved now`,
            )
            counts.belowReserved++
          } else {
            pending.push(tx)
            node.registered = resources
          }
          continue
        }
        const resources: Resources = { cru: 1 + rnd(4), mru: rnd(3), sru: 0, hru: 0 }
        const hours = 1 + rnd(5)
        const tx = reserve(h, nodeId, resources, hours)
        const free = {} as Record<Resource, number>
        for (const k of RESOURCES) free[k] = Math.max(0, node.registered[k] - reserved[k])
        const short = firstShort(resources, free)
        if (short) {
          const err = h.refusal(...pending, tx)
          expect(err.code).toBe('over-reservation')
          expect(err.details.transaction).toBe(pending.length)
          expect(err.message).toContain(
            `node "${nodeId}" has ${free[short]} ${short} free, ${resources[short]} asked (free: ${show(free)})`,
          )
          counts.overReservation++
        } else {
          pending.push(tx)
          node.list.push({ end: T + hours * 3600, resources })
          counts.accepted++
        }
      }
      if (pending.length === 0) continue
      const result = h.block(...pending)
      work.clock = T
      model = work
      applied.push({
        height: h.height - 1,
        txs: pending,
        changes: result.extensionChanges,
        model: cloneModel(model),
        snapshot: snapshot(h.state),
      })
      // what the queries read: reserved now and later, before anything else is written
      const get = capacityGetter(h.state)
      for (const id of NODES) {
        counts.deepest = Math.max(counts.deepest, checkHeap(h.state, id))
        for (const later of [bt, T + 1800, T + 3600, T + 3 * 3600]) {
          expect(reservedAt(get, id, capacityTime(get, later))).toEqual(
            modelReserved(model.nodes.get(id)!, Math.max(T, later)),
          )
        }
      }
      // a reorg now and then: back 1–3 blocks, each revert giving the state before that block exactly
      if (applied.length > 4 && rnd(5) === 0) {
        for (let k = 1 + rnd(3); k > 0; k--) {
          const top = applied.pop()!
          h.state.revert(top.changes)
          const below = applied.at(-1) ?? initial
          expect(snapshot(h.state)).toEqual(below.snapshot)
          model = cloneModel(below.model)
          counts.reverted++
        }
        h.height = applied.at(-1)!.height + 1
      }
    }
    console.log(counts)
    // the rules' paths were all taken, many reservations expired and some blocks were reverted
    expect(counts.deepest).toBeGreaterThan(15)
    expect(counts.accepted).toBeGreaterThan(200)
    expect(counts.overReservation).toBeGreaterThan(20)
    expect(counts.belowReserved).toBeGreaterThan(3)
    expect(counts.reverted).toBeGreaterThan(3)
    expect(counts.backwards).toBeGreaterThan(1)

    // a fresh replay of the remaining chain through the rules gives the same state, key for key
    const fresh = chain()
    for (const o of funded) fresh.fund(o.id, o.value, o.condition)
    for (const a of applied) {
      fresh.height = a.height
      fresh.block(...a.txs)
    }
    expect(snapshot(fresh.state)).toEqual(snapshot(h.state))
    // and no key of the old whole-list layout is left
    expect(snapshot(h.state).some((k) => k.startsWith('capacity/active/'))).toBe(false)
  }, 120_000)

  it('keeps the bytes of a block of reservations bounded with thousands running on the node', () => {
    const h = chain()
    const BIG: Resources = { cru: 2 ** 32 - 1, mru: 0, sru: 0, hru: 0 }
    const ONE: Resources = { cru: 1, mru: 0, sru: 0, hru: 0 }
    const LONG = CAPACITY_DEFAULTS.maxReservationHours
    h.block(register(h, 'n', BIG))
    const first = written(h.block(reserve(h, 'n', ONE, LONG)))
    for (let b = 0; b < 6; b++) h.block(...Array.from({ length: 500 }, () => reserve(h, 'n', ONE, LONG)))
    const running = 3001
    // 500 more, each ending after all the others (the usual case)
    const plain = h.block(...Array.from({ length: 500 }, () => reserve(h, 'n', ONE, LONG)))
    // 500 more, each ending before all the others: each moves up to the heap's root (the worst case)
    const start = h.context().blockTime
    const sifting = h.block(...Array.from({ length: 500 }, (_, i) => reserve(h, 'n', ONE, 600 - i)))
    const depth = Math.ceil(Math.log2(running + 1000 + 1))
    const perPlain = written(plain) / 500
    const perSifting = written(sifting) / 500
    // a heap entry with its key is under 40 bytes, written with its value before and after
    expect(perPlain).toBeLessThan(first * 2)
    expect(perSifting).toBeLessThan(first + depth * 2 * 40)
    expect(reservedAt(capacityGetter(h.state), 'n', start).cru).toBe(running + 1000)
    // when the 500 expire, the first reservation after drops them all: paid once, bounded per expiry
    h.height += 601 * HOUR
    const expiring = h.block(reserve(h, 'n', ONE, 1))
    expect(written(expiring)).toBeLessThan(first + 500 * depth * 2 * 40)
    const get = capacityGetter(h.state)
    expect(reservedAt(get, 'n', capacityTime(get, 0)).cru).toBe(running + 500 + 1)
    console.log({
      first,
      perPlain,
      perSifting,
      expiring: written(expiring),
      changes: expiring.extensionChanges.length,
    })
  }, 120_000)
})
