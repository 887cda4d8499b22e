import { describe, expect, it } from 'vitest'
import { MAX_CURRENCY_BYTES } from '../../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../../consensus/encoding/errors.js'
import { MAX_CURRENCY, parseCurrency } from '../../../../consensus/types/currency.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'

const decodeError = (fn: () => unknown): DecodeError => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
    return err as DecodeError
  }
  throw new Error('expected a DecodeError')
}

describe('parseCurrency', () => {
  it('reads decimal strings, bare safe integers and leading zeros (spec §4.3)', () => {
    expect(parseCurrency('1000000000')).toBe(1_000_000_000n)
    expect(parseCurrency(42)).toBe(42n)
    expect(parseCurrency(`${'0'.repeat(5000)}7`)).toBe(7n)
    expect(parseCurrency(MAX_CURRENCY.toString())).toBe(MAX_CURRENCY)
    expect(MAX_CURRENCY).toBe(2n ** BigInt(8 * MAX_CURRENCY_BYTES) - 1n)
  })

  it('refuses what the binary decoders refuse: a magnitude over 256 bytes (found by fuzzing block JSON)', () => {
    // before, JSON took any size: a transaction that re-encoded to bytes no decoder (peer or own database) reads
    expect(decodeError(() => parseCurrency((MAX_CURRENCY + 1n).toString(), 'value'))).toMatchObject({
      code: 'invalid-value',
      field: 'value',
    })
    // refused by its length, before BigInt spends a second on two million digits; the message is clipped
    const huge = decodeError(() => parseCurrency('9'.repeat(2_000_000)))
    expect(huge.message).toMatch(/exceeds 256 bytes/)
    expect(decodeError(() => parseCurrency(`x${'9'.repeat(1000)}`)).message.length).toBeLessThan(100)
  })

  it('a JSON transaction paying the largest currency round-trips through its binary form', () => {
    const registry = coreRegistry()
    const json = (value: string) =>
      `{"version":1,"data":{"coinoutputs":[{"value":"${value}","condition":{}}],"minerfees":null}}`
    const tx = registry.fromJsonString(json(MAX_CURRENCY.toString()))
    expect(registry.decode(registry.encode(tx))).toEqual(tx)
    expect(decodeError(() => registry.fromJsonString(json((MAX_CURRENCY + 1n).toString()))).field).toBe(
      'data.coinoutputs[0].value',
    )
  })
})
