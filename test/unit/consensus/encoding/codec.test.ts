import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../../consensus/encoding/hex.js'
import {
  array,
  bool,
  bytes,
  currency,
  DecodeError,
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
  Writer,
} from '../../../../consensus/encoding/index.js'

const formats: Format[] = ['sia', 'rivbin']

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
    return err as DecodeError
  }
  throw new Error('expected a DecodeError')
}

const sample = struct({
  flag: bool,
  small: uint(2),
  big: u64,
  name: string,
  data: bytes,
  values: array(currency),
  hash: fixedBytes(4),
  maybe: pointer(uint(4)),
})

const sampleArb = fc.record({
  flag: fc.boolean(),
  small: fc.integer({ min: 0, max: 0xffff }),
  big: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  name: fc.string(),
  data: fc.uint8Array({ maxLength: 300 }),
  values: fc.array(fc.bigInt({ min: 0n, max: 1n << 200n }), { maxLength: 5 }),
  hash: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  maybe: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
})

describe('codecs', () => {
  for (const format of formats) {
    it(`round-trips a struct of every primitive (${format})`, () => {
      fc.assert(
        fc.property(sampleArb, (v) => {
          const bin = encode(sample, v, format)
          expect(decode(sample, bin, format)).toEqual(v)
          expect(toHex(encode(sample, decode(sample, bin, format), format))).toBe(toHex(bin))
        }),
      )
    })

    it(`rejects every truncation and any trailing byte (${format})`, () => {
      fc.assert(
        fc.property(sampleArb, fc.nat(), (v, cut) => {
          const bin = encode(sample, v, format)
          const n = cut % bin.length
          expect(decodeError(() => decode(sample, bin.subarray(0, n), format)).code).toMatch(
            /truncated|bad-length/,
          )
          const longer = new Uint8Array(bin.length + 1)
          longer.set(bin)
          expect(decodeError(() => decode(sample, longer, format)).code).toBe('trailing-bytes')
        }),
        { numRuns: 50 },
      )
    })
  }

  it('writes minimal rivbin length prefixes and reads them back', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [2, '04'],
      [127, 'fe'],
      [128, '0102'],
      [236, 'b103'],
      [16383, 'fdff'],
      [16384, '030002'],
      [2097151, 'fbffff'],
      [2097152, '07000001'],
      [2 ** 29 - 1, 'ffffffff'],
    ]
    for (const [n, hex] of cases) {
      const w = new Writer('rivbin')
      w.length(n)
      expect(toHex(w.finish())).toBe(hex)
      // minElementSize 0: read the prefix alone, without the n bytes it announces
      expect(new Reader(fromHex(hex), 'rivbin').length(0)).toBe(n)
    }
    expect(() => new Writer('rivbin').length(2 ** 29)).toThrow(RangeError)
  })

  it('fails fast on an absurd length prefix, before allocating', () => {
    const huge = fromHex('000000000000001000') // u64le(2^60) then nothing
    // refused by the prefix check itself, before any element is read or any buffer sized by the prefix
    const prefixRefused = (fn: () => unknown, message: RegExp) => {
      const err = decodeError(fn)
      expect(err.code).toBe('bad-length')
      expect(err.message).toMatch(message)
    }
    prefixRefused(() => decode(bytes, huge.subarray(0, 8)), /length prefix 1152921504606846976 is absurd/)
    prefixRefused(
      () => decode(array(u64), huge.subarray(0, 8)),
      /length prefix 1152921504606846976 is absurd/,
    )
    // a count that fits in memory but not in the bytes left
    prefixRefused(
      () => decode(array(u64), fromHex('0a00000000000000' + '00'.repeat(16))),
      /length prefix 10 exceeds the 16 bytes left/,
    )
  })

  it('rejects a bool byte other than 00/01', () => {
    expect(decodeError(() => decode(bool, fromHex('03'))).code).toBe('invalid-value')
  })

  it('names the field of a failure', () => {
    const err = decodeError(() =>
      decode(struct({ outer: struct({ inner: array(u64) }) }), fromHex('0100000000000000')),
    )
    expect(err.field).toBe('outer.inner')
  })
})
