// spec/rivine.md §3.1–3.2: unlock hashes (addresses).

import { blake2b256 } from '../crypto/hash.js'
import { merkleRoot } from '../crypto/merkle.js'
import { byte, type Codec, fixedBytes, struct } from '../encoding/codec.js'
import { DecodeError } from '../encoding/errors.js'
import { compareBytes, concatBytes, fromHex, toHex } from '../encoding/hex.js'

export const UnlockType = { Nil: 0, PubKey: 1, AtomicSwap: 2, MultiSig: 3 } as const

export interface UnlockHash {
  readonly type: number
  readonly hash: Uint8Array
}

/** 33 bytes: type then hash, the same under both codecs, no checksum. */
export const unlockHashCodec: Codec<UnlockHash> = struct({ type: byte, hash: fixedBytes(32) })

export const NIL_UNLOCK_HASH: UnlockHash = Object.freeze({ type: 0, hash: new Uint8Array(32) })
export const UNLOCK_HASH_CHECKSUM_SIZE = 6

export function unlockHashBytes(uh: UnlockHash): Uint8Array {
  return concatBytes(new Uint8Array([uh.type]), uh.hash)
}

export function isNilUnlockHash(uh: UnlockHash): boolean {
  return uh.type === 0 && uh.hash.every((b) => b === 0)
}

/** 78 hex chars `type || hash || checksum`; the nil unlock hash is `""`. */
export function unlockHashToString(uh: UnlockHash): string {
  if (uh.type === 0) return ''
  const bin = unlockHashBytes(uh)
  return toHex(bin) + toHex(blake2b256(bin).subarray(0, UNLOCK_HASH_CHECKSUM_SIZE))
}

/** Parses the text form, checking length, hex and checksum (spec §3.1). */
export function parseUnlockHash(text: unknown, field?: string): UnlockHash {
  if (typeof text !== 'string') throw new DecodeError('invalid-json', 'expected an address string', field)
  if (text === '') return NIL_UNLOCK_HASH
  if (text.length !== 78)
    throw new DecodeError('invalid-value', `address must be 78 hex characters, got ${text.length}`, field)
  const bin = fromHex(text.slice(0, 66), 33, field)
  const checksum = fromHex(text.slice(66), 6, field)
  const uh = { type: bin[0]!, hash: bin.subarray(1) }
  if (uh.type === 0) {
    if (bin.some((b) => b !== 0) || checksum.some((b) => b !== 0)) {
      throw new DecodeError('invalid-value', 'a nil address must be all zeros', field)
    }
    return NIL_UNLOCK_HASH
  }
  const expected = blake2b256(bin).subarray(0, UNLOCK_HASH_CHECKSUM_SIZE)
  if (compareBytes(expected, checksum) !== 0)
    throw new DecodeError('invalid-value', 'address checksum mismatch', field)
  return uh
}

/** Ordering used to sort multisig members: type first, then hash bytes. */
export function compareUnlockHashes(a: UnlockHash, b: UnlockHash): number {
  return a.type - b.type || compareBytes(a.hash, b.hash)
}

export function unlockHashEquals(a: UnlockHash, b: UnlockHash): boolean {
  return compareUnlockHashes(a, b) === 0
}

const u64le = (n: number | bigint): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true)
  return out
}

/** spec §3.2: merkle root over `[u64(n), sorted members…, u64(minSigs)]`, type 3. */
export function multisigUnlockHash(
  unlockHashes: readonly UnlockHash[],
  minimumSignatureCount: number,
): UnlockHash {
  const sorted = [...unlockHashes].sort(compareUnlockHashes)
  const leaves = [u64le(sorted.length), ...sorted.map(unlockHashBytes), u64le(minimumSignatureCount)]
  return { type: UnlockType.MultiSig, hash: merkleRoot(leaves) }
}

export { u64le }
