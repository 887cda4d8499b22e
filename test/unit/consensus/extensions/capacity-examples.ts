// The worked examples of docs/capacity.md: one capacity registration (224) and one reservation (225) on
// our devnet with the capacity extension, built from fixed test keys so every byte is reproducible.
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import { signFarmer } from '../../../../consensus/extensions/capacity/index.js'
import { chainConsensus } from '../../../../consensus/extensions/catalog.js'
import type { ChainDefinition } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { conditionOf, ed } from './harness.js'
import { testKey } from './helpers.js'

export const COIN = 1_000_000_000n
export const farmer = testKey('capacity farmer')
export const tenant = testKey('capacity tenant')
export const capacityDef: ChainDefinition = { ...preset('devnet'), extensions: { capacity: {} } }
export const { registry } = chainConsensus(capacityDef)

export const exampleRegistration: Transaction = (() => {
  let tx: Transaction = {
    ...emptyTransaction(224),
    coinInputs: [{ parentId: blake2b256(utf8('example farmer coins')), fulfillment: { type: 0 } }],
    coinOutputs: [{ value: 9n * COIN, condition: conditionOf(farmer) }],
    minerFees: [COIN],
    extension: {
      nodeId: 'node-1',
      resources: { cru: 4, mru: 16, sru: 500, hru: 2000 },
      prices: { cru: 10_000_000n, mru: 1_000_000n, sru: 10_000n, hru: 1_000n },
      payoutCondition: conditionOf(farmer),
      farmerKey: farmer.publicKey,
      farmerSignature: new Uint8Array(0),
    },
  }
  tx = signFarmer(registry, ed, tx, farmer)
  return signSingleSignature(registry, ed, tx, 'coinInputs', 0, farmer)
})()

export const exampleReservation: Transaction = signSingleSignature(
  registry,
  ed,
  {
    ...emptyTransaction(225),
    coinInputs: [{ parentId: blake2b256(utf8('example tenant coins')), fulfillment: { type: 0 } }],
    // 2 × 0.01 + 4 × 0.001 + 100 × 0.00001 coins per hour = 0.025 coins × 720 h = 18 coins
    coinOutputs: [
      { value: 18n * COIN, condition: conditionOf(farmer) },
      { value: 81n * COIN, condition: conditionOf(tenant) },
    ],
    minerFees: [COIN],
    extension: {
      nodeId: 'node-1',
      resources: { cru: 2, mru: 4, sru: 100, hru: 0 },
      hours: 720,
      ownerCondition: conditionOf(tenant),
    },
  },
  'coinInputs',
  0,
  tenant,
)
