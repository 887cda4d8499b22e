import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'

// noble v3 needs a synchronous SHA-512 for sign/getPublicKey
ed.hashes.sha512 = sha512

export const PUBLIC_KEY_SIZE = 32
export const SIGNATURE_SIZE = 64
export const SEED_SIZE = 32

export interface Ed25519 {
  readonly name: string
  /** RFC 8032 public key for a 32-byte secret seed */
  publicKeyFromSeed(seed: Uint8Array): Uint8Array
  /** deterministic RFC 8032 signature (64 bytes) */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array
  /** consensus verification: strict rules of DESIGN §2 */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
}

const { Point } = ed
const L = Point.CURVE().n
const P = Point.CURVE().p

/** The 8 points of order dividing 8, in their only canonical encodings (x=0 with sign bit is non-canonical). */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
].map((hex) => ed.etc.hexToBytes(hex))

/** Little-endian bytes to bigint. */
function numberLE(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** `n` as 32 little-endian bytes. */
function bytesLE32(n: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn)
  return out
}

const P_BYTES = bytesLE32(P)
const L_BYTES = bytesLE32(L)
const ONE_BYTES = bytesLE32(1n)
const P_MINUS_ONE_BYTES = bytesLE32(P - 1n)

/**
 * Compares two 32-byte little-endian numbers from the most significant byte (no BigInt: this runs for
 * every signature of every block); `topMask` applies to `a`'s last byte (0x7f drops a sign bit).
 */
function compareLE32(a: Uint8Array, b: Uint8Array, topMask = 0xff): number {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 ? a[i]! & topMask : a[i]!
    const y = b[i]!
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** A 32-byte point encoding is canonical iff y < p (sign bit cleared) and it is not x=0 with the sign bit set. */
function isCanonicalPoint(encoding: Uint8Array): boolean {
  if (compareLE32(encoding, P_BYTES, 0x7f) >= 0) return false
  // x = 0 exactly for y = 1 (identity) and y = p-1 (order 2); their sign bit must be 0
  const signBit = (encoding[31]! & 0x80) !== 0
  return !(
    signBit &&
    (compareLE32(encoding, ONE_BYTES, 0x7f) === 0 || compareLE32(encoding, P_MINUS_ONE_BYTES, 0x7f) === 0)
  )
}

/**
 * Consensus pre-check shared by every verifier, DESIGN §2 (strict departure from spec/rivine.md §2.8.4):
 * 32-byte key, 64-byte signature, S < L, canonical A and R, A not of small order.
 * After this, every implementation checks the same cofactorless equation, so they cannot disagree.
 */
export function checkStrictEncoding(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_SIZE || signature.length !== SIGNATURE_SIZE) return false
  if (compareLE32(signature.subarray(32, 64), L_BYTES) >= 0) return false
  if (!isCanonicalPoint(publicKey) || !isCanonicalPoint(signature.subarray(0, 32))) return false
  // canonical small-order points have exactly these 8 encodings
  return !SMALL_ORDER_ENCODINGS.some((e) => bytesEqual(e, publicKey))
}

function assertSeed(seed: Uint8Array): void {
  if (seed.length !== SEED_SIZE)
    throw new RangeError(`ed25519: seed must be ${SEED_SIZE} bytes, got ${seed.length}`)
}

/** Browser-safe implementation over @noble/ed25519. */
export const nobleEd25519: Ed25519 = {
  name: 'noble',
  publicKeyFromSeed(seed) {
    assertSeed(seed)
    return ed.getPublicKey(seed)
  },
  sign(seed, message) {
    assertSeed(seed)
    return ed.sign(message, seed)
  },
  verify(publicKey, message, signature) {
    if (!checkStrictEncoding(publicKey, signature)) return false
    try {
      const A = Point.fromBytes(publicKey, false)
      const r = signature.subarray(0, 32)
      const s = numberLE(signature.subarray(32, 64))
      const k = numberLE(sha512(ed.etc.concatBytes(r, publicKey, message))) % L
      // Cofactorless, like OpenSSL: [S]B - [k]A must encode to exactly R. noble's own verify is
      // cofactored even with zip215:false, which accepts R with a torsion component that OpenSSL rejects.
      const check = Point.BASE.multiply(s, false).subtract(A.multiply(k, false))
      return bytesEqual(check.toBytes(), r)
    } catch {
      return false // A is not on the curve
    }
  },
}

/** A signature whose strict encoding rules passed and whose equation is still to be checked. */
export interface SignatureCheck {
  readonly publicKey: Uint8Array
  readonly message: Uint8Array
  readonly signature: Uint8Array
}

/**
 * An `Ed25519` whose `verify` applies the strict encoding rules at once and records the signature for a
 * later batch check (the node's WebCrypto batches, the light client's backends). Rules run with it stay
 * exactly the rules; only the final equation is deferred.
 */
export class DeferredVerifier implements Ed25519 {
  readonly name = 'deferred'
  readonly checks: SignatureCheck[] = []
  publicKeyFromSeed(): Uint8Array {
    throw new Error('a deferred verifier cannot derive keys')
  }
  sign(): Uint8Array {
    throw new Error('a deferred verifier cannot sign')
  }
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (!checkStrictEncoding(publicKey, signature)) return false
    this.checks.push({ publicKey, message, signature })
    return true
  }
}
