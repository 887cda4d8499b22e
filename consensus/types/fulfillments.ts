// spec/rivine.md §3.5: unlock fulfillments, carried in the same proxy framing as conditions.
import { array, bytes, type Codec, fixedBytes, Reader, u64, Writer } from '../encoding/codec.js'
import { DecodeError, inField } from '../encoding/errors.js'
import { fromHex, toHex } from '../encoding/hex.js'
import { type JsonValue, jsonArray, jsonObject, jsonU64, jsonUint } from '../encoding/json.js'
import { type PublicKey, parsePublicKey, publicKeyCodec, publicKeyToString } from './publickey.js'
import { parseUnlockHash, type UnlockHash, unlockHashCodec, unlockHashToString } from './unlockhash.js'

export const FulfillmentType = { Nil: 0, SingleSignature: 1, AtomicSwap: 2, MultiSignature: 3 } as const

export interface NilFulfillment {
  readonly type: 0
}
export interface SingleSignatureFulfillment {
  readonly type: 1
  readonly publicKey: PublicKey
  readonly signature: Uint8Array
}
/** The v1 atomic swap fulfillment; a zero `secret` means a refund. */
export interface AtomicSwapFulfillment {
  readonly type: 2
  readonly legacy?: false
  readonly publicKey: PublicKey
  readonly signature: Uint8Array
  readonly secret: Uint8Array
}
/** The v0-era atomic swap fulfillment, which repeats the contract (spec §8.3). */
export interface LegacyAtomicSwapFulfillment {
  readonly type: 2
  readonly legacy: true
  readonly sender: UnlockHash
  readonly receiver: UnlockHash
  readonly hashedSecret: Uint8Array
  readonly timeLock: bigint
  readonly publicKey: PublicKey
  readonly signature: Uint8Array
  readonly secret: Uint8Array
}
export interface PublicKeySignaturePair {
  readonly publicKey: PublicKey
  readonly signature: Uint8Array
}
export interface MultiSignatureFulfillment {
  readonly type: 3
  readonly pairs: readonly PublicKeySignaturePair[]
}
export type Fulfillment =
  | NilFulfillment
  | SingleSignatureFulfillment
  | AtomicSwapFulfillment
  | LegacyAtomicSwapFulfillment
  | MultiSignatureFulfillment

export const NIL_FULFILLMENT: NilFulfillment = Object.freeze({ type: 0 })
/** spec §1.3 [quirk]: an absent fulfillment (Go nil interface) is `00` + eight zero bytes in both codecs. */
export const ABSENT_FULFILLMENT_PROXY = new Uint8Array(9)
const ZERO_SECRET = new Uint8Array(32)
const secret32 = fixedBytes(32)

const pairCodec: Codec<PublicKeySignaturePair> = {
  write: (w, p) => {
    publicKeyCodec.write(w, p.publicKey)
    bytes.write(w, p.signature)
  },
  read: (r) => ({
    publicKey: inField('publickey', () => publicKeyCodec.read(r)),
    signature: inField('signature', () => bytes.read(r)),
  }),
}

function writeBody(w: Writer, f: Fulfillment): void {
  switch (f.type) {
    case 0:
      return
    case 1:
      pairCodec.write(w, f)
      return
    case 2:
      if (f.legacy) {
        unlockHashCodec.write(w, f.sender)
        unlockHashCodec.write(w, f.receiver)
        secret32.write(w, f.hashedSecret)
        u64.write(w, f.timeLock)
      }
      pairCodec.write(w, f)
      secret32.write(w, f.secret)
      return
    case 3:
      array(pairCodec, 2).write(w, f.pairs)
      return
  }
}

function readAtomicSwap(payload: Uint8Array, r: Reader): AtomicSwapFulfillment | LegacyAtomicSwapFulfillment {
  // spec §3.5: the new layout is tried first, the legacy layout when that fails
  try {
    const sub = new Reader(payload, r.format)
    const pair = pairCodec.read(sub)
    return {
      type: 2,
      publicKey: pair.publicKey,
      signature: pair.signature,
      secret: inField('secret', () => secret32.read(sub)),
    }
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err
  }
  const sub = new Reader(payload, r.format)
  const sender = inField('sender', () => unlockHashCodec.read(sub))
  const receiver = inField('receiver', () => unlockHashCodec.read(sub))
  const hashedSecret = inField('hashedsecret', () => secret32.read(sub))
  const timeLock = inField('timelock', () => u64.read(sub))
  const pair = pairCodec.read(sub)
  const secret = inField('secret', () => secret32.read(sub))
  return { type: 2, legacy: true, sender, receiver, hashedSecret, timeLock, ...pair, secret }
}

export const fulfillmentCodec: Codec<Fulfillment> = {
  write: (w, f) => {
    const body = new Writer(w.format, 160)
    writeBody(body, f)
    w.byte(f.type)
    body.consume((b) => bytes.write(w, b))
  },
  read: (r) => {
    const type = r.byte()
    const payload = bytes.read(r)
    switch (type) {
      case 0:
        if (payload.length !== 0)
          throw new DecodeError('invalid-value', 'nil fulfillment has a non-empty payload')
        return NIL_FULFILLMENT
      case 1: {
        const pair = pairCodec.read(new Reader(payload, r.format))
        return { type: 1, ...pair }
      }
      case 2:
        return readAtomicSwap(payload, r)
      case 3:
        return {
          type: 3,
          pairs: inField('pairs', () => array(pairCodec, 2).read(new Reader(payload, r.format))),
        }
      default:
        throw new DecodeError('unknown-type', `unknown fulfillment type ${type}`)
    }
  },
}

/** Why a fulfillment is not standard (spec §3.5), or `undefined`. */
export function fulfillmentStandardError(f: Fulfillment): string | undefined {
  const pairError = (p: PublicKeySignaturePair): string | undefined => {
    if (p.publicKey.algorithm !== 1) return 'public key algorithm must be ed25519'
    if (p.publicKey.key.length !== 32) return 'ed25519 public key must be 32 bytes'
    if (p.signature.length !== 64) return 'ed25519 signature must be 64 bytes'
    return undefined
  }
  switch (f.type) {
    case 0:
      return 'nil fulfillment is never standard'
    case 1:
      return pairError(f)
    case 2:
      if (f.legacy) {
        const pk = (u: UnlockHash) => u.type === 1 && u.hash.some((b) => b !== 0)
        if (!pk(f.sender) || !pk(f.receiver))
          return 'legacy atomic swap sender and receiver must be public key addresses'
        if (f.hashedSecret.every((b) => b === 0)) return 'legacy atomic swap hashed secret is zero'
      }
      return pairError(f)
    case 3:
      if (f.pairs.length === 0) return 'multisig fulfillment has no signatures'
      for (const p of f.pairs) {
        const e = pairError(p)
        if (e) return e
      }
      return undefined
  }
}

// ---- JSON (spec §3.5) ---------------------------------------------------------------------------

const pairToJson = (p: PublicKeySignaturePair) => ({
  publickey: publicKeyToString(p.publicKey),
  signature: toHex(p.signature),
})

export function fulfillmentToJson(f: Fulfillment): JsonValue {
  switch (f.type) {
    case 0:
      return {}
    case 1:
      return { type: 1, data: pairToJson(f) }
    case 2:
      if (f.legacy) {
        return {
          type: 2,
          data: {
            sender: unlockHashToString(f.sender),
            receiver: unlockHashToString(f.receiver),
            hashedsecret: toHex(f.hashedSecret),
            timelock: f.timeLock,
            ...pairToJson(f),
            secret: toHex(f.secret),
          },
        }
      }
      return { type: 2, data: { ...pairToJson(f), secret: toHex(f.secret) } }
    case 3:
      // Go marshals the nil slice of an unsigned multisig fulfillment as null
      return { type: 3, data: { pairs: f.pairs.length ? f.pairs.map(pairToJson) : null } }
  }
}

function pairFromJson(data: Record<string, unknown>, path: string): PublicKeySignaturePair {
  return {
    publicKey: parsePublicKey(data.publickey ?? ':', `${path}.publickey`),
    signature: fromHex((data.signature as string) ?? '', undefined, `${path}.signature`),
  }
}

const LEGACY_KEYS = ['sender', 'receiver', 'hashedsecret', 'timelock'] as const

export function fulfillmentFromJson(value: unknown, field = 'fulfillment'): Fulfillment {
  const obj = jsonObject(value, field)
  const type = obj.type === undefined ? 0 : jsonUint(obj.type, `${field}.type`)
  const data = obj.data === undefined || obj.data === null ? {} : jsonObject(obj.data, `${field}.data`)
  const path = `${field}.data`
  switch (type) {
    case 0:
      return NIL_FULFILLMENT
    case 1:
      return { type: 1, ...pairFromJson(data, path) }
    case 2: {
      const secret =
        data.secret === undefined ? ZERO_SECRET : fromHex(data.secret as string, 32, `${path}.secret`)
      const present = LEGACY_KEYS.filter((k) => data[k] !== undefined)
      if (present.length === 0) return { type: 2, ...pairFromJson(data, path), secret }
      if (present.length !== LEGACY_KEYS.length) {
        throw new DecodeError(
          'invalid-json',
          'legacy atomic swap fulfillment needs sender, receiver, hashedsecret and timelock',
          path,
        )
      }
      return {
        type: 2,
        legacy: true,
        sender: parseUnlockHash(data.sender, `${path}.sender`),
        receiver: parseUnlockHash(data.receiver, `${path}.receiver`),
        hashedSecret: fromHex(data.hashedsecret as string, 32, `${path}.hashedsecret`),
        timeLock: jsonU64(data.timelock, `${path}.timelock`),
        ...pairFromJson(data, path),
        secret,
      }
    }
    case 3:
      return {
        type: 3,
        pairs: jsonArray(data.pairs, `${path}.pairs`).map((p, i) =>
          pairFromJson(jsonObject(p, `${path}.pairs[${i}]`), `${path}.pairs[${i}]`),
        ),
      }
    default:
      throw new DecodeError('unknown-type', `unknown fulfillment type ${type}`, `${field}.type`)
  }
}
