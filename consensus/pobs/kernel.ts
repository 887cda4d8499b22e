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
  const first = height - delay // s for i = 0
  // below genesis the digests depend only on where the accumulation starts: at −1 for every block at
  // height ≥ delay (shared and computed once), at `first` for the few blocks below it
  const below = first >= -1 ? SUB_GENESIS : subGenesisDigests(first, 256)
  const belowStart = Math.min(first, -1)
  let lastHeight = Number.NaN
  let source: Uint8Array = modifier
  for (let i = 0; i < 256; i++) {
    const s = first - i
    if (s >= 0) {
      if (s !== lastHeight) source = ancestorId(s)
    } else {
      source = below[belowStart - s]!
    }
    lastHeight = s
    // bit i of a big-endian 32-byte value: byte 31 − ⌊i/8⌋, bit i mod 8 (spec §6.2)
    const byte = 31 - (i >> 3)
    const mask = 1 << (i & 7)
    modifier[byte]! |= source[byte]! & mask
  }
  return modifier
}

/**
 * The sub-genesis digests for s = start, start − 1, … (`count` of them): SHA-256 over "genesis<start>",
 * then over "genesis<start>genesis<start − 1>", and so on. One streaming hash, cloned at every step.
 */
function subGenesisDigests(start: number, count: number): Uint8Array[] {
  const buffer = nobleSha256.create()
  const out: Uint8Array[] = []
  for (let s = start; out.length < count; s--) {
    buffer.update(utf8(`genesis${s}`))
    out.push(buffer.clone().digest())
  }
  return out
}

/** Starting at −1: what every block at height ≥ the delay uses. */
const SUB_GENESIS = subGenesisDigests(-1, 256)

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
