// test/vectors/data/tfchain-threebot.json (copied from shared/vectors): 3Bot (144–146) is out of scope
// (DESIGN §2). What these vectors state about primitives we do have (the test key pair, public key encodings)
// is checked before deferring.
import { expect } from 'vitest'
import { nobleEd25519 } from '../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { decode, encode } from '../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { parseJson } from '../../../consensus/encoding/json.js'
import { authCoinTransactionTypes } from '../../../consensus/extensions/authcointx/index.js'
import { mintingTransactionTypes } from '../../../consensus/extensions/minting/index.js'
import { publicKeyUnlockHash } from '../../../consensus/types/conditions.js'
import { parsePublicKey, publicKeyCodec, publicKeyToString } from '../../../consensus/types/publickey.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { unlockHashToString } from '../../../consensus/types/unlockhash.js'
import { later, type Outcome, type Vector } from '../framework.js'

const OUT_OF_SCOPE = 'out of scope: 3Bot/ERC20 (DESIGN §2)'
const verifiers = [nobleEd25519, nodeEd25519]
const tfchain = coreRegistry()
  .with(...mintingTransactionTypes({ format: 'sia', requireMinerFees: true }))
  .with(...authCoinTransactionTypes({ requireMinerFees: true }))

/** A public key string survives parsing and both binary codecs. */
function checkPublicKey(text: string): void {
  const pk = parsePublicKey(text)
  expect(publicKeyToString(pk)).toBe(text)
  for (const format of ['sia', 'rivbin'] as const)
    expect(publicKeyToString(decode(publicKeyCodec, encode(publicKeyCodec, pk, format), format))).toBe(text)
}

const DEFERRED = new Set([
  '3bot-registration-json-id-stability',
  '3bot-unique-signatures-BotRegistration',
  '3bot-unique-signatures-BotRecordUpdate',
  '3bot-unique-signatures-BotNameTransfer',
  '3bot-ValidateUniquenessOfNetworkAddresses_Correct',
  '3bot-ValidateUniquenessOfNetworkAddresses_Error',
  '3bot-ValidateUniquenessOfBotNames_Correct',
  '3bot-ValidateUniquenessOfBotNames_Error',
  '3bot-valid-bot-names',
  '3bot-botid-invalid-strings',
  '3bot-record-json',
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
    case '3bot-registration-in-block': {
      // without the 3Bot types, version 144 is unknown to our tfchain registry
      const hex: string = v.input.hex ?? ''
      if (hex) {
        const err = (() => {
          try {
            tfchain.decode(fromHex(hex))
          } catch (e) {
            return e
          }
        })()
        expect(err).toBeInstanceOf(DecodeError)
      }
      return later(OUT_OF_SCOPE)
    }
    case '3bot-registration-signed-devnet': {
      checkPublicKey(v.input.bot_public_key)
      const tx = parseJson(v.input.json) as { data: { identification: { publickey: string } } }
      expect(tx.data.identification.publickey).toBe(v.input.bot_public_key)
      return later(OUT_OF_SCOPE)
    }
    case '3bot-pubkey-signature-pair': {
      const pair = parseJson(v.input.json) as { publickey: string; signature: string }
      checkPublicKey(pair.publickey)
      // rivbin public key: algorithm byte + raw key (the 3Bot pair adds the raw 64-byte signature)
      expect(toHex(encode(publicKeyCodec, parsePublicKey(pair.publickey), 'rivbin'))).toBe(
        `01${pair.publickey.slice('ed25519:'.length)}`,
      )
      return later(OUT_OF_SCOPE)
    }
    case '3bot-record-minimal-binary': {
      // bytes 5+6 (after id and paired length) .. : the IPv4 address, then the rivbin public key
      const bin = fromHex(v.input.hex)
      const pkPart = v.input.annotated_parts[3].hex as string
      expect(toHex(bin)).toContain(pkPart.toLowerCase())
      expect(publicKeyToString(decode(publicKeyCodec, fromHex(pkPart), 'rivbin'))).toBe(v.expected.publickey)
      return later(OUT_OF_SCOPE)
    }
    case '3bot-tx-versions': {
      expect(v.expected).toEqual({
        BotRegistration: '0x90',
        BotRecordUpdate: '0x91',
        BotNameTransfer: '0x92',
      })
      // reserved: none of our extension types takes these numbers
      for (const version of [0x90, 0x91, 0x92]) expect(tfchain.has(version)).toBe(false)
      return later(OUT_OF_SCOPE)
    }
    default:
      if (DEFERRED.has(id)) return later(OUT_OF_SCOPE)
      throw new Error(`tfchain-threebot: unknown vector ${id}`)
  }
}
