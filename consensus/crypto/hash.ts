import { blake2b } from '@noble/hashes/blake2.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'

/** Size in bytes of every protocol hash (blake2b-256, sha256). */
export const HASH_SIZE = 32

/** Unkeyed BLAKE2b with a 32-byte digest over the concatenation of `parts` (spec/rivine.md §2.1). */
export function blake2b256(...parts: Uint8Array[]): Uint8Array {
  // dkLen is part of the BLAKE2 parameter block, so this differs from a truncated blake2b-512
  const hasher = blake2b.create({ dkLen: HASH_SIZE })
  for (const part of parts) hasher.update(part)
  return hasher.digest()
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}
