// test/vectors/data/tfchain-erc20.json (copied from shared/vectors): ERC20 (208–210) is out of scope
// (DESIGN §2) and its versions are reserved. Each vector checks what our code does with it: its
// transactions (JSON and binary) are refused with an 'unknown-type' DecodeError naming the version under
// every registry we build (../reserved.ts); the Rivine addresses and public keys inside them parse and
// format as ours, the v210 addresses derive from its public key as the reference derives them, and an
// ERC20 address string is never taken for a Rivine address.
import { expect } from 'vitest'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { encode } from '../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { toHex } from '../../../consensus/encoding/hex.js'
import { parseJson } from '../../../consensus/encoding/json.js'
import { publicKeyUnlockHash } from '../../../consensus/types/conditions.js'
import { parsePublicKey, publicKeyToString } from '../../../consensus/types/publickey.js'
import { parseUnlockHash, unlockHashCodec, unlockHashToString } from '../../../consensus/types/unlockhash.js'
import type { Outcome, Vector } from '../framework.js'
import { ERC20_VERSIONS, expectBinaryRefused, expectJsonRefused, expectReserved } from '../reserved.js'

interface Erc20Json {
  readonly version: number
  readonly data: {
    readonly address?: string
    readonly pubkey?: string
    readonly tftaddress?: string
    readonly erc20address?: string
    readonly coininputs?: readonly { fulfillment: { data: { publickey: string } } }[]
    readonly refundcoinoutput?: { condition: { data: { unlockhash: string } } }
  }
}

const checkAddress = (text: string) => expect(unlockHashToString(parseUnlockHash(text))).toBe(text)
const checkPublicKey = (text: string) => expect(publicKeyToString(parsePublicKey(text))).toBe(text)

/** An ERC20 address string is not a Rivine address: parsing it as one is refused. */
function expectNotAnAddress(text: string): void {
  expect(() => parseUnlockHash(text), text).toThrow(DecodeError)
}

function checkJson(v: Vector, version: number): void {
  const tx = parseJson(v.input.json) as Erc20Json
  expect(tx.version).toBe(version)
  const d = tx.data
  for (const input of d.coininputs ?? []) checkPublicKey(input.fulfillment.data.publickey)
  if (d.refundcoinoutput) checkAddress(d.refundcoinoutput.condition.data.unlockhash)
  if (version === 208) expectNotAnAddress(d.address!) // the ERC20 address coins are converted to
  if (version === 209) checkAddress(d.address!) // the Rivine address coins are created for
  if (version === 210) {
    const uh = publicKeyUnlockHash(parsePublicKey(d.pubkey!))
    expect(unlockHashToString(uh)).toBe(d.tftaddress)
    // erc20address = last 20 bytes of blake2b(siabin(unlockhash))
    const h = blake2b256(encode(unlockHashCodec, parseUnlockHash(d.tftaddress), 'sia'))
    expect(`0x${toHex(h.subarray(12))}`).toBe(d.erc20address)
    expectNotAnAddress(d.erc20address!)
  }
  expectJsonRefused(v.input.json, version)
}

export function handle(v: Vector): Outcome {
  const id = v.id ?? ''
  switch (id) {
    case 'erc20-json-v208':
    case 'erc20-json-v209':
    case 'erc20-json-v210':
      checkJson(v, Number(id.slice(-3)))
      return undefined
    case 'erc20-binary-v208':
    case 'erc20-binary-v209':
    case 'erc20-binary-v210':
      expectBinaryRefused(v.input.hex, Number(id.slice(-3)))
      return undefined
    case 'erc20-address-string-valid':
    case 'erc20-address-string-invalid': {
      const strings: string[] =
        v.input.strings ?? v.input.cases.flatMap((c: { inputs: string[] }) => c.inputs)
      // "" is the all-zero ERC20 address, and the nil address for us: the one string both accept
      for (const s of strings) if (s !== '') expectNotAnAddress(s)
      expectReserved(ERC20_VERSIONS)
      return undefined
    }
    case 'erc20-hash-string-valid':
    case 'erc20-hash-string-invalid':
      // Ethereum block and transaction hashes: only v209 carries them
      expectReserved(ERC20_VERSIONS)
      return undefined
    default:
      throw new Error(`tfchain-erc20: unknown vector ${id}`)
  }
}
