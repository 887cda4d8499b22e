// test/vectors/data/rivine-wallet-currency.json (copied from shared/vectors): mnemonic → address, the devnet
// genesis owner, coin strings and currency strings (spec/rivine.md §7, §4.3, §7.5).
import { expect } from 'vitest'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { parseJson } from '../../../consensus/encoding/json.js'
import { DEVNET_GENESIS_ADDRESS, preset, presetNames } from '../../../consensus/params/presets.js'
import {
  CoinStringError,
  formatCoinString,
  parseCoinString,
  parseCurrency,
  precisionOf,
} from '../../../consensus/types/currency.js'
import { deriveKey, mnemonicToSeed } from '../../../wallet/keys/index.js'
import { type Outcome, type Vector, vectorId } from '../framework.js'

/** oracle-genesis.json / README: the devnet genesis key is index 25 of the devnet mnemonic. */
const DEVNET_GENESIS_KEY_INDEX = 25
const SCAN_LIMIT = 64

export function handle(v: Vector): Outcome {
  const id = vectorId(v)
  const e = v.expected

  if (id === 'mnemonic-to-address-index0') {
    const key = deriveKey(mnemonicToSeed(v.input.mnemonic), v.input.index)
    expect(key.address).toBe(e.address)
    return undefined
  }
  if (id === 'devnet-genesis-owner') {
    const seed = mnemonicToSeed(v.input.mnemonic)
    let found = -1
    for (let i = 0; i < SCAN_LIMIT && found < 0; i++)
      if (deriveKey(seed, i).address === e.one_of_the_wallet_addresses) found = i
    expect(found, `not among the first ${SCAN_LIMIT} addresses`).toBe(DEVNET_GENESIS_KEY_INDEX)
    expect(DEVNET_GENESIS_ADDRESS).toBe(e.one_of_the_wallet_addresses)
    return undefined
  }
  if (id.startsWith('coinstring-valid-')) {
    const precision = precisionOf(BigInt(v.input.one_coin))
    expect(e.parses).toBe(true)
    const value = parseCoinString(v.input.string, precision)
    expect(formatCoinString(value, precision)).toBe(e.to_coin_string)
    expect(parseCoinString(e.to_coin_string, precision)).toBe(value)
    return undefined
  }
  if (id.startsWith('coinstring-invalid-')) {
    expect(e.parses).toBe(false)
    expect(() => parseCoinString(v.input.string)).toThrow(CoinStringError)
    return undefined
  }
  if (id.startsWith('currency-loadstring-')) {
    expect(parseCurrency(v.input.string)).toBe(BigInt(e.value))
    // and inside JSON (a quoted decimal string)
    expect(parseCurrency(parseJson(JSON.stringify(v.input.string)))).toBe(BigInt(e.value))
    return undefined
  }
  if (id === 'currency-json-negative') {
    expect(e.error).toBe(true)
    const text = v.input.json_bytes as string
    // the bytes are not even JSON for us; the reference trims the quotes and rejects the sign
    expect(() => parseCurrency(parseJson(text))).toThrow(DecodeError)
    expect(() => parseCurrency(text.replace(/^"+|"+$/g, ''))).toThrow(/negative/)
    expect(() => parseCurrency(parseJson(`"${text.replace(/"/g, '')}"`))).toThrow(/negative/)
    expect(() => parseCurrency(-35)).toThrow(DecodeError)
    return undefined
  }
  if (id === 'currency-scan-negative') {
    expect(e.error).toBe(true)
    expect(() => parseCurrency(v.input.string)).toThrow(/negative/)
    return undefined
  }
  if (id === 'one-coin') {
    // every reference preset uses the default OneCoin
    const reference = presetNames().filter((n) => n.startsWith('rivine-') || n.startsWith('rivchain-'))
    expect(reference.length).toBeGreaterThan(0)
    for (const name of reference) expect(preset(name).oneCoin, name).toBe(BigInt(e.one_coin))
    expect(parseCoinString('1')).toBe(BigInt(e.one_coin))
    return undefined
  }
  throw new Error(`unrecognised vector ${id}`)
}
