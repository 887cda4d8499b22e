// test/vectors/data/tfchain-validators.json (copied from shared/vectors): tfchain's miner-fee rules per
// network and height. The verdicts need the tfchain network rules and the spent output in chain state (the
// consensus engine's work); here every codec, address, balance and signature part of the vectors is checked.
import { expect } from 'vitest'
import { nobleEd25519 } from '../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../../consensus/encoding/hex.js'
import { registryFor } from '../../../consensus/extensions/catalog.js'
import { preset } from '../../../consensus/params/presets.js'
import { MapView } from '../../../consensus/state/outputs.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../consensus/types/conditions.js'
import { fulfillError } from '../../../consensus/types/fulfill.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import type { ExtraObject } from '../../../consensus/types/transaction.js'
import { parseUnlockHash, unlockHashToString } from '../../../consensus/types/unlockhash.js'
import { ValidationError } from '../../../consensus/validation/errors.js'
import {
  checkTransactionSpends,
  checkTransactionStateless,
} from '../../../consensus/validation/transaction.js'
import type { Outcome, Vector } from '../framework.js'
import { compactJson } from './tfchain-authcointx.js'

const registry = coreRegistry()
const IDS = new Set([
  'minerfee-ok-v0',
  'minerfee-ok-v1',
  'minerfee-low-v0',
  'minerfee-low-v1',
  'minerfee-missing-v0',
  'minerfee-missing-v1',
])

export function handle(v: Vector): Outcome {
  if (!IDS.has(v.id ?? '')) throw new Error(`tfchain-validators: unknown vector ${v.id}`)
  const version = v.id!.endsWith('v0') ? 0 : 1
  const tx = registry.fromJsonString(v.input.json)
  expect(tx.version).toBe(version)
  // JSON and binary round trips (Go writes an empty fee list as `"minerfees":null`, the input omits it)
  const json = registry.toJsonString(tx)
  const expected = compactJson(v.input.json)
  expect(tx.minerFees.length ? json : json.replace(',"minerfees":null}}', '}}')).toBe(expected)
  const bin = registry.encode(tx)
  expect(toHex(registry.encode(registry.decode(bin)))).toBe(toHex(bin))
  expect(registry.toJsonString(registry.decode(bin))).toBe(json)

  // the spent output: its address is the signer's, and the transaction balances against it
  const spent = v.input.spent_coin_output
  expect(spent.value).toBe('50000 * 1000000000')
  const spentValue = 50_000n * 1_000_000_000n
  const spentAddress = parseUnlockHash(spent.unlockhash)
  expect(tx.coinInputs.length).toBe(1)
  const input = tx.coinInputs[0]!
  expect(toHex(input.parentId)).toBe(spent.parentid)
  if (input.fulfillment.type !== 1) throw new Error('expected a single-signature input')
  expect(unlockHashToString(publicKeyUnlockHash(input.fulfillment.publicKey))).toBe(spent.unlockhash)
  const outSum = tx.coinOutputs.reduce((s, o) => s + o.value, 0n)
  const feeSum = tx.minerFees.reduce((s, f) => s + f, 0n)
  expect(outSum + feeSum).toBe(spentValue)
  const fees = { ok: [1_000_000_000n], low: [1n], missing: [] as bigint[] }
  expect(tx.minerFees).toEqual(fees[v.id!.split('-')[1] as keyof typeof fees])

  // the input's signature (spec §2.8: extra object u64(0)) verifies with both verifiers
  const sigHash = (extras: readonly ExtraObject[]) => registry.inputSigHash(tx, 0, extras)
  for (const verifier of [nobleEd25519, nodeEd25519]) {
    const ctx = { blockHeight: 0, blockTime: 1_600_000_000, verifier, sigHash }
    expect(fulfillError(unlockHashCondition(spentAddress), input.fulfillment, ctx)).toBeUndefined()
    expect(verifier.verify(input.fulfillment.publicKey.key, sigHash([]), input.fulfillment.signature)).toBe(
      true,
    )
  }
  // the verdicts per network and height: the tfchain presets' rules over the spent output
  const verdict = (network: string, height: number): 'valid' | 'invalid' => {
    const def = preset(`tfchain-${network}`)
    const ctx = {
      def,
      registry: registryFor(def),
      verifier: nodeEd25519,
      blockHeight: height,
      blockTime: 1_600_000_000,
    }
    try {
      checkTransactionStateless(tx, ctx)
      checkTransactionSpends(
        tx,
        ctx,
        MapView.of([{ id: input.parentId, value: spentValue, condition: unlockHashCondition(spentAddress) }]),
      )
      return 'valid'
    } catch (err) {
      if (err instanceof ValidationError) return 'invalid'
      throw err
    }
  }
  for (const [network, expected] of Object.entries(v.expected as Record<string, unknown>)) {
    if (typeof expected === 'string') {
      expect(verdict(network, 0), `${network}`).toBe(expected.split(' ')[0])
      continue
    }
    for (const [k, want] of Object.entries(expected as Record<string, unknown>)) {
      if (k === 'confirmed_and_unconfirmed') continue // the pool and blocks apply the same rules at a height
      const height = Number(k.replace('height_', ''))
      expect(verdict(network, height), `${network} at ${height}`).toBe(String(want).split(' ')[0])
    }
  }
  // and from height 300000 on, the fee rules bind on standard and testnet too
  const feeCase = v.id!.split('-')[1]
  const late = verdict('standard', 300_000)
  expect(late).toBe(feeCase === 'ok' ? 'valid' : 'invalid')
  return undefined
}
