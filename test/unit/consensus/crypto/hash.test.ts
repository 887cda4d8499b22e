import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blake2b256, HASH_SIZE, sha256 } from '../../../../consensus/crypto/index.js'

describe('blake2b256', () => {
  it('matches the known digest of "abc"', () => {
    expect(bytesToHex(blake2b256(utf8ToBytes('abc')))).toBe(
      'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319',
    )
  })

  it('matches the known digest of the empty input, with or without parts', () => {
    const empty = '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8'
    expect(bytesToHex(blake2b256())).toBe(empty)
    expect(bytesToHex(blake2b256(new Uint8Array(0)))).toBe(empty)
    expect(HASH_SIZE).toBe(32)
  })

  it('hashing several parts equals hashing their concatenation', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (parts) => {
        const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
        let offset = 0
        for (const p of parts) {
          joined.set(p, offset)
          offset += p.length
        }
        expect(blake2b256(...parts)).toEqual(blake2b256(joined))
        expect(blake2b256(...parts)).toHaveLength(HASH_SIZE)
      }),
    )
  })
})

describe('sha256', () => {
  it('matches the known digest of "abc"', () => {
    expect(bytesToHex(sha256(utf8ToBytes('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })
})

describe('blake2b256 (WASM) against noble', () => {
  it('agrees on random inputs and part splits', async () => {
    const { nobleBlake2b256 } = await import('../../../../consensus/crypto/hash.js')
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (parts) => {
        expect(bytesToHex(blake2b256(...parts))).toBe(bytesToHex(nobleBlake2b256(...parts)))
      }),
      { numRuns: 500 },
    )
    const big = new Uint8Array(1 << 20).map((_, i) => i * 7)
    expect(bytesToHex(blake2b256(big))).toBe(bytesToHex(nobleBlake2b256(big)))
  })
})

describe('blake2b256Prefixed', () => {
  it('equals blake2b256 of the prefix and each suffix, WASM and noble, with other hashing in between', async () => {
    const { blake2b256Prefixed, nobleBlake2b256Prefixed } = await import(
      '../../../../consensus/crypto/hash.js'
    )
    const parts = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 })
    fc.assert(
      fc.property(
        parts,
        parts,
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 }),
        (a, b, suffixes) => {
          const first = blake2b256Prefixed(...a)
          const second = blake2b256Prefixed(...b)
          const noble = nobleBlake2b256Prefixed(...a)
          for (const s of suffixes) {
            // the WASM hasher is shared: interleaved prefixes and plain hashes must not disturb each other
            expect(bytesToHex(first(s))).toBe(bytesToHex(blake2b256(...a, s)))
            expect(bytesToHex(blake2b256(s))).toBe(bytesToHex(blake2b256(s)))
            expect(bytesToHex(second(s))).toBe(bytesToHex(blake2b256(...b, s)))
            expect(bytesToHex(noble(s))).toBe(bytesToHex(blake2b256(...a, s)))
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
