// test/vectors/data/oracle-encoding.json (copied from shared/vectors): currency in both codecs, JSON and coin
// strings; primitive siabin/rivbin encodings; rivbin length prefixes (spec/rivine.md §1, §7.5).
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
  mapped,
  string,
  struct,
  u64,
  u64n,
  uint,
  bytes as varBytes,
} from '../../../consensus/encoding/codec.js'
import { equalBytes, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { fromBase64, stringifyJson } from '../../../consensus/encoding/json.js'
import {
  CoinStringError,
  currencyToJson,
  formatCoinString,
  parseCoinString,
  parseCurrency,
} from '../../../consensus/types/currency.js'
import { specifier } from '../../../consensus/types/publickey.js'
import { type Outcome, type Vector, vectorId } from '../framework.js'
import { exactVector } from '../neutral.js'

const FILE = 'oracle-encoding.json'
const FORMATS: readonly [Format, 'siabin' | 'rivbin'][] = [
  ['sia', 'siabin'],
  ['rivbin', 'rivbin'],
]

function checkBoth<T>(codec: Codec<T>, value: T, expected: Record<string, string>): void {
  expect(Object.keys(expected).sort()).toEqual(['rivbin', 'siabin'])
  for (const [format, key] of FORMATS) {
    expect(toHex(encode(codec, value, format)), key).toBe(expected[key])
    expect(decode(codec, fromHex(expected[key]!), format), key).toEqual(value)
  }
}

/** Go `int`: 64-bit two's complement in both codecs. */
const goInt: Codec<bigint> = mapped(
  u64,
  (u) => BigInt.asIntN(64, u),
  (i) => BigInt.asUintN(64, i),
)

const blockStakeOutputIndexes = struct({ BlockHeight: u64n, TransactionIndex: u64n, OutputIndex: u64n })

/** name → (codec, the transcribed input as our value). */
const PRIMITIVES: Record<string, (input: any) => [Codec<any>, unknown]> = {
  'primitive-uint64-': (x) => [u64, BigInt(x)],
  'primitive-uint8-': (x) => [uint(1), x],
  'primitive-uint16-': (x) => [uint(2), x],
  'primitive-uint32-': (x) => [uint(4), x],
  'primitive-int-': (x) => [goInt, BigInt(x)],
  'primitive-bool-': (x) => [bool, x],
  // a Go []byte in JSON is base64
  'primitive-bytes-': (x) => [varBytes, fromBase64(x)],
  'primitive-string-': (x) => [string, x],
  'primitive-array32-': (x) => [fixedBytes(32), fromHex(x, 32)],
  'primitive-specifier-': (x) => [fixedBytes(16), specifier(x)],
  'primitive-transaction-version-': (x) => [byte, x],
  'primitive-blockheight-': (x) => [u64n, x],
  'primitive-timestamp-': (x) => [u64n, x],
  'primitive-pobs-indexes': (x) => [blockStakeOutputIndexes, x],
  'primitive-uint64-slice': (x: number[]) => [array(u64), x.map(BigInt)],
}

function primitive(name: string): (input: any) => [Codec<any>, unknown] {
  // the longest matching prefix wins (`primitive-uint64-slice` over `primitive-uint64-`)
  const key = Object.keys(PRIMITIVES)
    .filter((k) => name.startsWith(k))
    .sort((a, b) => b.length - a.length)[0]
  if (!key) throw new Error(`unrecognised primitive ${name}`)
  return PRIMITIVES[key]!
}

/** The Go error texts of CurrencyConvertor.ParseCoinString, as our messages word them. */
const COIN_STRING_ERRORS: Record<string, RegExp> = {
  'invalid or too precise currency coin amount': /invalid or too precise currency coin amount/i,
  'Inconsistent use of , formatting': /inconsistent use of "?,"? formatting/i,
}

export function handle(v0: Vector): Outcome {
  const v = exactVector(FILE, v0)
  const name = vectorId(v)
  const e = v.expected

  if (name.startsWith('currency-')) {
    const value = BigInt(v.inputs.value)
    expect(name).toBe(`currency-${value}`)
    expect(Object.keys(e).sort()).toEqual(['coin_string', 'json', 'rivbin', 'siabin'])
    checkBoth(currency, value, { siabin: e.siabin, rivbin: e.rivbin })
    expect(currencyToJson(value)).toEqual(e.json)
    expect(stringifyJson(currencyToJson(value))).toBe(JSON.stringify(e.json))
    expect(parseCurrency(e.json)).toBe(value)
    expect(formatCoinString(value)).toBe(e.coin_string)
    expect(parseCoinString(e.coin_string)).toBe(value)
    return undefined
  }
  if (name.startsWith('coinstring-parse-')) {
    const { coin_string: text, precision } = v.inputs as { coin_string: string; precision: number }
    if ('error' in e) {
      const why = COIN_STRING_ERRORS[e.error as string]
      if (!why) throw new Error(`unknown coin string error ${e.error}`)
      expect(() => parseCoinString(text, precision)).toThrow(CoinStringError)
      expect(() => parseCoinString(text, precision)).toThrow(why)
      return undefined
    }
    expect(parseCoinString(text, precision)).toBe(BigInt(e.value))
    return undefined
  }
  if (name.startsWith('primitive-')) {
    const [codec, value] = primitive(name)(v.inputs.value)
    checkBoth(codec, value, e)
    return undefined
  }
  if (name.startsWith('rivbin-length-prefix-')) {
    const n = v.inputs.length as number
    const zeros = new Uint8Array(n)
    for (const [format, key] of [
      ['rivbin', 'prefix'],
      ['sia', 'siabin_prefix'],
    ] as const) {
      const bin = encode(varBytes, zeros, format)
      const prefix = e[key] as string
      expect(toHex(bin.subarray(0, bin.length - n)), key).toBe(prefix)
      // (equalBytes: vitest's deep equality is far too slow on megabyte arrays)
      expect(equalBytes(decode(varBytes, bin, format), zeros)).toBe(true)
    }
    expect(Object.keys(e).sort()).toEqual(['prefix', 'siabin_prefix'])
    return undefined
  }
  throw new Error(`unrecognised vector ${name}`)
}
