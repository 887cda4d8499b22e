// The signature-hash preimages of spec/rivine.md §2.8.1–2.8.2, built here from the spec's byte layout
// (independently of consensus/types/v0.ts and v1.ts) so vectors can compare preimage bytes, not only hashes.
import { array, bytes, currency, Writer } from '../../consensus/encoding/codec.js'
import { conditionCodec } from '../../consensus/types/conditions.js'
import type { CoinInput, CoinOutput, ExtraObject, Transaction } from '../../consensus/types/transaction.js'
import { writeExtraObjects } from '../../consensus/types/transaction.js'
import { unlockHashBytes } from '../../consensus/types/unlockhash.js'
import { legacyUnlockHash } from '../../consensus/types/v0.js'

export function extraObjectsBytes(extras: readonly ExtraObject[]): Uint8Array {
  const w = new Writer('sia')
  writeExtraObjects(w, extras)
  return w.finish()
}

/** v1 (§2.8.1): version byte, extras, parent IDs with counts, outputs as proxies, fees, data. */
function v1Preimage(w: Writer, tx: Transaction): void {
  const parents = (inputs: readonly CoinInput[]) => {
    w.u64(inputs.length)
    for (const i of inputs) w.bytes(i.parentId)
  }
  const outputs = (list: readonly CoinOutput[]) => {
    w.u64(list.length)
    for (const o of list) {
      currency.write(w, o.value)
      conditionCodec.write(w, o.condition)
    }
  }
  parents(tx.coinInputs)
  outputs(tx.coinOutputs)
  parents(tx.blockStakeInputs)
  outputs(tx.blockStakeOutputs)
}

/** v0 (§2.8.2): no version byte, inputs without count as parentID || legacy unlock hash, outputs as unlock hashes. */
function v0Preimage(w: Writer, tx: Transaction): void {
  const inputs = (list: readonly CoinInput[]) => {
    for (const i of list) {
      w.bytes(i.parentId)
      w.bytes(unlockHashBytes(legacyUnlockHash(i.fulfillment)))
    }
  }
  const outputs = (list: readonly CoinOutput[]) => {
    w.u64(list.length)
    for (const o of list) {
      currency.write(w, o.value)
      if (o.condition.type !== 1) throw new Error('v0 outputs carry unlock hash conditions only')
      w.bytes(unlockHashBytes(o.condition.unlockHash))
    }
  }
  inputs(tx.coinInputs)
  outputs(tx.coinOutputs)
  inputs(tx.blockStakeInputs)
  outputs(tx.blockStakeOutputs)
}

/** The bytes hashed into the signature hash of a v0 or v1 transaction for the given extra objects. */
export function sigHashPreimage(tx: Transaction, extras: readonly ExtraObject[]): Uint8Array {
  const w = new Writer('sia')
  if (tx.version === 1) w.byte(1)
  else if (tx.version !== 0) throw new Error(`no preimage layout for version ${tx.version}`)
  writeExtraObjects(w, extras)
  if (tx.version === 1) v1Preimage(w, tx)
  else v0Preimage(w, tx)
  array(currency).write(w, [...tx.minerFees])
  bytes.write(w, tx.arbitraryData)
  return w.finish()
}
