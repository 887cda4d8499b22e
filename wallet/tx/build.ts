// Building and signing transfers (spec §7.3): coin selection, change, fees, optional data; browser-safe.
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { type Condition, conditionUnlockHash, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import type { Currency } from '../../consensus/types/currency.js'
import { NIL_FULFILLMENT } from '../../consensus/types/fulfillments.js'
import { addMultisigSignature, type SigningKey, signSingleSignature } from '../../consensus/types/sign.js'
import type {
  BlockStakeOutput,
  CoinOutput,
  Transaction,
  TransactionRegistry,
} from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashToString } from '../../consensus/types/unlockhash.js'

/** An unspent output the wallet may spend. */
export interface SpendableOutput {
  readonly id: Uint8Array
  readonly value: Currency
  readonly condition: Condition
}

export type WalletErrorCode =
  | 'insufficient-funds'
  | 'insufficient-block-stakes'
  | 'invalid-amount'
  | 'data-too-large'
  | 'no-key'
  /** an atomic swap the wallet cannot claim, refund or create as asked (wrong secret, wrong side) */
  | 'bad-swap'

export class WalletError extends Error {
  override readonly name = 'WalletError'
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    readonly details: { readonly missing?: Currency } = {},
  ) {
    super(message)
  }
}

export interface TransferRequest {
  /** What the wallet can spend (already filtered to unlocked, confirmed and not pending). */
  readonly available: readonly SpendableOutput[]
  readonly outputs: readonly CoinOutput[]
  readonly fee: Currency
  /** Where change goes (a fresh address of the wallet). */
  readonly change: Condition
  readonly arbitraryData?: Uint8Array
  readonly maxArbitraryData?: number
}

/** Coin and block stake outputs to pay, from what the wallet can spend (spec §4.4: both balance exactly). */
export interface TransactionRequest {
  readonly coins: { readonly available: readonly SpendableOutput[]; readonly outputs: readonly CoinOutput[] }
  readonly blockStakes?: {
    readonly available: readonly SpendableOutput[]
    readonly outputs: readonly BlockStakeOutput[]
  }
  /** The one miner fee, in coins (spec §4.4: a v1 transaction pays at least one, block stakes or not). */
  readonly fee: Currency
  /** Where coin and block stake change goes. */
  readonly change: Condition
  readonly arbitraryData?: Uint8Array
  readonly maxArbitraryData?: number
}

const largestFirst = (a: SpendableOutput, b: SpendableOutput): number =>
  b.value > a.value ? 1 : b.value < a.value ? -1 : 0

/** Largest outputs first until `needed` is covered (so transactions stay small). */
export function selectLargestFirst(
  available: readonly SpendableOutput[],
  needed: Currency,
): { chosen: SpendableOutput[]; sum: Currency } {
  const chosen: SpendableOutput[] = []
  let sum = 0n
  for (const o of [...available].sort(largestFirst)) {
    if (sum >= needed) break
    chosen.push(o)
    sum += o.value
  }
  return { chosen, sum }
}

/**
 * Picks coin inputs for the outputs plus the fee and block stake inputs for the block stake outputs
 * (largest first), and adds change outputs when needed. The inputs are left unsigned (nil fulfillments).
 */
export function buildTransaction(req: TransactionRequest): Transaction {
  if (req.fee < 0n) throw new WalletError('invalid-amount', 'the fee cannot be negative')
  const stakes = req.blockStakes ?? { available: [], outputs: [] }
  for (const o of [...req.coins.outputs, ...stakes.outputs])
    if (o.value <= 0n) throw new WalletError('invalid-amount', 'every output needs a positive amount')
  const data = req.arbitraryData ?? new Uint8Array(0)
  // a data-only transaction (a notary record) pays only its fee, with change
  if (req.coins.outputs.length + stakes.outputs.length === 0 && data.length === 0)
    throw new WalletError('invalid-amount', 'a transaction needs at least one output or arbitrary data')
  const maxData = req.maxArbitraryData ?? 83
  if (data.length > maxData)
    throw new WalletError('data-too-large', `arbitrary data of ${data.length} bytes exceeds ${maxData}`)

  const neededStakes = stakes.outputs.reduce((s, o) => s + o.value, 0n)
  const bs = selectLargestFirst(stakes.available, neededStakes)
  if (bs.sum < neededStakes) {
    throw new WalletError(
      'insufficient-block-stakes',
      `insufficient block stakes: ${neededStakes - bs.sum} missing`,
      { missing: neededStakes - bs.sum },
    )
  }
  const needed = req.coins.outputs.reduce((s, o) => s + o.value, 0n) + req.fee
  const coins = selectLargestFirst(req.coins.available, needed)
  if (coins.sum < needed) {
    throw new WalletError(
      'insufficient-funds',
      `insufficient funds: ${needed - coins.sum} base units missing`,
      {
        missing: needed - coins.sum,
      },
    )
  }
  const unsigned = (o: SpendableOutput) => ({ parentId: o.id, fulfillment: NIL_FULFILLMENT })
  const change = (sum: Currency, used: Currency): CoinOutput[] =>
    sum > used ? [{ value: sum - used, condition: req.change }] : []
  return {
    version: 1,
    coinInputs: coins.chosen.map(unsigned),
    coinOutputs: [...req.coins.outputs, ...change(coins.sum, needed)],
    blockStakeInputs: bs.chosen.map(unsigned),
    blockStakeOutputs: [...stakes.outputs, ...change(bs.sum, neededStakes)],
    minerFees: req.fee > 0n ? [req.fee] : [],
    arbitraryData: data,
  }
}

/** A coin-only `buildTransaction`. */
export function buildTransfer(req: TransferRequest): Transaction {
  return buildTransaction({
    coins: { available: req.available, outputs: req.outputs },
    fee: req.fee,
    change: req.change,
    ...(req.arbitraryData ? { arbitraryData: req.arbitraryData } : {}),
    ...(req.maxArbitraryData !== undefined ? { maxArbitraryData: req.maxArbitraryData } : {}),
  })
}

/** Keys by the hex of their address, for signing. */
export function keyring(keys: readonly SigningKey[]): Map<string, SigningKey> {
  return new Map(keys.map((k) => [unlockHashToString(publicKeyUnlockHash(k.publicKey)), k]))
}

/** The addresses whose keys can sign for a condition: its owner, or a multisig's members. */
export function conditionSigners(condition: Condition): readonly UnlockHash[] {
  const who = signers(condition)
  return who.single ? [who.single] : (who.multisig ?? [])
}

/** The address that must sign for a condition (time locks delegate), or the members of a multisig. */
function signers(condition: Condition): { single?: UnlockHash; multisig?: readonly UnlockHash[] } {
  if (condition.type === 3) return signers(condition.condition)
  if (condition.type === 4) return { multisig: condition.unlockHashes }
  if (condition.type === 1) return { single: conditionUnlockHash(condition) }
  return {}
}

/**
 * Signs every input the keyring can sign, given the conditions of the outputs they spend (by input
 * position): single-signature inputs fully, multisig inputs with one pair per owned member key not yet
 * present. Returns the signed transaction and how many signatures were added.
 */
export function signInputs(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  spent: { readonly coinInputs: readonly Condition[]; readonly blockStakeInputs?: readonly Condition[] },
  keys: Map<string, SigningKey>,
): { tx: Transaction; signed: number } {
  let out = tx
  let signed = 0
  for (const list of ['coinInputs', 'blockStakeInputs'] as const) {
    const conditions = spent[list] ?? []
    for (let i = 0; i < out[list].length; i++) {
      const condition = conditions[i]
      if (!condition) continue
      const who = signers(condition)
      if (who.single) {
        const key = keys.get(unlockHashToString(who.single))
        if (!key) continue
        out = signSingleSignature(registry, ed, out, list, i, key)
        signed++
      } else if (who.multisig) {
        const current = out[list][i]!.fulfillment
        const present = new Set(
          current.type === 3
            ? current.pairs.map((p) => unlockHashToString(publicKeyUnlockHash(p.publicKey)))
            : [],
        )
        for (const member of who.multisig) {
          const address = unlockHashToString(member)
          const key = keys.get(address)
          if (!key || present.has(address)) continue
          out = addMultisigSignature(registry, ed, out, list, i, key)
          present.add(address)
          signed++
        }
      }
    }
  }
  return { tx: out, signed }
}

/** How many signatures an input has and needs (from the condition of the output it spends). */
export interface InputSignatures {
  readonly list: 'coinInputs' | 'blockStakeInputs'
  readonly index: number
  readonly have: number
  readonly need: number
  /** `single` (one key) or `multisig` (M of N members). */
  readonly kind: 'single' | 'multisig'
}

/** The signature count of every input; a transaction is complete when each has `have >= need`. */
export function signatureStatus(
  tx: Transaction,
  spent: { readonly coinInputs: readonly Condition[]; readonly blockStakeInputs?: readonly Condition[] },
): InputSignatures[] {
  const out: InputSignatures[] = []
  for (const list of ['coinInputs', 'blockStakeInputs'] as const) {
    for (const [index, input] of tx[list].entries()) {
      const condition = spent[list]?.[index]
      const who = condition ? signers(condition) : {}
      const f = input.fulfillment
      if (who.multisig && condition) {
        const inner = condition.type === 3 ? condition.condition : condition
        const need = inner.type === 4 ? inner.minimumSignatureCount : 1
        out.push({ list, index, have: f.type === 3 ? f.pairs.length : 0, need, kind: 'multisig' })
      } else {
        out.push({ list, index, have: f.type === 0 ? 0 : 1, need: 1, kind: 'single' })
      }
    }
  }
  return out
}
