import { blake2b } from '@noble/hashes/blake2.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { createBLAKE2b, createSHA256, type IHasher } from 'hash-wasm'

/** Size in bytes of every protocol hash (blake2b-256, sha256). */
export const HASH_SIZE = 32

/** Audited pure-JS blake2b-256 (@noble/hashes): the reference the WASM hasher is tested against. */
export function nobleBlake2b256(...parts: Uint8Array[]): Uint8Array {
  // dkLen is part of the BLAKE2 parameter block, so this differs from a truncated blake2b-512
  const hasher = blake2b.create({ dkLen: HASH_SIZE })
  for (const part of parts) hasher.update(part)
  return hasher.digest()
}

// hash-wasm is ~10× faster on the small inputs that dominate block validation (IDs, sighashes,
// merkle nodes) and runs in browsers too; where WebAssembly is unavailable, noble is used.
async function wasmHasher(create: () => Promise<IHasher>): Promise<IHasher | undefined> {
  try {
    return await create()
  } catch {
    return undefined
  }
}
const wasmBlake = await wasmHasher(() => createBLAKE2b(256))
const wasmSha256 = await wasmHasher(() => createSHA256())

/** Unkeyed BLAKE2b with a 32-byte digest over the concatenation of `parts` (spec/rivine.md §2.1). */
export function blake2b256(...parts: Uint8Array[]): Uint8Array {
  if (!wasmBlake) return nobleBlake2b256(...parts)
  wasmBlake.init()
  for (const part of parts) wasmBlake.update(part)
  return wasmBlake.digest('binary')
}

/** `blake2b256Prefixed` over @noble/hashes (where WebAssembly is unavailable, and as its reference). */
export function nobleBlake2b256Prefixed(...prefix: Uint8Array[]): (suffix: Uint8Array) => Uint8Array {
  const base = blake2b.create({ dkLen: HASH_SIZE })
  for (const part of prefix) base.update(part)
  return (suffix) => base.clone().update(suffix).digest()
}

/**
 * `blake2b256(...prefix, suffix)` for many suffixes, hashing the prefix once: output IDs hash the whole
 * transaction with each index (spec §2.4), which would cost outputs × size if each hashed it again.
 */
export function blake2b256Prefixed(...prefix: Uint8Array[]): (suffix: Uint8Array) => Uint8Array {
  if (!wasmBlake) return nobleBlake2b256Prefixed(...prefix)
  wasmBlake.init()
  for (const part of prefix) wasmBlake.update(part)
  const state = wasmBlake.save()
  return (suffix) => {
    // the hasher is shared: each digest restores the saved state first
    wasmBlake.load(state)
    wasmBlake.update(suffix)
    return wasmBlake.digest('binary')
  }
}

export function sha256(data: Uint8Array): Uint8Array {
  if (!wasmSha256) return nobleSha256(data)
  wasmSha256.init()
  wasmSha256.update(data)
  return wasmSha256.digest('binary')
}
