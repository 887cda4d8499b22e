// test/vectors/data/rivine-unlockhash-addresses.json (copied from shared/vectors): address strings and
// checksums, binary unlock hashes, sort order, public key → address, mnemonic → address (spec/rivine.md
// §3.1–3.3, §7).
import { expect } from 'vitest'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { decode, encode } from '../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { concatBytes, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { parseJson, stringifyJson } from '../../../consensus/encoding/json.js'
import { publicKeyUnlockHash } from '../../../consensus/types/conditions.js'
import {
  parsePublicKey,
  publicKeyCodec,
  publicKeyToString,
  SignatureAlgorithm,
} from '../../../consensus/types/publickey.js'
import {
  compareUnlockHashes,
  isNilUnlockHash,
  parseUnlockHash,
  type UnlockHash,
  u64le,
  unlockHashCodec,
  unlockHashToString,
} from '../../../consensus/types/unlockhash.js'
import { deriveKey, mnemonicToSeed } from '../../../wallet/keys/index.js'
import { type Outcome, type Vector, vectorId } from '../framework.js'
import { unlockHashToNeutral } from '../neutral.js'

function checkString(v: Vector): void {
  const text = v.input.string as string
  const e = v.expected
  if (!e.valid) {
    expect(Object.keys(e)).toEqual(['valid'])
    expect(() => parseUnlockHash(text)).toThrow(DecodeError)
    // the JSON form is the same string, with the same checks
    expect(() => parseUnlockHash(parseJson(JSON.stringify(text)))).toThrow(DecodeError)
    return
  }
  const uh = parseUnlockHash(text)
  expect(unlockHashToNeutral(uh)).toEqual({ unlock_type: e.unlock_type, hash: e.hash })
  expect(unlockHashToNeutral(parseUnlockHash(parseJson(JSON.stringify(text))))).toEqual(
    unlockHashToNeutral(uh),
  )
  if (e.unlock_type === 0) {
    // every spelling of the nil unlock hash prints as ""
    expect(isNilUnlockHash(uh)).toBe(true)
    expect(unlockHashToString(uh)).toBe('')
    expect(stringifyJson(unlockHashToString(uh))).toBe('""')
    expect(Object.keys(e).sort()).toEqual(['hash', 'unlock_type', 'valid'])
    return
  }
  expect(Object.keys(e).sort()).toEqual(['checksum', 'hash', 'unlock_type', 'valid'])
  expect(text).toBe(toHex(new Uint8Array([e.unlock_type])) + e.hash + e.checksum)
  // the checksum is the first 6 bytes of blake2b(type || hash)
  const bin = fromHex(text.slice(0, 66))
  expect(toHex(blake2b256(bin).subarray(0, 6))).toBe(e.checksum)
  expect(unlockHashToString(uh)).toBe(text)
  expect(stringifyJson(unlockHashToString(uh))).toBe(JSON.stringify(text))
  // a flipped checksum byte is rejected
  const bad = text.slice(0, 76) + (text.slice(76) === '00' ? '01' : '00')
  expect(() => parseUnlockHash(bad)).toThrow(DecodeError)
}

function checkBinary(v: Vector): void {
  const format = v.encoding === 'rivbin' ? 'rivbin' : 'sia'
  const uh: UnlockHash = { type: v.input.unlock_type, hash: fromHex(v.input.hash, 32) }
  expect(toHex(encode(unlockHashCodec, uh, format))).toBe(v.expected.hex)
  expect(unlockHashToNeutral(decode(unlockHashCodec, fromHex(v.expected.hex), format))).toEqual(
    unlockHashToNeutral(uh),
  )
}

function checkSortOrder(v: Vector): void {
  expect(v.input.format).toBe('[type, first two hash bytes (rest zero)]')
  const toUh = ([type, prefix]: [number, string]): UnlockHash => ({
    type,
    hash: fromHex(prefix.padEnd(64, '0'), 32),
  })
  const fromUh = (uh: UnlockHash) => [uh.type, toHex(uh.hash.subarray(0, 2))]
  const sorted = (v.input.unsorted as [number, string][]).map(toUh).sort(compareUnlockHashes)
  expect(sorted.map(fromUh)).toEqual(v.expected.sorted)
}

function checkPublicKeyAddress(v: Vector): void {
  const pk = parsePublicKey(v.input.public_key)
  expect(publicKeyToString(pk)).toBe(v.input.public_key)
  const uh = publicKeyUnlockHash(pk)
  expect(unlockHashToString(uh)).toBe(v.expected.address)
  // hash = blake2b(u64le(56) || siabin(public key)), as the description states
  const sia = encode(publicKeyCodec, pk, 'sia')
  expect(sia.length).toBe(56)
  expect(toHex(uh.hash)).toBe(toHex(blake2b256(concatBytes(u64le(56), sia))))
  expect(unlockHashToNeutral(parseUnlockHash(v.expected.address))).toEqual(unlockHashToNeutral(uh))
}

export function handle(v: Vector): Outcome {
  const id = vectorId(v)
  if (id.startsWith('uh-string-') || ['uh-nil-string', 'uh-empty-string'].includes(id)) {
    checkString(v)
    return undefined
  }
  if (id === 'uh-nil-bad-checksum' || id === 'uh-nil-bad-hash') {
    checkString(v)
    return undefined
  }
  if (id === 'uh-wrong-length') {
    expect(v.expected.valid).toBe(false)
    expect(() => parseUnlockHash(parseJson(v.input.json))).toThrow(DecodeError)
    return undefined
  }
  if (/^uh-(siabin|rivbin)-/.test(id)) {
    checkBinary(v)
    return undefined
  }
  if (id === 'uh-sort-order') {
    checkSortOrder(v)
    return undefined
  }
  if (id.startsWith('pk-to-address-')) {
    checkPublicKeyAddress(v)
    return undefined
  }
  if (id === 'mnemonic-index0-address') {
    const key = deriveKey(mnemonicToSeed(v.input.mnemonic), v.input.index)
    expect(key.address).toBe(v.expected.address)
    expect(unlockHashToString(publicKeyUnlockHash(key.publicKey))).toBe(v.expected.address)
    return undefined
  }
  if (id === 'pubkey-string-zero') {
    expect(v.input.algorithm).toBe('ed25519')
    const pk = { algorithm: SignatureAlgorithm.Ed25519, key: fromHex(v.input.key, 32) }
    expect(publicKeyToString(pk)).toBe(v.expected.string)
    const back = parsePublicKey(v.expected.string)
    expect(back.algorithm).toBe(SignatureAlgorithm.Ed25519)
    expect(toHex(back.key)).toBe(v.input.key)
    return undefined
  }
  if (id.startsWith('byteslice-string-')) {
    // signatures and keys print (and go to JSON) as plain lowercase hex
    const bytes = Uint8Array.from(v.input.bytes as number[])
    expect(toHex(bytes)).toBe(v.expected.string)
    expect(Array.from(fromHex(v.expected.string))).toEqual(v.input.bytes)
    return undefined
  }
  throw new Error(`unrecognised vector ${id}`)
}
