// Atomic swaps (spec/rivine.md §8, DESIGN §4): the contract (condition type 2), its address, and the
// transactions that claim it with the secret or refund it after its time lock. Byte-compatible with
// Rivine/tfchain, so their wallets can be the other party. Browser-safe.
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import { sha256 } from '../../consensus/crypto/hash.js'
import { equalBytes } from '../../consensus/encoding/hex.js'
import {
  type AtomicSwapCondition,
  atomicSwapUnlockHash,
  type Condition,
  publicKeyUnlockHash,
} from '../../consensus/types/conditions.js'
import type { Currency } from '../../consensus/types/currency.js'
import { NIL_FULFILLMENT } from '../../consensus/types/fulfillments.js'
import { type SigningKey, signAtomicSwap } from '../../consensus/types/sign.js'
import type { Transaction, TransactionRegistry } from '../../consensus/types/transaction.js'
import { type UnlockHash, UnlockType, unlockHashEquals } from '../../consensus/types/unlockhash.js'
import { WalletError } from './build.js'

/** spec §6.7: an atomic swap secret is 32 bytes; its hash is SHA-256 (the protocol's one SHA-256 use). */
export const SWAP_SECRET_SIZE = 32

export interface SwapContract {
  readonly sender: UnlockHash
  readonly receiver: UnlockHash
  readonly hashedSecret: Uint8Array
  readonly timeLock: bigint
}

/** A fresh random secret and its hash. */
export function newSwapSecret(): { secret: Uint8Array; hashedSecret: Uint8Array } {
  const secret = globalThis.crypto.getRandomValues(new Uint8Array(SWAP_SECRET_SIZE))
  return { secret, hashedSecret: sha256(secret) }
}

export const hashSwapSecret = (secret: Uint8Array): Uint8Array => sha256(secret)

/** Whether `secret` opens a contract with `hashedSecret`. */
export const secretMatches = (secret: Uint8Array, hashedSecret: Uint8Array): boolean =>
  secret.length === SWAP_SECRET_SIZE && equalBytes(sha256(secret), hashedSecret)

/**
 * The contract condition, checked as consensus checks it (spec §3.4 standardness): both parties are
 * public-key addresses, and the hashed secret is 32 non-zero bytes.
 */
export function swapCondition(c: SwapContract): AtomicSwapCondition {
  for (const [name, uh] of [
    ['sender', c.sender],
    ['receiver', c.receiver],
  ] as const) {
    if (uh.type !== UnlockType.PubKey || uh.hash.every((b) => b === 0))
      throw new WalletError('bad-swap', `the swap ${name} must be a wallet (public key) address`)
  }
  if (c.hashedSecret.length !== SWAP_SECRET_SIZE || c.hashedSecret.every((b) => b === 0))
    throw new WalletError('bad-swap', 'the hashed secret must be 32 bytes, not all zero')
  if (c.timeLock < 0n || c.timeLock >= 2n ** 64n)
    throw new WalletError('invalid-amount', 'the time lock must fit 64 bits')
  return {
    type: 2,
    sender: c.sender,
    receiver: c.receiver,
    hashedSecret: c.hashedSecret,
    timeLock: c.timeLock,
  }
}

/** The contract's address: the type-2 unlock hash of its four fields (spec §3.1, §8.1). */
export const swapContractAddress = (c: SwapContract): UnlockHash => atomicSwapUnlockHash(c)

/** The contract an output is locked with, or why it is not a (new-style) atomic swap contract. */
export function contractOf(condition: Condition): AtomicSwapCondition | string {
  if (condition.type === 2) return condition
  const names = ['nil', 'unlock hash', 'atomic swap', 'time lock', 'multisig'] as const
  if (condition.type === 1 && condition.unlockHash.type === UnlockType.AtomicSwap)
    return 'a legacy atomic swap address (unlock hash type 2): its contract terms are not on chain until it is spent'
  return `its condition is type ${condition.type} (${names[condition.type]}), not an atomic swap contract (type 2)`
}

/** The output a swap claim or refund spends. */
export interface SwapOutput {
  readonly id: Uint8Array
  readonly value: Currency
  readonly contract: AtomicSwapCondition
}

/**
 * A transaction spending a contract output in full to `to` (one coin input, one output of value − fee,
 * the fee). The input is unsigned; `signSwapSpend` claims or refunds it.
 */
export function buildSwapSpend(output: SwapOutput, to: Condition, fee: Currency): Transaction {
  if (fee <= 0n) throw new WalletError('invalid-amount', 'the fee must be positive')
  if (output.value <= fee)
    throw new WalletError(
      'insufficient-funds',
      `the contract holds ${output.value} base units, not more than the fee of ${fee}`,
      { missing: fee - output.value + 1n },
    )
  return {
    version: 1,
    coinInputs: [{ parentId: output.id, fulfillment: NIL_FULFILLMENT }],
    coinOutputs: [{ value: output.value - fee, condition: to }],
    blockStakeInputs: [],
    blockStakeOutputs: [],
    minerFees: [fee],
    arbitraryData: new Uint8Array(0),
  }
}

/**
 * Signs the swap input at coin input `index` (spec §8.2): with `secret` a claim by the receiver (extra
 * objects `[index, publicKey, secret]`), without a refund by the sender (`[index, publicKey]`). The key
 * must be the side's, and a secret must open the contract: checked here, before anything is signed.
 */
export function signSwapSpend(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  index: number,
  contract: AtomicSwapCondition,
  key: SigningKey,
  secret?: Uint8Array,
): Transaction {
  const signer = publicKeyUnlockHash(key.publicKey)
  if (secret) {
    if (!secretMatches(secret, contract.hashedSecret))
      throw new WalletError(
        'bad-swap',
        'the secret does not match the contract: SHA-256(secret) ≠ hashed secret',
      )
    if (!unlockHashEquals(signer, contract.receiver))
      throw new WalletError('bad-swap', 'only the receiver can redeem the contract')
  } else if (!unlockHashEquals(signer, contract.sender))
    throw new WalletError('bad-swap', 'only the sender can refund the contract')
  return signAtomicSwap(registry, ed, tx, 'coinInputs', index, key, secret)
}

/**
 * The secret revealed by `tx` for the contract output `outputId` (or for any swap input when no ID is
 * given): the secret of a claiming atomic swap fulfillment; undefined when the transaction claims none.
 */
export function extractSwapSecret(tx: Transaction, outputId?: Uint8Array): Uint8Array | undefined {
  for (const input of tx.coinInputs) {
    if (outputId && !equalBytes(input.parentId, outputId)) continue
    const f = input.fulfillment
    if (f.type === 2 && f.secret.some((b) => b !== 0)) return f.secret
  }
  return undefined
}

/** `90s`, `10m`, `48h` (also `2d`, or plain seconds): a duration in seconds, positive. */
export function parseDuration(text: string, field = '--duration'): number {
  const m = /^([0-9]{1,9})(s|m|h|d)?$/.exec(text.trim())
  if (!m)
    throw new WalletError('invalid-amount', `${field} must look like 90s, 10m, 48h or 2d, got "${text}"`)
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 's') as 's']
  if (seconds <= 0) throw new WalletError('invalid-amount', `${field} must be positive, got "${text}"`)
  return seconds
}

/** `1h 2m 3s` for people (`0s` for nothing left). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s'
  const parts: string[] = []
  let rest = Math.floor(seconds)
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.join(' ')
}
