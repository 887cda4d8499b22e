// spec/rivine.md §6.1–6.2: the stake modifier and the PoBS kernel.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { blake2b256 } from '../crypto/hash.js'
import { bigintToBytes, bytesToBigint, utf8 } from '../encoding/hex.js'
import type { BlockStakeOutputIndexes } from '../types/block.js'
import { u64le } from '../types/unlockhash.js'
import type { Target } from './target.js'

/**
 * The stake modifier of a block at `height` (spec §6.2): bit i is bit i of the ID of the ancestor at
 * height `height − delay − i`, or, below genesis, of SHA-256 over an accumulating "genesis<s>" buffer.
 * `ancestorId(h)` returns the ID of the block at height h on the new block's branch.
 */
export function stakeModifier(
  height: number,
  delay: number,
  ancestorId: (height: number) => Uint8Array,
): Uint8Array {
  const modifier = new Uint8Array(32)
  // the sub-genesis buffer only grows, so one streaming SHA-256 is cloned at every step (O(n), not O(n²))
  const buffer = nobleSha256.create()
  let lastHeight = Number.NaN
  let source: Uint8Array = modifier
  for (let i = 0; i < 256; i++) {
    const s = height - delay - i
    if (s >= 0) {
      if (s !== lastHeight) source = ancestorId(s)
    } else {
      buffer.update(utf8(`genesis${s}`))
      source = buffer.clone().digest()
    }
    lastHeight = s
    // bit i of a big-endian 32-byte value: byte 31 − ⌊i/8⌋, bit i mod 8 (spec §6.2)
    const byte = 31 - (i >> 3)
    const mask = 1 << (i & 7)
    modifier[byte]! |= source[byte]! & mask
  }
  return modifier
}

/** `H(u64le(len(m)) || m || u64le(bh) || u64le(ti) || u64le(oi) || u64le(t))`, m minimal big-endian (spec §6.1). */
export function kernelHash(
  stakeModifier: Uint8Array,
  output: BlockStakeOutputIndexes,
  timestamp: number,
): Uint8Array {
  const m = bigintToBytes(bytesToBigint(stakeModifier))
  return blake2b256(
    u64le(m.length),
    m,
    u64le(output.blockHeight),
    u64le(output.transactionIndex),
    u64le(output.outputIndex),
    u64le(timestamp),
  )
}

/** The kernel inequality: `floor(int(hash) / value) < target` (spec §6.1). */
export function kernelMeetsTarget(hash: Uint8Array, value: bigint, target: Target): boolean {
  if (value <= 0n) return false
  return bytesToBigint(hash) / value < target
}
