// test/vectors/data/oracle-transactions.json (copied from shared/vectors): fully signed v1/v0 transactions
// from the reference (JSON, siabin, rivbin, ID and its preimage, output IDs, every signature with its extras,
// preimage and hash), re-signed here from the unsigned form with the oracle wallets' keys, and validated
// against the given parents.
import { expect } from 'vitest'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { Reader, Writer } from '../../../consensus/encoding/codec.js'
import { fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import { preset } from '../../../consensus/params/presets.js'
import type { OutputEntry, OutputView } from '../../../consensus/state/outputs.js'
import { conditionFromJson } from '../../../consensus/types/conditions.js'
import { parseCurrency } from '../../../consensus/types/currency.js'
import { fulfillError } from '../../../consensus/types/fulfill.js'
import { parsePublicKey, publicKeyEquals, publicKeyToString } from '../../../consensus/types/publickey.js'
import {
  addMultisigSignature,
  type InputList,
  signAtomicSwap,
  signSingleSignature,
  withFulfillment,
} from '../../../consensus/types/sign.js'
import type { ExtraObject, Transaction } from '../../../consensus/types/transaction.js'
import { ValidationError } from '../../../consensus/validation/errors.js'
import {
  checkTransactionSpends,
  checkTransactionStateless,
  type TxContext,
} from '../../../consensus/validation/transaction.js'
import type { Outcome, Vector } from '../framework.js'
import { checkParentOrigin, oracleKey, oracleRegistry as registry, signingKey, verifiers } from '../oracle.js'
import { extraObjectsBytes, sigHashPreimage } from '../sighash-preimage.js'

const NAMES = new Set([
  'tx1-v1-single-sig-transfer',
  'tx2-v1-two-inputs-all-condition-outputs',
  'tx3-v1-blockstake-and-nil-condition-input',
  'tx4-v1-multisig-spend',
  'tx5-v1-atomicswap-claim',
  'tx6-v1-atomicswap-refund',
  'tx7-v1-timelock-and-nil-spends',
  'tx8-v1-blockstake-respend-block-creation',
  'tx9-v1-legacy-atomicswap-unlockhash-claim',
  'tx10-v0-legacy-single-sig',
  'tx11-v0-legacy-blockstake-and-atomicswap',
])

const listOf = (kind: string): InputList => {
  if (kind === 'coin') return 'coinInputs'
  if (kind === 'blockstake') return 'blockStakeInputs'
  throw new Error(`unknown input kind ${kind}`)
}

interface ExpectedSignature {
  input_kind: string
  input_index: number
  fulfillment_method: string
  signer_key_ref: string
  signer_publickey: string
  extra_objects: string[]
  extra_objects_siabin: string
  sighash_preimage: string
  sighash: string
  signature: string
}

/** The extra objects of one signer, read from the expected description and our fulfillment. */
function extrasOf(tx: Transaction, s: ExpectedSignature): ExtraObject[] {
  const extras: ExtraObject[] = [{ kind: 'u64', value: s.input_index }]
  expect(s.extra_objects[0]).toBe(`uint64(${s.input_index}) input index`)
  const pk = parsePublicKey(s.signer_publickey)
  const f = tx[listOf(s.input_kind)][s.input_index]!.fulfillment
  switch (s.fulfillment_method) {
    case 'single':
      expect(s.extra_objects).toHaveLength(1)
      return extras
    case 'multisig':
    case 'swap-refund':
      expect(s.extra_objects.slice(1)).toEqual([`siabin(PublicKey ${publicKeyToString(pk)})`])
      return [...extras, { kind: 'publicKey', value: pk }]
    case 'swap-claim':
    case 'legacy-swap-claim': {
      if (f.type !== 2) throw new Error('an atomic swap claim needs an atomic swap fulfillment')
      expect(s.extra_objects.slice(1)).toEqual([
        `siabin(PublicKey ${publicKeyToString(pk)})`,
        `atomic swap secret [32]byte ${toHex(f.secret)}`,
      ])
      return [...extras, { kind: 'publicKey', value: pk }, { kind: 'raw', value: f.secret }]
    }
    default:
      throw new Error(`unknown fulfillment method ${s.fulfillment_method}`)
  }
}

/** Every expected signature: extras, preimage, hash, the key behind it and the deterministic signature. */
function checkSignatures(signed: Transaction, expected: ExpectedSignature[]): void {
  for (const s of expected) {
    const what = `${s.input_kind}[${s.input_index}] by ${s.signer_key_ref}`
    const extras = extrasOf(signed, s)
    expect(toHex(extraObjectsBytes(extras)), `${what}: extras`).toBe(s.extra_objects_siabin)
    const preimage = sigHashPreimage(signed, extras)
    expect(toHex(preimage), `${what}: preimage`).toBe(s.sighash_preimage)
    expect(toHex(blake2b256(preimage)), `${what}: sighash of the preimage`).toBe(s.sighash)
    expect(toHex(registry.sigHash(signed, extras)), `${what}: sighash`).toBe(s.sighash)
    const key = oracleKey(s.signer_key_ref)
    expect(publicKeyToString(key.publicKey), `${what}: key`).toBe(s.signer_publickey)
    const sighash = fromHex(s.sighash, 32)
    for (const ed of verifiers) {
      expect(toHex(ed.sign(key.secretSeed, sighash)), `${what}: ${ed.name} signature`).toBe(s.signature)
      expect(ed.verify(key.publicKey.key, sighash, fromHex(s.signature)), `${what}: ${ed.name} verify`).toBe(
        true,
      )
    }
  }
}

/** Signs the unsigned transaction as the reference did, with our signing helpers. */
function signLikeTheReference(unsigned: Transaction, signing: Vector['inputs']['signing']): Transaction {
  let tx = unsigned
  for (const step of signing as {
    input_index: number
    input_kind: string
    keys: string[]
    method: string
  }[]) {
    const list = listOf(step.input_kind)
    const index = step.input_index
    const keys = step.keys.map((ref) => signingKey(oracleKey(ref)))
    const current = tx[list][index]!.fulfillment
    switch (step.method) {
      case 'single':
        expect(keys).toHaveLength(1)
        tx = signSingleSignature(registry, verifiers[0]!, tx, list, index, keys[0]!)
        break
      case 'multisig':
        for (const key of keys) tx = addMultisigSignature(registry, verifiers[0]!, tx, list, index, key)
        break
      case 'swap-claim':
        if (current.type !== 2) throw new Error('swap-claim needs an atomic swap fulfillment')
        tx = signAtomicSwap(registry, verifiers[0]!, tx, list, index, keys[0]!, current.secret)
        break
      case 'swap-refund':
        tx = signAtomicSwap(registry, verifiers[0]!, tx, list, index, keys[0]!)
        break
      case 'legacy-swap-claim': {
        if (current.type !== 2 || !current.legacy)
          throw new Error('legacy-swap-claim needs a legacy fulfillment')
        const key = keys[0]!
        expect(publicKeyEquals(current.publicKey, key.publicKey)).toBe(true)
        const sighash = registry.inputSigHash(tx, index, [
          { kind: 'publicKey', value: key.publicKey },
          { kind: 'raw', value: current.secret },
        ])
        const signature = verifiers[0]!.sign(key.secretSeed, sighash)
        tx = withFulfillment(tx, list, index, { ...current, signature })
        break
      }
      default:
        throw new Error(`unknown signing method ${step.method}`)
    }
  }
  return tx
}

class ParentView implements OutputView {
  private readonly coins = new Map<string, OutputEntry>()
  private readonly stakes = new Map<string, OutputEntry>()
  add(kind: string, e: OutputEntry): void {
    ;(kind === 'coin' ? this.coins : this.stakes).set(toHex(e.id), e)
  }
  coinOutput(id: Uint8Array) {
    return this.coins.get(toHex(id))
  }
  blockStakeOutput(id: Uint8Array) {
    return this.stakes.get(toHex(id))
  }
}

/** Validation against the given parents and context on the rivchain devnet (the file's constants). */
function checkValidation(v: Vector, tx: Transaction): void {
  const ctxIn = v.inputs.validation_context
  expect(ctxIn.constants).toMatch(
    /^rivchain devnet \(MinimumTransactionFee 0\.1 ROC, ArbitraryDataSizeLimit 83,/,
  )
  const def = preset('rivchain-devnet')
  expect(def.constants.minimumTransactionFee).toBe(100_000_000n)
  expect(def.constants.arbitraryDataSizeLimit).toBe(83)
  expect(def.constants.blockSizeLimit).toBe(2_000_000)
  const view = new ParentView()
  for (const p of v.inputs.parent_outputs) {
    checkParentOrigin(p.id, p.origin)
    view.add(p.kind, {
      id: fromHex(p.id, 32),
      value: parseCurrency(p.output.value),
      condition: conditionFromJson(p.output.condition),
    })
  }
  const validate = (d: typeof def) => {
    for (const verifier of verifiers) {
      const ctx: TxContext = {
        def: d,
        registry,
        verifier,
        blockHeight: ctxIn.block_height,
        blockTime: ctxIn.block_time,
      }
      checkTransactionStateless(tx, ctx, ctxIn.is_block_creating_tx)
      checkTransactionSpends(tx, ctx, view)
    }
  }
  const { standard_validators, version_validators } = v.expected.validation
  expect(standard_validators).toBe('ok')
  if (version_validators === 'ok') {
    validate(def)
    return
  }
  // v0: the standard rules pass; the version rule (ValidateInvalidByDefault) rejects it
  expect(tx.version).toBe(0)
  expect(version_validators).toEqual([
    'transaction is invalid as it has been disabled for validation using the ValidateInvalidByDefault function',
  ])
  validate({ ...def, rules: { ...def.rules, acceptV0BelowHeight: Number.MAX_SAFE_INTEGER } })
  let err: unknown
  try {
    validate(def)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(ValidationError)
  expect((err as ValidationError).code).toBe('version-not-allowed')
  // and every input's fulfillment is good on its own
  for (const list of ['coinInputs', 'blockStakeInputs'] as const) {
    for (const [index, input] of tx[list].entries()) {
      const parent =
        list === 'coinInputs' ? view.coinOutput(input.parentId) : view.blockStakeOutput(input.parentId)
      expect(parent, `${list}[${index}] parent`).toBeDefined()
      for (const verifier of verifiers) {
        const e = fulfillError(parent!.condition, input.fulfillment, {
          blockHeight: ctxIn.block_height,
          blockTime: ctxIn.block_time,
          verifier,
          sigHash: (extras) => registry.inputSigHash(tx, index, extras),
        })
        expect(e, `${list}[${index}] ${verifier.name}`).toBeUndefined()
      }
    }
  }
}

function rivbinEncode(tx: Transaction): Uint8Array {
  const w = new Writer('rivbin')
  registry.writeTransaction(w, tx)
  return w.finish()
}

function rivbinDecode(bin: Uint8Array): Transaction {
  const r = new Reader(bin, 'rivbin')
  const tx = registry.readTransaction(r)
  r.end()
  return tx
}

function checkTransaction(v: Vector): void {
  const e = v.expected
  const json = stringifyJson(e.json)
  // the signed transaction: JSON, both binary forms, ID and output IDs
  const tx = registry.fromJson(e.json)
  expect(tx.version).toBe(v.inputs.version)
  expect(registry.toJsonString(tx)).toBe(json)
  expect(toHex(registry.encode(tx))).toBe(e.siabin)
  expect(registry.toJsonString(registry.decode(fromHex(e.siabin)))).toBe(json)
  expect(toHex(rivbinEncode(tx))).toBe(e.rivbin)
  expect(registry.toJsonString(rivbinDecode(fromHex(e.rivbin)))).toBe(json)
  const preimage = registry.get(tx.version).idInput(tx)
  expect(toHex(preimage)).toBe(e.id_preimage)
  expect(e.id_preimage).toBe(tx.version === 0 ? e.siabin.slice(2) : e.siabin)
  const ids = registry.outputIds(tx)
  expect(toHex(ids.id)).toBe(e.id)
  expect(toHex(blake2b256(preimage))).toBe(e.id)
  expect(ids.coinOutputIds.map(toHex)).toEqual(e.coin_output_ids)
  expect(ids.blockStakeOutputIds.map(toHex)).toEqual(e.blockstake_output_ids)

  // the unsigned form: same JSON shape, same signature hashes, and signing it reproduces the signed bytes
  const unsigned = registry.fromJson(v.inputs.unsigned_json)
  expect(registry.toJsonString(unsigned)).toBe(stringifyJson(v.inputs.unsigned_json))
  const signed = signLikeTheReference(unsigned, v.inputs.signing)
  expect(toHex(registry.encode(signed))).toBe(e.siabin)
  expect(registry.toJsonString(signed)).toBe(json)
  checkSignatures(tx, e.signatures)
  checkSignatures(unsigned, e.signatures)
  expect(e.signatures.length).toBe(
    (v.inputs.signing as { keys: string[] }[]).reduce((n, s) => n + s.keys.length, 0),
  )

  checkValidation(v, tx)
}

export function handle(v: Vector): Outcome {
  if (!NAMES.has(v.name ?? '')) throw new Error(`oracle-transactions.json: unknown vector ${v.name}`)
  checkTransaction(v)
  return undefined
}
