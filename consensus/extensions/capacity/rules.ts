// docs/capacity.md "Rules": what a chain with the capacity extension enforces on registrations (224) and
// reservations (225), and the state they write.

import { equalBytes } from '../../encoding/hex.js'
import { type Condition, conditionStandardError, conditionUnlockHash } from '../../types/conditions.js'
import { formatCoinString, precisionOf } from '../../types/currency.js'
import { publicKeyEquals } from '../../types/publickey.js'
import { coinOutputSum, type Transaction } from '../../types/transaction.js'
import { type RuleContext, ruleError, type SpentOutputs, type TransactionRule } from '../api.js'
import { conditionBytes } from '../history.js'
import type { CapacityParams } from './params.js'
import {
  advanceClock,
  CAPACITY,
  capacityTime,
  expireReservations,
  freeOf,
  nodeRecord,
  reservedAt,
  reservedTotal,
  shortOf,
  writeNode,
  writeReservation,
} from './state.js'
import {
  capacityRegistrationOf,
  capacityReservationOf,
  farmerSignatureError,
  RESOURCES,
  type Resources,
  reservationPrice,
} from './types.js'

const REGISTRATION = `${CAPACITY}/registration`
const RESERVATION = `${CAPACITY}/reservation`

const showResources = (r: Resources): string => RESOURCES.map((k) => `${k} ${r[k]}`).join(', ')

/** Coin inputs, no block stakes, at least one fee, at most `maxOutputs` outputs, inputs = outputs + fees. */
function checkCoinFlow(
  rule: string,
  tx: Transaction,
  spent: SpentOutputs,
  minOutputs: number,
  maxOutputs: number,
) {
  if (tx.coinInputs.length === 0)
    throw ruleError(rule, 'no-coin-inputs', 'at least one coin input is required')
  if (tx.blockStakeInputs.length || tx.blockStakeOutputs.length)
    throw ruleError(rule, 'unexpected-transfer', 'this transaction type carries no block stakes')
  if (tx.minerFees.length === 0)
    throw ruleError(rule, 'missing-miner-fee', 'at least one miner fee is required')
  if (tx.coinOutputs.length < minOutputs)
    throw ruleError(rule, 'no-coin-outputs', 'the payment to the node is coinOutputs[0] and is required')
  if (tx.coinOutputs.length > maxOutputs) {
    throw ruleError(
      rule,
      'unexpected-transfer',
      `at most ${maxOutputs} coin output${maxOutputs === 1 ? '' : 's'} (${maxOutputs === 1 ? 'the refund' : 'the payment and a refund'}), got ${tx.coinOutputs.length}`,
    )
  }
  let coinsIn = 0n
  for (const o of spent.coins) coinsIn += o.value
  const coinsOut = coinOutputSum(tx)
  if (coinsIn !== coinsOut) {
    throw ruleError(
      rule,
      'unbalanced-coins',
      `coin inputs (${coinsIn}) must equal coin outputs plus miner fees (${coinsOut})`,
    )
  }
}

function checkCondition(
  rule: string,
  code: 'invalid-payout-condition' | 'invalid-owner-condition',
  what: string,
  c: Condition,
) {
  if (c.type === 0) throw ruleError(rule, code, `the ${what} must not be the nil condition`)
  const err = conditionStandardError(c)
  if (err) throw ruleError(rule, code, `the ${what}: ${err}`)
}

/** v224: registers a node, or updates it when signed by the same farmer key. */
function registrationRule(p: CapacityParams): TransactionRule {
  return {
    name: REGISTRATION,
    versions: [p.registrationVersion],
    validate: (tx, spent, ctx) => {
      const ext = capacityRegistrationOf(tx)
      checkCoinFlow(REGISTRATION, tx, spent, 0, 1)
      checkCondition(REGISTRATION, 'invalid-payout-condition', 'payout condition', ext.payoutCondition)
      const sigErr = farmerSignatureError(ctx.registry, ctx.verifier, tx)
      if (sigErr) throw ruleError(REGISTRATION, 'invalid-farmer-signature', sigErr)
      const get = (k: string) => ctx.state.get(CAPACITY, k)
      const existing = nodeRecord(get, ext.nodeId)
      if (!existing) return
      if (!publicKeyEquals(existing.farmerKey, ext.farmerKey)) {
        throw ruleError(
          REGISTRATION,
          'not-node-farmer',
          `node "${ext.nodeId}" is registered by another farmer key: only that key may update it`,
        )
      }
      // the heap's sum bounds what is reserved: the expired entries are looked at only when it does not fit
      if (!shortOf(reservedTotal(get, ext.nodeId), ext.resources)) return
      const reserved = reservedAt(get, ext.nodeId, capacityTime(get, ctx.blockTime))
      const short = shortOf(reserved, ext.resources)
      if (short) {
        throw ruleError(
          REGISTRATION,
          'below-reserved',
          `${short} of node "${ext.nodeId}" cannot drop to ${ext.resources[short]}: ${reserved[short]} is reserved now`,
        )
      }
    },
    apply: (tx, ctx, state) => {
      const ext = capacityRegistrationOf(tx)
      const get = (k: string) => state.get(k)
      const t = capacityTime(get, ctx.blockTime)
      advanceClock(state, t)
      const existing = nodeRecord(get, ext.nodeId)
      if (existing) expireReservations(state, ext.nodeId, t)
      writeNode(
        state,
        ext.nodeId,
        {
          farmerKey: ext.farmerKey,
          resources: ext.resources,
          prices: ext.prices,
          payoutCondition: ext.payoutCondition,
          registeredAt: existing?.registeredAt ?? ctx.blockHeight,
          updatedAt: ctx.blockHeight,
        },
        existing === undefined,
      )
    },
  }
}

/** v225: reserves capacity on a node for whole hours, paying its payout condition exactly. */
function reservationRule(p: CapacityParams): TransactionRule {
  return {
    name: RESERVATION,
    versions: [p.reservationVersion],
    validate: (tx, spent, ctx) => {
      const ext = capacityReservationOf(tx)
      checkCoinFlow(RESERVATION, tx, spent, 1, 2)
      if (RESOURCES.every((k) => ext.resources[k] === 0))
        throw ruleError(
          RESERVATION,
          'invalid-reservation',
          'resources: at least one resource must be reserved',
        )
      if (ext.hours < 1 || ext.hours > p.maxReservationHours) {
        throw ruleError(
          RESERVATION,
          'invalid-reservation',
          `hours: a reservation lasts 1 to ${p.maxReservationHours} hours, got ${ext.hours}`,
        )
      }
      checkCondition(RESERVATION, 'invalid-owner-condition', 'owner condition', ext.ownerCondition)
      const get = (k: string) => ctx.state.get(CAPACITY, k)
      const node = nodeRecord(get, ext.nodeId)
      if (!node) throw ruleError(RESERVATION, 'unknown-node', `nodeid: no node "${ext.nodeId}" is registered`)
      const payment = tx.coinOutputs[0]!
      const due = reservationPrice(ext.resources, node.prices, ext.hours)
      if (!equalBytes(conditionBytes(payment.condition), conditionBytes(node.payoutCondition))) {
        throw ruleError(
          RESERVATION,
          'wrong-payment',
          `coinOutputs[0] must pay node "${ext.nodeId}"'s payout condition; ${due} (${formatCoinString(due, precision(ctx))} coins) is due`,
          { output: { list: 'coinOutputs', index: 0 } },
        )
      }
      if (payment.value !== due) {
        throw ruleError(
          RESERVATION,
          'wrong-payment',
          `coinOutputs[0] pays ${payment.value} but exactly ${due} (${formatCoinString(due, precision(ctx))} coins) is due for ${showResources(ext.resources)} × ${ext.hours} h`,
          { output: { list: 'coinOutputs', index: 0 } },
        )
      }
      // free capacity is at least registered minus the heap's sum: when that is enough, the expired
      // entries need not be looked at
      if (!shortOf(ext.resources, freeOf(node.resources, reservedTotal(get, ext.nodeId)))) return
      const t = capacityTime(get, ctx.blockTime)
      const free = freeOf(node.resources, reservedAt(get, ext.nodeId, t))
      const short = shortOf(ext.resources, free)
      if (short) {
        throw ruleError(
          RESERVATION,
          'over-reservation',
          `node "${ext.nodeId}" has ${free[short]} ${short} free, ${ext.resources[short]} asked (free: ${showResources(free)})`,
        )
      }
    },
    apply: (tx, ctx, state) => {
      const ext = capacityReservationOf(tx)
      const get = (k: string) => state.get(k)
      const node = nodeRecord(get, ext.nodeId)!
      const t = capacityTime(get, ctx.blockTime)
      advanceClock(state, t)
      const id = ctx.registry.id(tx)
      writeReservation(
        state,
        id,
        {
          nodeId: ext.nodeId,
          resources: ext.resources,
          hours: ext.hours,
          start: t,
          end: t + ext.hours * 3600,
          ownerCondition: ext.ownerCondition,
          price: reservationPrice(ext.resources, node.prices, ext.hours),
          height: ctx.blockHeight,
        },
        conditionUnlockHash(ext.ownerCondition),
        t,
      )
    },
  }
}

const precision = (ctx: RuleContext): number => precisionOf(ctx.def.oneCoin)

export function capacityRules(p: CapacityParams): TransactionRule[] {
  return [registrationRule(p), reservationRule(p)]
}
