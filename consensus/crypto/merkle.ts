// spec/rivine.md §2.5: NebulousLabs merkle tree over blake2b-256 (RFC 6962 shape).
import { blake2b256 } from './hash.js'

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])

export const merkleLeafHash = (data: Uint8Array): Uint8Array => blake2b256(LEAF, data)
export const merkleNodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array =>
  blake2b256(NODE, left, right)

/** Root over already-hashed leaves; the left subtree is the largest power of two below the count. */
export function merkleRootOfHashes(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return new Uint8Array(32)
  // Fold like a binary counter (stack of perfect subtrees), which yields the RFC 6962 shape.
  const stack: { h: Uint8Array; height: number }[] = []
  for (const h of hashes) {
    let node = { h, height: 0 }
    while (stack.length > 0 && stack[stack.length - 1]!.height === node.height) {
      const left = stack.pop()!
      node = { h: merkleNodeHash(left.h, node.h), height: node.height + 1 }
    }
    stack.push(node)
  }
  let root = stack.pop()!.h
  while (stack.length > 0) root = merkleNodeHash(stack.pop()!.h, root)
  return root
}

/** Root over raw leaf data. */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return merkleRootOfHashes(leaves.map(merkleLeafHash))
}

/** Segment size of the reference's generic data merkle trees (`crypto.SegmentSize`). */
export const SEGMENT_SIZE = 64

/** Leaves of a generic data tree over `dataSize` bytes: one per started segment, at least one. */
export function calculateLeaves(dataSize: number): number {
  return Math.max(1, Math.ceil(dataSize / SEGMENT_SIZE))
}

// ---- inclusion proofs (not in the reference, which has no SPV: spec/rivine.md §9) --------------------

/** The root of `hashes[from, to)` (a subtree of the RFC 6962 shape). */
function subtreeRoot(hashes: readonly Uint8Array[], from: number, to: number): Uint8Array {
  return merkleRootOfHashes(hashes.slice(from, to))
}

/** Largest power of two strictly smaller than `n` (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/**
 * The inclusion proof of leaf `index` among `hashes` (leaf hashes): the sibling subtree roots from the leaf
 * up to the root, nearest first (RFC 9162 §2.1.3.1 `PATH`, whose tree shape the root above has).
 */
export function merkleProof(hashes: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= hashes.length)
    throw new RangeError(`leaf ${index} is not in a tree of ${hashes.length} leaves`)
  const path: Uint8Array[] = []
  let from = 0
  let to = hashes.length
  // walk down from the root; the siblings met are collected top first, then reversed
  while (to - from > 1) {
    const k = splitPoint(to - from)
    if (index < from + k) {
      path.push(subtreeRoot(hashes, from + k, to))
      to = from + k
    } else {
      path.push(subtreeRoot(hashes, from, from + k))
      from += k
    }
  }
  return path.reverse()
}

/**
 * The root that `path` leads to from `leafHash` at `index` in a tree of `leafCount` leaves (RFC 9162
 * §2.1.3.2), or undefined when the path does not fit that position (too short, too long, or the index is
 * outside the tree). The caller compares the result with the root it trusts.
 */
export function merkleRootFromProof(
  leafHash: Uint8Array,
  index: number,
  leafCount: number,
  path: readonly Uint8Array[],
): Uint8Array | undefined {
  if (!Number.isSafeInteger(leafCount) || leafCount < 1) return undefined
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafCount) return undefined
  // fn: the node's index at this level; sn: the last index at this level (bigint-free: both < 2^53)
  let fn = index
  let sn = leafCount - 1
  let r = leafHash
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r)
      // a right-edge node with no sibling at this level moves up without hashing
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)]
    } else r = merkleNodeHash(r, p)
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : undefined
}
