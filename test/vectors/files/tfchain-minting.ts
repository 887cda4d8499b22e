// test/vectors/data/tfchain-minting.json (copied from shared/vectors): signed devnet v128/v129 (tfchain
// options: Sia bodies, RequireMinerFees), the doc hexes, the JSON examples with their Go struct literals, the
// nonce JSON forms and the mint-condition variants of TestSignMinterDefinitionTransactionExtension. The
// signed transactions validate and apply under the tfchain-devnet rules at their recorded height.
import { expect } from 'vitest'
import { type Ed25519, nobleEd25519 } from '../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { fromHex, toHex, utf8 } from '../../../consensus/encoding/hex.js'
import { parseJson, toBase64 } from '../../../consensus/encoding/json.js'
import { chainConsensus } from '../../../consensus/extensions/catalog.js'
import {
  coinCreationOf,
  MINTER_DEFINITION_SPECIFIER,
  mintConditionAt,
  minterDefinitionOf,
  mintFulfillmentError,
  mintFulfillmentSigHash,
  mintingTransactionTypes,
  signMintFulfillment,
} from '../../../consensus/extensions/minting/index.js'
import { preset } from '../../../consensus/params/presets.js'
import { MemoryExtensionState } from '../../../consensus/state/extensions.js'
import { MapView } from '../../../consensus/state/outputs.js'
import {
  type Condition,
  conditionFromJson,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../consensus/types/conditions.js'
import { ed25519PublicKey } from '../../../consensus/types/publickey.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import type { SigningKey } from '../../../consensus/types/sign.js'
import type { Transaction } from '../../../consensus/types/transaction.js'
import { parseUnlockHash, unlockHashToString } from '../../../consensus/types/unlockhash.js'
import { ValidationError } from '../../../consensus/validation/errors.js'
import { applyTransactions } from '../../../consensus/validation/transaction.js'
import { loadVectorFile, type Outcome, type Vector } from '../framework.js'
import { compactJson, goLiteralAtoms, transactionAtoms } from './tfchain-authcointx.js'

/** tfchain: `minting.NewMintingPlugin(cond, 128, 129, {UseLegacySiaEncoding: true, RequireMinerFees: true})`. */
const registry = coreRegistry().with(...mintingTransactionTypes({ format: 'sia', requireMinerFees: true }))
const verifiers: readonly Ed25519[] = [nobleEd25519, nodeEd25519]

function keyFrom(private64: string): SigningKey {
  const sk = fromHex(private64, 64)
  const secretSeed = sk.subarray(0, 32)
  for (const ed of verifiers) expect(toHex(ed.publicKeyFromSeed(secretSeed))).toBe(toHex(sk.subarray(32)))
  return { secretSeed, publicKey: ed25519PublicKey(sk.slice(32)) }
}

function addressOf(c: Condition): string {
  if (c.type !== 1) throw new Error(`expected an unlock hash condition, got type ${c.type}`)
  return unlockHashToString(c.unlockHash)
}

interface Ctx {
  BlockHeight: number
  BlockTime: number
}

function fulfils(tx: Transaction, condition: Condition, ctx: Ctx): boolean {
  const results = verifiers.map(
    (verifier) =>
      mintFulfillmentError(registry, tx, condition, {
        blockHeight: ctx.BlockHeight,
        blockTime: ctx.BlockTime,
        verifier,
      }) === undefined,
  )
  expect(results[0], 'noble and node verifiers agree').toBe(results[1])
  return results[0]!
}

/** The signed devnet vectors: codecs, the signature under the active mint condition, deterministic re-signing. */
function checkSignedDevnet(v: Vector): void {
  const tx = registry.fromJsonString(v.input.json)
  const compact = compactJson(v.input.json)
  expect(registry.toJsonString(tx)).toBe(compact)
  const bin = registry.encode(tx)
  expect(registry.toJsonString(registry.decode(bin))).toBe(compact)
  if (v.expected.doc_binary_hex !== undefined) {
    expect(toHex(bin)).toBe(v.expected.doc_binary_hex)
    expect(registry.toJsonString(registry.decode(fromHex(v.expected.doc_binary_hex)))).toBe(compact)
  }
  expect(v.expected.valid).toBe(true)
  expect(v.input.validation_context.network).toBe('devnet')
  expect(v.input.validation_context.Confirmed).toBe(true)
  const active = conditionFromJson(v.input.active_mint_condition)
  expect(fulfils(tx, active, v.input.validation_context)).toBe(true)
  // the pure structure rules that make it valid on devnet (the state rules are the consensus engine's)
  const nonce = tx.version === 128 ? minterDefinitionOf(tx).nonce : coinCreationOf(tx).nonce
  expect(nonce.some((b) => b !== 0)).toBe(true)
  expect(tx.minerFees.length).toBeGreaterThan(0)
  for (const fee of tx.minerFees) expect(fee).toBeGreaterThanOrEqual(1_000_000_000n)
  // ed25519 is deterministic: re-signing with the given key reproduces the published signature
  const key = keyFrom(v.input.signer_private_key_64)
  expect(unlockHashToString(publicKeyUnlockHash(key.publicKey))).toBe(addressOf(active))
  for (const ed of verifiers) {
    const resigned = signMintFulfillment(registry, ed, tx, key)
    expect(registry.toJsonString(resigned)).toBe(compact)
    expect(fulfils(resigned, active, v.input.validation_context)).toBe(true)
  }
  // spec §2.2: the v128 signature hash spelled out byte by byte
  if (tx.version === 128) {
    const md = minterDefinitionOf(tx)
    const uh = parseUnlockHash(addressOf(md.mintCondition))
    const manual = blake2b256(
      new Uint8Array([128]),
      MINTER_DEFINITION_SPECIFIER,
      md.nonce,
      fromHex('012100000000000000'),
      new Uint8Array([uh.type]),
      uh.hash,
      fromHex('0100000000000000' + '0400000000000000' + '3b9aca00'),
      fromHex('1800000000000000'),
      tx.arbitraryData,
    )
    expect(toHex(mintFulfillmentSigHash(registry, tx))).toBe(toHex(manual))
  }
}

/**
 * The signed devnet transactions under the tfchain-devnet rules (minting and auth-coin, 1 TFT minimum
 * fee) at their recorded height, with the genesis state (the devnet mint condition in force): they
 * validate and apply, alone and in the order definition-last; a creation after the definition in the
 * same block no longer fulfils the (new) mint condition, and a forged output amount breaks the signature.
 */
function checkDevnetRules(v: Vector): void {
  const devnet = chainConsensus(preset('tfchain-devnet'))
  const genesis = new MemoryExtensionState()
  genesis.apply(devnet.rules.genesisState)
  const at: Ctx = v.input.validation_context
  const signed = (id: string): Transaction => {
    const found = loadVectorFile('tfchain-minting.json').vectors.find((x) => x.id === id)!
    return devnet.registry.fromJsonString(found.input.json)
  }
  const definition = signed('minting-minterdefinition-v128-devnet-signed')
  const creation = signed('minting-coincreation-v129-devnet-signed')
  const tx = v.id === 'minting-minterdefinition-v128-devnet-signed' ? definition : creation
  for (const verifier of verifiers) {
    const apply = (txs: Transaction[]) =>
      applyTransactions(
        txs,
        {
          def: devnet.def,
          registry: devnet.registry,
          verifier,
          blockHeight: at.BlockHeight,
          blockTime: at.BlockTime,
          rules: devnet.rules,
          state: genesis,
        },
        new MapView(),
      )
    const refusal = (txs: Transaction[]): ValidationError => {
      try {
        apply(txs)
      } catch (err) {
        if (err instanceof ValidationError) return err
        throw err
      }
      throw new Error('accepted')
    }
    const result = apply([tx])
    expect(mintConditionAt(result.extensionState, at.BlockHeight - 1)).toEqual(
      conditionFromJson(v.input.active_mint_condition),
    )
    if (tx.version === 128) {
      expect(mintConditionAt(result.extensionState, at.BlockHeight)).toEqual(
        minterDefinitionOf(tx).mintCondition,
      )
      continue
    }
    expect(result.createdCoins.map((o) => o.value)).toEqual(tx.coinOutputs.map((o) => o.value))
    expect(apply([creation, definition]).createdCoins).toHaveLength(1)
    expect(refusal([definition, creation])).toMatchObject({
      code: 'mint-unfulfilled',
      details: { transaction: 1 },
    })
    const forged = { ...creation, coinOutputs: [{ ...creation.coinOutputs[0]!, value: 10n ** 18n }] }
    expect(refusal([forged])).toMatchObject({ code: 'mint-unfulfilled', rule: 'minting/coin-creation' })
  }
}

function checkMintConditionVariants(v: Vector): void {
  const tx = registry.fromJsonString(v.input.tx_json)
  const key = keyFrom(v.input.private_key_64)
  const ctx: Ctx = { BlockHeight: 4072, BlockTime: 1534271219 }
  const own = unlockHashCondition(publicKeyUnlockHash(key.publicKey))
  expect(unlockHashToString(own.unlockHash)).toBe(
    '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f',
  )
  const other = unlockHashCondition(
    publicKeyUnlockHash(ed25519PublicKey(nobleEd25519.publicKeyFromSeed(blake2b256(utf8('another key'))))),
  )
  const timeLocked = (c: Condition): Condition => ({ type: 3, lockTime: 500_000_000n, condition: c })
  const multisig: Condition = {
    type: 4,
    minimumSignatureCount: 2,
    unlockHashes: [own.unlockHash, own.unlockHash, parseUnlockHash(v.input.third_multisig_address)],
  }
  for (const ed of verifiers) {
    const single = signMintFulfillment(registry, ed, tx, key)
    const once = signMintFulfillment(registry, ed, tx, key, 'multisig')
    const twice = signMintFulfillment(registry, ed, once, key, 'multisig')
    const verdict = (ok: boolean) => (ok ? 'valid' : 'invalid')
    expect(verdict(fulfils(single, own, ctx))).toBe(v.expected.a)
    expect(verdict(fulfils(single, other, ctx))).toBe(v.expected.b)
    expect(verdict(fulfils(single, timeLocked(own), ctx))).toBe(v.expected.c)
    expect(verdict(fulfils(once, multisig, ctx))).toBe(v.expected.d_once)
    expect(verdict(fulfils(twice, multisig, ctx))).toBe(v.expected.d_twice)
    expect(verdict(fulfils(twice, timeLocked(multisig), ctx))).toBe(v.expected.e_twice)
    // a time lock in the future cannot be fulfilled yet
    expect(fulfils(single, { type: 3, lockTime: BigInt(ctx.BlockTime + 1), condition: own }, ctx)).toBe(false)
  }
}

export function handle(v: Vector): Outcome {
  switch (v.id) {
    case 'minting-minterdefinition-v128-devnet-signed':
    case 'minting-coincreation-v129-devnet-signed':
      checkSignedDevnet(v)
      checkDevnetRules(v)
      return undefined
    case 'minting-doc-coincreation-hex': {
      const bin = fromHex(v.input.hex)
      const tx = registry.decode(bin)
      expect(toHex(registry.encode(tx))).toBe(v.expected.binary_roundtrip_hex)
      const outputs = tx.coinOutputs.map((o) => `${o.value} to ${addressOf(o.condition)}`)
      expect(
        `${outputs.length} coin output of ${outputs.join(', ')}; minerfees [${tx.minerFees.join(',')}]`,
      ).toBe(v.expected.decoded_outputs)
      expect(tx.coinOutputs.every((o) => o.condition.type === 1)).toBe(true)
      const f = coinCreationOf(tx).mintFulfillment
      if (f.type !== 1) throw new Error('expected a single-signature mint fulfillment')
      for (const ed of verifiers)
        expect(ed.verify(f.publicKey.key, mintFulfillmentSigHash(registry, tx), f.signature)).toBe(
          v.expected.signature_verifies,
        )
      return undefined
    }
    case 'minting-spec-json-v128':
    case 'minting-spec-json-v129': {
      const tx = registry.fromJsonString(v.input.json)
      expect(tx.version).toBe(v.id.endsWith('128') ? 128 : 129)
      const ext = tx.version === 128 ? minterDefinitionOf(tx) : coinCreationOf(tx)
      expect(new TextDecoder().decode(ext.nonce)).toBe('12345678')
      expect(transactionAtoms(tx, ext)).toEqual(goLiteralAtoms(v.expected.decoded_go_struct_literal))
      expect(registry.toJsonString(tx)).toBe(compactJson(v.input.json))
      expect(registry.toJsonString(registry.decode(registry.encode(tx)))).toBe(compactJson(v.input.json))
      return undefined
    }
    case 'minting-nonce-json-array': {
      const nonce = new Uint8Array(v.expected.nonce_bytes)
      expect(parseJson(v.input.json)).toEqual(v.expected.nonce_bytes)
      const base = parseJson(
        registry.toJsonString(
          registry.fromJsonString(
            '{"version":129,"data":{"nonce":"AAAAAAAAAAE=","mintfulfillment":{},"coinoutputs":[{"value":"1","condition":{}}],"minerfees":["1"]}}',
          ),
        ),
      ) as { data: Record<string, unknown> }
      for (const form of [JSON.parse(v.input.json), toBase64(nonce)]) {
        const tx = registry.fromJson({ ...base, data: { ...base.data, nonce: form } })
        expect(toHex(coinCreationOf(tx).nonce)).toBe(toHex(nonce))
        // always written back as base64
        expect((registry.toJson(tx) as { data: { nonce: string } }).data.nonce).toBe(toBase64(nonce))
      }
      for (const bad of [[1, 2, 3], [...v.expected.nonce_bytes, 0], [256, 0, 0, 0, 0, 0, 0, 0], 'AAAA'])
        expect(() => registry.fromJson({ ...base, data: { ...base.data, nonce: bad } })).toThrow()
      return undefined
    }
    case 'minting-mint-condition-variants':
      checkMintConditionVariants(v)
      return undefined
    default:
      throw new Error(`tfchain-minting: unknown vector ${v.id}`)
  }
}
