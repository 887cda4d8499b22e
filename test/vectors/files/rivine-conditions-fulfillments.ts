// test/vectors/data/rivine-conditions-fulfillments.json (copied from shared/vectors): condition and
// fulfillment proxies in both codecs and JSON, v0 unlockers, time lock fulfillability, secret strings
// (spec/rivine.md §3.4–3.5, §4.2–4.3).
import { expect } from 'vitest'
import { decode, encode, type Format } from '../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { parseJson, stringifyJson } from '../../../consensus/encoding/json.js'
import {
  type Condition,
  conditionCodec,
  conditionFromJson,
  conditionFulfillable,
  conditionToJson,
  NIL_CONDITION,
} from '../../../consensus/types/conditions.js'
import {
  fulfillmentCodec,
  fulfillmentFromJson,
  fulfillmentToJson,
} from '../../../consensus/types/fulfillments.js'
import { NIL_UNLOCK_HASH } from '../../../consensus/types/unlockhash.js'
import { unlockerCodec, unlockerFromJson, unlockerToJson } from '../../../consensus/types/v0.js'
import { type Outcome, type Vector, vectorId } from '../framework.js'
import { exactVector, expectConditionMatches, expectFulfillmentMatches } from '../neutral.js'

const FILE = 'rivine-conditions-fulfillments.json'

/**
 * Compact JSON re-indented the way Go's json.Encoder with SetIndent('', '\t') writes it: one member
 * per line, `": "` after keys, empty objects and arrays stay `{}` / `[]`.
 */
export function goIndentTabs(compact: string): string {
  let out = ''
  let depth = 0
  let inString = false
  const newline = () => '\n' + '\t'.repeat(depth)
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!
    if (inString) {
      out += c
      if (c === '\\') out += compact[++i]
      else if (c === '"') inString = false
      continue
    }
    switch (c) {
      case '"':
        inString = true
        out += c
        break
      case '{':
      case '[': {
        const close = c === '{' ? '}' : ']'
        if (compact[i + 1] === close) {
          out += c + close
          i++
        } else {
          depth++
          out += c + newline()
        }
        break
      }
      case '}':
      case ']':
        depth--
        out += newline() + c
        break
      case ',':
        out += c + newline()
        break
      case ':':
        out += ': '
        break
      default:
        out += c
    }
  }
  return out
}

function formatOf(v: Vector): Format {
  if (v.encoding === 'siabin') return 'sia'
  if (v.encoding === 'rivbin') return 'rivbin'
  throw new Error(`unexpected encoding ${v.encoding}`)
}

function checkConditionBinary(v: Vector): void {
  const format = formatOf(v)
  const c = decode(conditionCodec, fromHex(v.input.hex), format)
  expectConditionMatches(c, v.expected.decoded)
  expect(toHex(encode(conditionCodec, c, format))).toBe(v.expected.roundtrip_hex)
}

function checkFulfillmentBinary(v: Vector): void {
  const format = formatOf(v)
  const f = decode(fulfillmentCodec, fromHex(v.input.hex), format)
  expectFulfillmentMatches(f, v.expected.decoded)
  expect(toHex(encode(fulfillmentCodec, f, format))).toBe(v.expected.roundtrip_hex)
}

/** The compact form must equal the expected text; parsing both must agree too. */
function checkCanonicalJson(actual: string, expected: string): void {
  expect(actual).toBe(expected)
  expect(parseJson(actual)).toEqual(parseJson(expected))
}

/** The conditions of TestUnlockConditionFulfillable, by their description. */
function fulfillableCondition(v: Vector): Condition {
  const zero32 = new Uint8Array(32)
  switch (v.input.condition as string) {
    case 'UnlockConditionProxy{} (nil)':
    case 'nil':
      return NIL_CONDITION
    case 'unlockhash (zero)':
      return { type: 1, unlockHash: NIL_UNLOCK_HASH }
    case 'atomicswap (zero)':
      return {
        type: 2,
        sender: NIL_UNLOCK_HASH,
        receiver: NIL_UNLOCK_HASH,
        hashedSecret: zero32,
        timeLock: 0n,
      }
    case 'multisig (zero)':
      return { type: 4, unlockHashes: [], minimumSignatureCount: 0 }
    case 'timelock':
      return { type: 3, lockTime: BigInt(v.input.locktime), condition: NIL_CONDITION }
  }
  throw new Error(`unknown fulfillable condition ${v.input.condition}`)
}

export function handle(v0: Vector): Outcome {
  const v = exactVector(FILE, v0)
  const id = vectorId(v)

  if (/^(siabin|rivbin)-condition-\d+$/.test(id)) {
    checkConditionBinary(v)
    return undefined
  }
  if (/^(siabin|rivbin)-fulfillment-\d+$/.test(id)) {
    checkFulfillmentBinary(v)
    return undefined
  }
  if (/^(siabin|rivbin)-unknown-(condition|fulfillment)-\d+$/.test(id)) {
    expect(v.expected.error).toBe(true)
    const codec = id.includes('-condition-') ? conditionCodec : fulfillmentCodec
    expect(() => decode<unknown>(codec, fromHex(v.input.hex), formatOf(v))).toThrow(DecodeError)
    return undefined
  }
  if (/^json-condition-\d+$/.test(id)) {
    const c = conditionFromJson(parseJson(v.input.json))
    checkCanonicalJson(stringifyJson(conditionToJson(c)), v.expected.canonical_json)
    return undefined
  }
  if (/^json-fulfillment-\d+$/.test(id)) {
    const f = fulfillmentFromJson(parseJson(v.input.json))
    checkCanonicalJson(stringifyJson(fulfillmentToJson(f)), v.expected.canonical_json)
    return undefined
  }
  if (/^(siabin|rivbin)-legacy-inputlock-\d+$/.test(id)) {
    const format = formatOf(v)
    const u = decode(unlockerCodec, fromHex(v.input.hex), format)
    expect(u.type).toBe(Number(id.slice(-1)) + 1)
    expect(toHex(encode(unlockerCodec, u, format))).toBe(v.expected.roundtrip_hex)
    return undefined
  }
  if (/^json-legacy-inputlock-\d+$/.test(id)) {
    const u = unlockerFromJson(parseJson(v.input.json), 'unlocker')
    const compact = stringifyJson(unlockerToJson(u))
    const expected = v.expected.canonical_json_tab_indented as string
    expect(goIndentTabs(compact)).toBe(expected)
    // and the compact form is the expected text without its layout whitespace
    expect(compact).toBe(expected.replace(/[\n\t]/g, '').replace(/": /g, '":'))
    return undefined
  }
  if (/^fulfillable-\d+$/.test(id)) {
    const ctx = v.input.context as { block_height?: number; block_time?: number }
    const known = new Set(['block_height', 'block_time'])
    for (const k of Object.keys(ctx)) expect(known.has(k), `context field ${k}`).toBe(true)
    const fulfillable = conditionFulfillable(fulfillableCondition(v), {
      blockHeight: ctx.block_height ?? 0,
      blockTime: ctx.block_time ?? 0,
    })
    expect(fulfillable).toBe(v.expected.fulfillable)
    return undefined
  }
  if (id === 'atomicswap-hashed-secret-string' || id === 'atomicswap-secret-string') {
    // secrets and hashed secrets are 32 bytes; text form = hex, JSON = quoted hex
    const bytes = fromHex(v.input.bytes_hex, 32)
    expect(toHex(bytes)).toBe(v.expected.string)
    expect(stringifyJson(toHex(bytes))).toBe(v.expected.json)
    expect(toHex(fromHex(parseJson(v.expected.json) as string, 32))).toBe(v.input.bytes_hex)
    // and inside a condition's JSON, the hashed secret is that same string
    const c = conditionFromJson({ type: 2, data: { hashedsecret: v.input.bytes_hex } })
    expect(stringifyJson(conditionToJson(c))).toContain(`"hashedsecret":${v.expected.json}`)
    return undefined
  }
  throw new Error(`unrecognised vector ${id}`)
}
