// spec/rivine.md §3.4: unlock conditions, carried in a proxy `type byte || length-prefixed payload`.
import { blake2b256 } from '../crypto/hash.js'
import {
  array,
  bytes,
  type Codec,
  encode,
  type Format,
  fixedBytes,
  Reader,
  u64,
  u64n,
  Writer,
} from '../encoding/codec.js'
import { DecodeError, inField } from '../encoding/errors.js'
import { fromHex, toHex } from '../encoding/hex.js'
import { type JsonValue, jsonArray, jsonObject, jsonU64, jsonUint } from '../encoding/json.js'
import { type PublicKey, publicKeyCodec } from './publickey.js'
import {
  isNilUnlockHash,
  multisigUnlockHash,
  NIL_UNLOCK_HASH,
  parseUnlockHash,
  type UnlockHash,
  UnlockType,
  u64le,
  unlockHashCodec,
  unlockHashToString,
} from './unlockhash.js'

export const ConditionType = { Nil: 0, UnlockHash: 1, AtomicSwap: 2, TimeLock: 3, MultiSignature: 4 } as const

export interface NilCondition {
  readonly type: 0
}
export interface UnlockHashCondition {
  readonly type: 1
  readonly unlockHash: UnlockHash
}
export interface AtomicSwapCondition {
  readonly type: 2
  readonly sender: UnlockHash
  readonly receiver: UnlockHash
  readonly hashedSecret: Uint8Array
  readonly timeLock: bigint
}
export interface TimeLockCondition {
  readonly type: 3
  readonly lockTime: bigint
  readonly condition: Condition
}
export interface MultiSignatureCondition {
  readonly type: 4
  readonly minimumSignatureCount: number
  readonly unlockHashes: readonly UnlockHash[]
}
export type Condition =
  | NilCondition
  | UnlockHashCondition
  | AtomicSwapCondition
  | TimeLockCondition
  | MultiSignatureCondition

export const NIL_CONDITION: NilCondition = Object.freeze({ type: 0 })
export const unlockHashCondition = (unlockHash: UnlockHash): UnlockHashCondition => ({ type: 1, unlockHash })

/** spec §1.3 [quirk]: an absent condition (Go nil interface) is `00` + eight zero bytes in both codecs. */
export const ABSENT_CONDITION_PROXY = new Uint8Array(9)

const hash32 = fixedBytes(32)

/** The payload (body) of each condition type; read from the front of the payload. */
function writeBody(w: Writer, c: Condition): void {
  switch (c.type) {
    case 0:
      return
    case 1:
      unlockHashCodec.write(w, c.unlockHash)
      return
    case 2:
      unlockHashCodec.write(w, c.sender)
      unlockHashCodec.write(w, c.receiver)
      hash32.write(w, c.hashedSecret)
      u64.write(w, c.timeLock)
      return
    case 3:
      // the inner condition follows its type byte without a length prefix
      u64.write(w, c.lockTime)
      w.byte(c.condition.type)
      writeBody(w, c.condition)
      return
    case 4:
      u64n.write(w, c.minimumSignatureCount)
      array(unlockHashCodec, 33).write(w, c.unlockHashes)
      return
  }
}

/**
 * Conditions nest only through time locks; standard ones are at most 2 deep (a time lock around a leaf).
 * Decoders refuse more than this (a 5,000-deep time lock would overflow the stack); 3 leaves room for a
 * time lock around a time lock, which the reference decodes and an auth-condition update does not check.
 */
export const MAX_CONDITION_DEPTH = 3

const tooDeep = (field?: string) =>
  new DecodeError('invalid-value', `conditions nest at most ${MAX_CONDITION_DEPTH} deep`, field)

function readBody(r: Reader, type: number, depth = 1): Condition {
  switch (type) {
    case 0:
      return NIL_CONDITION
    case 1:
      return { type: 1, unlockHash: inField('unlockhash', () => unlockHashCodec.read(r)) }
    case 2:
      return {
        type: 2,
        sender: inField('sender', () => unlockHashCodec.read(r)),
        receiver: inField('receiver', () => unlockHashCodec.read(r)),
        hashedSecret: inField('hashedsecret', () => hash32.read(r)),
        timeLock: inField('timelock', () => u64.read(r)),
      }
    case 3: {
      if (depth >= MAX_CONDITION_DEPTH) throw tooDeep()
      const lockTime = inField('locktime', () => u64.read(r))
      const innerType = r.byte()
      return { type: 3, lockTime, condition: inField('condition', () => readBody(r, innerType, depth + 1)) }
    }
    case 4:
      return {
        type: 4,
        minimumSignatureCount: inField('minimumsignaturecount', () => u64n.read(r)),
        unlockHashes: inField('unlockhashes', () => array(unlockHashCodec, 33).read(r)),
      }
    default:
      throw new DecodeError('unknown-type', `unknown condition type ${type}`)
  }
}

/** The proxy: type byte + length-prefixed payload (spec §3.4). */
export const conditionCodec: Codec<Condition> = {
  write: (w, c) => {
    // the common unlock-hash condition, without an intermediate buffer
    if (c.type === 1) {
      w.byte(1)
      w.length(33)
      unlockHashCodec.write(w, c.unlockHash)
      return
    }
    const body = new Writer(w.format, 64)
    writeBody(body, c)
    w.byte(c.type)
    body.consume((b) => bytes.write(w, b))
  },
  read: (r) => {
    const type = r.byte()
    const payload = bytes.read(r)
    if (type === 0 && payload.length !== 0)
      throw new DecodeError('invalid-value', 'nil condition has a non-empty payload')
    // spec §1.1 [quirk]: bytes left in the payload are ignored, as the reference does
    return readBody(new Reader(payload, r.format), type)
  },
}

/** The condition's payload alone (what the proxy wraps). */
export const conditionBody = (c: Condition, format: Format = 'sia'): Uint8Array => {
  const w = new Writer(format, 64)
  writeBody(w, c)
  return w.finish()
}

// ---- unlock hashes of conditions (spec §3.1, §3.4) ----------------------------------------------

/** `H(u64le(56) || sia(publicKey))`: the byte slice's length prefix is hashed too (spec §2.1 trap). */
export function publicKeyUnlockHash(pk: PublicKey): UnlockHash {
  const enc = encode(publicKeyCodec, pk, 'sia')
  return { type: UnlockType.PubKey, hash: blake2b256(u64le(enc.length), enc) }
}

export function atomicSwapUnlockHash(c: Omit<AtomicSwapCondition, 'type'>): UnlockHash {
  const body = conditionBody({ type: 2, ...c }, 'sia')
  return { type: UnlockType.AtomicSwap, hash: blake2b256(u64le(body.length), body) }
}

export function conditionUnlockHash(c: Condition): UnlockHash {
  switch (c.type) {
    case 0:
      return NIL_UNLOCK_HASH
    case 1:
      return c.unlockHash
    case 2:
      return atomicSwapUnlockHash(c)
    case 3:
      return conditionUnlockHash(c.condition)
    case 4:
      return multisigUnlockHash(c.unlockHashes, c.minimumSignatureCount)
  }
}

// ---- standardness and fulfillability (spec §3.4) ------------------------------------------------

const isPubKeyHash = (uh: UnlockHash): boolean => uh.type === UnlockType.PubKey && !isNilUnlockHash(uh)

/** Why a condition is not standard, or `undefined` when it is. */
export function conditionStandardError(c: Condition): string | undefined {
  switch (c.type) {
    case 0:
      return undefined
    case 1:
      if (c.unlockHash.type !== UnlockType.PubKey && c.unlockHash.type !== UnlockType.AtomicSwap) {
        return `unlock hash type ${c.unlockHash.type} is not standard`
      }
      return c.unlockHash.hash.every((b) => b === 0) ? 'unlock hash is zero' : undefined
    case 2:
      if (!isPubKeyHash(c.sender)) return 'atomic swap sender must be a non-zero public key address'
      if (!isPubKeyHash(c.receiver)) return 'atomic swap receiver must be a non-zero public key address'
      return c.hashedSecret.every((b) => b === 0) ? 'atomic swap hashed secret is zero' : undefined
    case 3:
      if (c.lockTime === 0n) return 'time lock is zero'
      if (c.condition.type === 0) return undefined
      if (c.condition.type === 1)
        return isPubKeyHash(c.condition.unlockHash) ? undefined : 'time lock wraps a non-standard unlock hash'
      if (c.condition.type === 4) return conditionStandardError(c.condition)
      return `time lock cannot wrap a condition of type ${c.condition.type}`
    case 4:
      if (c.unlockHashes.length < 2) return 'multisig needs at least two addresses'
      if (c.minimumSignatureCount < 1 || c.minimumSignatureCount > c.unlockHashes.length) {
        return 'multisig minimum signature count must be between 1 and the number of addresses'
      }
      return c.unlockHashes.every(isPubKeyHash)
        ? undefined
        : 'multisig addresses must be non-zero public key addresses'
  }
}

/** Unix times start at this lock value; below it a lock is a block height. */
export const LOCK_TIME_MIN_TIMESTAMP = 500_000_000n

export interface FulfillContext {
  readonly blockHeight: number
  readonly blockTime: number
}

/** spec §3.4 fulfillable: only time locks can be unfulfillable (both comparisons are ≤). */
export function conditionFulfillable(c: Condition, ctx: FulfillContext): boolean {
  if (c.type !== 3) return true
  if (c.lockTime < LOCK_TIME_MIN_TIMESTAMP) return c.lockTime <= BigInt(ctx.blockHeight)
  return c.lockTime <= BigInt(ctx.blockTime)
}

// ---- JSON (spec §3.4) ---------------------------------------------------------------------------

export function conditionToJson(c: Condition): JsonValue {
  switch (c.type) {
    case 0:
      return {}
    case 1:
      return { type: 1, data: { unlockhash: unlockHashToString(c.unlockHash) } }
    case 2:
      return {
        type: 2,
        data: {
          sender: unlockHashToString(c.sender),
          receiver: unlockHashToString(c.receiver),
          hashedsecret: toHex(c.hashedSecret),
          timelock: c.timeLock,
        },
      }
    case 3:
      return { type: 3, data: { locktime: c.lockTime, condition: conditionToJson(c.condition) } }
    case 4:
      return {
        type: 4,
        data: {
          unlockhashes: c.unlockHashes.map(unlockHashToString),
          minimumsignaturecount: c.minimumSignatureCount,
        },
      }
  }
}

export function conditionFromJson(value: unknown, field = 'condition'): Condition {
  return conditionFromJsonAt(value, field, 1)
}

function conditionFromJsonAt(value: unknown, field: string, depth: number): Condition {
  const obj = jsonObject(value, field)
  const type = obj.type === undefined ? 0 : jsonUint(obj.type, `${field}.type`)
  const rawData = obj.data
  const data = rawData === undefined || rawData === null ? {} : jsonObject(rawData, `${field}.data`)
  const f = (k: string) => `${field}.data.${k}`
  switch (type) {
    case 0:
      return NIL_CONDITION
    case 1:
      return { type: 1, unlockHash: parseUnlockHash(data.unlockhash ?? '', f('unlockhash')) }
    case 2:
      return {
        type: 2,
        sender: parseUnlockHash(data.sender ?? '', f('sender')),
        receiver: parseUnlockHash(data.receiver ?? '', f('receiver')),
        hashedSecret:
          data.hashedsecret === undefined
            ? new Uint8Array(32)
            : fromHex(data.hashedsecret as string, 32, f('hashedsecret')),
        timeLock: data.timelock === undefined ? 0n : jsonU64(data.timelock, f('timelock')),
      }
    case 3: {
      if (depth >= MAX_CONDITION_DEPTH) throw tooDeep(field)
      const inner = conditionFromJsonAt(data.condition ?? {}, f('condition'), depth + 1)
      return {
        type: 3,
        lockTime: data.locktime === undefined ? 0n : jsonU64(data.locktime, f('locktime')),
        condition: inner,
      }
    }
    case 4:
      return {
        type: 4,
        unlockHashes: jsonArray(data.unlockhashes, f('unlockhashes')).map((u, i) =>
          parseUnlockHash(u, `${f('unlockhashes')}[${i}]`),
        ),
        minimumSignatureCount:
          data.minimumsignaturecount === undefined
            ? 0
            : jsonUint(data.minimumsignaturecount, f('minimumsignaturecount')),
      }
    default:
      throw new DecodeError('unknown-type', `unknown condition type ${type}`, `${field}.type`)
  }
}
