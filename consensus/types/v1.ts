// spec/rivine.md §4.2–4.3: the default (v1) transaction, and §2.8.1 its signature hash.
import { blake2b256 } from '../crypto/hash.js'
import { array, blob, bytes, type Codec, currency, fixedBytes, struct, Writer } from '../encoding/codec.js'
import { fromHex, toHex } from '../encoding/hex.js'
import { fromBase64, type JsonValue, jsonArray, jsonObject, toBase64 } from '../encoding/json.js'
import { conditionCodec, conditionFromJson, conditionToJson } from './conditions.js'
import { currencyToJson, parseCurrency } from './currency.js'
import { fulfillmentCodec, fulfillmentFromJson, fulfillmentToJson } from './fulfillments.js'
import {
  type CoinInput,
  type CoinOutput,
  type ExtraObject,
  type Transaction,
  type TransactionType,
  writeExtraObjects,
} from './transaction.js'

const hash32 = fixedBytes(32)
export const inputCodec: Codec<CoinInput> = struct({ parentId: hash32, fulfillment: fulfillmentCodec })
export const outputCodec: Codec<CoinOutput> = struct({ value: currency, condition: conditionCodec })

/** The six data fields in order; min element sizes keep hostile counts from allocating. */
const v1DataCodec = struct({
  coinInputs: array(inputCodec, 41),
  coinOutputs: array(outputCodec, 17),
  blockStakeInputs: array(inputCodec, 41),
  blockStakeOutputs: array(outputCodec, 17),
  minerFees: array(currency, 8),
  arbitraryData: bytes,
})

/** v1 data is Sia-encoded as a length-prefixed blob whatever the outer codec (spec §1.4). */
const v1Blob = blob(v1DataCodec)

export const inputToJson = (i: CoinInput): JsonValue => ({
  parentid: toHex(i.parentId),
  fulfillment: fulfillmentToJson(i.fulfillment),
})
export const outputToJson = (o: CoinOutput): JsonValue => ({
  value: currencyToJson(o.value),
  condition: conditionToJson(o.condition),
})
const nonEmpty = <T>(list: readonly T[], f: (x: T) => JsonValue): JsonValue | undefined =>
  list.length ? list.map(f) : undefined

export function inputFromJson(v: unknown, field: string): CoinInput {
  const o = jsonObject(v, field)
  return {
    parentId: fromHex(o.parentid as string, 32, `${field}.parentid`),
    fulfillment: fulfillmentFromJson(o.fulfillment ?? {}, `${field}.fulfillment`),
  }
}

export function outputFromJson(v: unknown, field: string): CoinOutput {
  const o = jsonObject(v, field)
  return {
    value: parseCurrency(o.value, `${field}.value`),
    condition: conditionFromJson(o.condition ?? {}, `${field}.condition`),
  }
}

export function writeSigHashBody(w: Writer, tx: Transaction): void {
  w.u64(tx.coinInputs.length)
  for (const i of tx.coinInputs) w.bytes(i.parentId)
  array(outputCodec).write(w, [...tx.coinOutputs])
  w.u64(tx.blockStakeInputs.length)
  for (const i of tx.blockStakeInputs) w.bytes(i.parentId)
  array(outputCodec).write(w, [...tx.blockStakeOutputs])
  array(currency).write(w, [...tx.minerFees])
  bytes.write(w, tx.arbitraryData)
}

export const v1TransactionType: TransactionType = {
  version: 1,
  name: 'v1',
  writeData: (w, tx) => {
    const sub = new Writer('sia', 512)
    v1Blob.write(sub, tx)
    sub.consume((b) => w.bytes(b))
  },
  readData: (r, version) => ({ version, ...r.withFormat('sia', (s) => v1Blob.read(s)) }),
  dataToJson: (tx) => ({
    coininputs: tx.coinInputs.length ? tx.coinInputs.map(inputToJson) : null,
    coinoutputs: nonEmpty(tx.coinOutputs, outputToJson),
    blockstakeinputs: nonEmpty(tx.blockStakeInputs, inputToJson),
    blockstakeoutputs: nonEmpty(tx.blockStakeOutputs, outputToJson),
    minerfees: tx.minerFees.length ? tx.minerFees.map(currencyToJson) : null,
    arbitrarydata: tx.arbitraryData.length ? toBase64(tx.arbitraryData) : undefined,
  }),
  dataFromJson: (value, version) => {
    const d = jsonObject(value ?? {}, 'data')
    return {
      version,
      coinInputs: jsonArray(d.coininputs, 'data.coininputs').map((v, i) =>
        inputFromJson(v, `data.coininputs[${i}]`),
      ),
      coinOutputs: jsonArray(d.coinoutputs, 'data.coinoutputs').map((v, i) =>
        outputFromJson(v, `data.coinoutputs[${i}]`),
      ),
      blockStakeInputs: jsonArray(d.blockstakeinputs, 'data.blockstakeinputs').map((v, i) =>
        inputFromJson(v, `data.blockstakeinputs[${i}]`),
      ),
      blockStakeOutputs: jsonArray(d.blockstakeoutputs, 'data.blockstakeoutputs').map((v, i) =>
        outputFromJson(v, `data.blockstakeoutputs[${i}]`),
      ),
      minerFees: jsonArray(d.minerfees, 'data.minerfees').map((v, i) =>
        parseCurrency(v, `data.minerfees[${i}]`),
      ),
      arbitraryData:
        d.arbitrarydata === undefined || d.arbitrarydata === null
          ? new Uint8Array(0)
          : fromBase64(d.arbitrarydata, 'data.arbitrarydata'),
    }
  },
  // spec §2.3: the full encoding, version byte included
  idInputIsEncoding: true,
  idInput: (tx) => {
    const w = new Writer('sia', 512)
    w.byte(tx.version)
    v1TransactionType.writeData(w, tx)
    return w.finish()
  },
  sigHash: (tx, extras: readonly ExtraObject[]) => {
    const w = new Writer('sia', 512)
    w.byte(tx.version)
    writeExtraObjects(w, extras)
    writeSigHashBody(w, tx)
    return w.consume(blake2b256)
  },
}
