// spec/rivine.md §3.3: public keys (ed25519 only; the nil algorithm exists for completeness).
import { bytes, type Codec, fixedBytes } from '../encoding/codec.js'
import { DecodeError } from '../encoding/errors.js'
import { equalBytes, fromHex, toHex, utf8 } from '../encoding/hex.js'

export const SignatureAlgorithm = { Nil: 0, Ed25519: 1 } as const
export type SignatureAlgorithm = (typeof SignatureAlgorithm)[keyof typeof SignatureAlgorithm]

export interface PublicKey {
  readonly algorithm: SignatureAlgorithm
  readonly key: Uint8Array
}

/** A 16-byte specifier: ASCII padded with zero bytes (spec §2.2). */
export function specifier(name: string): Uint8Array {
  const out = new Uint8Array(16)
  const b = utf8(name)
  if (b.length > 16) throw new RangeError(`specifier "${name}" is longer than 16 bytes`)
  out.set(b)
  return out
}

const ED25519_SPECIFIER = specifier('ed25519')
const NIL_SPECIFIER = new Uint8Array(16)
const ALGORITHM_NAMES = ['', 'ed25519'] as const

export const ed25519PublicKey = (key: Uint8Array): PublicKey => ({
  algorithm: SignatureAlgorithm.Ed25519,
  key,
})

/** Sia: specifier(16) + length-prefixed key (56 bytes for ed25519); rivbin: algorithm byte + raw 32-byte key. */
export const publicKeyCodec: Codec<PublicKey> = {
  write: (w, pk) => {
    if (w.format === 'sia') {
      w.bytes(pk.algorithm === SignatureAlgorithm.Ed25519 ? ED25519_SPECIFIER : NIL_SPECIFIER)
      bytes.write(w, pk.key)
      return
    }
    w.byte(pk.algorithm)
    if (pk.algorithm === SignatureAlgorithm.Ed25519) fixedBytes(32).write(w, pk.key)
    // the nil algorithm has no key in this form: bytes would be dropped, and the bytes hashed would differ
    else if (pk.key.length !== 0) throw new RangeError('a nil public key has no key bytes in the rivbin form')
  },
  read: (r) => {
    if (r.format === 'sia') {
      const spec = r.bytes(16)
      const key = bytes.read(r)
      if (equalBytes(spec, ED25519_SPECIFIER)) return { algorithm: SignatureAlgorithm.Ed25519, key }
      if (equalBytes(spec, NIL_SPECIFIER)) return { algorithm: SignatureAlgorithm.Nil, key }
      throw new DecodeError('unknown-type', 'unknown signature algorithm specifier')
    }
    const algorithm = r.byte()
    if (algorithm === SignatureAlgorithm.Ed25519) return { algorithm, key: r.bytes(32) }
    if (algorithm === SignatureAlgorithm.Nil) return { algorithm, key: new Uint8Array(0) }
    throw new DecodeError('unknown-type', `unknown signature algorithm ${algorithm}`)
  },
}

/** `"ed25519:<hex>"`; the nil algorithm prints as `":<hex>"`. */
export function publicKeyToString(pk: PublicKey): string {
  return `${ALGORITHM_NAMES[pk.algorithm]}:${toHex(pk.key)}`
}

export function parsePublicKey(text: unknown, field?: string): PublicKey {
  if (typeof text !== 'string') throw new DecodeError('invalid-json', 'expected a public key string', field)
  const colon = text.indexOf(':')
  if (colon < 0) throw new DecodeError('invalid-value', 'public key must look like "ed25519:<hex>"', field)
  const name = text.slice(0, colon)
  const key = fromHex(text.slice(colon + 1), undefined, field)
  if (name === 'ed25519') return { algorithm: SignatureAlgorithm.Ed25519, key }
  if (name === '') return { algorithm: SignatureAlgorithm.Nil, key }
  throw new DecodeError('unknown-type', `unknown signature algorithm "${name}"`, field)
}

export function publicKeyEquals(a: PublicKey, b: PublicKey): boolean {
  return a.algorithm === b.algorithm && equalBytes(a.key, b.key)
}
