// A node's active reservation list (`active/<id>`, now the heap of docs/capacity.md "State") was rewritten
// whole by every reservation on it: the bytes one reservation writes must not grow with the reservations
// before it (DoS: quadratic cost, issue #15).
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import {
  CAPACITY_DEFAULTS,
  capacityExtension,
  type Prices,
  type Resources,
  signFarmer,
} from '../../../../consensus/extensions/capacity/index.js'
import { preset } from '../../../../consensus/params/presets.js'
import { type SigningKey, signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { conditionOf, ed, Harness } from './harness.js'
import { testKey } from './helpers.js'

const COIN = 1_000_000_000n
const FEE = COIN / 10n
const farmer = testKey('growth farmer') as SigningKey
const PRICES: Prices = { cru: 1n, mru: 1n, sru: 1n, hru: 1n }
const BIG: Resources = { cru: 2 ** 32 - 1, mru: 0, sru: 0, hru: 0 }
let serial = 0
const coins = (h: Harness, value = 1000n * COIN) =>
  h.fund(blake2b256(utf8(`growth ${serial++}`)), value, conditionOf(farmer))

function register(h: Harness): Transaction {
  const input = coins(h)
  let tx: Transaction = {
    ...emptyTransaction(224),
    coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
    coinOutputs: [{ value: input.value - FEE, condition: conditionOf(farmer) }],
    minerFees: [FEE],
    extension: {
      nodeId: 'n',
      resources: BIG,
      prices: PRICES,
      payoutCondition: conditionOf(farmer),
      farmerKey: farmer.publicKey,
      farmerSignature: new Uint8Array(0),
    },
  }
  tx = signFarmer(h.registry, ed, tx, farmer)
  return signSingleSignature(h.registry, ed, tx, 'coinInputs', 0, farmer)
}
function reserve(h: Harness): Transaction {
  const input = coins(h)
  const hours = CAPACITY_DEFAULTS.maxReservationHours
  const pay = BigInt(hours)
  return signSingleSignature(
    h.registry,
    ed,
    {
      ...emptyTransaction(225),
      coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
      coinOutputs: [
        { value: pay, condition: conditionOf(farmer) },
        { value: input.value - pay - FEE, condition: conditionOf(farmer) },
      ],
      minerFees: [FEE],
      extension: {
        nodeId: 'n',
        resources: { cru: 1, mru: 0, sru: 0, hru: 0 },
        hours,
        ownerCondition: conditionOf(farmer),
      },
    },
    'coinInputs',
    0,
    farmer,
  )
}

describe('capacity: cost of a reservation', () => {
  it('does not grow with the reservations already active on the node', () => {
    const h = new Harness(preset('devnet'), [capacityExtension.enable(CAPACITY_DEFAULTS)])
    h.block(register(h))
    const written = (r: ReturnType<Harness['block']>) =>
      r.extensionChanges.reduce((s, c) => s + (c.before?.length ?? 0) + (c.after?.length ?? 0), 0)
    const first = written(h.block(reserve(h)))
    for (let b = 0; b < 4; b++) h.block(...Array.from({ length: 500 }, () => reserve(h)))
    const later = written(h.block(reserve(h)))
    console.log({ first, later })
    expect(later).toBeLessThan(first * 4)
  })
})
