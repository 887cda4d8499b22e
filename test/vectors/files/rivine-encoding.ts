// test/vectors/data/rivine-encoding.json (copied from shared/vectors): siabin/rivbin primitives, test
// structs, currency and nil proxies (spec/rivine.md §1).
import { expect } from 'vitest'
import {
  array,
  bool,
  byte,
  type Codec,
  currency,
  decode,
  encode,
  type Format,
  fixedBytes,
  pointer,
  Reader,
  string,
  struct,
  u64,
  uint,
  bytes as varBytes,
  Writer,
} from '../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { fromHex, toHex, utf8 } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import {
  ABSENT_CONDITION_PROXY,
  conditionCodec,
  conditionToJson,
  NIL_CONDITION,
} from '../../../consensus/types/conditions.js'
import {
  ABSENT_FULFILLMENT_PROXY,
  fulfillmentCodec,
  fulfillmentToJson,
  NIL_FULFILLMENT,
} from '../../../consensus/types/fulfillments.js'
import { type Outcome, type Vector, vectorId } from '../framework.js'
import { exactVector } from '../neutral.js'

const FILE = 'rivine-encoding.json'

/** A Go fixed-size array `[n]T`: the elements back to back, no length prefix. */
function fixedArray<T>(elem: Codec<T>, n: number): Codec<readonly T[]> {
  return {
    write: (w, v) => {
      expect(v.length).toBe(n)
      for (const e of v) elem.write(w, e)
    },
    read: (r) => Array.from({ length: n }, () => elem.read(r)),
  }
}

// the test structs of pkg/encoding/siabin/marshal_test.go
const test0 = struct({ B: bool, I: uint(4), U: uint(2), S: string })
const test1 = struct({ Is: array(uint(4)), Bs: varBytes, Sa: fixedArray(string, 3), Ba: fixedBytes(3) })
const test2 = struct({ T: test0 })
const test3 = struct({ embedded: test2 })
const test4 = struct({ P: pointer(test1) })

const GO_TYPES: Record<string, Codec<any>> = {
  'struct{B bool; I int32; U uint16; S string}': test0,
  'struct{Is []int32; Bs []byte; Sa [3]string; Ba [3]byte}': test1,
  'struct{T struct{B bool; I int32; U uint16; S string}}': test2,
  'struct{ <embedded> struct{T ...} }': test3,
  'struct{P *struct{Is []int32; Bs []byte; Sa [3]string; Ba [3]byte}}': test4,
  // custom MarshalSia writing WritePrefix([]byte(s)): a plain string
  'custom MarshalSia writing WritePrefix([]byte(s))': string,
  'custom MarshalSia (pointer receiver) writing WritePrefix([]byte(s))': string,
}

/** The transcribed Go value in our shape (`*_ascii` fields are byte arrays given as text). */
function structValue(goType: string, value: any): any {
  const t1 = (x: any) => ({ Is: x.Is, Bs: utf8(x.Bs_ascii), Sa: x.Sa, Ba: utf8(x.Ba_ascii) })
  switch (GO_TYPES[goType]) {
    case test0:
      return value
    case test1:
      return t1(value)
    case test2:
      return value
    case test3:
      return { embedded: value['(embedded test2)'] }
    case test4:
      return { P: t1(value.P) }
    case string:
      return value.s
  }
  throw new Error(`no codec for Go type ${goType}`)
}

function checkEncoding<T>(codec: Codec<T>, value: T, hex: string, format: Format): void {
  expect(toHex(encode(codec, value, format))).toBe(hex)
  expect(decode(codec, fromHex(hex), format)).toEqual(value)
}

/** Go integer kinds under rivbin: their natural width (int/uint are 64 bits). */
const RIVBIN_INTS: Record<string, { codec: Codec<any>; max: Record<string, bigint> }> = {
  uint8: { codec: uint(1), max: { 'math.MaxUint8': 255n } },
  int8: { codec: uint(1), max: { 'math.MaxInt8': 127n } },
  uint16: { codec: uint(2), max: { 'math.MaxUint16': 65535n } },
  int16: { codec: uint(2), max: { 'math.MaxInt16': 32767n } },
  uint32: { codec: uint(4), max: { 'math.MaxUint32': 2n ** 32n - 1n } },
  int32: { codec: uint(4), max: { 'math.MaxInt32': 2n ** 31n - 1n } },
  uint64: { codec: u64, max: { 'math.MaxUint64': 2n ** 64n - 1n } },
  int64: { codec: u64, max: { 'math.MaxInt64': 2n ** 63n - 1n } },
  uint: { codec: u64, max: { 'math.MaxUint32': 2n ** 32n - 1n, 'math.MaxUint64': 2n ** 64n - 1n } },
  int: { codec: u64, max: { 'math.MaxInt32': 2n ** 31n - 1n, 'math.MaxInt64': 2n ** 63n - 1n } },
}

function checkIntegerLength(v: Vector): void {
  const { go_type: goType, value_expr: expr } = v.input as { go_type: string; value_expr: string }
  const kind = RIVBIN_INTS[goType]
  if (!kind) throw new Error(`unknown Go integer type ${goType}`)
  const big = /^\d+$/.test(expr) ? BigInt(expr) : kind.max[expr]
  if (big === undefined) throw new Error(`unknown value expression ${expr}`)
  const value = kind.codec === u64 ? big : Number(big)
  const bin = encode(kind.codec, value, 'rivbin')
  expect(bin.length).toBe(v.expected.byte_length)
  expect(decode(kind.codec, bin, 'rivbin')).toBe(value)
  // under siabin every integer kind is 8 bytes
  expect(encode(kind.codec, value, 'sia').length).toBe(8)
}

const POINTEES: Record<string, Codec<any>> = {
  '*bool': bool,
  '*uint8': uint(1),
  '*uint16': uint(2),
  '*uint64': u64,
  '*[3]byte': fixedBytes(3),
  '*string': string,
}

function checkPointerRoundTrip(v: Vector): void {
  const elem = POINTEES[v.input.go_type as string]
  if (!elem) throw new Error(`unknown pointer type ${v.input.go_type}`)
  const codec = pointer(elem)
  const value = decode(codec, fromHex(v.input.hex), 'rivbin')
  expect(value === undefined).toBe(v.input.hex === '00')
  expect(toHex(encode(codec, value, 'rivbin'))).toBe(v.expected.roundtrip_hex)
}

function checkSliceLength(v: Vector): void {
  const n = v.input.length as number
  const w = new Writer('rivbin')
  w.length(n)
  const prefix = w.finish()
  expect(prefix.length).toBe(v.expected.prefix_byte_length)
  // the prefix alone reads back (no elements follow, so no per-element minimum)
  const r = new Reader(prefix, 'rivbin')
  expect(r.length(0)).toBe(n)
  r.end()
}

export function handle(v0: Vector): Outcome {
  const v = exactVector(FILE, v0)
  const id = vectorId(v)
  const format: Format = v.encoding === 'rivbin' ? 'rivbin' : 'sia'

  if (id.startsWith('siabin-struct-')) {
    const goType = v.input.go_type as string
    const codec = GO_TYPES[goType]
    if (!codec) throw new Error(`unknown Go type ${goType}`)
    checkEncoding(codec, structValue(goType, v.input.value), v.expected.hex, 'sia')
    return undefined
  }
  if (id === 'siabin-doc-int64') {
    checkEncoding(u64, BigInt(v.input.value), v.expected.hex, 'sia')
    return undefined
  }
  if (id === 'siabin-doc-string-slice') {
    checkEncoding(array(string), v.input.value, v.expected.hex, 'sia')
    return undefined
  }
  if (id === 'siabin-bad-bool') {
    expect(v.input.go_type).toBe('bool')
    expect(v.expected.error).toBe(true)
    expect(() => decode(bool, fromHex(v.input.hex), 'sia')).toThrow(DecodeError)
    return undefined
  }
  if (id.startsWith('rivbin-slicelen-')) {
    checkSliceLength(v)
    return undefined
  }
  if (id.startsWith('rivbin-ptr-')) {
    checkPointerRoundTrip(v)
    return undefined
  }
  if (id === 'rivbin-uint24') {
    const r = new Reader(fromHex(v.input.hex), 'rivbin')
    const n = r.uintLE(3)
    r.end()
    expect(n).toBe(0x05f97a)
    const w = new Writer('rivbin')
    w.uintLE(n, 3)
    expect(toHex(w.finish())).toBe(v.expected.roundtrip_hex)
    return undefined
  }
  if (id.startsWith('rivbin-int-')) {
    checkIntegerLength(v)
    return undefined
  }
  if (/^(siabin|rivbin)-txversion-\d+$/.test(id)) {
    checkEncoding(byte, v.input.version, v.expected.hex, format)
    return undefined
  }
  if (id.startsWith('siabin-currency-')) {
    checkEncoding(currency, BigInt(v.input.currency), v.expected.hex, 'sia')
    return undefined
  }
  if (id === 'siabin-nilproxy-cond' || id === 'rivbin-nilproxy-cond') {
    expect(toHex(ABSENT_CONDITION_PROXY)).toBe(v.expected.hex)
    // under siabin the explicit nil condition has the same bytes (00 + u64 length 0)
    if (format === 'sia') expect(toHex(encode(conditionCodec, NIL_CONDITION, 'sia'))).toBe(v.expected.hex)
    else expect(toHex(encode(conditionCodec, NIL_CONDITION, 'rivbin'))).toBe('0000')
    return undefined
  }
  if (id === 'siabin-nilproxy-ful' || id === 'rivbin-nilproxy-ful') {
    expect(toHex(ABSENT_FULFILLMENT_PROXY)).toBe(v.expected.hex)
    if (format === 'sia') expect(toHex(encode(fulfillmentCodec, NIL_FULFILLMENT, 'sia'))).toBe(v.expected.hex)
    else expect(toHex(encode(fulfillmentCodec, NIL_FULFILLMENT, 'rivbin'))).toBe('0000')
    return undefined
  }
  if (id === 'json-nilproxy-cond') {
    expect(stringifyJson(conditionToJson(NIL_CONDITION))).toBe(v.expected.json)
    return undefined
  }
  if (id === 'json-nilproxy-ful') {
    expect(stringifyJson(fulfillmentToJson(NIL_FULFILLMENT))).toBe(v.expected.json)
    return undefined
  }
  throw new Error(`unrecognised vector ${id}`)
}
