// spec/rivine.md §4.2 (v0 layout), §2.8.2 (v0 signature hash): the legacy transaction version.
import { blake2b256 } from '../crypto/hash.js'
import { array, bytes, type Codec, currency, fixedBytes, Reader, u64, Writer } from '../encoding/codec.js'
import { DecodeError, inField } from '../encoding/errors.js'
import { fromHex, toHex } from '../encoding/hex.js'
import {
  fromBase64,
  type JsonValue,
  jsonArray,
  jsonObject,
  jsonU64,
  jsonUint,
  toBase64,
} from '../encoding/json.js'
import {
  atomicSwapUnlockHash,
  type Condition,
  publicKeyUnlockHash,
  unlockHashCondition,
} from './conditions.js'
import { currencyToJson, parseCurrency } from './currency.js'
import type { Fulfillment, LegacyAtomicSwapFulfillment, SingleSignatureFulfillment } from './fulfillments.js'
import { parsePublicKey, publicKeyCodec, publicKeyToString } from './publickey.js'
import type { CoinInput, CoinOutput, ExtraObject, Transaction, TransactionType } from './transaction.js'
import { writeExtraObjects } from './transaction.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashBytes,
  unlockHashCodec,
  unlockHashToString,
} from './unlockhash.js'

const hash32 = fixedBytes(32)
export type V0Fulfillment = SingleSignatureFulfillment | LegacyAtomicSwapFulfillment

function asV0Fulfillment(f: Fulfillment): V0Fulfillment {
  if (f.type === 1 || (f.type === 2 && f.legacy)) return f
  throw new DecodeError(
    'invalid-value',
    'v0 inputs need a single-signature or legacy atomic swap fulfillment',
  )
}

function writeBlob(w: Writer, fn: (w: Writer) => void): void {
  const sub = new Writer(w.format, 128)
  fn(sub)
  sub.consume((b) => bytes.write(w, b))
}

/** The v0 "unlocker": type byte, then the condition part and the fulfillment part as blobs. */
export const unlockerCodec: Codec<V0Fulfillment> = {
  write: (w, f) => {
    w.byte(f.type)
    if (f.type === 1) {
      writeBlob(w, (s) => publicKeyCodec.write(s, f.publicKey))
      bytes.write(w, f.signature)
      return
    }
    writeBlob(w, (s) => {
      unlockHashCodec.write(s, f.sender)
      unlockHashCodec.write(s, f.receiver)
      hash32.write(s, f.hashedSecret)
      u64.write(s, f.timeLock)
    })
    writeBlob(w, (s) => {
      publicKeyCodec.write(s, f.publicKey)
      bytes.write(s, f.signature)
      hash32.write(s, f.secret)
    })
  },
  read: (r) => {
    const type = r.byte()
    if (type === 1) {
      const publicKey = inField('publickey', () => publicKeyCodec.read(new Reader(bytes.read(r), r.format)))
      return { type: 1, publicKey, signature: inField('signature', () => bytes.read(r)) }
    }
    if (type !== 2) throw new DecodeError('unknown-type', `unknown v0 unlock type ${type}`)
    const c = new Reader(bytes.read(r), r.format)
    const sender = inField('sender', () => unlockHashCodec.read(c))
    const receiver = inField('receiver', () => unlockHashCodec.read(c))
    const hashedSecret = inField('hashedsecret', () => hash32.read(c))
    const timeLock = inField('timelock', () => u64.read(c))
    const f = new Reader(bytes.read(r), r.format)
    const publicKey = inField('publickey', () => publicKeyCodec.read(f))
    const signature = inField('signature', () => bytes.read(f))
    const secret = inField('secret', () => hash32.read(f))
    return { type: 2, legacy: true, sender, receiver, hashedSecret, timeLock, publicKey, signature, secret }
  },
}

function outputUnlockHash(o: CoinOutput, field: string): UnlockHash {
  if (o.condition.type !== 1)
    throw new DecodeError('invalid-value', 'v0 outputs need an unlock hash condition', field)
  return o.condition.unlockHash
}

const v0InputCodec: Codec<CoinInput> = {
  write: (w, i) => {
    hash32.write(w, i.parentId)
    unlockerCodec.write(w, asV0Fulfillment(i.fulfillment))
  },
  read: (r) => ({
    parentId: inField('parentid', () => hash32.read(r)),
    fulfillment: inField('unlocker', () => unlockerCodec.read(r)),
  }),
}

const v0OutputCodec: Codec<CoinOutput> = {
  write: (w, o) => {
    currency.write(w, o.value)
    unlockHashCodec.write(w, outputUnlockHash(o, 'output'))
  },
  read: (r) => ({
    value: inField('value', () => currency.read(r)),
    condition: unlockHashCondition(inField('unlockhash', () => unlockHashCodec.read(r))),
  }),
}

/** The v0 data (without the version byte): also the v0 ID input (spec §2.3). */
export function writeV0Data(w: Writer, tx: Transaction): void {
  inField('coinInputs', () => array(v0InputCodec).write(w, [...tx.coinInputs]))
  inField('coinOutputs', () => array(v0OutputCodec).write(w, [...tx.coinOutputs]))
  inField('blockStakeInputs', () => array(v0InputCodec).write(w, [...tx.blockStakeInputs]))
  inField('blockStakeOutputs', () => array(v0OutputCodec).write(w, [...tx.blockStakeOutputs]))
  array(currency).write(w, [...tx.minerFees])
  bytes.write(w, tx.arbitraryData)
}

export function readV0Data(r: Reader, version = 0): Transaction {
  return {
    version,
    coinInputs: inField('coinInputs', () => array(v0InputCodec, 42).read(r)),
    coinOutputs: inField('coinOutputs', () => array(v0OutputCodec, 41).read(r)),
    blockStakeInputs: inField('blockStakeInputs', () => array(v0InputCodec, 42).read(r)),
    blockStakeOutputs: inField('blockStakeOutputs', () => array(v0OutputCodec, 41).read(r)),
    minerFees: inField('minerFees', () => array(currency, 8).read(r)),
    arbitraryData: inField('arbitraryData', () => bytes.read(r)),
  }
}

/** The unlock hash a v0 fulfillment stands for (spec §2.8.2). */
export function legacyUnlockHash(f: Fulfillment): UnlockHash {
  const v0 = asV0Fulfillment(f)
  if (v0.type === 1) return publicKeyUnlockHash(v0.publicKey)
  return atomicSwapUnlockHash(v0)
}

// ---- JSON -----------------------------------------------------------------------------------------

/** The JSON form of a v0 unlocker: `{type, condition, fulfillment}` (spec §4.3). */
export function unlockerToJson(f: V0Fulfillment): JsonValue {
  if (f.type === 1) {
    return {
      type: 1,
      condition: { publickey: publicKeyToString(f.publicKey) },
      fulfillment: { signature: toHex(f.signature) },
    }
  }
  return {
    type: 2,
    condition: {
      sender: unlockHashToString(f.sender),
      receiver: unlockHashToString(f.receiver),
      hashedsecret: toHex(f.hashedSecret),
      timelock: f.timeLock,
    },
    fulfillment: {
      publickey: publicKeyToString(f.publicKey),
      signature: toHex(f.signature),
      secret: toHex(f.secret),
    },
  }
}

export function unlockerFromJson(v: unknown, field: string): V0Fulfillment {
  const u = jsonObject(v, field)
  const type = jsonUint(u.type ?? 0, `${field}.type`)
  const c = jsonObject(u.condition ?? {}, `${field}.condition`)
  const f = jsonObject(u.fulfillment ?? {}, `${field}.fulfillment`)
  if (type === 1) {
    return {
      type: 1,
      publicKey: parsePublicKey(c.publickey, `${field}.condition.publickey`),
      signature: fromHex((f.signature as string) ?? '', undefined, `${field}.fulfillment.signature`),
    }
  }
  if (type !== 2) throw new DecodeError('unknown-type', `unknown v0 unlock type ${type}`, `${field}.type`)
  return {
    type: 2,
    legacy: true,
    sender: parseUnlockHash(c.sender, `${field}.condition.sender`),
    receiver: parseUnlockHash(c.receiver, `${field}.condition.receiver`),
    hashedSecret: fromHex(c.hashedsecret as string, 32, `${field}.condition.hashedsecret`),
    timeLock: jsonU64(c.timelock, `${field}.condition.timelock`),
    publicKey: parsePublicKey(f.publickey, `${field}.fulfillment.publickey`),
    signature: fromHex((f.signature as string) ?? '', undefined, `${field}.fulfillment.signature`),
    secret:
      f.secret === undefined
        ? new Uint8Array(32)
        : fromHex(f.secret as string, 32, `${field}.fulfillment.secret`),
  }
}

const v0InputToJson = (i: CoinInput): JsonValue => ({
  parentid: toHex(i.parentId),
  unlocker: unlockerToJson(asV0Fulfillment(i.fulfillment)),
})
const v0OutputToJson = (o: CoinOutput): JsonValue => ({
  value: currencyToJson(o.value),
  unlockhash: unlockHashToString(outputUnlockHash(o, 'output')),
})

function v0InputFromJson(v: unknown, field: string): CoinInput {
  const o = jsonObject(v, field)
  return {
    parentId: fromHex(o.parentid as string, 32, `${field}.parentid`),
    fulfillment: unlockerFromJson(o.unlocker, `${field}.unlocker`),
  }
}

function v0OutputFromJson(v: unknown, field: string): CoinOutput {
  const o = jsonObject(v, field)
  const condition: Condition = unlockHashCondition(parseUnlockHash(o.unlockhash ?? '', `${field}.unlockhash`))
  return { value: parseCurrency(o.value, `${field}.value`), condition }
}

export const v0TransactionType: TransactionType = {
  version: 0,
  name: 'v0 (legacy)',
  // spec §1.4: the data is Sia-encoded whatever the outer codec (the Rivine form equals the Sia form)
  writeData: (w, tx) => {
    if (w.format === 'sia') return writeV0Data(w, tx)
    const sub = new Writer('sia', 512)
    writeV0Data(sub, tx)
    sub.consume((b) => w.bytes(b))
  },
  readData: (r, version) => r.withFormat('sia', (s) => readV0Data(s, version)),
  dataToJson: (tx) => ({
    // the legacy converter always allocates the coin input list (spec §4.3)
    coininputs: tx.coinInputs.map(v0InputToJson),
    coinoutputs: tx.coinOutputs.length ? tx.coinOutputs.map(v0OutputToJson) : undefined,
    blockstakeinputs: tx.blockStakeInputs.length ? tx.blockStakeInputs.map(v0InputToJson) : undefined,
    blockstakeoutputs: tx.blockStakeOutputs.length ? tx.blockStakeOutputs.map(v0OutputToJson) : undefined,
    minerfees: tx.minerFees.length ? tx.minerFees.map(currencyToJson) : null,
    arbitrarydata: tx.arbitraryData.length ? toBase64(tx.arbitraryData) : undefined,
  }),
  dataFromJson: (value, version) => {
    const d = jsonObject(value ?? {}, 'data')
    return {
      version,
      coinInputs: jsonArray(d.coininputs, 'data.coininputs').map((v, i) =>
        v0InputFromJson(v, `data.coininputs[${i}]`),
      ),
      coinOutputs: jsonArray(d.coinoutputs, 'data.coinoutputs').map((v, i) =>
        v0OutputFromJson(v, `data.coinoutputs[${i}]`),
      ),
      blockStakeInputs: jsonArray(d.blockstakeinputs, 'data.blockstakeinputs').map((v, i) =>
        v0InputFromJson(v, `data.blockstakeinputs[${i}]`),
      ),
      blockStakeOutputs: jsonArray(d.blockstakeoutputs, 'data.blockstakeoutputs').map((v, i) =>
        v0OutputFromJson(v, `data.blockstakeoutputs[${i}]`),
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
  // spec §2.3: the v0 ID input has no version byte
  idInput: (tx) => {
    const w = new Writer('sia', 512)
    writeV0Data(w, tx)
    return w.finish()
  },
  sigHash: (tx, extras: readonly ExtraObject[]) => {
    const w = new Writer('sia', 512)
    writeExtraObjects(w, extras)
    const writeInputs = (inputs: readonly CoinInput[]) => {
      for (const i of inputs) {
        w.bytes(i.parentId)
        w.bytes(unlockHashBytes(legacyUnlockHash(i.fulfillment)))
      }
    }
    const writeOutputs = (outputs: readonly CoinOutput[]) => {
      w.u64(outputs.length)
      for (const o of outputs) {
        currency.write(w, o.value)
        w.bytes(unlockHashBytes(outputUnlockHash(o, 'output')))
      }
    }
    // spec §2.8.2: input lists have no count prefix; outputs are (value, unlock hash)
    writeInputs(tx.coinInputs)
    writeOutputs(tx.coinOutputs)
    writeInputs(tx.blockStakeInputs)
    writeOutputs(tx.blockStakeOutputs)
    array(currency).write(w, [...tx.minerFees])
    bytes.write(w, tx.arbitraryData)
    return w.consume(blake2b256)
  },
}
