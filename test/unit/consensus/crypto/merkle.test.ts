// Merkle inclusion proofs over the block tree of spec/rivine.md §2.5 (RFC 6962 shape): every leaf of every
// tree size round-trips, and every tampering (a hash, the index, the count, a missing or extra hash) fails.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import {
  merkleLeafHash,
  merkleNodeHash,
  merkleProof,
  merkleRoot,
  merkleRootFromProof,
  merkleRootOfHashes,
} from '../../../../consensus/crypto/merkle.js'
import { equalBytes, toHex } from '../../../../consensus/encoding/hex.js'

const leaves = (n: number) => Array.from({ length: n }, (_, i) => merkleLeafHash(new Uint8Array([i, i >> 8])))

describe('merkle inclusion proofs', () => {
  it('every leaf of trees of 1 to 70 leaves proves against the root', () => {
    for (let n = 1; n <= 70; n++) {
      const hashes = leaves(n)
      const root = merkleRootOfHashes(hashes)
      for (let i = 0; i < n; i++) {
        const path = merkleProof(hashes, i)
        expect(path.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)))
        expect(toHex(merkleRootFromProof(hashes[i]!, i, n, path)!), `leaf ${i} of ${n}`).toBe(toHex(root))
      }
    }
  })

  it('follows the tree shape of the spec: with 3 leaves the root is node(node(L0,L1), L2)', () => {
    const [a, b, c] = leaves(3) as [Uint8Array, Uint8Array, Uint8Array]
    expect(merkleProof([a, b, c], 2)).toEqual([merkleNodeHash(a, b)])
    expect(merkleProof([a, b, c], 0)).toEqual([b, c])
    expect(toHex(merkleRootFromProof(c, 2, 3, [merkleNodeHash(a, b)])!)).toBe(
      toHex(merkleRoot([0, 1, 2].map((i) => new Uint8Array([i, 0])))),
    )
  })

  it('a one-leaf tree has an empty proof and its root is the leaf hash', () => {
    const [a] = leaves(1) as [Uint8Array]
    expect(merkleProof([a], 0)).toEqual([])
    expect(merkleRootFromProof(a, 0, 1, [])).toEqual(a)
  })

  it('refuses to build a proof for a leaf outside the tree', () => {
    expect(() => merkleProof(leaves(3), 3)).toThrow(/leaf 3 is not in a tree of 3/)
    expect(() => merkleProof(leaves(3), -1)).toThrow(RangeError)
    expect(() => merkleProof([], 0)).toThrow(RangeError)
  })

  it('every tampering leads elsewhere or nowhere', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat(255),
        (n, iSeed, hSeed, bit) => {
          const hashes = leaves(n)
          const i = iSeed % n
          const root = merkleRootOfHashes(hashes)
          const path = merkleProof(hashes, i)
          const proves = (leaf: Uint8Array, index: number, count: number, p: readonly Uint8Array[]) => {
            const r = merkleRootFromProof(leaf, index, count, p)
            return r !== undefined && equalBytes(r, root)
          }
          expect(proves(hashes[i]!, i, n, path)).toBe(true)
          // another leaf
          expect(proves(blake2b256(hashes[i]!), i, n, path)).toBe(false)
          // a flipped bit in one path hash
          if (path.length > 0) {
            const j = hSeed % path.length
            const bad = path.map((h, k) =>
              k === j ? h.map((b, x) => (x === bit % 32 ? b ^ (1 << (bit % 8)) : b)) : h,
            )
            expect(proves(hashes[i]!, i, n, bad)).toBe(false)
          }
          // the same leaf and path claimed at another index
          const other = (i + 1 + (hSeed % (n - 1))) % n
          expect(proves(hashes[i]!, other, n, path)).toBe(false)
          // a missing or an extra hash
          expect(proves(hashes[i]!, i, n, path.slice(1))).toBe(false)
          expect(proves(hashes[i]!, i, n, [...path, root])).toBe(false)
          // an index outside the tree
          expect(merkleRootFromProof(hashes[i]!, n, n, path)).toBeUndefined()
        },
      ),
      { numRuns: 300 },
    )
  })

  it('a count that changes the shape does not verify', () => {
    // leaf 4 of 5 sits right under the root; in a tree of 8 it would need three siblings
    const hashes = leaves(5)
    const path = merkleProof(hashes, 4)
    expect(path.length).toBe(1)
    expect(merkleRootFromProof(hashes[4]!, 4, 8, path)).toBeUndefined()
    expect(merkleRootFromProof(hashes[4]!, 4, 0, path)).toBeUndefined()
    expect(merkleRootFromProof(hashes[4]!, 4, 5, [new Uint8Array(31)])).toBeUndefined()
  })
})
