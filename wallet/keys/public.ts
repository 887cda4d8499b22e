// Public keys of a wallet without its seed: what `wallet export-keys` writes and a watch-only wallet holds
// (spec §7.3: a machine that builds transactions needs addresses, not secrets). Browser-safe.
import { DecodeError } from '../../consensus/encoding/errors.js'
import { type JsonValue, jsonArray, jsonObject, jsonString, jsonUint } from '../../consensus/encoding/json.js'
import { publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import { type PublicKey, parsePublicKey, publicKeyToString } from '../../consensus/types/publickey.js'
import { unlockHashToString } from '../../consensus/types/unlockhash.js'
import type { KeyPair } from './derive.js'

/** Key `index` of a wallet, public half only. */
export interface PublicWalletKey {
  readonly index: number
  readonly publicKey: PublicKey
  readonly address: string
}

export const publicKeyOf = (k: KeyPair): PublicWalletKey => ({
  index: k.index,
  publicKey: k.publicKey,
  address: k.address,
})

export const publicKeysToJson = (keys: readonly PublicWalletKey[]): JsonValue =>
  keys.map((k) => ({ index: k.index, publicKey: publicKeyToString(k.publicKey), address: k.address }))

/**
 * A list of keys 0, 1, 2, … in order, each address matching its public key (a file with a swapped key or
 * address is refused, naming the entry).
 */
export function parsePublicKeys(value: unknown, field = 'keys'): PublicWalletKey[] {
  return jsonArray(value, field).map((item, i) => {
    const f = `${field}[${i}]`
    const o = jsonObject(item, f)
    const index = jsonUint(o.index, `${f}.index`)
    if (index !== i)
      throw new DecodeError('invalid-value', `expected key index ${i}, got ${index}`, `${f}.index`)
    const publicKey = parsePublicKey(o.publicKey, `${f}.publicKey`)
    if (publicKey.algorithm !== 1 || publicKey.key.length !== 32)
      throw new DecodeError('invalid-value', 'expected an ed25519 public key', `${f}.publicKey`)
    const address = unlockHashToString(publicKeyUnlockHash(publicKey))
    if (jsonString(o.address, `${f}.address`) !== address)
      throw new DecodeError('invalid-value', 'address does not belong to the public key', `${f}.address`)
    return { index, publicKey, address }
  })
}
