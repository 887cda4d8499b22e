// The 'neutral' JSON transcriptions used by the rivine-* vector files (see each file's `conventions`),
// converted to and from our types, plus a lossless loader for vectors whose integers exceed 2^53.
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { type Ed25519, nobleEd25519 } from '../../consensus/crypto/ed25519.js'
import { sha256 } from '../../consensus/crypto/hash.js'
import { fromHex, toHex } from '../../consensus/encoding/hex.js'
import { type Condition, NIL_CONDITION, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import { type Fulfillment, NIL_FULFILLMENT } from '../../consensus/types/fulfillments.js'
import { ed25519PublicKey, parsePublicKey, publicKeyToString } from '../../consensus/types/publickey.js'
import type { CoinInput, CoinOutput, Transaction } from '../../consensus/types/transaction.js'
import { parseUnlockHash, type UnlockHash, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { type Vector, vectorId, vectorsDir } from './framework.js'

// ---- lossless loading ------------------------------------------------------------------------------

/**
 * JSON.parse loses integers above 2^53 (a few time locks are u64 values like 8671175386481439762).
 * This parser keeps every integer literal that is not a safe integer as a bigint.
 */
export function parseJsonLossless(text: string): unknown {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const value = (): unknown => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      const out: Record<string, unknown> = {}
      ws()
      if (text[i] === '}') {
        i++
        return out
      }
      for (;;) {
        ws()
        const k = value() as string
        ws()
        if (text[i++] !== ':') throw new SyntaxError(`expected ':' at ${i - 1}`)
        out[k] = value()
        ws()
        const d = text[i++]
        if (d === '}') return out
        if (d !== ',') throw new SyntaxError(`expected ',' or '}' at ${i - 1}`)
      }
    }
    if (c === '[') {
      i++
      const out: unknown[] = []
      ws()
      if (text[i] === ']') {
        i++
        return out
      }
      for (;;) {
        out.push(value())
        ws()
        const d = text[i++]
        if (d === ']') return out
        if (d !== ',') throw new SyntaxError(`expected ',' or ']' at ${i - 1}`)
      }
    }
    if (c === '"') {
      const start = i++
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
      return JSON.parse(text.slice(start, i))
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?|^true|^false|^null/.exec(text.slice(i, i + 400))
    if (!m) throw new SyntaxError(`unexpected character at ${i}`)
    i += m[0].length
    const lit = m[0]
    if (/^-?\d+$/.test(lit)) {
      const n = Number(lit)
      return Number.isSafeInteger(n) ? n : BigInt(lit)
    }
    return JSON.parse(lit)
  }
  const out = value()
  ws()
  if (i !== text.length) throw new SyntaxError('trailing characters')
  return out
}

const exactFiles = new Map<string, Map<string, Vector>>()

/**
 * The vector `v` of `file` with the integers JSON.parse rounded (beyond 2^53) restored as bigint from
 * a lossless re-read of the file; everything else is `v` itself.
 */
export function exactVector(file: string, v: Vector): Vector {
  let byId = exactFiles.get(file)
  if (!byId) {
    const parsed = parseJsonLossless(readFileSync(vectorsDir + file, 'utf8')) as { vectors: Vector[] }
    byId = new Map(parsed.vectors.map((x) => [vectorId(x), x]))
    exactFiles.set(file, byId)
  }
  const exact = byId.get(vectorId(v))
  if (!exact) throw new Error(`vector ${vectorId(v)} not found in ${file}`)
  const merge = (lossy: unknown, precise: unknown): unknown => {
    if (typeof lossy === 'number' && typeof precise === 'bigint' && Number(precise) === lossy) return precise
    if (Array.isArray(lossy))
      return lossy.map((x, i) => merge(x, Array.isArray(precise) ? precise[i] : undefined))
    if (lossy !== null && typeof lossy === 'object') {
      const p = (precise ?? {}) as Record<string, unknown>
      return Object.fromEntries(Object.entries(lossy).map(([k, x]) => [k, merge(x, p[k])]))
    }
    return lossy
  }
  return merge(v, exact) as Vector
}

// ---- placeholders ------------------------------------------------------------------------------------

/** Placeholder → substituted value (a string: hex, `ed25519:<hex>` or an address; or a neutral object). */
export type Placeholders = Readonly<Record<string, unknown>>

/**
 * The standard placeholders of the rivine-* files: `{KEY_FROM_ENTROPY}` (ed25519 key whose RFC 8032
 * seed is `entropy`), `{UNLOCKHASH_OF_KEY_FROM_ENTROPY}`, `{SECRET}`, `{SHA256_OF_SECRET}` and the
 * 32-byte hash of the key's unlock hash (`{LEGACY_PUBKEY_UNLOCKHASH_HASH}`).
 */
export function entropyPlaceholders(entropyHex: string, secretHex?: string, ed: Ed25519 = nobleEd25519) {
  const pk = ed25519PublicKey(ed.publicKeyFromSeed(fromHex(entropyHex, 32)))
  const uh = publicKeyUnlockHash(pk)
  const out: Record<string, string> = {
    '{KEY_FROM_ENTROPY}': publicKeyToString(pk),
    '{UNLOCKHASH_OF_KEY_FROM_ENTROPY}': unlockHashToString(uh),
    '{LEGACY_PUBKEY_UNLOCKHASH_HASH}': toHex(uh.hash),
  }
  if (secretHex !== undefined) {
    out['{SECRET}'] = secretHex
    out['{SHA256_OF_SECRET}'] = toHex(sha256(fromHex(secretHex, 32)))
  }
  return out
}

function sub(value: unknown, ph: Placeholders | undefined): unknown {
  if (typeof value === 'string' && /^\{[A-Z0-9_()]+\}$/.test(value)) {
    if (!ph || !(value in ph)) throw new Error(`placeholder ${value} has no substitution`)
    return ph[value]
  }
  return value
}

const str = (value: unknown, ph: Placeholders | undefined, what: string): string => {
  const s = sub(value, ph)
  if (typeof s !== 'string') throw new Error(`neutral ${what}: expected a string, got ${String(s)}`)
  return s
}

const u64 = (value: unknown, what: string): bigint => {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value))
      throw new Error(`neutral ${what}: ${value} lost precision; load the vector with exactVector`)
    return BigInt(value)
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value)
  throw new Error(`neutral ${what}: expected an integer, got ${String(value)}`)
}

// ---- neutral → ours ------------------------------------------------------------------------------

/** `{unlock_type, hash}` (the binary form), or an address string (possibly via a placeholder). */
export function neutralToUnlockHash(n: unknown, ph?: Placeholders): UnlockHash {
  const v = sub(n, ph)
  if (typeof v === 'string') return parseUnlockHash(v)
  const o = v as { unlock_type: number; hash: unknown }
  if (typeof o !== 'object' || o === null || typeof o.unlock_type !== 'number')
    throw new Error(`neutral unlock hash: unexpected ${JSON.stringify(v)}`)
  return { type: o.unlock_type, hash: fromHex(str(o.hash, ph, 'unlock hash'), 32) }
}

const hex32 = (value: unknown, ph: Placeholders | undefined, what: string) =>
  fromHex(str(value, ph, what), 32)

export function neutralToCondition(n: unknown, ph?: Placeholders): Condition {
  const c = sub(n, ph) as Record<string, unknown>
  switch (c.type) {
    case 'nil':
      return NIL_CONDITION
    case 'unlockhash':
      return { type: 1, unlockHash: neutralToUnlockHash(c.unlockhash, ph) }
    case 'atomicswap':
      return {
        type: 2,
        sender: neutralToUnlockHash(c.sender, ph),
        receiver: neutralToUnlockHash(c.receiver, ph),
        hashedSecret: hex32(c.hashed_secret, ph, 'hashed_secret'),
        timeLock: u64(c.timelock, 'timelock'),
      }
    case 'timelock':
      return {
        type: 3,
        lockTime: u64(c.locktime, 'locktime'),
        condition: neutralToCondition(c.condition, ph),
      }
    case 'multisig':
      return {
        type: 4,
        unlockHashes: (c.unlockhashes as unknown[]).map((u) => neutralToUnlockHash(u, ph)),
        minimumSignatureCount: Number(u64(c.min_signatures, 'min_signatures')),
      }
    default:
      throw new Error(`neutral condition: unknown type ${String(c.type)}`)
  }
}

const pk = (value: unknown, ph: Placeholders | undefined) => parsePublicKey(str(value, ph, 'public_key'))
const sig = (value: unknown, ph: Placeholders | undefined) => fromHex(str(value ?? '', ph, 'signature'))

export function neutralToFulfillment(n: unknown, ph?: Placeholders): Fulfillment {
  const f = sub(n, ph) as Record<string, unknown>
  switch (f.type) {
    case 'nil':
      return NIL_FULFILLMENT
    case 'single_signature':
      return { type: 1, publicKey: pk(f.public_key, ph), signature: sig(f.signature, ph) }
    case 'atomic_swap':
      return {
        type: 2,
        publicKey: pk(f.public_key, ph),
        signature: sig(f.signature, ph),
        secret: hex32(f.secret, ph, 'secret'),
      }
    case 'legacy_atomic_swap':
      return {
        type: 2,
        legacy: true,
        sender: neutralToUnlockHash(f.sender, ph),
        receiver: neutralToUnlockHash(f.receiver, ph),
        hashedSecret: hex32(f.hashed_secret, ph, 'hashed_secret'),
        timeLock: u64(f.timelock, 'timelock'),
        publicKey: pk(f.public_key, ph),
        signature: sig(f.signature, ph),
        secret: hex32(f.secret, ph, 'secret'),
      }
    case 'multisig':
      return {
        type: 3,
        pairs: (f.pairs as Record<string, unknown>[]).map((p) => ({
          publicKey: pk(p.public_key, ph),
          signature: sig(p.signature, ph),
        })),
      }
    default:
      throw new Error(`neutral fulfillment: unknown type ${String(f.type)}`)
  }
}

interface NeutralIO {
  parent_id?: string
  fulfillment?: unknown
  value?: string
  condition?: unknown
}

const toInput = (i: NeutralIO, ph?: Placeholders): CoinInput => ({
  parentId: fromHex(i.parent_id!, 32),
  fulfillment: neutralToFulfillment(i.fulfillment, ph),
})
const toOutput = (o: NeutralIO, ph?: Placeholders): CoinOutput => ({
  value: u64(o.value, 'value'),
  condition: neutralToCondition(o.condition, ph),
})

/** `{version, coin_inputs, coin_outputs, blockstake_inputs, blockstake_outputs, miner_fees, arbitrary_data_hex}`. */
export function neutralToTransaction(n: unknown, ph?: Placeholders): Transaction {
  const t = n as Record<string, unknown>
  const list = (k: string) => (t[k] ?? []) as NeutralIO[]
  return {
    version: Number(t.version),
    coinInputs: list('coin_inputs').map((i) => toInput(i, ph)),
    coinOutputs: list('coin_outputs').map((o) => toOutput(o, ph)),
    blockStakeInputs: list('blockstake_inputs').map((i) => toInput(i, ph)),
    blockStakeOutputs: list('blockstake_outputs').map((o) => toOutput(o, ph)),
    minerFees: ((t.miner_fees ?? []) as unknown[]).map((f) => u64(f, 'miner fee')),
    arbitraryData: fromHex((t.arbitrary_data_hex as string | undefined) ?? ''),
  }
}

// ---- ours → neutral ------------------------------------------------------------------------------

export const unlockHashToNeutral = (uh: UnlockHash) => ({ unlock_type: uh.type, hash: toHex(uh.hash) })

/** Integers are bigint (time locks) so they compare exactly with an `exactVector` transcription. */
export function conditionToNeutral(c: Condition): Record<string, unknown> {
  switch (c.type) {
    case 0:
      return { type: 'nil' }
    case 1:
      return { type: 'unlockhash', unlockhash: unlockHashToNeutral(c.unlockHash) }
    case 2:
      return {
        type: 'atomicswap',
        sender: unlockHashToNeutral(c.sender),
        receiver: unlockHashToNeutral(c.receiver),
        hashed_secret: toHex(c.hashedSecret),
        timelock: c.timeLock,
      }
    case 3:
      return { type: 'timelock', locktime: c.lockTime, condition: conditionToNeutral(c.condition) }
    case 4:
      return {
        type: 'multisig',
        unlockhashes: c.unlockHashes.map(unlockHashToNeutral),
        min_signatures: BigInt(c.minimumSignatureCount),
      }
  }
}

export function fulfillmentToNeutral(f: Fulfillment): Record<string, unknown> {
  const pair = (p: { publicKey: Parameters<typeof publicKeyToString>[0]; signature: Uint8Array }) => ({
    public_key: publicKeyToString(p.publicKey),
    signature: toHex(p.signature),
  })
  switch (f.type) {
    case 0:
      return { type: 'nil' }
    case 1:
      return { type: 'single_signature', ...pair(f) }
    case 2:
      if (f.legacy)
        return {
          type: 'legacy_atomic_swap',
          sender: unlockHashToNeutral(f.sender),
          receiver: unlockHashToNeutral(f.receiver),
          hashed_secret: toHex(f.hashedSecret),
          timelock: f.timeLock,
          ...pair(f),
          secret: toHex(f.secret),
        }
      return { type: 'atomic_swap', ...pair(f), secret: toHex(f.secret) }
    case 3:
      return { type: 'multisig', pairs: f.pairs.map(pair) }
  }
}

export function transactionToNeutral(tx: Transaction): Record<string, unknown> {
  const input = (i: CoinInput) => ({
    parent_id: toHex(i.parentId),
    fulfillment: fulfillmentToNeutral(i.fulfillment),
  })
  const output = (o: CoinOutput) => ({
    value: o.value.toString(),
    condition: conditionToNeutral(o.condition),
  })
  return {
    version: tx.version,
    coin_inputs: tx.coinInputs.map(input),
    coin_outputs: tx.coinOutputs.map(output),
    blockstake_inputs: tx.blockStakeInputs.map(input),
    blockstake_outputs: tx.blockStakeOutputs.map(output),
    miner_fees: tx.minerFees.map((f) => f.toString()),
    arbitrary_data_hex: toHex(tx.arbitraryData),
  }
}

// ---- comparisons ---------------------------------------------------------------------------------

const INTEGER_KEYS = new Set(['timelock', 'locktime', 'min_signatures'])
const UNLOCK_HASH_KEYS = new Set(['unlockhash', 'sender', 'receiver'])

/**
 * The transcription with only mechanical normalisation, in the form `*ToNeutral` produces:
 * placeholders substituted, integers as bigint, address strings as `{unlock_type, hash}`, public keys
 * in canonical string form, absent lists as `[]`; annotations are checked (`arbitrary_data_utf8`
 * against the hex) or dropped (`encoded_as_absent_proxy`, which only matters to the encoder).
 */
export function strictNeutral(n: unknown, ph?: Placeholders): unknown {
  const walk = (x0: unknown, key?: string): unknown => {
    const x = sub(x0, ph)
    if (Array.isArray(x))
      return x.map((e) =>
        walk(e, key === 'unlockhashes' ? 'unlockhash' : key === 'miner_fees' ? key : undefined),
      )
    if (key && UNLOCK_HASH_KEYS.has(key) && typeof x === 'string')
      return unlockHashToNeutral(parseUnlockHash(x))
    if (x === null || typeof x !== 'object') {
      if (key && INTEGER_KEYS.has(key)) return u64(x, key)
      if (key === 'value' || key === 'miner_fees') return u64(x, key).toString()
      if (key === 'public_key') return publicKeyToString(parsePublicKey(x))
      return x
    }
    const o = x as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(o)) {
      if (k === 'encoded_as_absent_proxy') continue
      if (k === 'arbitrary_data_utf8') {
        const bin = fromHex((o.arbitrary_data_hex as string | undefined) ?? '')
        expect(new TextDecoder().decode(bin), 'arbitrary_data_utf8').toBe(v)
        continue
      }
      out[k] = walk(v, k)
    }
    if ('public_key' in out) out.signature ??= ''
    if ('version' in out && 'coin_inputs' in out) {
      for (const k of [
        'coin_inputs',
        'coin_outputs',
        'blockstake_inputs',
        'blockstake_outputs',
        'miner_fees',
      ])
        out[k] ??= []
      out.arbitrary_data_hex ??= ''
    }
    return out
  }
  return walk(n)
}

/** Field-by-field comparison of a decoded condition with its neutral transcription. */
export function expectConditionMatches(
  actual: Condition,
  neutral: unknown,
  ph?: Placeholders,
  what = 'condition',
) {
  expect(conditionToNeutral(actual), what).toEqual(strictNeutral(neutral, ph))
}

export function expectFulfillmentMatches(
  actual: Fulfillment,
  neutral: unknown,
  ph?: Placeholders,
  what = 'fulfillment',
) {
  expect(fulfillmentToNeutral(actual), what).toEqual(strictNeutral(neutral, ph))
}

export function expectTransactionMatches(
  actual: Transaction,
  neutral: unknown,
  ph?: Placeholders,
  what = 'transaction',
) {
  expect(transactionToNeutral(actual), what).toEqual(strictNeutral(neutral, ph))
}
