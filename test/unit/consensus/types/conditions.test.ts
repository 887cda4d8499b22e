import { describe, expect, it } from 'vitest'
import { decode, encode } from '../../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../../consensus/encoding/errors.js'
import { stringifyJson } from '../../../../consensus/encoding/json.js'
import {
  type Condition,
  conditionCodec,
  conditionFromJson,
  conditionToJson,
  MAX_CONDITION_DEPTH,
} from '../../../../consensus/types/conditions.js'

/** The condition's JSON as a client sends it (parsed text: numbers, not bigints). */
const asJson = (c: Condition): unknown => JSON.parse(stringifyJson(conditionToJson(c)))

/** `levels` time locks around the nil condition. */
const nested = (levels: number): Condition => {
  let c: Condition = { type: 0 }
  for (let i = 0; i < levels; i++) c = { type: 3, lockTime: 1n, condition: c }
  return c
}

/** The same as JSON, built without recursion (conditionToJson would be as deep as the value). */
const nestedJson = (levels: number): unknown => {
  let j: unknown = {}
  for (let i = 0; i < levels; i++) j = { type: 3, data: { locktime: 1, condition: j } }
  return j
}

/** The Sia encoding of `levels` time locks around nil, built flat. */
const nestedBinary = (levels: number): Uint8Array => {
  const body = new Uint8Array(levels * 9)
  for (let i = 0; i < levels; i++) {
    body[i * 9] = 1 // lock time 1 (u64le)
    body[i * 9 + 8] = i + 1 < levels ? 3 : 0 // the inner type
  }
  const out = new Uint8Array(1 + 8 + body.length)
  out[0] = 3
  new DataView(out.buffer).setBigUint64(1, BigInt(body.length), true)
  out.set(body, 9)
  return out
}

describe('condition nesting', () => {
  it('decodes up to MAX_CONDITION_DEPTH levels, binary and JSON', () => {
    const deepest = nested(MAX_CONDITION_DEPTH - 1) // time locks around a leaf
    expect(decode(conditionCodec, encode(conditionCodec, deepest))).toEqual(deepest)
    expect(conditionFromJson(asJson(deepest))).toEqual(deepest)
    expect(nestedBinary(2)).toEqual(encode(conditionCodec, nested(2)))
  })

  it('refuses one level more with a DecodeError', () => {
    const over = nested(MAX_CONDITION_DEPTH)
    expect(() => decode(conditionCodec, encode(conditionCodec, over))).toThrow(DecodeError)
    expect(() => conditionFromJson(asJson(over))).toThrow(/nest at most 3 deep/)
  })

  it('refuses 40,000 levels without overflowing the stack', () => {
    const json = nestedJson(40_000)
    let err: unknown
    try {
      conditionFromJson(json)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(DecodeError)
    expect((err as DecodeError).field).toBe('condition.data.condition.data.condition')
    expect(() => decode(conditionCodec, nestedBinary(40_000))).toThrow(DecodeError)
  })
})
