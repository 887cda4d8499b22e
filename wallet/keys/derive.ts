// spec/rivine.md §7.2: entropy_i = blake2b256(seed || u64le(i)); Ed25519 keypair from the RFC 8032 seed
// entropy_i; address = pubkey unlock hash (§3.1).

import { type Ed25519, nobleEd25519 } from '../../consensus/crypto/ed25519.js'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import { ed25519PublicKey, type PublicKey } from '../../consensus/types/publickey.js'
import { type UnlockHash, u64le, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { assertWalletSeed, KeyError } from './seed.js'

export interface KeyPair {
  readonly index: number
  /** The 32-byte RFC 8032 secret seed `entropy_i`; every read returns a fresh copy. */
  readonly secretSeed: Uint8Array
  readonly publicKey: PublicKey
  readonly unlockHash: UnlockHash
  /** 78-hex-character address (text form of `unlockHash`). */
  readonly address: string
}

function assertIndex(index: unknown, what = 'key index'): asserts index is number {
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new KeyError('invalid-index', `${what} must be a non-negative safe integer, got ${String(index)}`)
  }
}

/** The key at `index` of a wallet seed. `ed` picks the Ed25519 implementation (default: browser-safe noble). */
export function deriveKey(seed: Uint8Array, index: number, ed: Ed25519 = nobleEd25519): KeyPair {
  assertWalletSeed(seed)
  assertIndex(index)
  const secret = blake2b256(seed, u64le(index))
  // the implementation gets its own copy, so nothing it keeps can alias ours
  const publicKey: PublicKey = Object.freeze(
    ed25519PublicKey(Uint8Array.from(ed.publicKeyFromSeed(secret.slice()))),
  )
  const unlockHash: UnlockHash = Object.freeze(publicKeyUnlockHash(publicKey))
  const address = unlockHashToString(unlockHash)
  return Object.freeze({
    index,
    get secretSeed() {
      return secret.slice()
    },
    publicKey,
    unlockHash,
    address,
  })
}

/** Keys `start … start + count - 1` of a wallet seed, in index order. */
export function deriveKeys(
  seed: Uint8Array,
  start: number,
  count: number,
  ed: Ed25519 = nobleEd25519,
): KeyPair[] {
  assertWalletSeed(seed)
  assertIndex(start, 'start index')
  assertIndex(count, 'key count')
  if (count > 0) assertIndex(start + count - 1, 'last key index')
  const keys: KeyPair[] = []
  for (let i = 0; i < count; i++) keys.push(deriveKey(seed, start + i, ed))
  return keys
}
