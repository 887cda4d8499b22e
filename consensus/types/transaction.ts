// spec/rivine.md §4: transactions, their IDs (§2.3–2.4) and signature hashes (§2.8).
import { blake2b256, blake2b256Prefixed } from '../crypto/hash.js'
import { type Format, Reader, Writer } from '../encoding/codec.js'
import { DecodeError } from '../encoding/errors.js'
import { equalBytes } from '../encoding/hex.js'
import { type JsonValue, jsonObject, jsonUint, parseJson, stringifyJson } from '../encoding/json.js'
import type { Condition } from './conditions.js'
import type { Currency } from './currency.js'
import type { Fulfillment } from './fulfillments.js'
import { type PublicKey, publicKeyCodec, specifier } from './publickey.js'
import { u64le } from './unlockhash.js'

export interface CoinInput {
  readonly parentId: Uint8Array
  readonly fulfillment: Fulfillment
}
export interface CoinOutput {
  readonly value: Currency
  readonly condition: Condition
}
export type BlockStakeInput = CoinInput
export type BlockStakeOutput = CoinOutput

/**
 * Every transaction, whatever its version. Extension versions keep their own fields in `extension`
 * (a nonce, a mint fulfillment, …) and use the shared lists where their layout has them.
 */
export interface Transaction {
  readonly version: number
  readonly coinInputs: readonly CoinInput[]
  readonly coinOutputs: readonly CoinOutput[]
  readonly blockStakeInputs: readonly BlockStakeInput[]
  readonly blockStakeOutputs: readonly BlockStakeOutput[]
  readonly minerFees: readonly Currency[]
  readonly arbitraryData: Uint8Array
  readonly extension?: unknown
}

/** A value in a signature hash's "extra objects" (spec §2.8), written with the hash's own codec. */
export type ExtraObject =
  | { readonly kind: 'u64'; readonly value: number | bigint }
  | { readonly kind: 'publicKey'; readonly value: PublicKey }
  | { readonly kind: 'raw'; readonly value: Uint8Array }

export function writeExtraObjects(w: Writer, extras: readonly ExtraObject[]): void {
  for (const e of extras) {
    if (e.kind === 'u64') w.u64(e.value)
    else if (e.kind === 'publicKey') publicKeyCodec.write(w, e.value)
    else w.bytes(e.value)
  }
}

/** A miner payout declared by a transaction itself (spec §4.5, custom miner payouts). */
export interface MinerPayoutDeclaration {
  readonly value: Currency
  readonly unlockHash: import('./unlockhash.js').UnlockHash
}

/**
 * A transaction version plugged into a chain (DESIGN §3). Core v0/v1 and every extension register
 * through this interface; the consensus rules of a type are added by later layers through the same
 * object (`validate*`, `apply`, `revert`).
 */
export interface TransactionType {
  readonly version: number
  readonly name: string
  /** The bytes after the version byte. */
  writeData(w: Writer, tx: Transaction): void
  readData(r: Reader, version: number): Transaction
  /** The `data` object of the JSON form. */
  dataToJson(tx: Transaction): JsonValue
  dataFromJson(data: unknown, version: number): Transaction
  /** The byte string hashed for the transaction ID and output IDs (spec §2.3). */
  idInput(tx: Transaction): Uint8Array
  /** True when the ID input is the full binary encoding (v1), so the cached encoding is reused. */
  readonly idInputIsEncoding?: boolean
  /** The message signed for an input or extension fulfillment (spec §2.8). */
  sigHash(tx: Transaction, extras: readonly ExtraObject[]): Uint8Array
  /** Extra payouts the block creator must pay for this transaction (spec §4.5). */
  customMinerPayouts?(tx: Transaction): readonly MinerPayoutDeclaration[]
  /**
   * Addresses that act in the transaction besides its coin flow (a capacity farmer): address policies of
   * other extensions (authorization) apply to them as to the coin flow's addresses.
   */
  parties?(tx: Transaction): readonly import('./unlockhash.js').UnlockHash[]
}

export class TransactionRegistry {
  private readonly types = new Map<number, TransactionType>()
  private readonly encodings = new WeakMap<Transaction, Uint8Array>()
  private readonly identifiers = new WeakMap<Transaction, TransactionIds>()

  constructor(types: readonly TransactionType[] = []) {
    for (const t of types) this.register(t)
  }

  register(type: TransactionType): this {
    if (!Number.isInteger(type.version) || type.version < 0 || type.version > 255) {
      throw new RangeError(`transaction version ${type.version} is not a byte`)
    }
    if (this.types.has(type.version))
      throw new Error(`transaction version ${type.version} is already registered`)
    this.types.set(type.version, type)
    return this
  }

  /** A copy with more types, e.g. a chain's extensions on top of the core. */
  with(...types: TransactionType[]): TransactionRegistry {
    return new TransactionRegistry([...this.types.values(), ...types])
  }

  has(version: number): boolean {
    return this.types.has(version)
  }

  get(version: number): TransactionType {
    const t = this.types.get(version)
    if (!t) throw new DecodeError('unknown-type', `unknown transaction version ${version}`, 'version')
    return t
  }

  get versions(): number[] {
    return [...this.types.keys()].sort((a, b) => a - b)
  }

  // ---- binary (Sia) ---------------------------------------------------------------------------

  writeTransaction(w: Writer, tx: Transaction): void {
    w.byte(tx.version)
    this.get(tx.version).writeData(w, tx)
  }

  readTransaction(r: Reader): Transaction {
    const version = r.byte()
    return this.get(version).readData(r, version)
  }

  /**
   * The Sia encoding. Results are cached per transaction object (transactions are immutable), so
   * the returned bytes are shared: do not modify them.
   */
  encode(tx: Transaction): Uint8Array {
    let bin = this.encodings.get(tx)
    if (!bin) {
      const w = new Writer('sia', 512)
      this.writeTransaction(w, tx)
      bin = w.finish()
      this.encodings.set(tx, bin)
    }
    return bin
  }

  /** Decodes exactly one transaction from its binary form. */
  decode(bin: Uint8Array): Transaction {
    const r = new Reader(bin.slice(), 'sia')
    const tx = this.readTransaction(r)
    r.end()
    return tx
  }

  // ---- JSON -----------------------------------------------------------------------------------

  toJson(tx: Transaction): JsonValue {
    return { version: tx.version, data: this.get(tx.version).dataToJson(tx) }
  }

  toJsonString(tx: Transaction): string {
    return stringifyJson(this.toJson(tx))
  }

  /**
   * Decodes the JSON form. A transaction its binary form cannot carry, or carries as another transaction,
   * is refused (a DecodeError): peers and blocks only ever see the binary form.
   */
  fromJson(value: unknown): Transaction {
    const obj = jsonObject(value, 'transaction')
    const version = jsonUint(obj.version, 'version')
    const tx = this.get(version).dataFromJson(obj.data, version)
    let bin: Uint8Array
    try {
      // JSON can say what the binary form cannot (an ed25519 key of 31 bytes where rivbin writes 32), and
      // every use of a transaction encodes it (IDs, sizes): refused here, as input, not later as a crash
      bin = this.encode(tx)
    } catch (err) {
      if (err instanceof RangeError)
        throw new DecodeError('invalid-value', `no binary form: ${err.message}`, 'data')
      throw err
    }
    // a legacy atomic swap fulfillment whose payload also reads in the current layout is read back as that
    // one (spec §3.5, tried first): the node would hash and sign another transaction than its peers see
    const back = this.decode(bin)
    const again = new Writer('sia', bin.length)
    this.writeTransaction(again, back)
    if (!equalBytes(again.finish(), bin))
      throw new DecodeError(
        'invalid-value',
        'the binary form of this transaction reads back differently',
        'data',
      )
    return tx
  }

  fromJsonString(text: string): Transaction {
    return this.fromJson(parseJson(text))
  }

  // ---- identifiers (spec §2.3, §2.4) ----------------------------------------------------------

  id(tx: Transaction): Uint8Array {
    return this.outputIds(tx).id
  }

  coinOutputId(tx: Transaction, index: number): Uint8Array {
    const id = this.outputIds(tx).coinOutputIds[index]
    if (!id) throw new RangeError(`transaction has no coin output ${index}`)
    return id
  }

  blockStakeOutputId(tx: Transaction, index: number): Uint8Array {
    const id = this.outputIds(tx).blockStakeOutputIds[index]
    if (!id) throw new RangeError(`transaction has no block stake output ${index}`)
    return id
  }

  /** The ID and all output IDs (the ID input is encoded once; cached per transaction object, shared). */
  outputIds(tx: Transaction): TransactionIds {
    let ids = this.identifiers.get(tx)
    if (!ids) {
      const type = this.get(tx.version)
      const input = type.idInputIsEncoding ? this.encode(tx) : type.idInput(tx)
      // the specifier and the whole input are hashed once per list, not once per output: a transaction
      // of n outputs would otherwise hash n times its own size (a 2 MB one, for minutes)
      const coinOutputId = tx.coinOutputs.length
        ? blake2b256Prefixed(COIN_OUTPUT_SPECIFIER, input)
        : undefined
      const coinOutputIds = tx.coinOutputs.map((_, i) => coinOutputId!(u64le(i)))
      const stakeOutputId = tx.blockStakeOutputs.length
        ? blake2b256Prefixed(BLOCKSTAKE_OUTPUT_SPECIFIER, input)
        : undefined
      const blockStakeOutputIds = tx.blockStakeOutputs.map((_, i) => stakeOutputId!(u64le(i)))
      ids = { id: blake2b256(input), coinOutputIds, blockStakeOutputIds }
      this.identifiers.set(tx, ids)
    }
    return ids
  }

  sigHash(tx: Transaction, extras: readonly ExtraObject[]): Uint8Array {
    return this.get(tx.version).sigHash(tx, extras)
  }

  /** The signature hash of coin input `index` before fulfillment-specific extras (spec §2.8). */
  inputSigHash(tx: Transaction, index: number, more: readonly ExtraObject[] = []): Uint8Array {
    return this.sigHash(tx, [{ kind: 'u64', value: index }, ...more])
  }

  customMinerPayouts(tx: Transaction): readonly MinerPayoutDeclaration[] {
    return this.get(tx.version).customMinerPayouts?.(tx) ?? []
  }

  /** The addresses `tx` names as acting parties besides its coin flow (`TransactionType.parties`). */
  parties(tx: Transaction): readonly import('./unlockhash.js').UnlockHash[] {
    return this.get(tx.version).parties?.(tx) ?? []
  }
}

export interface TransactionIds {
  readonly id: Uint8Array
  readonly coinOutputIds: readonly Uint8Array[]
  readonly blockStakeOutputIds: readonly Uint8Array[]
}

export const COIN_OUTPUT_SPECIFIER = specifier('coin output')
export const BLOCKSTAKE_OUTPUT_SPECIFIER = specifier('blstake output')

/** A transaction short ID (spec §2.7): 50 bits of height, 14 bits of index. */
export function transactionShortId(blockHeight: number, indexInBlock: number): bigint {
  if (indexInBlock < 0 || indexInBlock >= 1 << 14) throw new RangeError('transaction index must fit 14 bits')
  if (blockHeight < 0 || blockHeight >= 2 ** 50) throw new RangeError('block height must fit 50 bits')
  return (BigInt(blockHeight) << 14n) | BigInt(indexInBlock)
}

/** Σ coin outputs + Σ miner fees (+ custom payouts) of a transaction. */
export function coinOutputSum(tx: Transaction, custom: readonly MinerPayoutDeclaration[] = []): Currency {
  let sum = 0n
  for (const o of tx.coinOutputs) sum += o.value
  for (const f of tx.minerFees) sum += f
  for (const p of custom) sum += p.value
  return sum
}

/** Helper for extension types: encode with a given codec. */
export function encodeWith(format: Format, fn: (w: Writer) => void): Uint8Array {
  const w = new Writer(format, 256)
  fn(w)
  return w.finish()
}

export const emptyTransaction = (version: number): Transaction => ({
  version,
  coinInputs: [],
  coinOutputs: [],
  blockStakeInputs: [],
  blockStakeOutputs: [],
  minerFees: [],
  arbitraryData: new Uint8Array(0),
})
