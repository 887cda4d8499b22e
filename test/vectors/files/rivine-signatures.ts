// test/vectors/data/rivine-signatures.json (copied from shared/vectors): signature-hash preimage templates of
// v1 and v0 inputs (spec §2.8), rebuilt byte for byte with the placeholders derived here, and the six
// deterministic v0 signatures.
import { expect } from 'vitest'
import { blake2b256, sha256 } from '../../../consensus/crypto/hash.js'
import { encode } from '../../../consensus/encoding/codec.js'
import { concatBytes, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../consensus/types/conditions.js'
import { fulfillError } from '../../../consensus/types/fulfill.js'
import type { Fulfillment } from '../../../consensus/types/fulfillments.js'
import { ed25519PublicKey, publicKeyCodec, publicKeyEquals } from '../../../consensus/types/publickey.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import {
  type InputList,
  type SigningKey,
  signAtomicSwap,
  signSingleSignature,
  withFulfillment,
} from '../../../consensus/types/sign.js'
import type { ExtraObject, Transaction } from '../../../consensus/types/transaction.js'
import { u64le, unlockHashBytes } from '../../../consensus/types/unlockhash.js'
import { legacyUnlockHash } from '../../../consensus/types/v0.js'
import type { Outcome, Vector } from '../framework.js'
import {
  entropyPlaceholders,
  exactVector,
  expectTransactionMatches,
  neutralToTransaction,
} from '../neutral.js'
import { verifiers } from '../oracle.js'
import { sigHashPreimage } from '../sighash-preimage.js'

const FILE = 'rivine-signatures.json'
const registry = coreRegistry()

function keyFromEntropy(entropyHex: string): SigningKey {
  const secretSeed = fromHex(entropyHex, 32)
  const keys = verifiers.map((ed) => toHex(ed.publicKeyFromSeed(secretSeed)))
  expect(keys[0]).toBe(keys[1])
  return { secretSeed, publicKey: ed25519PublicKey(fromHex(keys[0]!)) }
}

/** The extra objects after the index that a fulfillment signs with (spec §2.8.3). */
function fulfillmentExtras(f: Fulfillment): ExtraObject[] {
  switch (f.type) {
    case 1:
      return []
    case 2:
      return f.secret.some((b) => b !== 0)
        ? [
            { kind: 'publicKey', value: f.publicKey },
            { kind: 'raw', value: f.secret },
          ]
        : [{ kind: 'publicKey', value: f.publicKey }]
    default:
      throw new Error(`no signing rule for fulfillment type ${f.type} in this file`)
  }
}

/** Signs input `index` of `list` as the reference's `Fulfillment.Sign` does. */
function signInput(tx: Transaction, list: InputList, index: number, key: SigningKey): Transaction {
  const f = tx[list][index]!.fulfillment
  if (f.type === 1) return signSingleSignature(registry, verifiers[0]!, tx, list, index, key)
  if (f.type === 2 && !f.legacy) {
    const secret = f.secret.some((b) => b !== 0) ? f.secret : undefined
    return signAtomicSwap(registry, verifiers[0]!, tx, list, index, key, secret)
  }
  if (f.type === 2 && f.legacy) {
    expect(publicKeyEquals(f.publicKey, key.publicKey)).toBe(true)
    const sighash = registry.inputSigHash(tx, index, fulfillmentExtras(f))
    return withFulfillment(tx, list, index, { ...f, signature: verifiers[0]!.sign(key.secretSeed, sighash) })
  }
  throw new Error(`cannot sign fulfillment type ${f.type}`)
}

/** Each signed v0 input fulfils the unlock hash it stands for, with both verifiers. */
function expectV0InputsVerify(tx: Transaction): void {
  for (const list of ['coinInputs', 'blockStakeInputs'] as const) {
    for (const [index, input] of tx[list].entries()) {
      const condition = unlockHashCondition(legacyUnlockHash(input.fulfillment))
      for (const verifier of verifiers) {
        const sigHash = (extras: readonly ExtraObject[]) => registry.inputSigHash(tx, index, extras)
        const err = fulfillError(condition, input.fulfillment, {
          blockHeight: 0,
          blockTime: 0,
          verifier,
          sigHash,
        })
        expect(err, `${list}[${index}] ${verifier.name}`).toBeUndefined()
      }
    }
  }
}

/** `{NAME}` → hex of the value our own derivation gives. */
function templateValues(v: Vector, tx: Transaction): Record<string, string> {
  const ph = v.placeholders as Record<string, string>
  const entropy = /from entropy ([0-9a-f]{64})$/.exec(ph['{KEY_FROM_ENTROPY}']!)?.[1]
  if (!entropy) throw new Error('no entropy in the placeholder description')
  const secret = ph['{SECRET}']!
  expect(secret).toMatch(/^[0-9a-f]{64}$/)
  const key = keyFromEntropy(entropy)
  const out: Record<string, string> = {
    '{SIABIN(KEY_FROM_ENTROPY)}': toHex(encode(publicKeyCodec, key.publicKey, 'sia')),
    '{SHA256_OF_SECRET}': toHex(sha256(fromHex(secret))),
    '{LEGACY_PUBKEY_UNLOCKHASH_HASH}': toHex(publicKeyUnlockHash(key.publicKey).hash),
  }
  const legacy = tx.coinInputs.map((i) => i.fulfillment).find((f) => f.type === 2 && f.legacy)
  if (legacy?.type === 2 && legacy.legacy) {
    // blake2b(u64le(106) || sender(33) || receiver(33) || hashed secret(32) || u64le(timelock)), §2.8.2
    const preimage = concatBytes(
      unlockHashBytes(legacy.sender),
      unlockHashBytes(legacy.receiver),
      legacy.hashedSecret,
      u64le(legacy.timeLock),
    )
    expect(preimage.length).toBe(106)
    const hash = toHex(blake2b256(u64le(106), preimage))
    expect(toHex(legacyUnlockHash(legacy).hash)).toBe(hash)
    out['{LEGACY_ATOMICSWAP_UNLOCKHASH_HASH}'] = hash
  }
  return out
}

function checkTemplate(v: Vector): void {
  const exact = exactVector(FILE, v)
  const ph = v.placeholders as Record<string, string>
  const entropy = /from entropy ([0-9a-f]{64})$/.exec(ph['{KEY_FROM_ENTROPY}']!)![1]!
  const neutralPh = entropyPlaceholders(entropy, ph['{SECRET}'])
  const tx = neutralToTransaction(exact.input.transaction, neutralPh)
  expectTransactionMatches(tx, exact.input.transaction, neutralPh)
  const index: number = v.input.input_index
  if (v.input.extra_objects !== undefined) expect(v.input.extra_objects).toEqual(['u64le(input index)'])
  const input = tx.coinInputs[index]!
  const extras: ExtraObject[] = [{ kind: 'u64', value: index }, ...fulfillmentExtras(input.fulfillment)]
  // the template with our placeholders
  let expected: string = v.expected.preimage_hex_template
  for (const [name, hex] of Object.entries(templateValues(v, tx))) expected = expected.split(name).join(hex)
  expect(expected).toMatch(/^[0-9a-f]+$/)
  const preimage = sigHashPreimage(tx, extras)
  expect(toHex(preimage)).toBe(expected)
  const sighash = registry.inputSigHash(tx, index, extras.slice(1))
  expect(toHex(sighash)).toBe(toHex(blake2b256(preimage)))
  // index 0: a block stake input with the same index signs the same message
  if (index === 0) expect(tx.blockStakeInputs.length).toBeGreaterThan(0)
  // signing with the derived key signs exactly blake2b(preimage)
  const key = keyFromEntropy(entropy)
  const signed = signInput(tx, 'coinInputs', index, key)
  const f = signed.coinInputs[index]!.fulfillment
  if (f.type !== 1 && f.type !== 2) throw new Error('unexpected fulfillment')
  for (const ed of verifiers) expect(toHex(ed.sign(key.secretSeed, sighash))).toBe(toHex(f.signature))
  if (index === 0) {
    const bs = signInput(signed, 'blockStakeInputs', 0, key).blockStakeInputs[0]!.fulfillment
    if (bs.type !== 1) throw new Error('expected a single signature')
    expect(toHex(bs.signature)).toBe(toHex(f.signature))
  }
}

function checkSignV0(v: Vector): void {
  const exact = exactVector(FILE, v)
  const ph = entropyPlaceholders(v.input.entropy, v.input.secret)
  // the file's placeholder descriptions name the same entropy and secret
  expect((v.placeholders as Record<string, string>)['{KEY_FROM_ENTROPY}']).toContain(v.input.entropy)
  expect((v.placeholders as Record<string, string>)['{SECRET}']).toBe(v.input.secret)
  const unsigned = neutralToTransaction(exact.input.unsigned_transaction, ph)
  expect(unsigned.version).toBe(0)
  expectTransactionMatches(unsigned, exact.input.unsigned_transaction, ph)
  const key = keyFromEntropy(v.input.entropy)
  let tx = unsigned
  for (const list of ['coinInputs', 'blockStakeInputs'] as const)
    for (let i = 0; i < tx[list].length; i++) tx = signInput(tx, list, i, key)
  let checked = 0
  for (const [field, list] of [
    ['coin_input_signatures', 'coinInputs'],
    ['blockstake_input_signatures', 'blockStakeInputs'],
  ] as const) {
    const want = (v.expected[field] ?? []) as { index: number; signature: string }[]
    expect(want.length, field).toBe(tx[list].length)
    for (const { index, signature } of want) {
      const f = tx[list][index]!.fulfillment
      if (f.type !== 1 && f.type !== 2) throw new Error('unexpected fulfillment')
      expect(toHex(f.signature), `${list}[${index}]`).toBe(signature)
      // both implementations produce the same deterministic signature
      const sighash = registry.inputSigHash(tx, index, fulfillmentExtras(f))
      for (const ed of verifiers) expect(toHex(ed.sign(key.secretSeed, sighash))).toBe(signature)
      checked++
    }
  }
  expect(checked).toBeGreaterThan(0)
  expectV0InputsVerify(tx)
  // the signed transaction survives the binary codec
  expect(toHex(registry.encode(registry.decode(registry.encode(tx))))).toBe(toHex(registry.encode(tx)))
}

export function handle(v: Vector): Outcome {
  const id = v.id ?? ''
  switch (id) {
    case 'sighash-v1-input0-template':
    case 'sighash-v1-input1-atomicswap-claim-template':
    case 'sighash-v0-input0-template':
    case 'sighash-v0-input1-legacy-atomicswap-claim-template':
      checkTemplate(v)
      return undefined
    default:
      if (/^sign-v0-\d+$/.test(id)) {
        checkSignV0(v)
        return undefined
      }
      throw new Error(`${FILE}: unknown vector ${id}`)
  }
}
