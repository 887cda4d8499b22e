// test/vectors/data/oracle-conditions.json (copied from shared/vectors): every condition type in JSON, siabin
// and rivbin, its body, its unlock hash and standardness; multisig unlock hash leaves; the atomic swap secret
// fixture (spec/rivine.md §3.1–3.4, §8).
import { expect } from 'vitest'
import { blake2b256, sha256 } from '../../../consensus/crypto/hash.js'
import { merkleRoot } from '../../../consensus/crypto/merkle.js'
import { decode, encode, type Format } from '../../../consensus/encoding/codec.js'
import { fromHex, toHex, utf8 } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import {
  ABSENT_CONDITION_PROXY,
  type Condition,
  conditionBody,
  conditionCodec,
  conditionFromJson,
  conditionStandardError,
  conditionToJson,
  conditionUnlockHash,
} from '../../../consensus/types/conditions.js'
import {
  compareUnlockHashes,
  multisigUnlockHash,
  parseUnlockHash,
  u64le,
  unlockHashBytes,
  unlockHashToString,
} from '../../../consensus/types/unlockhash.js'
import { type Outcome, type Vector, vectorId } from '../framework.js'
import { conditionToNeutral, exactVector } from '../neutral.js'

const FILE = 'oracle-conditions.json'

const CONDITION_FIELDS = [
  'body_siabin',
  'condition_type',
  'is_standard',
  'json',
  'rivbin',
  'siabin',
  'unlockhash',
  'unlockhash_hash',
  'unlockhash_type',
]

/** The reference's standardness errors, as our messages word them. */
const STANDARD_ERRORS: Record<string, RegExp> = {
  'At least two unlockhashes must be provided which identifies to possible signatories': /at least two/i,
}

function checkCondition(v: Vector): void {
  const e = v.expected
  expect(Object.keys(e).sort()).toEqual(CONDITION_FIELDS)
  // `condition-nil-implicit` is a proxy without a condition (Go nil interface), written in its absent form
  const absent = vectorId(v) === 'condition-nil-implicit'
  const c = conditionFromJson(v.inputs.condition_json)

  expect(c.type).toBe(e.condition_type)
  expect(stringifyJson(conditionToJson(c))).toBe(JSON.stringify(e.json))
  expect(stringifyJson(conditionToJson(conditionFromJson(e.json)))).toBe(JSON.stringify(e.json))
  expect(toHex(conditionBody(c, 'sia'))).toBe(e.body_siabin)

  const encodings: [Format, string][] = [
    ['sia', e.siabin],
    ['rivbin', e.rivbin],
  ]
  for (const [format, hex] of encodings) {
    if (absent) {
      expect(toHex(ABSENT_CONDITION_PROXY), format).toBe(hex)
      // under siabin the absent and the explicit nil condition share their bytes
      if (format === 'sia') expect(toHex(encode(conditionCodec, c, format))).toBe(hex)
      continue
    }
    expect(toHex(encode(conditionCodec, c, format)), format).toBe(hex)
    const back: Condition = decode(conditionCodec, fromHex(hex), format)
    expect(conditionToNeutral(back), format).toEqual(conditionToNeutral(c))
  }
  // the proxy is type byte || length-prefixed body under siabin
  expect(e.siabin).toBe(
    toHex(new Uint8Array([e.condition_type])) + toHex(u64le(e.body_siabin.length / 2)) + e.body_siabin,
  )

  const uh = conditionUnlockHash(c)
  expect(uh.type).toBe(e.unlockhash_type)
  expect(toHex(uh.hash)).toBe(e.unlockhash_hash)
  expect(unlockHashToString(uh)).toBe(e.unlockhash)

  const err = conditionStandardError(c)
  if (e.is_standard === 'ok') expect(err).toBeUndefined()
  else {
    const why = STANDARD_ERRORS[e.is_standard as string]
    if (!why) throw new Error(`unknown standardness error ${e.is_standard}`)
    expect(err).toMatch(why)
  }
}

function checkMultisigInternals(v: Vector): void {
  const members = (v.inputs.unlockhashes as string[]).map((s) => parseUnlockHash(s))
  const min = v.inputs.minimumsignaturecount as number
  const sorted = [...members].sort(compareUnlockHashes)
  const leaves = [u64le(members.length), ...sorted.map(unlockHashBytes), u64le(min)]
  expect(leaves.map(toHex)).toEqual(v.expected.leaves)
  const uh = multisigUnlockHash(members, min)
  expect(toHex(uh.hash)).toBe(toHex(merkleRoot(leaves)))
  expect(unlockHashToString(uh)).toBe(v.expected.unlockhash)
  // the order of the members does not matter
  expect(unlockHashToString(multisigUnlockHash([...members].reverse(), min))).toBe(v.expected.unlockhash)
  expect(
    unlockHashToString(conditionUnlockHash({ type: 4, unlockHashes: members, minimumSignatureCount: min })),
  ).toBe(v.expected.unlockhash)
}

function checkSecretFixture(v: Vector): void {
  const secret = fromHex(v.inputs.secret, 32)
  expect(toHex(blake2b256(utf8('rivine-oracle/atomic-swap-secret')))).toBe(v.inputs.secret)
  expect(toHex(sha256(secret))).toBe(v.expected.hashedsecret)
  // secrets and hashed secrets go to JSON as hex strings
  expect(stringifyJson(toHex(sha256(secret)))).toBe(JSON.stringify(v.expected.hashedsecret_json))
  expect(stringifyJson(toHex(secret))).toBe(JSON.stringify(v.expected.secret_json))
  expect(Object.keys(v.expected).sort()).toEqual(['hashedsecret', 'hashedsecret_json', 'secret_json'])
}

export function handle(v0: Vector): Outcome {
  const v = exactVector(FILE, v0)
  const name = vectorId(v)
  if (name.startsWith('condition-')) {
    checkCondition(v)
    return undefined
  }
  if (name === 'multisig-unlockhash-internals') {
    checkMultisigInternals(v)
    return undefined
  }
  if (name === 'atomicswap-secret-fixture') {
    checkSecretFixture(v)
    return undefined
  }
  throw new Error(`unrecognised vector ${name}`)
}
