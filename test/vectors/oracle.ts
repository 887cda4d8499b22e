// Shared pieces of the oracle-* vector files: the oracle wallets' keys, the signed transactions of
// oracle-transactions.json (referenced by name from other files) and parent-output origins.
import { expect } from 'vitest'
import { type Ed25519, nobleEd25519 } from '../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { fromHex, toHex, utf8 } from '../../consensus/encoding/hex.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import type { SigningKey } from '../../consensus/types/sign.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { deriveKey, type KeyPair } from '../../wallet/keys/derive.js'
import { loadVectorFile, type Vector, vectorId } from './framework.js'

export const verifiers: readonly Ed25519[] = [nobleEd25519, nodeEd25519]
export const oracleRegistry = coreRegistry()

let keyVectors: Map<string, Vector> | undefined
let txVectors: Map<string, Vector> | undefined

const byName = (file: string): Map<string, Vector> =>
  new Map(loadVectorFile(file).vectors.map((v) => [vectorId(v), v]))

/** The wallet seed behind a key reference's wallet: `seedA`, `seedB`, `seedC` or `devnet`. */
export function oracleSeed(wallet: string): Uint8Array {
  keyVectors ??= byName('oracle-keys.json')
  const v = keyVectors.get(`wallet-seed-${wallet}`)
  if (!v) throw new Error(`oracle-keys.json has no wallet ${wallet}`)
  const seed = fromHex(v.inputs.seed, 32)
  const origin = /^seed origin: blake2b-256\("([^"]+)"\)$/.exec(v.description)
  if (origin) expect(toHex(blake2b256(utf8(origin[1]!))), `${wallet} seed origin`).toBe(v.inputs.seed)
  return seed
}

/** `"seedA/0"`, `"devnet/25"` → the wallet key (spec §7.2). */
export function oracleKey(ref: string): KeyPair {
  const m = /^(\w+)\/(\d+)$/.exec(ref)
  if (!m) throw new Error(`bad key reference ${ref}`)
  return deriveKey(oracleSeed(m[1]!), Number(m[2]))
}

export const signingKey = (kp: KeyPair): SigningKey => ({
  secretSeed: kp.secretSeed,
  publicKey: kp.publicKey,
})

export function oracleTransactionVector(name: string): Vector {
  txVectors ??= byName('oracle-transactions.json')
  const v = txVectors.get(name)
  if (!v) throw new Error(`oracle-transactions.json has no vector ${name}`)
  return v
}

/** The signed transaction `name` of oracle-transactions.json (its expected JSON). */
export const oracleTransaction = (name: string): Transaction =>
  oracleRegistry.fromJson(oracleTransactionVector(name).expected.json)

/**
 * Checks a parent output's recorded origin: `synthetic parent: id = blake2b-256("…")` or
 * `coin|blockstake output N of <tx name>`.
 */
export function checkParentOrigin(id: string, origin: string): void {
  const synthetic = /^synthetic parent: id = blake2b-256\("([^"]+)"\)$/.exec(origin)
  if (synthetic) {
    expect(toHex(blake2b256(utf8(synthetic[1]!))), origin).toBe(id)
    return
  }
  const output = /^(coin|blockstake) output (\d+) of (\S+)$/.exec(origin)
  if (!output) throw new Error(`unknown parent origin "${origin}"`)
  const tx = oracleTransaction(output[3]!)
  const ids = oracleRegistry.outputIds(tx)
  const list = output[1] === 'coin' ? ids.coinOutputIds : ids.blockStakeOutputIds
  expect(toHex(list[Number(output[2])]!), origin).toBe(id)
}
