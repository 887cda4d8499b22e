// test/vectors/data/oracle-keys.json (copied from shared/vectors): seed ↔ mnemonic and seed + index → key →
// address (spec/rivine.md §7).
import { expect } from 'vitest'
import { type Ed25519, nobleEd25519 } from '../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { encode } from '../../../consensus/encoding/codec.js'
import { concatBytes, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { publicKeyCodec, publicKeyToString } from '../../../consensus/types/publickey.js'
import {
  parseUnlockHash,
  u64le,
  unlockHashBytes,
  unlockHashCodec,
  unlockHashToString,
} from '../../../consensus/types/unlockhash.js'
import { deriveKey, type KeyPair, mnemonicToSeed, seedToMnemonic } from '../../../wallet/index.js'
import type { Outcome, Vector } from '../framework.js'

interface SeedVector {
  name: string
  description: string
  inputs: { seed: string; indices: number[] }
  expected: { mnemonic: string; seed_string: string; keys: Record<string, string | number>[] }
}

interface MnemonicVector {
  name: string
  description: string
  inputs: { mnemonic: string; index: number }
  expected: { seed: string; index0_unlockhash: string; unlockhash: string }
}

type KeysVector = SeedVector | MnemonicVector

/** Every field a key entry may carry, computed from our derivation. A field not listed here fails the test. */
function keyFields(seed: Uint8Array, kp: KeyPair): Record<string, string | number> {
  const pkSia = encode(publicKeyCodec, kp.publicKey, 'sia')
  return {
    index: kp.index,
    hashall_preimage: toHex(concatBytes(seed, u64le(kp.index))),
    entropy: toHex(kp.secretSeed),
    ed25519_secret_key_64: toHex(concatBytes(kp.secretSeed, kp.publicKey.key)),
    ed25519_public_key: toHex(kp.publicKey.key),
    rivine_publickey_string: publicKeyToString(kp.publicKey),
    publickey_siabin: toHex(pkSia),
    publickey_rivbin: toHex(encode(publicKeyCodec, kp.publicKey, 'rivbin')),
    unlockhash_hash_preimage: toHex(concatBytes(u64le(pkSia.length), pkSia)),
    unlockhash_hash: toHex(kp.unlockHash.hash),
    checksum_preimage: toHex(unlockHashBytes(kp.unlockHash)),
    unlockhash: kp.address,
    unlockhash_siabin: toHex(encode(unlockHashCodec, kp.unlockHash, 'sia')),
    // the JSON form of an unlock hash is its string form
    unlockhash_json: unlockHashToString(kp.unlockHash),
  }
}

const implementations: readonly Ed25519[] = [nobleEd25519, nodeEd25519]

function checkSeedVector(v: SeedVector): void {
  const seed = fromHex(v.inputs.seed, 32)
  expect(seedToMnemonic(seed)).toBe(v.expected.mnemonic)
  expect(toHex(mnemonicToSeed(v.expected.mnemonic))).toBe(v.inputs.seed)
  expect(toHex(seed)).toBe(v.expected.seed_string)
  expect(v.expected.keys.map((k) => k.index)).toEqual(v.inputs.indices)
  for (const ed of implementations) {
    for (const expected of v.expected.keys) {
      const kp = deriveKey(seed, expected.index as number, ed)
      const actual = keyFields(seed, kp)
      for (const field of Object.keys(expected))
        expect(actual, `unknown field ${field}`).toHaveProperty(field)
      for (const [field, value] of Object.entries(expected))
        expect(actual[field], `${ed.name}: ${field}`).toBe(value)
      expect(unlockHashToString(parseUnlockHash(expected.unlockhash))).toBe(expected.unlockhash)
      // the secret key really belongs to the public key
      const message = fromHex(expected.hashall_preimage as string)
      expect(ed.verify(kp.publicKey.key, message, ed.sign(kp.secretSeed, message))).toBe(true)
    }
  }
}

function checkMnemonicVector(v: MnemonicVector): void {
  expect(toHex(mnemonicToSeed(v.inputs.mnemonic))).toBe(v.expected.seed)
  expect(seedToMnemonic(fromHex(v.expected.seed))).toBe(v.inputs.mnemonic)
  for (const ed of implementations) {
    const seed = mnemonicToSeed(v.inputs.mnemonic)
    expect(deriveKey(seed, 0, ed).address).toBe(v.expected.index0_unlockhash)
    expect(deriveKey(seed, v.inputs.index, ed).address).toBe(v.expected.unlockhash)
  }
}

export function handle(vector: Vector): Outcome {
  const v = vector as unknown as KeysVector
  if (v.name.startsWith('wallet-seed-')) checkSeedVector(v as SeedVector)
  else if (v.name.startsWith('devnet-genesis-')) checkMnemonicVector(v as MnemonicVector)
  else throw new Error(`unknown vector ${v.name}`)
  return undefined
}
