// spec/rivine.md §2.8.4 and §7.3: producing the fulfillments of a transaction's inputs.
import type { Ed25519 } from '../crypto/ed25519.js'
import type { Fulfillment, PublicKeySignaturePair } from './fulfillments.js'
import { type PublicKey, SignatureAlgorithm } from './publickey.js'
import type { ExtraObject, Transaction, TransactionRegistry } from './transaction.js'

/** A signing key: the 32-byte RFC 8032 secret seed and its public key. */
export interface SigningKey {
  readonly secretSeed: Uint8Array
  readonly publicKey: PublicKey
}

export type InputList = 'coinInputs' | 'blockStakeInputs'

function sign(ed: Ed25519, key: SigningKey, message: Uint8Array): PublicKeySignaturePair {
  if (key.publicKey.algorithm !== SignatureAlgorithm.Ed25519) throw new Error('only ed25519 keys can sign')
  return { publicKey: key.publicKey, signature: ed.sign(key.secretSeed, message) }
}

/** The same transaction with input `index` of `list` carrying `fulfillment`. */
export function withFulfillment(
  tx: Transaction,
  list: InputList,
  index: number,
  fulfillment: Fulfillment,
): Transaction {
  const inputs = tx[list]
  if (index < 0 || index >= inputs.length) throw new RangeError(`${list}[${index}] does not exist`)
  return { ...tx, [list]: inputs.map((input, i) => (i === index ? { ...input, fulfillment } : input)) }
}

/** Signs input `index` with a single signature (for unlock-hash, nil and time-locked conditions). */
export function signSingleSignature(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  list: InputList,
  index: number,
  key: SigningKey,
): Transaction {
  const pair = sign(ed, key, registry.inputSigHash(tx, index))
  return withFulfillment(tx, list, index, { type: 1, ...pair })
}

/** Adds one co-signer's pair to a multisig input (creating the fulfillment if it is not one yet). */
export function addMultisigSignature(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  list: InputList,
  index: number,
  key: SigningKey,
): Transaction {
  const extras: ExtraObject[] = [{ kind: 'publicKey', value: key.publicKey }]
  const pair = sign(ed, key, registry.inputSigHash(tx, index, extras))
  const current = tx[list][index]?.fulfillment
  const pairs = current?.type === 3 ? current.pairs : []
  return withFulfillment(tx, list, index, { type: 3, pairs: [...pairs, pair] })
}

/** Claims (with the secret) or refunds (secret omitted) an atomic swap input (spec §8.2). */
export function signAtomicSwap(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  list: InputList,
  index: number,
  key: SigningKey,
  secret?: Uint8Array,
): Transaction {
  const extras: ExtraObject[] = [{ kind: 'publicKey', value: key.publicKey }]
  if (secret) extras.push({ kind: 'raw', value: secret })
  const pair = sign(ed, key, registry.inputSigHash(tx, index, extras))
  return withFulfillment(tx, list, index, { type: 2, ...pair, secret: secret ?? new Uint8Array(32) })
}
