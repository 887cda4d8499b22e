// test/vectors/data/rivine-transactions.json (copied from shared/vectors): v0/v1 binary and JSON codecs,
// transaction and output IDs, the legacy (v0) compatibility cases with real signatures, short IDs, the coin
// output sum, unknown versions; the auth-coin extension examples are checked by ./ext-authcoin.ts.
import { expect } from 'vitest'
import { type Ed25519, nobleEd25519 } from '../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { decode, encode, Reader, u64, Writer } from '../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { parseJson } from '../../../consensus/encoding/json.js'
import { unlockHashCondition } from '../../../consensus/types/conditions.js'
import { fulfillError } from '../../../consensus/types/fulfill.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import {
  coinOutputSum,
  emptyTransaction,
  type Transaction,
  transactionShortId,
} from '../../../consensus/types/transaction.js'
import { parseUnlockHash } from '../../../consensus/types/unlockhash.js'
import { readV0Data, v0TransactionType, writeV0Data } from '../../../consensus/types/v0.js'
import type { Outcome, Vector } from '../framework.js'
import { goIndentJson } from '../go-json.js'
import { exactVector, expectTransactionMatches, neutralToTransaction } from '../neutral.js'
import { handleExtAuthCoin } from './ext-authcoin.js'

const FILE = 'rivine-transactions.json'
const registry = coreRegistry()
const verifiers: readonly Ed25519[] = [nobleEd25519, nodeEd25519]

/** Decode → re-encode gives the same bytes; the decoded content equals the neutral transcription. */
function checkBinary(v: Vector): void {
  const exact = exactVector(FILE, v)
  const bin = fromHex(v.input.hex)
  const tx = registry.decode(bin)
  expect(toHex(registry.encode(tx))).toBe(v.expected.roundtrip_hex)
  expectTransactionMatches(tx, exact.expected.decoded)
  // the transcription encodes to the same bytes, and the JSON form survives a round trip
  expect(toHex(registry.encode(neutralToTransaction(exact.expected.decoded)))).toBe(v.expected.roundtrip_hex)
  const again = registry.fromJsonString(registry.toJsonString(tx))
  expect(toHex(registry.encode(again))).toBe(v.expected.roundtrip_hex)
}

/** Unmarshal → marshal gives the compact canonical form (= the input without whitespace). */
function checkJson(v: Vector): void {
  const tx = registry.fromJsonString(v.input.json)
  const canonical: string = v.expected.canonical_json
  expect(registry.toJsonString(tx)).toBe(canonical)
  expect(parseJson(canonical)).toEqual(parseJson(v.input.json))
  // and through the binary codec
  expect(registry.toJsonString(registry.decode(registry.encode(tx)))).toBe(canonical)
}

function expectDecodeError(fn: () => unknown): void {
  let err: unknown
  try {
    fn()
  } catch (e) {
    err = e
  }
  expect(err, 'decoding must fail').toBeInstanceOf(DecodeError)
}

interface IndexedId {
  index: number
  id: string
}

function checkOutputIds(tx: Transaction, expected: Record<string, unknown>): void {
  const ids = registry.outputIds(tx)
  expect(toHex(ids.id)).toBe(expected.transaction_id)
  expect(toHex(registry.id(tx))).toBe(expected.transaction_id)
  for (const [key, list] of [
    ['coin_output_ids', ids.coinOutputIds],
    ['blockstake_output_ids', ids.blockStakeOutputIds],
  ] as const) {
    const want = expected[key] as IndexedId[] | undefined
    if (want === undefined) continue
    for (const { index, id } of want) expect(toHex(list[index]!), `${key}[${index}]`).toBe(id)
  }
  // output IDs hash `specifier || ID input || u64le(i)`, the ID hashes the ID input (spec §2.3–2.4)
  const input = registry.get(tx.version).idInput(tx)
  expect(toHex(blake2b256(input))).toBe(expected.transaction_id)
}

/** The v0 compatibility cases: ID, output IDs, input sighashes and a real signature. */
function checkV0Compat(v: Vector): void {
  const tx = neutralToTransaction(v.input.transaction)
  expect(tx.version).toBe(0)
  expectTransactionMatches(registry.decode(registry.encode(tx)), v.input.transaction)
  checkOutputIds(tx, v.expected)
  // v0: the ID input is the encoding without its version byte
  expect(toHex(v0TransactionType.idInput(tx))).toBe(toHex(registry.encode(tx).subarray(1)))
  const condition = unlockHashCondition(parseUnlockHash(v.expected.signature_valid_for_condition.unlockhash))
  let checked = 0
  for (const [key, list] of [
    ['coin_input_sighashes', 'coinInputs'],
    ['blockstake_input_sighashes', 'blockStakeInputs'],
  ] as const) {
    const want = v.expected[key] as { index: number; sighash: string }[] | undefined
    if (want === undefined) continue
    for (const { index, sighash } of want) {
      expect(toHex(registry.inputSigHash(tx, index)), `${key}[${index}]`).toBe(sighash)
      const input = tx[list][index]!
      for (const verifier of verifiers) {
        const err = fulfillError(condition, input.fulfillment, {
          blockHeight: 0,
          blockTime: 0,
          verifier,
          sigHash: (extras) => registry.inputSigHash(tx, index, extras),
        })
        expect(err, `${list}[${index}] with ${verifier.name}`).toBeUndefined()
        // and a flipped sighash bit makes it fail
        const bad = fulfillError(condition, input.fulfillment, {
          blockHeight: 0,
          blockTime: 0,
          verifier,
          sigHash: (extras) => {
            const h = registry.inputSigHash(tx, index, extras).slice()
            h[0]! ^= 1
            return h
          },
        })
        expect(bad, `${list}[${index}] tampered, ${verifier.name}`).toBe('invalid signature')
      }
      checked++
    }
  }
  expect(checked).toBeGreaterThan(0)
}

/** v0 data alone (no version byte): the v0 ID input. */
function checkLegacyBinary(v: Vector): void {
  const bin = fromHex(v.input.hex)
  const r = new Reader(bin, 'sia')
  const tx = readV0Data(r)
  r.end()
  const w = new Writer('sia')
  writeV0Data(w, tx)
  expect(toHex(w.finish())).toBe(v.expected.roundtrip_hex)
  expect(toHex(v0TransactionType.idInput(tx))).toBe(v.expected.roundtrip_hex)
  // with the version byte it is a whole v0 transaction
  const full = registry.decode(new Uint8Array([0, ...bin]))
  expect(toHex(registry.encode(full))).toBe(`00${v.expected.roundtrip_hex}`)
}

/** v0 data JSON: Go's tab-indented re-encoding reproduces the text. */
function checkLegacyJson(v: Vector): void {
  const tx = v0TransactionType.dataFromJson(parseJson(v.input.json), 0)
  expect(goIndentJson(v0TransactionType.dataToJson(tx))).toBe(v.expected.canonical_json_tab_indented)
  // the binary form carries the same data
  expect(goIndentJson(v0TransactionType.dataToJson(registry.decode(registry.encode(tx))))).toBe(
    v.expected.canonical_json_tab_indented,
  )
}

function checkShortId(v: Vector): void {
  const id = transactionShortId(v.input.block_height, v.input.tx_sequence_index)
  expect(id.toString()).toBe(v.expected.short_id)
  // binary form: u64 little-endian
  const bin = encode(u64, id)
  expect(bin.length).toBe(8)
  expect(decode(u64, bin)).toBe(id)
  expect(id >> 14n).toBe(BigInt(v.input.block_height))
  expect(Number(id & 0x3fffn)).toBe(v.input.tx_sequence_index)
}

function checkCoinOutputSum(v: Vector): void {
  const tx: Transaction = {
    ...emptyTransaction(1),
    coinOutputs: (v.input.coin_outputs as string[]).map((value) => ({
      value: BigInt(value),
      condition: { type: 0 },
    })),
    minerFees: (v.input.miner_fees as string[]).map(BigInt),
  }
  expect(coinOutputSum(tx).toString()).toBe(v.expected.sum)
  expect(coinOutputSum(tx, registry.customMinerPayouts(tx)).toString()).toBe(v.expected.sum)
}

/** Checks that pass by not throwing, by vector id pattern. */
const CHECKS: readonly [RegExp, (v: Vector) => void][] = [
  [/^tx-binary-\d+$/, checkBinary],
  [/^tx-json-\d+$/, checkJson],
  [/^shortid-\d+-\d+$/, checkShortId],
  [/^legacy-txdata-binary-\d+$/, checkLegacyBinary],
  [/^legacy-txdata-json-\d+$/, checkLegacyJson],
  [/^txid-v0-compat-(blockstake|coin)$/, checkV0Compat],
  [/^tx-coinoutputsum$/, checkCoinOutputSum],
  [/^txid-tfchain-[01]$/, checkTfchainIds],
  [/^tx-(json|binary)-unknown-version$/, checkUnknownVersion],
]

function checkTfchainIds(v: Vector): void {
  const tx = registry.fromJsonString(v.input.json)
  checkOutputIds(tx, v.expected)
  // the binary round trip keeps the ID
  expect(toHex(registry.id(registry.decode(registry.encode(tx))))).toBe(v.expected.transaction_id)
}

function checkUnknownVersion(v: Vector): void {
  expect(v.expected.error).toBe(true)
  if (v.id === 'tx-json-unknown-version') expectDecodeError(() => registry.fromJsonString(v.input.json))
  else expectDecodeError(() => registry.decode(fromHex(v.input.hex)))
}

export function handle(v: Vector): Outcome {
  const id = v.id ?? ''
  if (id.startsWith('ext-authcoin-')) return handleExtAuthCoin(v)
  const check = CHECKS.find(([re]) => re.test(id))?.[1]
  if (!check) throw new Error(`${FILE}: unknown vector ${id}`)
  check(v)
  return undefined
}
