// Fuzz targets for the consensus decoders: blocks (Sia, rivbin, JSON), transactions (Sia, JSON), conditions
// and fulfillments (Sia, rivbin, JSON), all through the registry of tfchain plus the rivbin minting layouts.
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { type Codec, decode, encode, type Format, Writer } from '../../../consensus/encoding/codec.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { concatBytes, utf8 } from '../../../consensus/encoding/hex.js'
import { parseJson, stringifyJson } from '../../../consensus/encoding/json.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import {
  type Condition,
  conditionCodec,
  conditionFromJson,
  conditionToJson,
  conditionUnlockHash,
} from '../../../consensus/types/conditions.js'
import {
  type Fulfillment,
  fulfillmentCodec,
  fulfillmentFromJson,
  fulfillmentToJson,
} from '../../../consensus/types/fulfillments.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import type { Transaction, TransactionRegistry } from '../../../consensus/types/transaction.js'
import { devnetDefinition, generateChain } from '../../../devnet/chaingen.js'
import { devKey } from '../../utils/devchain.js'
import { anyCondition, anyFulfillment, block, fuzzRegistry, transaction } from '../arbitraries.js'
import type { Target } from '../engine.js'
import { assertEqual, assertSameBytes, assertSameText } from '../equal.js'
import type { Rng } from '../rng.js'

const isDecodeError = (err: unknown): boolean => err instanceof DecodeError

/** Real blocks of a generated devnet chain (signed v1 transfers), as mutation seeds. */
function devnetBlocks(): Block[] {
  const keys = [devKey(0), devKey(1)]
  const def = devnetDefinition({ stakers: [keys[0]!], coinsTo: keys[0]!, timestamp: 1_700_000_000 })
  return [
    ...generateChain({
      def,
      registry: coreRegistry(),
      ed: nodeEd25519,
      stakeKey: keys[0]!,
      keys,
      blocks: 4,
      transactionsPerBlock: 3,
    }),
  ]
}

/** The IDs a node computes from every decoded transaction (they re-encode it). */
function touchIds(registry: TransactionRegistry, tx: Transaction): void {
  registry.outputIds(tx)
}

/** A decoded transaction survives its binary form (Sia): same value, same bytes again, and its IDs. */
export function checkTransactionBinary(registry: TransactionRegistry, tx: Transaction, what: string): void {
  const bin = encodeFresh(registry, tx)
  const back = registry.decode(bin)
  assertEqual(back, tx, `${what}: binary round trip`)
  assertSameBytes(encodeFresh(registry, back), bin, `${what}: canonical binary`)
  touchIds(registry, back)
}

type Path = readonly (string | number)[]
const isLegacySwap = (v: unknown): boolean =>
  v !== null &&
  typeof v === 'object' &&
  (v as Fulfillment).type === 2 &&
  (v as { legacy?: boolean }).legacy === true

/** Where `value` holds legacy atomic swap fulfillments. */
function legacyPaths(value: unknown, path: Path = []): Path[] {
  if (isLegacySwap(value)) return [path]
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return []
  return Object.entries(value).flatMap(([k, v]) =>
    legacyPaths(v, [...path, Array.isArray(value) ? Number(k) : k]),
  )
}

/** `value` with the values at `paths` replaced by a marker (copies along the way; the input is kept). */
function masked(value: unknown, paths: readonly Path[]): unknown {
  let out = value
  for (const path of paths) out = setAt(out, path, 'legacy atomic swap (ambiguous layout)')
  return out
}

function setAt(value: unknown, path: Path, to: unknown): unknown {
  if (path.length === 0) return to
  const [head, ...rest] = path
  if (value === null || typeof value !== 'object') return value
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, unknown>
  copy[head!] = setAt(copy[head!], rest, to)
  return copy
}

/** The registry caches encodings per object: a spread copy is encoded afresh. */
const encodeFresh = (registry: TransactionRegistry, tx: Transaction): Uint8Array => registry.encode({ ...tx })

// ---- blocks -----------------------------------------------------------------------------------------

export function blockBinaryTarget(format: Format): Target<Uint8Array, Block> {
  const codec = new BlockCodec(fuzzRegistry())
  return {
    name: `block-${format}`,
    input: 'bytes',
    format,
    seeds: devnetBlocks().map((b) => codec.encode(b, format)),
    generate: block(false).map((b) => codec.encode(b, format)),
    special: (rng) => codec.encode(blockWithDeepCondition(rng), format),
    decode: (bin) => codec.decode(bin, format),
    isRejection: isDecodeError,
    check: (b) => {
      const bin = codec.encode(b, format)
      const back = codec.decode(bin, format)
      assertEqual(back, b, 'block round trip')
      assertSameBytes(codec.encode(back, format), bin, 'canonical block')
      codec.minerPayoutIds(back)
      for (const tx of back.transactions) touchIds(codec.registry, tx)
    },
  }
}

export function blockJsonTarget(): Target<string, Block> {
  const codec = new BlockCodec(fuzzRegistry())
  return {
    name: 'block-json',
    input: 'text',
    seeds: devnetBlocks().map((b) => codec.toJsonString(b)),
    generate: block(true).map((b) => codec.toJsonString(b)),
    decode: (text) => codec.fromJsonString(text),
    isRejection: isDecodeError,
    check: (b) => {
      const text = codec.toJsonString(b)
      const back = codec.fromJsonString(text)
      assertEqual(back, b, 'block JSON round trip')
      assertSameText(codec.toJsonString(back), text, 'canonical block JSON')
      for (const tx of b.transactions)
        checkTransactionBinary(codec.registry, tx, 'transaction of a JSON block')
    },
  }
}

// ---- transactions -----------------------------------------------------------------------------------

export function transactionBinaryTarget(): Target<Uint8Array, Transaction> {
  const registry = fuzzRegistry()
  return {
    name: 'transaction-sia',
    input: 'bytes',
    format: 'sia',
    seeds: devnetBlocks().flatMap((b) => b.transactions.map((tx) => registry.encode(tx))),
    generate: transaction(false).map((tx) => registry.encode(tx)),
    special: (rng) => registry.encode(transactionWithDeepCondition(rng)),
    decode: (bin) => registry.decode(bin),
    isRejection: isDecodeError,
    check: (tx) => checkTransactionBinary(registry, tx, 'transaction'),
  }
}

export function transactionJsonTarget(): Target<string, Transaction> {
  const registry = fuzzRegistry()
  return {
    name: 'transaction-json',
    input: 'text',
    seeds: devnetBlocks().flatMap((b) => b.transactions.map((tx) => registry.toJsonString(tx))),
    generate: transaction(true).map((tx) => registry.toJsonString(tx)),
    special: (rng) => deepConditionTransactionJson(rng),
    decode: (text) => registry.fromJsonString(text),
    isRejection: isDecodeError,
    check: (tx) => {
      const text = registry.toJsonString(tx)
      const back = registry.fromJsonString(text)
      assertEqual(back, tx, 'transaction JSON round trip')
      assertSameText(registry.toJsonString(back), text, 'canonical transaction JSON')
      checkTransactionBinary(registry, tx, 'transaction from JSON')
    },
  }
}

// ---- conditions and fulfillments ----------------------------------------------------------------------

function proxyBinaryTarget<T>(
  name: string,
  codec: Codec<T>,
  format: Format,
  values: import('fast-check').Arbitrary<T>,
  use: (v: T) => void,
  special?: (rng: Rng) => Uint8Array,
): Target<Uint8Array, T> {
  return {
    name: `${name}-${format}`,
    input: 'bytes',
    format,
    seeds: [],
    generate: values.map((v) => encode(codec, v, format)),
    ...(special ? { special } : {}),
    decode: (bin) => decode(codec, bin, format),
    isRejection: isDecodeError,
    check: (v) => {
      const bin = encode(codec, v, format)
      const back = decode(codec, bin, format)
      assertEqual(back, v, `${name} round trip`)
      assertSameBytes(encode(codec, back, format), bin, `canonical ${name}`)
      use(back)
    },
  }
}

export const conditionBinaryTarget = (format: Format): Target<Uint8Array, Condition> =>
  proxyBinaryTarget('condition', conditionCodec, format, anyCondition(false), conditionUnlockHash, (rng) =>
    deepConditionBytes(rng, format),
  )

export const fulfillmentBinaryTarget = (format: Format): Target<Uint8Array, Fulfillment> =>
  proxyBinaryTarget(
    'fulfillment',
    fulfillmentCodec,
    format,
    // rivbin public keys are exactly 32 bytes (ed25519) or none (nil): the shared arbitrary's are
    anyFulfillment(false),
    () => undefined,
  )

function proxyJsonTarget<T>(
  name: string,
  fromJson: (v: unknown) => T,
  toJson: (v: T) => import('../../../consensus/encoding/json.js').JsonValue,
  codec: Codec<T>,
  values: import('fast-check').Arbitrary<T>,
  special?: (rng: Rng) => string,
): Target<string, T> {
  return {
    name: `${name}-json`,
    input: 'text',
    seeds: [],
    generate: values.map((v) => stringifyJson(toJson(v))),
    ...(special ? { special } : {}),
    decode: (text) => fromJson(parseJson(text)),
    isRejection: isDecodeError,
    check: (v) => {
      const text = stringifyJson(toJson(v))
      const back = fromJson(parseJson(text))
      assertEqual(back, v, `${name} JSON round trip`)
      assertSameText(stringifyJson(toJson(back)), text, `canonical ${name} JSON`)
      // a standalone fulfillment read from JSON may be a legacy atomic swap whose payload also reads in the
      // current layout, which the decoder tries first (spec §3.5, as the reference does; a transaction's
      // JSON decoder refuses those): such fulfillments are left out of the comparison
      const bin = encode(codec, v)
      const legacy = legacyPaths(v)
      assertEqual(masked(decode(codec, bin), legacy), masked(v, legacy), `${name} JSON → binary round trip`)
    },
  }
}

export const conditionJsonTarget = (): Target<string, Condition> =>
  proxyJsonTarget(
    'condition',
    conditionFromJson,
    conditionToJson,
    conditionCodec,
    anyCondition(true),
    (rng) => deepConditionJson(rng),
  )

export const fulfillmentJsonTarget = (): Target<string, Fulfillment> =>
  proxyJsonTarget(
    'fulfillment',
    fulfillmentFromJson,
    fulfillmentToJson,
    fulfillmentCodec,
    anyFulfillment(true),
  )

// ---- deep nesting (time locks inside time locks) -------------------------------------------------------

/** 100 000 levels is 900 kB in binary; JSON stops at 20 000 (900 kB too). */
const NESTING_DEPTHS = [2, 10, 100, 1000, 5000, 20_000, 100_000]
const JSON_NESTING_DEPTHS = [2, 10, 100, 1000, 5000, 20_000]

/** A time lock wrapping time locks `depth` deep, around an unlock hash condition. */
function deepCondition(depth: number): Condition {
  let c: Condition = { type: 1, unlockHash: { type: 1, hash: new Uint8Array(32).fill(7) } }
  for (let d = 0; d < depth; d++) c = { type: 3, lockTime: BigInt(d + 1), condition: c }
  return c
}

/** The binary proxy of `deepCondition`, built without the (recursive) encoder. */
function deepConditionBytes(rng: Rng, format: Format): Uint8Array {
  const depth = rng.pick(NESTING_DEPTHS)
  const body = new Uint8Array(depth * 9 + 8 + 1 + 33 - 9)
  // each level: u64 lock time, then the inner condition's type byte and body (no prefix, spec §3.4)
  let at = 0
  for (let d = 0; d < depth; d++) {
    body[at] = 1
    at += 8
    body[at++] = d === depth - 1 ? 1 : 3
  }
  body[at++] = 1
  body.fill(7, at)
  const w = new Writer(format)
  w.byte(3)
  w.length(body.length)
  return concatBytes(w.finish(), body)
}

/** The JSON of `deepCondition`, built as text (JSON.stringify recurses too). */
function deepConditionJsonText(depth: number): string {
  const inner = stringifyJson(conditionToJson(deepCondition(0)))
  return `${'{"type":3,"data":{"locktime":1,"condition":'.repeat(depth)}${inner}${'}}'.repeat(depth)}`
}

const deepConditionJson = (rng: Rng): string => deepConditionJsonText(rng.pick(JSON_NESTING_DEPTHS))

function transactionWithDeepCondition(rng: Rng): Transaction {
  // shallow enough for the recursive encoder; the decoder sees the same depth
  const depth = rng.pick([2, 100, 1000, 3000])
  return {
    version: 1,
    coinInputs: [],
    coinOutputs: [{ value: 1n, condition: deepCondition(depth) }],
    blockStakeInputs: [],
    blockStakeOutputs: [],
    minerFees: [1n],
    arbitraryData: utf8('deep'),
  }
}

function deepConditionTransactionJson(rng: Rng): string {
  const depth = rng.pick(JSON_NESTING_DEPTHS)
  return `{"version":1,"data":{"coininputs":null,"coinoutputs":[{"value":"1","condition":${deepConditionJsonText(depth)}}],"minerfees":["1"]}}`
}

function blockWithDeepCondition(rng: Rng): Block {
  return {
    parentId: new Uint8Array(32),
    timestamp: 1,
    pobsOutput: { blockHeight: 0, transactionIndex: 0, outputIndex: 0 },
    minerPayouts: [],
    transactions: [transactionWithDeepCondition(rng)],
  }
}
