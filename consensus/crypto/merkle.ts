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
