// Building and signing transfers (spec §7.3): coin selection, change, fees, optional data; browser-safe.
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { type Condition, conditionUnlockHash, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import type { Currency } from '../../consensus/types/currency.js'
import { addMultisigSignature, type SigningKey, signSingleSignature } from '../../consensus/types/sign.js'
import type { CoinOutput, Transaction, TransactionRegistry } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashToString } from '../../consensus/types/unlockhash.js'

/** An unspent output the wallet may spend. */
export interface SpendableOutput {
  readonly id: Uint8Array
  readonly value: Currency
  readonly condition: Condition
}

export type WalletErrorCode = 'insufficient-funds' | 'invalid-amount' | 'data-too-large' | 'no-key'

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

/**
 * Picks inputs (largest first, so transactions stay small) until they cover the outputs and the fee,
 * and adds a change output when needed. The inputs are left unsigned.
 */
export function buildTransfer(req: TransferRequest): Transaction {
  if (req.fee < 0n) throw new WalletError('invalid-amount', 'the fee cannot be negative')
  for (const o of req.outputs)
    if (o.value <= 0n) throw new WalletError('invalid-amount', 'every output needs a positive amount')
  const data = req.arbitraryData ?? new Uint8Array(0)
  if (data.length > (req.maxArbitraryData ?? 83)) {
    throw new WalletError(
      'data-too-large',
      `arbitrary data of ${data.length} bytes exceeds ${req.maxArbitraryData ?? 83}`,
    )
  }
  const needed = req.outputs.reduce((s, o) => s + o.value, 0n) + req.fee
  const chosen: SpendableOutput[] = []
  let sum = 0n
  for (const o of [...req.available].sort((a, b) => (b.value > a.value ? 1 : b.value < a.value ? -1 : 0))) {
    if (sum >= needed) break
    chosen.push(o)
    sum += o.value
  }
  if (sum < needed) {
    throw new WalletError('insufficient-funds', `insufficient funds: ${needed - sum} base units missing`, {
      missing: needed - sum,
    })
  }
  const outputs = [...req.outputs]
  if (sum > needed) outputs.push({ value: sum - needed, condition: req.change })
  return {
    version: 1,
    coinInputs: chosen.map((o) => ({ parentId: o.id, fulfillment: { type: 0 } })),
    coinOutputs: outputs,
    blockStakeInputs: [],
    blockStakeOutputs: [],
    minerFees: req.fee > 0n ? [req.fee] : [],
    arbitraryData: data,
  }
}

/** Keys by the hex of their address, for signing. */
export function keyring(keys: readonly SigningKey[]): Map<string, SigningKey> {
  return new Map(keys.map((k) => [unlockHashToString(publicKeyUnlockHash(k.publicKey)), k]))
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
