// Building and signing capacity registrations (224) and reservations (225) (docs/capacity.md): coin inputs
// picked largest first for the fee (and the payment), change back to the wallet; the farmer signature of
// a registration is signed by the wallet key of its farmer address. Browser-safe.
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import {
  type CapacityRegistrationExtension,
  type CapacityReservationExtension,
  farmerSignatureError,
  isCapacityRegistrationExtension,
  type Prices,
  type Resources,
  signFarmer,
} from '../../consensus/extensions/capacity/types.js'
import { type Condition, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import type { Currency } from '../../consensus/types/currency.js'
import { NIL_FULFILLMENT } from '../../consensus/types/fulfillments.js'
import type { PublicKey } from '../../consensus/types/publickey.js'
import type { SigningKey } from '../../consensus/types/sign.js'
import {
  type CoinOutput,
  emptyTransaction,
  type Transaction,
  type TransactionRegistry,
} from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { type SpendableOutput, selectLargestFirst, WalletError } from './build.js'

interface Funding {
  readonly available: readonly SpendableOutput[]
  readonly fee: Currency
  /** Where the change goes. */
  readonly change: Condition
}

/** Inputs covering `outputs` plus the fee, the outputs and the change (unsigned inputs). */
function fund(f: Funding, outputs: readonly CoinOutput[]) {
  if (f.fee <= 0n)
    throw new WalletError('invalid-amount', 'a capacity transaction needs a positive miner fee')
  const needed = outputs.reduce((s, o) => s + o.value, 0n) + f.fee
  const coins = selectLargestFirst(f.available, needed)
  if (coins.sum < needed) {
    throw new WalletError(
      'insufficient-funds',
      `insufficient funds: ${needed - coins.sum} base units missing`,
      {
        missing: needed - coins.sum,
      },
    )
  }
  return {
    coinInputs: coins.chosen.map((o) => ({ parentId: o.id, fulfillment: NIL_FULFILLMENT })),
    coinOutputs: [
      ...outputs,
      ...(coins.sum > needed ? [{ value: coins.sum - needed, condition: f.change }] : []),
    ],
    minerFees: [f.fee],
  }
}

/** A registration (or update) of `nodeId` by `farmerKey`; inputs and farmer signature unsigned. */
export function buildCapacityRegistration(
  req: Funding & {
    readonly version: number
    readonly nodeId: string
    readonly resources: Resources
    readonly prices: Prices
    readonly payout: Condition
    readonly farmerKey: PublicKey
  },
): Transaction {
  const extension: CapacityRegistrationExtension = {
    nodeId: req.nodeId,
    resources: req.resources,
    prices: req.prices,
    payoutCondition: req.payout,
    farmerKey: req.farmerKey,
    farmerSignature: new Uint8Array(0),
  }
  return { ...emptyTransaction(req.version), ...fund(req, []), extension }
}

/** A reservation paying `price` to the node's `payout` condition; inputs unsigned. */
export function buildCapacityReservation(
  req: Funding & {
    readonly version: number
    readonly nodeId: string
    readonly resources: Resources
    readonly hours: number
    readonly price: Currency
    readonly payout: Condition
    readonly owner: Condition
  },
): Transaction {
  if (req.price <= 0n) throw new WalletError('invalid-amount', 'the reservation price must be positive')
  const extension: CapacityReservationExtension = {
    nodeId: req.nodeId,
    resources: req.resources,
    hours: req.hours,
    ownerCondition: req.owner,
  }
  return {
    ...emptyTransaction(req.version),
    ...fund(req, [{ value: req.price, condition: req.payout }]),
    extension,
  }
}

/** The farmer address of a capacity registration, or `undefined` for any other transaction. */
export function farmerOf(tx: Transaction): UnlockHash | undefined {
  return isCapacityRegistrationExtension(tx.extension)
    ? publicKeyUnlockHash(tx.extension.farmerKey)
    : undefined
}

/** Whether `tx` is a capacity registration whose farmer signature is still missing or invalid. */
export function farmerSignatureMissing(registry: TransactionRegistry, ed: Ed25519, tx: Transaction): boolean {
  return farmerOf(tx) !== undefined && farmerSignatureError(registry, ed, tx) !== undefined
}

/** Signs the farmer signature when `keys` (address → key) holds the farmer's key; else `tx` unchanged. */
export function signFarmerIfOwned(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  keys: Map<string, SigningKey>,
): { tx: Transaction; signed: number } {
  const farmer = farmerOf(tx)
  const key = farmer && keys.get(unlockHashToString(farmer))
  if (!key || !farmerSignatureMissing(registry, ed, tx)) return { tx, signed: 0 }
  return { tx: signFarmer(registry, ed, tx, key), signed: 1 }
}

/** Whether `tx` is a capacity registration without a farmer signature yet (what a transaction file lacks). */
export function farmerUnsigned(tx: Transaction): boolean {
  return isCapacityRegistrationExtension(tx.extension) && tx.extension.farmerSignature.length === 0
}
