// Signature checks of the light client: the strict encoding rules (DESIGN §2) run at once, the cofactorless
// equation later and in parallel, by WebCrypto Ed25519 where the runtime has it (OpenSSL in Node, BoringSSL
// in Chromium: both cofactorless) and by the project's noble verifier otherwise. The same deferral the node
// uses for blocks (node/chain/verify.ts; `DeferredVerifier` itself is in consensus/crypto/ed25519.ts).
import { DeferredVerifier, nobleEd25519, type SignatureCheck } from '../consensus/crypto/ed25519.js'
import { toHex } from '../consensus/encoding/hex.js'

export { DeferredVerifier, type SignatureCheck }

/** Verifies recorded checks (their strict rules already passed); one boolean per check. */
export interface SignatureBackend {
  readonly name: 'webcrypto' | 'noble'
  verify(checks: readonly SignatureCheck[]): Promise<boolean[]>
}

export const nobleBackend: SignatureBackend = {
  name: 'noble',
  verify: async (checks) => checks.map((c) => nobleEd25519.verify(c.publicKey, c.message, c.signature)),
}

/** The part of WebCrypto's SubtleCrypto used here (the project's typings have no DOM library). */
interface Subtle {
  importKey(
    format: 'raw',
    key: Uint8Array,
    algorithm: { name: 'Ed25519' },
    extractable: boolean,
    usages: string[],
  ): Promise<unknown>
  verify(
    algorithm: { name: 'Ed25519' },
    key: unknown,
    signature: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>
}

// a copy on its own ArrayBuffer: WebCrypto's typings want BufferSource over a plain ArrayBuffer
const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/** Most imported keys kept: a chain has few block creators, so their keys are imported once. */
const MAX_KEYS = 1024

function webCryptoBackend(subtle: Subtle): SignatureBackend {
  const keys = new Map<string, Promise<unknown>>()
  const importKey = (publicKey: Uint8Array): Promise<unknown> => {
    const k = toHex(publicKey)
    let key = keys.get(k)
    if (!key) {
      key = subtle.importKey('raw', own(publicKey), { name: 'Ed25519' }, false, ['verify'])
      // a refused import is not kept
      key.catch(() => keys.delete(k))
      keys.set(k, key)
      if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value!)
    }
    return key
  }
  return {
    name: 'webcrypto',
    verify: (checks) =>
      Promise.all(
        checks.map(async (c) => {
          try {
            const key = await importKey(c.publicKey)
            return await subtle.verify({ name: 'Ed25519' }, key, own(c.signature), own(c.message))
          } catch {
            return false
          }
        }),
      ),
  }
}

/**
 * WebCrypto when it verifies a known signature correctly and refuses a tampered one (a runtime without
 * Ed25519, or with a lenient one, gets noble), else noble.
 */
export async function chooseSignatureBackend(prefer?: 'webcrypto' | 'noble'): Promise<SignatureBackend> {
  if (prefer === 'noble') return nobleBackend
  const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle
  if (!subtle) {
    if (prefer === 'webcrypto') throw new Error('this runtime has no WebCrypto')
    return nobleBackend
  }
  const web = webCryptoBackend(subtle)
  const seed = new Uint8Array(32).fill(7)
  const message = new Uint8Array([1, 2, 3])
  const publicKey = nobleEd25519.publicKeyFromSeed(seed)
  const signature = nobleEd25519.sign(seed, message)
  const tampered = signature.slice()
  tampered[0]! ^= 1
  const [good, bad] = await web.verify([
    { publicKey, message, signature },
    { publicKey, message, signature: tampered },
  ])
  if (good && !bad) return web
  if (prefer === 'webcrypto') throw new Error('this runtime has no usable WebCrypto Ed25519')
  return nobleBackend
}
