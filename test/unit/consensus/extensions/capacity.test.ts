// consensus/extensions/capacity/types.ts: the v224/v225 layouts, JSON, IDs and signature hashes, checked
// against the worked examples of docs/capacity.md byte for byte, plus codec properties.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError } from '../../../../consensus/encoding/errors.js'
import { fromHex, toHex } from '../../../../consensus/encoding/hex.js'
import {
  AUTH_ADDRESS_UPDATE_SPECIFIER,
  AUTH_CONDITION_UPDATE_SPECIFIER,
} from '../../../../consensus/extensions/authcointx/index.js'
import {
  CAPACITY_REGISTRATION_SPECIFIER,
  CAPACITY_RESERVATION_SPECIFIER,
  farmerSignatureError,
  reservationPrice,
} from '../../../../consensus/extensions/capacity/index.js'
import {
  COIN_CREATION_SPECIFIER,
  COIN_DESTRUCTION_SPECIFIER,
  MINTER_DEFINITION_SPECIFIER,
} from '../../../../consensus/extensions/minting/index.js'
import {
  BLOCKSTAKE_OUTPUT_SPECIFIER,
  COIN_OUTPUT_SPECIFIER,
  emptyTransaction,
  type Transaction,
} from '../../../../consensus/types/transaction.js'
import { exampleRegistration, exampleReservation, registry } from './capacity-examples.js'
import { ed } from './harness.js'
import * as gen from './helpers.js'

const doc = readFileSync(new URL('../../../../docs/capacity.md', import.meta.url), 'utf8')

/** The example block after `<!-- example: name -->`: its hex concatenated, and the bullet values. */
function docExample(name: string): { hex: string; bullets: string[] } {
  const start = doc.indexOf(`<!-- example: ${name} -->`)
  expect(start).toBeGreaterThanOrEqual(0)
  const block = doc.slice(start).split('```')[1]!
  const hex = block
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.split(/\s+/)[0]!)
    .join('')
  const after = doc.slice(start).split('```')[2]!
  const bullets = [...after.matchAll(/`([0-9a-f]{64})`/g)].map((m) => m[1]!).slice(0, 3)
  return { hex, bullets }
}

describe('capacity transaction types: the worked examples of docs/capacity.md', () => {
  for (const [name, tx] of [
    ['registration', exampleRegistration],
    ['reservation', exampleReservation],
  ] as const) {
    it(`${name}: the binary form, ID and signature hashes are the documented bytes`, () => {
      const { hex, bullets } = docExample(name)
      expect(hex.length).toBeGreaterThan(200)
      expect(toHex(registry.encode(tx))).toBe(hex)
      expect(bullets).toEqual([
        toHex(registry.id(tx)),
        toHex(registry.sigHash(tx, [])),
        toHex(registry.inputSigHash(tx, 0)),
      ])
      // the documented bytes decode to the same transaction, which re-encodes to them
      const back = registry.decode(fromHex(hex))
      expect(back).toEqual(tx)
      expect(registry.fromJsonString(registry.toJsonString(tx))).toEqual(tx)
    })
  }

  it('the farmer signature of the example verifies, and breaks when any signed field changes', () => {
    expect(farmerSignatureError(registry, ed, exampleRegistration)).toBeUndefined()
    const ext = exampleRegistration.extension as Record<string, unknown>
    const changed = {
      ...exampleRegistration,
      extension: { ...ext, resources: { cru: 5, mru: 16, sru: 500, hru: 2000 } },
    }
    expect(farmerSignatureError(registry, ed, changed)).toMatch(/not valid/)
    const fee = { ...exampleRegistration, minerFees: [2n] }
    expect(farmerSignatureError(registry, ed, fee)).toMatch(/not valid/)
  })

  it('the documented payment is Σ units × price × hours', () => {
    expect(
      reservationPrice(
        { cru: 2, mru: 4, sru: 100, hru: 0 },
        { cru: 10_000_000n, mru: 1_000_000n, sru: 10_000n, hru: 1_000n },
        720,
      ),
    ).toBe(18_000_000_000n)
    expect(exampleReservation.coinOutputs[0]!.value).toBe(18_000_000_000n)
  })

  it('the specifiers differ from every other specifier', () => {
    const all = [
      CAPACITY_REGISTRATION_SPECIFIER,
      CAPACITY_RESERVATION_SPECIFIER,
      MINTER_DEFINITION_SPECIFIER,
      COIN_CREATION_SPECIFIER,
      COIN_DESTRUCTION_SPECIFIER,
      AUTH_ADDRESS_UPDATE_SPECIFIER,
      AUTH_CONDITION_UPDATE_SPECIFIER,
      COIN_OUTPUT_SPECIFIER,
      BLOCKSTAKE_OUTPUT_SPECIFIER,
    ].map(toHex)
    expect(new Set(all).size).toBe(all.length)
    expect(CAPACITY_REGISTRATION_SPECIFIER.length).toBe(16)
  })
})

describe('capacity transaction types: bad input', () => {
  const json = JSON.parse(registry.toJsonString(exampleReservation))

  it('refuses a malformed node ID in JSON and in binary, naming the field', () => {
    for (const nodeid of ['', 'Node-1', 'a'.repeat(65), 'node 1', 'nöde', 7]) {
      const bad = { ...json, data: { ...json.data, nodeid } }
      expect(() => registry.fromJson(bad)).toThrow(DecodeError)
      try {
        registry.fromJson(bad)
      } catch (err) {
        expect((err as DecodeError).message).toMatch(/nodeid/)
      }
    }
    // the binary form with "node-1" changed to "Node-1"
    const bin = registry.encode(exampleReservation)
    const bad = bin.slice()
    bad[2] = 'N'.charCodeAt(0)
    expect(() => registry.decode(bad)).toThrow(/nodeid/)
  })

  it('refuses malformed resources naming the resource', () => {
    for (const [resources, field] of [
      [{ cru: -1 }, 'data.resources.cru'],
      [{ mru: 2 ** 32 }, 'data.resources.mru'],
      [{ sru: 1.5 }, 'data.resources.sru'],
      [{ gpu: 1 }, 'data.resources'],
      [{ hru: '4' }, 'data.resources.hru'],
    ] as const) {
      const bad = { ...json, data: { ...json.data, resources } }
      expect(() => registry.fromJson(bad)).toThrow(field)
    }
  })

  it('refuses a reservation without hours and a registration with a bad price, naming the field', () => {
    expect(() => registry.fromJson({ ...json, data: { ...json.data, hours: undefined } })).toThrow(
      'data.hours',
    )
    const reg = JSON.parse(registry.toJsonString(exampleRegistration))
    const bad = { ...reg, data: { ...reg.data, prices: { ...reg.data.prices, sru: '-3' } } }
    expect(() => registry.fromJson(bad)).toThrow('data.prices.sru')
  })
})

describe('capacity transaction types: properties', () => {
  const nodeId = fc.stringMatching(/^[a-z0-9-]{1,64}$/)
  const resources = fc.record({
    cru: fc.nat(2 ** 32 - 1),
    mru: fc.nat(2 ** 32 - 1),
    sru: fc.nat(2 ** 32 - 1),
    hru: fc.nat(2 ** 32 - 1),
  })
  const prices = fc.record({ cru: gen.currency, mru: gen.currency, sru: gen.currency, hru: gen.currency })
  const inputs = fc.array(fc.record({ parentId: gen.hash32, fulfillment: gen.fulfillment }), { maxLength: 2 })
  const outputs = fc.array(fc.record({ value: gen.currency, condition: gen.condition(true) }), {
    maxLength: 2,
  })
  const shared = fc.record({
    coinInputs: inputs,
    coinOutputs: outputs,
    minerFees: gen.minerFees,
    arbitraryData: gen.arbitraryData,
  })
  const registrations: fc.Arbitrary<Transaction> = fc
    .record({
      s: shared,
      nodeId,
      resources,
      prices,
      payoutCondition: gen.condition(true),
      key: gen.hash32,
      farmerSignature: fc.uint8Array({ maxLength: 64 }),
    })
    .map(({ s, key, ...ext }) => ({
      ...emptyTransaction(224),
      ...s,
      extension: { ...ext, farmerKey: { algorithm: 1, key } },
    }))
  const reservations: fc.Arbitrary<Transaction> = fc
    .record({ s: shared, nodeId, resources, hours: fc.nat(2 ** 32 - 1), ownerCondition: gen.condition(true) })
    .map(({ s, ...ext }) => ({ ...emptyTransaction(225), ...s, extension: ext }))

  for (const [name, txs] of [
    ['registration', registrations],
    ['reservation', reservations],
  ] as const) {
    it(`${name}: binary and JSON round trips; truncated or extended bytes are refused`, () => {
      fc.assert(
        fc.property(txs, (tx) => {
          expect(registry.decode(registry.encode(tx))).toEqual(tx)
        }),
        { numRuns: 200 },
      )
      gen.assertJsonRoundTrip(registry, txs)
      gen.assertTruncationRejected(registry, txs)
    })
  }
})
