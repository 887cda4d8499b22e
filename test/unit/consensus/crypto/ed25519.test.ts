import { createPublicKey, verify as opensslVerify } from 'node:crypto'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex, concatBytes, hexToBytes, randomBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { checkStrictEncoding, type Ed25519, nobleEd25519 } from '../../../../consensus/crypto/index.js'

const { Point } = ed
const L = Point.CURVE().n
const P = Point.CURVE().p
const implementations: readonly Ed25519[] = [nodeEd25519, nobleEd25519]

const numberLE = (bytes: Uint8Array): bigint => BigInt(`0x${bytesToHex(bytes.slice().reverse()) || '0'}`)
const bytesLE = (n: bigint): Uint8Array => hexToBytes(n.toString(16).padStart(64, '0')).reverse()
const flipBit = (bytes: Uint8Array, bit: number): Uint8Array => {
  const out = bytes.slice()
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7)
  return out
}
const msg = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Both verifiers must give the same answer; returns it. */
function agreedVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const byNode = nodeEd25519.verify(publicKey, message, signature)
  const byNoble = nobleEd25519.verify(publicKey, message, signature)
  expect(byNode, `node/noble disagree on A=${bytesToHex(publicKey)} sig=${bytesToHex(signature)}`).toBe(
    byNoble,
  )
  return byNode
}

/** The 8-torsion subgroup, generated from a point of order 8. */
const ORDER_8 = Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05')
const TORSION = Array.from({ length: 8 }, (_, i) => (i === 0 ? Point.ZERO : ORDER_8.multiply(BigInt(i))))

/** A signer that knows its scalar, to craft signatures with an arbitrary nonce point. */
function signer(seed: Uint8Array) {
  const { scalar, pointBytes } = ed.utils.getExtendedPublicKey(seed)
  return {
    publicKey: pointBytes,
    /** S = r + H(R || A || M)·a for an explicit R = [r]B + torsion, encoded as `rBytes` if given */
    signWithNonce(message: Uint8Array, r: bigint, torsion = Point.ZERO, A = pointBytes, rBytes?: Uint8Array) {
      const R = rBytes ?? Point.BASE.multiply(r).add(torsion).toBytes()
      const k = numberLE(sha512(concatBytes(R, A, message))) % L
      return { signature: concatBytes(R, bytesLE((r + k * scalar) % L)), k }
    },
  }
}

describe('RFC 8032 test vectors', () => {
  const vectors = [
    {
      name: 'TEST 1',
      secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      message: '',
      signature:
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    },
    {
      name: 'TEST 2',
      secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      message: '72',
      signature:
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    },
  ]
  for (const v of vectors) {
    for (const impl of implementations) {
      it(`${v.name} with ${impl.name}`, () => {
        const seed = hexToBytes(v.secret)
        const message = hexToBytes(v.message)
        expect(bytesToHex(impl.publicKeyFromSeed(seed))).toBe(v.public)
        expect(bytesToHex(impl.sign(seed, message))).toBe(v.signature)
        expect(impl.verify(hexToBytes(v.public), message, hexToBytes(v.signature))).toBe(true)
      })
    }
  }
})

describe('differential: node:crypto and noble agree', () => {
  it('on ≥ 1000 random valid and one-bit-mutated cases, and produce identical keys and signatures', () => {
    let cases = 0
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        (seed, message, bit) => {
          const publicKey = nodeEd25519.publicKeyFromSeed(seed)
          expect(nobleEd25519.publicKeyFromSeed(seed)).toEqual(publicKey)
          const signature = nodeEd25519.sign(seed, message)
          expect(nobleEd25519.sign(seed, message)).toEqual(signature)

          expect(agreedVerify(publicKey, message, signature)).toBe(true)
          expect(agreedVerify(publicKey, message, flipBit(signature, bit % 512))).toBe(false)
          expect(agreedVerify(flipBit(publicKey, bit % 256), message, signature)).toBe(false)
          const mutatedMessage = message.length > 0 ? flipBit(message, bit) : Uint8Array.of(0)
          expect(agreedVerify(publicKey, mutatedMessage, signature)).toBe(false)
          cases += 4
        },
      ),
      { numRuns: 260 },
    )
    expect(cases).toBeGreaterThanOrEqual(1000)
  })

  it('on arbitrary bytes of near-valid lengths, without throwing', () => {
    const lengths = (n: number) => fc.integer({ min: n - 1, max: n + 1 })
    fc.assert(
      fc.property(
        lengths(32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        lengths(64).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.uint8Array({ maxLength: 40 }),
        (publicKey, signature, message) => {
          expect(agreedVerify(publicKey, message, signature)).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('on non-deterministic nonces: valid when R has no torsion', () => {
    for (let i = 0; i < 20; i++) {
      const s = signer(randomBytes(32))
      const message = randomBytes(i)
      const { signature } = s.signWithNonce(message, numberLE(randomBytes(32)) % L || 1n)
      expect(agreedVerify(s.publicKey, message, signature)).toBe(true)
    }
  })

  it('on R with a torsion component: rejected by both, although noble zip215:false (cofactored) accepts', () => {
    for (const torsion of TORSION.slice(1)) {
      const s = signer(randomBytes(32))
      const message = msg('torsion in R')
      const { signature } = s.signWithNonce(message, numberLE(randomBytes(32)) % L || 1n, torsion)
      expect(ed.verify(signature, message, s.publicKey, { zip215: false })).toBe(true)
      expect(agreedVerify(s.publicKey, message, signature)).toBe(false)
    }
  })

  it('on mixed-order public keys (A + torsion): both apply the cofactorless equation', () => {
    let accepted = 0
    for (let i = 0; i < 48; i++) {
      const torsion = TORSION[1 + (i % 7)]!
      const s = signer(randomBytes(32))
      const mixedKey = Point.fromBytes(s.publicKey).add(torsion).toBytes()
      const message = randomBytes(16)
      const { signature, k } = s.signWithNonce(
        message,
        numberLE(randomBytes(32)) % L || 1n,
        Point.ZERO,
        mixedKey,
      )
      // cofactorless holds iff [k]T = 0
      const expected = torsion.multiply(k, false).is0()
      expect(agreedVerify(mixedKey, message, signature)).toBe(expected)
      if (expected) accepted++
    }
    expect(accepted).toBeLessThan(48)
  })
})

describe('crafted edge cases: both reject', () => {
  const seed = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')
  const publicKey = nobleEd25519.publicKeyFromSeed(seed)
  const message = msg('edge')
  const signature = nobleEd25519.sign(seed, message)
  const identity = hexToBytes('0100000000000000000000000000000000000000000000000000000000000000')
  const zero32 = new Uint8Array(32)
  const withS = (sig: Uint8Array, s: bigint) => concatBytes(sig.subarray(0, 32), bytesLE(s))
  const encodeY = (y: bigint, sign = false) => {
    const out = bytesLE(y)
    if (sign) out[31]! |= 0x80
    return out
  }

  it('identity public key with R = identity and S = 0 (which raw OpenSSL 3.0 accepts for any message)', () => {
    // why the pre-check exists: OpenSSL 3.0 (Node 20) accepts this forgery for any message and OpenSSL 3.5
    // (Node 22 and 24 as built today) refuses it, so what a node accepts must not be left to its OpenSSL
    const forged = concatBytes(identity, zero32)
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), identity])
    const raw = createPublicKey({ key: spki, format: 'der', type: 'spki' })
    const openssl = process.versions.openssl ?? ''
    if (openssl.startsWith('3.0.')) expect(opensslVerify(null, message, raw, forged)).toBe(true)
    expect(agreedVerify(identity, message, forged)).toBe(false)
    expect(agreedVerify(identity, msg('anything else'), forged)).toBe(false)
  })

  it('every small-order point as public key', () => {
    for (const T of TORSION) {
      const A = T.toBytes()
      expect(checkStrictEncoding(A, signature)).toBe(false)
      for (const R of TORSION) {
        expect(agreedVerify(A, message, concatBytes(R.toBytes(), zero32))).toBe(false)
      }
      expect(agreedVerify(A, message, signature)).toBe(false)
    }
  })

  it('exactly the 8 torsion points are refused as small order, other points are not', () => {
    const rejected = TORSION.map((T) => bytesToHex(T.toBytes()))
    expect(new Set(rejected).size).toBe(8)
    for (const T of TORSION) expect(T.isSmallOrder()).toBe(true)
    for (let i = 0; i < 30; i++) {
      const A = Point.fromBytes(nobleEd25519.publicKeyFromSeed(randomBytes(32))).add(TORSION[i % 8]!)
      expect(checkStrictEncoding(A.toBytes(), signature)).toBe(true)
    }
  })

  it('S ≥ L: valid signature with L added to S, S = L, S = 2^256 - 1', () => {
    const s = numberLE(signature.subarray(32))
    expect(agreedVerify(publicKey, message, signature)).toBe(true)
    expect(agreedVerify(publicKey, message, withS(signature, s + L))).toBe(false)
    expect(agreedVerify(publicKey, message, withS(signature, L))).toBe(false)
    expect(agreedVerify(publicKey, message, withS(signature, (1n << 256n) - 1n))).toBe(false)
    expect(checkStrictEncoding(publicKey, withS(signature, s + L))).toBe(false)
    expect(checkStrictEncoding(publicKey, withS(signature, L))).toBe(false)
    expect(checkStrictEncoding(publicKey, withS(signature, L - 1n))).toBe(true)
  })

  it('non-canonical R: y = p + k, and x = 0 with the sign bit set', () => {
    const s = signer(seed)
    for (const rBytes of [
      encodeY(P + 1n),
      encodeY(P),
      encodeY(P + 3n),
      encodeY(1n, true),
      encodeY(P - 1n, true),
    ]) {
      // S = k·a makes the cofactored equation hold for a small-order R: ZIP-215 would accept
      const { signature: crafted } = s.signWithNonce(message, 0n, Point.ZERO, s.publicKey, rBytes)
      expect(agreedVerify(publicKey, message, crafted)).toBe(false)
    }
    expect(
      ed.verify(
        s.signWithNonce(message, 0n, Point.ZERO, s.publicKey, encodeY(P + 1n)).signature,
        message,
        publicKey,
      ),
    ).toBe(true)
  })

  it('non-canonical A: y = p + k, and x = 0 with the sign bit set', () => {
    const noncanonicalIdentity = encodeY(P + 1n)
    // noble's default (ZIP-215) accepts this pair for any message
    const forged = concatBytes(noncanonicalIdentity, zero32)
    expect(ed.verify(forged, message, noncanonicalIdentity)).toBe(true)
    expect(agreedVerify(noncanonicalIdentity, message, forged)).toBe(false)
    for (const A of [
      encodeY(P + 3n),
      encodeY(P + 4n),
      encodeY(P + 18n),
      encodeY(1n, true),
      encodeY(P - 1n, true),
    ]) {
      expect(checkStrictEncoding(A, signature)).toBe(false)
      expect(agreedVerify(A, message, signature)).toBe(false)
      expect(agreedVerify(A, message, concatBytes(identity, zero32))).toBe(false)
    }
  })

  it('wrong lengths and the all-zero signature', () => {
    expect(agreedVerify(publicKey.subarray(0, 31), message, signature)).toBe(false)
    expect(agreedVerify(concatBytes(publicKey, Uint8Array.of(0)), message, signature)).toBe(false)
    expect(agreedVerify(publicKey, message, signature.subarray(0, 63))).toBe(false)
    expect(agreedVerify(publicKey, message, concatBytes(signature, Uint8Array.of(0)))).toBe(false)
    expect(agreedVerify(publicKey, message, new Uint8Array(64))).toBe(false)
    expect(agreedVerify(new Uint8Array(0), message, new Uint8Array(0))).toBe(false)
  })

  it('signing with a seed of the wrong length throws a RangeError', () => {
    for (const impl of implementations) {
      expect(() => impl.sign(new Uint8Array(31), message)).toThrow(RangeError)
      expect(() => impl.publicKeyFromSeed(new Uint8Array(33))).toThrow(RangeError)
    }
  })
})
