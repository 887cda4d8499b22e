// test/vectors/data/tfchain-threebot.json (copied from shared/vectors): 3Bot (144–146) is out of scope
// (DESIGN §2) and its versions are reserved. Each vector checks what our code does with it: its
// transactions (binary, JSON, in a block) are refused with an 'unknown-type' DecodeError naming the version
// under every registry we build (../reserved.ts); the 3Bot-only structures (names, addresses, records,
// timestamps, fees) assert the reservation of the versions that would carry them; and what the vectors
// state about primitives we do have (the test key pair, public keys, addresses) is checked as usual.
import { expect } from 'vitest'
import { nobleEd25519 } from '../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { decode, encode } from '../../../consensus/encoding/codec.js'
import { fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { parseJson } from '../../../consensus/encoding/json.js'
import { publicKeyUnlockHash } from '../../../consensus/types/conditions.js'
import { parsePublicKey, publicKeyCodec, publicKeyToString } from '../../../consensus/types/publickey.js'
import { parseUnlockHash, unlockHashToString } from '../../../consensus/types/unlockhash.js'
import type { Outcome, Vector } from '../framework.js'
import {
  expectBinaryRefused,
  expectBlockRefused,
  expectJsonRefused,
  expectReserved,
  THREEBOT_VERSIONS,
} from '../reserved.js'

const verifiers = [nobleEd25519, nodeEd25519]
/** The public key the unique-signature templates put in for `%[1]s` (the test key pair's). */
const TEST_PUBLIC_KEY = 'ed25519:d285f92d6d449d9abb27f4c6cf82713cec0696d62b8c123f1627e054dc6d7780'

/** A public key string survives parsing and both binary codecs. */
function checkPublicKey(text: string): void {
  const pk = parsePublicKey(text)
  expect(publicKeyToString(pk)).toBe(text)
  for (const format of ['sia', 'rivbin'] as const)
    expect(publicKeyToString(decode(publicKeyCodec, encode(publicKeyCodec, pk, format), format))).toBe(text)
}

const TEMPLATE_VERSIONS: Record<string, number> = {
  '3bot-unique-signatures-BotRegistration': 144,
  '3bot-unique-signatures-BotRecordUpdate': 145,
  '3bot-unique-signatures-BotNameTransfer': 146,
}

/** An address string survives parsing and formatting. */
const checkAddress = (text: string) => expect(unlockHashToString(parseUnlockHash(text))).toBe(text)

/** Structures only 3Bot transactions carry: all we can assert is that those versions stay reserved. */
const THREEBOT_ONLY = new Set([
  '3bot-ValidateUniquenessOfNetworkAddresses_Correct',
  '3bot-ValidateUniquenessOfNetworkAddresses_Error',
  '3bot-ValidateUniquenessOfBotNames_Correct',
  '3bot-ValidateUniquenessOfBotNames_Error',
  '3bot-valid-bot-names',
  '3bot-botid-invalid-strings',
  '3bot-name-sortedset-json',
  '3bot-name-sortedset-rivbin',
  '3bot-name-sortedset-raw',
  '3bot-name-sort-order',
  '3bot-name-case-insensitive',
  '3bot-network-addresses-valid',
  '3bot-network-addresses-invalid',
  '3bot-network-address-sortedset-json',
  '3bot-network-address-sortedset-rivbin',
  '3bot-network-address-sortedset-raw',
  '3bot-compact-timestamp-hex',
  '3bot-compact-timestamp-limits',
  '3bot-monthly-fees-onecoin-10',
  '3bot-months-and-flags-byte',
])

export function handle(v: Vector): Outcome {
  const id = v.id ?? ''
  switch (id) {
    case 'ed25519-test-keypair': {
      const sk = fromHex(v.expected.private_key_64, 64)
      const pk = parsePublicKey(v.expected.public_key)
      for (const ed of verifiers) {
        expect(toHex(ed.publicKeyFromSeed(sk.subarray(0, 32)))).toBe(toHex(sk.subarray(32)))
        expect(toHex(pk.key)).toBe(toHex(sk.subarray(32)))
        const msg = fromHex('00'.repeat(32))
        expect(ed.verify(pk.key, msg, ed.sign(sk.subarray(0, 32), msg))).toBe(true)
      }
      checkPublicKey(v.expected.public_key)
      // the devnet genesis / mint / auth address (tfchain-minting.json)
      expect(unlockHashToString(publicKeyUnlockHash(pk))).toBe(
        '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f',
      )
      return undefined
    }
    case '3bot-registration-outdated-binary-format':
      expectBinaryRefused(v.input.hex, 144)
      return undefined
    case '3bot-registration-json-id-stability':
      expectJsonRefused(v.input.json, 144)
      return undefined
    case '3bot-registration-in-block': {
      // a block carrying a v144 is refused as a whole, naming the transaction
      expect(v.input.transaction_index).toBe(1)
      expectBlockRefused(v.input.block_hex_siabin, 1, 144)
      expectJsonRefused(v.expected.transaction_json, 144)
      return undefined
    }
    case '3bot-unique-signatures-BotRegistration':
    case '3bot-unique-signatures-BotRecordUpdate':
    case '3bot-unique-signatures-BotNameTransfer': {
      const json = (v.input.json_template as string).replaceAll('%[1]s', TEST_PUBLIC_KEY)
      const version = (parseJson(json) as { version: number }).version
      expect(version).toBe(TEMPLATE_VERSIONS[id])
      checkPublicKey(TEST_PUBLIC_KEY)
      expectJsonRefused(json, version)
      return undefined
    }
    case '3bot-registration-signed-devnet': {
      checkPublicKey(v.input.bot_public_key)
      const tx = parseJson(v.input.json) as {
        data: {
          identification: { publickey: string }
          coininputs: { fulfillment: { data: { publickey: string } } }[]
          refundcoinoutput: { condition: { data: { unlockhash: string } } }
        }
      }
      expect(tx.data.identification.publickey).toBe(v.input.bot_public_key)
      checkPublicKey(tx.data.coininputs[0]!.fulfillment.data.publickey)
      checkAddress(tx.data.refundcoinoutput.condition.data.unlockhash)
      expectJsonRefused(v.input.json, 144)
      return undefined
    }
    case '3bot-pubkey-signature-pair': {
      const pair = parseJson(v.input.json) as { publickey: string; signature: string }
      checkPublicKey(pair.publickey)
      // rivbin public key: algorithm byte + raw key (the 3Bot pair adds the raw 64-byte signature)
      expect(toHex(encode(publicKeyCodec, parsePublicKey(pair.publickey), 'rivbin'))).toBe(
        `01${pair.publickey.slice('ed25519:'.length)}`,
      )
      expectReserved(THREEBOT_VERSIONS)
      return undefined
    }
    case '3bot-record-json': {
      checkPublicKey((parseJson(v.input.json) as { publickey: string }).publickey)
      expectReserved(THREEBOT_VERSIONS)
      return undefined
    }
    case '3bot-record-minimal-binary': {
      // bytes 5+6 (after id and paired length) .. : the IPv4 address, then the rivbin public key
      const bin = fromHex(v.input.hex)
      const pkPart = v.input.annotated_parts[3].hex as string
      expect(toHex(bin)).toContain(pkPart.toLowerCase())
      expect(publicKeyToString(decode(publicKeyCodec, fromHex(pkPart), 'rivbin'))).toBe(v.expected.publickey)
      expectReserved(THREEBOT_VERSIONS)
      return undefined
    }
    case '3bot-tx-versions': {
      expect(v.expected).toEqual({
        BotRegistration: '0x90',
        BotRecordUpdate: '0x91',
        BotNameTransfer: '0x92',
      })
      expect(THREEBOT_VERSIONS).toEqual([0x90, 0x91, 0x92])
      expectReserved(THREEBOT_VERSIONS)
      return undefined
    }
    default:
      if (!THREEBOT_ONLY.has(id)) throw new Error(`tfchain-threebot: unknown vector ${id}`)
      expectReserved(THREEBOT_VERSIONS)
      return undefined
  }
}
