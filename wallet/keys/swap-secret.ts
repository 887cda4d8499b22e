// Atomic swap secrets kept in the wallet file (docs/wallet.md): each secret encrypted with AES-256-GCM under a
// key derived from the wallet seed, its hashed secret bound as associated data, so a secret opens only with
// the seed (the passphrase) and cannot be moved onto another contract's record. Browser-safe (WebCrypto).
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { fromHex, toHex, utf8 } from '../../consensus/encoding/hex.js'
import { KeystoreError } from './keystore.js'
import { assertWalletSeed } from './seed.js'

/** A secret as the wallet file stores it. */
export interface EncryptedSwapSecret {
  /** SHA-256 of the secret (hex): what the contract carries, and the record's name. */
  readonly hashedSecret: string
  readonly iv: string
  /** The 32-byte secret encrypted, with the 16-byte GCM tag appended (hex). */
  readonly ciphertext: string
}

const subtle = () => {
  const s = globalThis.crypto?.subtle
  if (!s) throw new KeystoreError('unsupported', 'WebCrypto is not available in this environment')
  return s
}

const DOMAIN = utf8('blockstake atomic swap secrets v1')

async function secretKey(seed: Uint8Array) {
  assertWalletSeed(seed)
  return subtle().importKey('raw', blake2b256(DOMAIN, seed), { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ])
}

export async function encryptSwapSecret(
  seed: Uint8Array,
  secret: Uint8Array,
  hashedSecret: Uint8Array,
): Promise<EncryptedSwapSecret> {
  if (secret.length !== 32) throw new KeystoreError('unsupported', 'a swap secret is 32 bytes')
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: hashedSecret },
    await secretKey(seed),
    secret,
  )
  return { hashedSecret: toHex(hashedSecret), iv: toHex(iv), ciphertext: toHex(new Uint8Array(ciphertext)) }
}

export async function decryptSwapSecret(seed: Uint8Array, record: EncryptedSwapSecret): Promise<Uint8Array> {
  try {
    const plain = await subtle().decrypt(
      { name: 'AES-GCM', iv: fromHex(record.iv, 12), additionalData: fromHex(record.hashedSecret, 32) },
      await secretKey(seed),
      fromHex(record.ciphertext, 48),
    )
    return new Uint8Array(plain)
  } catch {
    throw new KeystoreError(
      'corrupt',
      `the swap secret of ${record.hashedSecret} does not decrypt with this wallet's seed (the wallet file was modified)`,
    )
  }
}

/** Checks the shape of a stored record (hex fields of the right lengths), naming the field. */
export function parseEncryptedSwapSecret(value: unknown, field: string): EncryptedSwapSecret {
  const o = value as Record<string, unknown> | null
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    throw new KeystoreError('corrupt', `${field} is not an object`)
  for (const [k, len] of [
    ['hashedSecret', 64],
    ['iv', 24],
    ['ciphertext', 96],
  ] as const) {
    const v = o[k]
    if (typeof v !== 'string' || v.length !== len || !/^[0-9a-f]*$/.test(v))
      throw new KeystoreError('corrupt', `${field}.${k} must be ${len} hex characters`)
  }
  return { hashedSecret: o.hashedSecret as string, iv: o.iv as string, ciphertext: o.ciphertext as string }
}
