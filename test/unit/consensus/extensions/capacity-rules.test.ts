// consensus/extensions/capacity: the rules of registrations (224) and reservations (225) and the state
// they write (docs/capacity.md "Rules", "State"): over-reservation, exact payment, expiry by block time,
// updates never below the reserved, revert and replay giving the same state, and the farmer's
// authorization through the auth extension's generic `parties` check.
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import { authCoinExtension, signAuthFulfillment } from '../../../../consensus/extensions/authcointx/index.js'
import { nodeToJson } from '../../../../consensus/extensions/capacity/extension.js'
import {
  CAPACITY_DEFAULTS,
  type CapacityParams,
  capacityExtension,
  capacityGetter,
  capacityTime,
  type Prices,
  type Resources,
  reservedAt,
  signFarmer,
} from '../../../../consensus/extensions/capacity/index.js'
import { preset } from '../../../../consensus/params/presets.js'
import {
  type MemoryExtensionState,
  MemoryExtensionState as State,
} from '../../../../consensus/state/extensions.js'
import type { Condition } from '../../../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { addressOf, conditionOf, ed, Harness, nonce } from './harness.js'
import { testKey } from './helpers.js'

const COIN = 1_000_000_000n
const FEE = COIN / 10n
const [farmer, other, alice, bob, authority] = ['farmer', 'other farmer', 'alice', 'bob', 'authority'].map(
  (l) => testKey(`capacity rules ${l}`),
) as [SigningKey, SigningKey, SigningKey, SigningKey, SigningKey]
const PRICES: Prices = { cru: 10_000_000n, mru: 1_000_000n, sru: 10_000n, hru: 1_000n }
const NODE: Resources = { cru: 8, mru: 32, sru: 1000, hru: 0 }
const PARAMS: CapacityParams = CAPACITY_DEFAULTS
const def = preset('devnet')

const chain = () => new Harness(def, [capacityExtension.enable(PARAMS)])

let serial = 0
function coins(h: Harness, owner: SigningKey, value = 1000n * COIN) {
  return h.fund(blake2b256(utf8(`capacity output ${serial++}`)), value, conditionOf(owner))
}

function register(
  h: Harness,
  nodeId: string,
  opts: { farmer?: SigningKey; resources?: Resources; prices?: Prices; payout?: Condition } = {},
): Transaction {
  const key = opts.farmer ?? farmer
  const input = coins(h, key, 10n * COIN)
  let tx: Transaction = {
    ...emptyTransaction(224),
    coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
    coinOutputs: [{ value: input.value - FEE, condition: conditionOf(key) }],
    minerFees: [FEE],
    extension: {
      nodeId,
      resources: opts.resources ?? NODE,
      prices: opts.prices ?? PRICES,
      payoutCondition: opts.payout ?? conditionOf(key),
      farmerKey: key.publicKey,
      farmerSignature: new Uint8Array(0),
    },
  }
  tx = signFarmer(h.registry, ed, tx, key)
  return signSingleSignature(h.registry, ed, tx, 'coinInputs', 0, key)
}

const price = (r: Resources, hours: number, p: Prices = PRICES) =>
  (BigInt(r.cru) * p.cru + BigInt(r.mru) * p.mru + BigInt(r.sru) * p.sru + BigInt(r.hru) * p.hru) *
  BigInt(hours)

function reserve(
  h: Harness,
  nodeId: string,
  resources: Resources,
  hours: number,
  opts: { by?: SigningKey; pay?: bigint; payTo?: Condition } = {},
): Transaction {
  const by = opts.by ?? alice
  const input = coins(h, by)
  const pay = opts.pay ?? price(resources, hours)
  const tx: Transaction = {
    ...emptyTransaction(225),
    coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
    coinOutputs: [
      { value: pay, condition: opts.payTo ?? conditionOf(farmer) },
      { value: input.value - pay - FEE, condition: conditionOf(by) },
    ],
    minerFees: [FEE],
    extension: { nodeId, resources, hours, ownerCondition: conditionOf(by) },
  }
  return signSingleSignature(h.registry, ed, tx, 'coinInputs', 0, by)
}

const nodeNow = (h: Harness, nodeId: string) =>
  nodeToJson({ def, state: h.state, height: h.height, time: h.context().blockTime }, nodeId) as Record<
    string,
    unknown
  >

const snapshot = (s: MemoryExtensionState) =>
  [...s.entries()].map((e) => `${e.extension}/${e.key}=${Buffer.from(e.value).toString('hex')}`).sort()

describe('capacity: registration', () => {
  it('registers a node; the node reports registered, reserved and free capacity and its prices', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    expect(nodeNow(h, 'node-1')).toMatchObject({
      nodeId: 'node-1',
      farmer: unlockHashToString(addressOf(farmer)),
      registered: NODE,
      reserved: { cru: 0, mru: 0, sru: 0, hru: 0 },
      free: NODE,
      prices: { cru: '10000000', mru: '1000000', sru: '10000', hru: '1000' },
    })
  })

  it('lets only the same farmer key update a node', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    const err = h.refusal(register(h, 'node-1', { farmer: other }))
    expect(err).toMatchObject({ code: 'not-node-farmer', rule: 'capacity/registration' })
    h.block(register(h, 'node-1', { resources: { ...NODE, hru: 500 } }))
    expect(nodeNow(h, 'node-1').registered).toEqual({ ...NODE, hru: 500 })
  })

  it('refuses an update below what is reserved now, naming the resource', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    h.block(reserve(h, 'node-1', { cru: 6, mru: 8, sru: 0, hru: 0 }, 10))
    const err = h.refusal(register(h, 'node-1', { resources: { ...NODE, cru: 5 } }))
    expect(err.code).toBe('below-reserved')
    expect(err.message).toMatch(/cru of node "node-1" cannot drop to 5: 6 is reserved now/)
    // down to exactly the reserved amount is fine
    h.block(register(h, 'node-1', { resources: { ...NODE, cru: 6 } }))
    expect(nodeNow(h, 'node-1').free).toMatchObject({ cru: 0 })
  })

  it('refuses a bad farmer signature and an unbalanced coin flow', () => {
    const h = chain()
    const tx = register(h, 'node-1')
    const ext = tx.extension as { farmerSignature: Uint8Array }
    const signature = ext.farmerSignature.slice()
    signature[0]! ^= 1
    const forged = { ...tx, extension: { ...ext, farmerSignature: signature } }
    expect(h.refusal(forged).code).toBe('invalid-farmer-signature')
    const input = coins(h, farmer, 10n * COIN)
    let unbalanced: Transaction = {
      ...tx,
      coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
      coinOutputs: [{ value: 10n * COIN, condition: conditionOf(farmer) }],
    }
    unbalanced = signSingleSignature(
      h.registry,
      ed,
      signFarmer(h.registry, ed, unbalanced, farmer),
      'coinInputs',
      0,
      farmer,
    )
    expect(h.refusal(unbalanced)).toMatchObject({ code: 'unbalanced-coins' })
  })
})

describe('capacity: reservation', () => {
  it('pays the farmer exactly Σ units × price × hours; a wrong payment is refused with the amount due', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    const want = { cru: 2, mru: 4, sru: 100, hru: 0 }
    const due = price(want, 720)
    expect(due).toBe(18n * COIN)
    for (const pay of [due - 1n, due + 1n]) {
      const err = h.refusal(reserve(h, 'node-1', want, 720, { pay }))
      expect(err.code).toBe('wrong-payment')
      expect(err.message).toContain(`exactly ${due} (18 coins) is due`)
    }
    const elsewhere = h.refusal(reserve(h, 'node-1', want, 720, { payTo: conditionOf(bob) }))
    expect(elsewhere.code).toBe('wrong-payment')
    expect(elsewhere.message).toContain(`${due}`)
    const ok = h.block(reserve(h, 'node-1', want, 720))
    expect(ok.createdCoins[0]).toMatchObject({ value: due, condition: conditionOf(farmer) })
  })

  it('refuses an over-reservation, saying how much is free; two in one block that together overbook too', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    h.block(reserve(h, 'node-1', { cru: 5, mru: 10, sru: 0, hru: 0 }, 24))
    const err = h.refusal(reserve(h, 'node-1', { cru: 4, mru: 1, sru: 0, hru: 0 }, 24, { by: bob }))
    expect(err).toMatchObject({ code: 'over-reservation', rule: 'capacity/reservation' })
    expect(err.message).toContain(
      'node "node-1" has 3 cru free, 4 asked (free: cru 3, mru 22, sru 1000, hru 0)',
    )
    const a = reserve(h, 'node-1', { cru: 2, mru: 0, sru: 10, hru: 0 }, 1)
    const b = reserve(h, 'node-1', { cru: 2, mru: 0, sru: 10, hru: 0 }, 1, { by: bob })
    expect(h.refusal(a, b)).toMatchObject({ code: 'over-reservation', details: { transaction: 1 } })
    // hru 0 registered: any hru is over-reservation
    expect(h.refusal(reserve(h, 'node-1', { cru: 0, mru: 0, sru: 0, hru: 1 }, 1)).message).toContain(
      '0 hru free',
    )
  })

  it('frees capacity again when a reservation expires by block time', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    h.block(reserve(h, 'node-1', NODE, 1)) // the whole node for one hour
    expect(nodeNow(h, 'node-1').free).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 })
    expect(h.refusal(reserve(h, 'node-1', { cru: 1, mru: 0, sru: 0, hru: 0 }, 1)).code).toBe(
      'over-reservation',
    )
    const blockTime = def.constants.blockFrequency
    // one block before the end (the reservation started at height 2): still reserved
    h.height = 2 + 3600 / blockTime - 1
    expect(h.refusal(reserve(h, 'node-1', { cru: 1, mru: 0, sru: 0, hru: 0 }, 1)).code).toBe(
      'over-reservation',
    )
    h.height = 2 + 3600 / blockTime
    expect(nodeNow(h, 'node-1').free).toEqual(NODE)
    h.block(reserve(h, 'node-1', NODE, 2))
    expect(nodeNow(h, 'node-1').reserved).toEqual(NODE)
  })

  it('never counts time backwards: a later block with an earlier timestamp still sees a reservation', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    h.height = 10
    h.block(reserve(h, 'node-1', NODE, 1))
    const get = capacityGetter(h.state)
    const earlier = h.context(5).blockTime
    expect(capacityTime(get, earlier)).toBe(h.context(10).blockTime)
    expect(reservedAt(get, 'node-1', capacityTime(get, earlier))).toEqual(NODE)
    h.height = 5
    expect(h.refusal(reserve(h, 'node-1', { cru: 1, mru: 0, sru: 0, hru: 0 }, 1)).code).toBe(
      'over-reservation',
    )
  })

  it('refuses an unknown node, an empty reservation and zero hours, naming what is wrong', () => {
    const h = chain()
    h.block(register(h, 'node-1'))
    const unknown = h.refusal(reserve(h, 'node-2', { cru: 1, mru: 0, sru: 0, hru: 0 }, 1))
    expect(unknown).toMatchObject({ code: 'unknown-node' })
    expect(unknown.message).toContain('nodeid: no node "node-2" is registered')
    expect(
      h.refusal(reserve(h, 'node-1', { cru: 0, mru: 0, sru: 0, hru: 0 }, 1, { pay: 1n })).message,
    ).toContain('resources:')
    expect(
      h.refusal(reserve(h, 'node-1', { cru: 1, mru: 0, sru: 0, hru: 0 }, 0, { pay: 1n })).message,
    ).toContain('hours:')
  })
})

describe('capacity: state across reorgs', () => {
  it('reverting blocks restores the state exactly, equal to a fresh replay of the remaining chain', () => {
    const h = chain()
    const applied: ReturnType<Harness['block']>[] = []
    const snapshots = [snapshot(h.state)]
    const blocks: Transaction[][] = []
    const step = (...txs: Transaction[]) => {
      blocks.push(txs)
      applied.push(h.block(...txs))
      snapshots.push(snapshot(h.state))
    }
    step(
      register(h, 'node-1'),
      register(h, 'node-2', { farmer: other, resources: { cru: 2, mru: 2, sru: 2, hru: 2 } }),
    )
    step(
      reserve(h, 'node-1', { cru: 4, mru: 4, sru: 0, hru: 0 }, 1),
      reserve(h, 'node-2', { cru: 1, mru: 0, sru: 0, hru: 0 }, 3, { payTo: conditionOf(other), by: bob }),
    )
    h.height += 3600 / def.constants.blockFrequency // the node-1 reservation expires
    step(reserve(h, 'node-1', NODE, 2, { by: bob }))
    step(register(h, 'node-1', { prices: { ...PRICES, cru: 1n } }))
    // revert block by block (what a reorg does): each revert gives the state before that block
    for (let i = applied.length - 1; i >= 0; i--) {
      h.state.revert(applied[i]!.extensionChanges)
      expect(snapshot(h.state)).toEqual(snapshots[i])
    }
    // a fresh replay of the first two blocks equals reapplying them after the revert
    for (const i of [0, 1]) h.state.apply(applied[i]!.extensionChanges)
    const fresh = new State()
    const h2 = chain()
    for (const c of [h2.rules.genesisState, applied[0]!.extensionChanges, applied[1]!.extensionChanges])
      fresh.apply(c)
    expect(snapshot(fresh)).toEqual(snapshot(h.state))
    expect(snapshot(h.state)).toEqual(snapshots[2])
  })
})

describe('capacity with authorized addresses (whitelist)', () => {
  const auth = authCoinExtension.enable({
    genesisAuthCondition: conditionOf(authority),
    addressUpdateVersion: 176,
    conditionUpdateVersion: 177,
    authorizedByDefault: false,
    requireMinerFees: true,
    selfTransferMaxCoinOutputs: 1,
  })
  const authorize = (h: Harness, ...keys: SigningKey[]) =>
    signAuthFulfillment(
      h.registry,
      ed,
      {
        ...emptyTransaction(176),
        minerFees: [FEE],
        extension: {
          nonce: nonce(serial++),
          authAddresses: keys.map(addressOf),
          deauthAddresses: [],
          authFulfillment: { type: 0 },
        },
      },
      authority,
    )

  it("requires the farmer's address to be authorized, even when another authorized address pays", () => {
    const h = new Harness(def, [auth, capacityExtension.enable(PARAMS)])
    h.block(authorize(h, alice))
    // alice pays, the farmer key signs: the farmer is not authorized
    const input = coins(h, alice, 10n * COIN)
    let tx: Transaction = {
      ...emptyTransaction(224),
      coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
      coinOutputs: [{ value: input.value - FEE, condition: conditionOf(alice) }],
      minerFees: [FEE],
      extension: {
        nodeId: 'node-1',
        resources: NODE,
        prices: PRICES,
        payoutCondition: conditionOf(alice),
        farmerKey: farmer.publicKey,
        farmerSignature: new Uint8Array(0),
      },
    }
    tx = signSingleSignature(h.registry, ed, signFarmer(h.registry, ed, tx, farmer), 'coinInputs', 0, alice)
    const err = h.refusal(tx)
    expect(err).toMatchObject({ code: 'unauthorized-address', rule: 'authcoin/transfers' })
    expect(err.message).toContain(unlockHashToString(addressOf(farmer)))
    h.block(authorize(h, farmer))
    h.block(tx)
    expect(nodeNow(h, 'node-1').nodeId).toBe('node-1')
  })
})
