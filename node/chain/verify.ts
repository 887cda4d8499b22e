// Signature checks of a block, verified in parallel: OpenSSL through WebCrypto runs on libuv's thread
// pool, so a block's signatures use every core (DESIGN §2: same OpenSSL verification, same strict
// pre-checks as `nodeEd25519`).
import { webcrypto } from 'node:crypto'
import { DeferredVerifier, type SignatureCheck } from '../../consensus/crypto/ed25519.js'

export { DeferredVerifier, type SignatureCheck }

const subtle = webcrypto.subtle
const keyCache = new Map<string, Promise<webcrypto.CryptoKey>>()

function importKey(publicKey: Uint8Array): Promise<webcrypto.CryptoKey> {
  const k = Buffer.from(publicKey).toString('hex')
  let key = keyCache.get(k)
  if (!key) {
    key = subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify'])
    keyCache.set(k, key)
    if (keyCache.size > 4096) keyCache.delete(keyCache.keys().next().value!)
  }
  return key
}

/**
 * Signature checks that verified lately (the key, message and signature bytes as one string), so a
 * transaction's signatures are verified once: when it enters the pool, not again in the block that
 * includes it (nor for each node that relays it to us). The same bytes always give the same answer, and
 * only a success is remembered. Bounded: the oldest half is dropped when it is full.
 */
const verified = new Set<string>()
/** About 25 MB at most (a 128-character string each): a pool of 60,000 one-input transfers. */
export const MAX_VERIFIED_SIGNATURES = 65_536

const checkKey = (c: SignatureCheck): string =>
  Buffer.concat([c.publicKey, c.signature, c.message]).toString('latin1')

function rememberVerified(key: string): void {
  if (verified.size >= MAX_VERIFIED_SIGNATURES) {
    let drop = verified.size / 2
    for (const k of verified) {
      if (drop-- <= 0) break
      verified.delete(k)
    }
  }
  verified.add(key)
}

/** True when every signature verifies (cofactorless, via OpenSSL); checks run concurrently. */
export async function verifyAll(checks: readonly SignatureCheck[]): Promise<boolean> {
  if (checks.length === 0) return true
  const unverified = checks
    .map((check) => ({ check, key: checkKey(check) }))
    .filter(({ key }) => !verified.has(key))
  if (unverified.length === 0) return true
  try {
    const results = await Promise.all(
      unverified.map(async ({ check: c }) =>
        subtle.verify({ name: 'Ed25519' }, await importKey(c.publicKey), c.signature, c.message),
      ),
    )
    for (const [i, ok] of results.entries()) if (ok) rememberVerified(unverified[i]!.key)
    return results.every(Boolean)
  } catch {
    return false
  }
}
