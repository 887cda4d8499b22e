// An encrypted keystore (DESIGN §6): the wallet seed under scrypt + AES-256-GCM, versioned, with its KDF
// parameters. Browser-safe: scrypt from @noble/hashes, AES-GCM from WebCrypto. The plain seed never
// leaves memory; files are written by keystore.node.ts.
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { fromHex, toHex, utf8 } from '../../consensus/encoding/hex.js'
import { jsonPreview } from '../../consensus/encoding/json.js'
import { assertWalletSeed } from './seed.js'

export const KEYSTORE_VERSION = 1

/** scrypt cost: interactive wallets use 2^17; generated devnet keystores a cheaper 2^14. */
export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }
export const FAST_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 1 }

export interface KeystoreFile {
  readonly version: 1
  readonly kind: 'blockstake-keystore'
  readonly kdf: { readonly name: 'scrypt'; readonly salt: string } & ScryptParams
  readonly cipher: { readonly name: 'aes-256-gcm'; readonly iv: string }
  /** The seed, encrypted and authenticated (the GCM tag is appended). */
  readonly ciphertext: string
  /** Free-form label (e.g. the node name); authenticated as associated data. */
  readonly label?: string
}

export type KeystoreErrorCode = 'wrong-passphrase' | 'corrupt' | 'unsupported'

export class KeystoreError extends Error {
  override readonly name = 'KeystoreError'
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const subtle = () => {
  const s = globalThis.crypto?.subtle
  if (!s) throw new KeystoreError('unsupported', 'WebCrypto is not available in this environment')
  return s
}

type AesKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>

/** A scrypt implementation giving a 32-byte key (Node passes its native one: keystore.node.ts). */
export type ScryptKdf = (password: Uint8Array, salt: Uint8Array, params: ScryptParams) => Promise<Uint8Array>

/** scrypt from @noble/hashes (pure JS, browser-safe). */
export const nobleScrypt: ScryptKdf = (password, salt, params) =>
  scryptAsync(password, salt, { ...params, dkLen: 32, maxmem: 2 ** 30 })

async function aesKey(
  passphrase: string,
  salt: Uint8Array,
  params: ScryptParams,
  kdf: ScryptKdf,
): Promise<AesKey> {
  const raw = await kdf(utf8(passphrase.normalize('NFKC')), salt, { N: params.N, r: params.r, p: params.p })
  return subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
}

/** Encrypts a 32-byte wallet seed. */
export async function encryptSeed(
  seed: Uint8Array,
  passphrase: string,
  opts: { readonly scrypt?: ScryptParams; readonly label?: string; readonly kdf?: ScryptKdf } = {},
): Promise<KeystoreFile> {
  assertWalletSeed(seed)
  if (passphrase.length === 0) throw new KeystoreError('unsupported', 'the passphrase must not be empty')
  const params = opts.scrypt ?? DEFAULT_SCRYPT
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(32))
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const key = await aesKey(passphrase, salt, params, opts.kdf ?? nobleScrypt)
  const additionalData = utf8(opts.label ?? '')
  const ciphertext = new Uint8Array(
    await subtle().encrypt({ name: 'AES-GCM', iv, additionalData }, key, seed),
  )
  return {
    version: KEYSTORE_VERSION,
    kind: 'blockstake-keystore',
    kdf: { name: 'scrypt', salt: toHex(salt), ...params },
    cipher: { name: 'aes-256-gcm', iv: toHex(iv) },
    ciphertext: toHex(ciphertext),
    ...(opts.label !== undefined ? { label: opts.label } : {}),
  }
}

/** A parsed JSON value for a message (`String` throws on an object whose `toString` is not a function). */
/** Checks the shape of a parsed keystore file, naming what is wrong. */
export function parseKeystore(value: unknown): KeystoreFile {
  const bad = (what: string): never => {
    throw new KeystoreError('corrupt', `keystore file is corrupt: ${what}`)
  }
  if (value === null || typeof value !== 'object') bad('not a JSON object')
  const o = value as Record<string, unknown>
  if (o.kind !== 'blockstake-keystore') bad('not a blockstake keystore (kind)')
  if (o.version !== KEYSTORE_VERSION)
    throw new KeystoreError('unsupported', `keystore version ${jsonPreview(o.version)} is not supported`)
  const kdf = o.kdf as Record<string, unknown> | undefined
  const cipher = o.cipher as Record<string, unknown> | undefined
  if (kdf?.name !== 'scrypt') bad('kdf must be scrypt')
  for (const k of ['N', 'r', 'p'] as const)
    if (!Number.isSafeInteger(kdf![k]) || (kdf![k] as number) < 1) bad(`kdf.${k}`)
  // scrypt takes N from 2 (noble refuses 1 with a plain Error, which decryptSeed would pass on)
  if ((kdf!.N as number) & ((kdf!.N as number) - 1) || (kdf!.N as number) < 2 || (kdf!.N as number) > 2 ** 22)
    bad('kdf.N must be a power of two from 2 to 2^22')
  // scrypt needs 128·N·r bytes and p times the work: bounded, so a tampered file cannot exhaust memory or time
  if ((kdf!.r as number) > 32) bad('kdf.r must be at most 32')
  if ((kdf!.p as number) > 16) bad('kdf.p must be at most 16')
  if (128 * (kdf!.N as number) * (kdf!.r as number) > 2 ** 30) bad('kdf: 128·N·r must be at most 1 GiB')
  if (typeof kdf!.salt !== 'string' || !/^[0-9a-f]{64}$/.test(kdf!.salt)) bad('kdf.salt')
  if (
    cipher?.name !== 'aes-256-gcm' ||
    typeof cipher!.iv !== 'string' ||
    !/^[0-9a-f]{24}$/.test(cipher!.iv as string)
  )
    bad('cipher')
  if (typeof o.ciphertext !== 'string' || !/^[0-9a-f]{96}$/.test(o.ciphertext)) bad('ciphertext')
  if (o.label !== undefined && typeof o.label !== 'string') bad('label')
  return o as unknown as KeystoreFile
}

/** Decrypts the seed; a wrong passphrase (or any tampering) is a `wrong-passphrase` error. */
export async function decryptSeed(
  file: KeystoreFile,
  passphrase: string,
  kdf: ScryptKdf = nobleScrypt,
): Promise<Uint8Array> {
  const ks = parseKeystore(file)
  const key = await aesKey(passphrase, fromHex(ks.kdf.salt), ks.kdf, kdf)
  try {
    const plain = await subtle().decrypt(
      { name: 'AES-GCM', iv: fromHex(ks.cipher.iv), additionalData: utf8(ks.label ?? '') },
      key,
      fromHex(ks.ciphertext),
    )
    return new Uint8Array(plain)
  } catch {
    throw new KeystoreError('wrong-passphrase', 'wrong passphrase (or the keystore file was modified)')
  }
}
