// test/vectors/data/tfchain-authcointx.json (copied from shared/vectors): v176/v177 round trips (Rivine's
// authcointx tests, controllers WITHOUT RequireMinerFees) and the core v1 examples copied into those tests,
// with their Go struct literals.
import { expect } from 'vitest'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { fromHex, fromUtf8, toHex } from '../../../consensus/encoding/hex.js'
import { parseJson, stringifyJson } from '../../../consensus/encoding/json.js'
import { authCoinTransactionTypes } from '../../../consensus/extensions/authcointx/index.js'
import type { Condition } from '../../../consensus/types/conditions.js'
import type { Fulfillment } from '../../../consensus/types/fulfillments.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import type { Transaction } from '../../../consensus/types/transaction.js'
import type { UnlockHash } from '../../../consensus/types/unlockhash.js'
import type { Outcome, Vector } from '../framework.js'

const registries = {
  rivine: coreRegistry().with(...authCoinTransactionTypes({ requireMinerFees: false })),
  tfchain: coreRegistry().with(...authCoinTransactionTypes({ requireMinerFees: true })),
}

// ---- Go struct literals -------------------------------------------------------------------------

/** What a Go struct literal of a (minting or v1) transaction states, as order-free multisets. */
interface Atoms {
  hex: string[]
  numbers: string[]
  kinds: string[]
  data: string[]
}

const KNOWN_IDENTIFIERS = new Set([
  'Algorithm',
  'ArbitraryData',
  'CoinInputs',
  'CoinOutputs',
  'Condition',
  'Fulfillment',
  'Hash',
  'Key',
  'LockTime',
  'MinerFees',
  'MinimumSignatureCount',
  'MintCondition',
  'MintFulfillment',
  'Pairs',
  'ParentID',
  'PublicKey',
  'Signature',
  'TargetUnlockHash',
  'Type',
  'UnlockHashes',
  'Value',
  'Version',
  'byte',
  'hbs',
  'hs',
  'types',
  'CoinInput',
  'CoinOutputID',
  'CoinOutput',
  'Currency',
  'MultiSignatureCondition',
  'MultiSignatureFulfillment',
  'NewCondition',
  'NewFulfillment',
  'NewMultiSignatureCondition',
  'NewUnlockHashCondition',
  'NewCurrency64',
  'NilCondition',
  'PublicKeySignaturePair',
  'SingleSignatureFulfillment',
  'TimeLockCondition',
  'Transaction',
  'UnlockHashCondition',
  'UnlockHashSlice',
  'UnlockHash',
  'TransactionVersionOne',
  'SignatureAlgoEd25519',
  'UnlockTypePubKey',
  'CoinCreationTransaction',
  'MinterDefinitionTransaction',
])

const sorted = (a: Atoms): Atoms => ({
  hex: [...a.hex].sort(),
  numbers: [...a.numbers].sort(),
  kinds: [...a.kinds].sort(),
  data: [...a.data].sort(),
})

/** Reads the values a Go literal states; fails on any identifier it does not know (nothing is skipped). */
export function goLiteralAtoms(literal: string): Atoms {
  const code = literal.replace(/\/\/[^\n]*/g, '')
  const unknown = [...code.replace(/"[^"]*"/g, '""').matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)]
    .map((m) => m[0])
    .filter((id) => !KNOWN_IDENTIFIERS.has(id))
  expect(unknown, 'identifiers in the Go literal this reader does not handle').toEqual([])
  const all = (re: RegExp) => [...code.matchAll(re)].map((m) => m[1]!)
  const kinds = [
    ...all(/&types\.(\w+(?:Condition|Fulfillment))\{/g),
    ...all(/types\.New(UnlockHashCondition|MultiSignatureCondition)\(/g),
    ...all(/types\.(UnlockTypePubKey|SignatureAlgoEd25519|TransactionVersionOne)/g),
  ]
  return sorted({
    hex: all(/hb?s\("([0-9a-fA-F]*)"\)/g).map((h) => h.toLowerCase()),
    numbers: [
      ...all(/NewCurrency64\((\d+)\)/g),
      ...all(/LockTime:\s*(\d+)/g),
      ...all(/MinimumSignatureCount:\s*(\d+)/g),
      ...all(/\},\s*(\d+)\)\)/g),
    ],
    kinds,
    data: all(/\[\]byte\("([^"]*)"\)/g),
  })
}

const UNLOCK_TYPES = ['', 'UnlockTypePubKey'] as const

function uhAtoms(uh: UnlockHash, a: Atoms): void {
  a.kinds.push(UNLOCK_TYPES[uh.type] ?? `unlock type ${uh.type}`)
  a.hex.push(toHex(uh.hash))
}

function conditionAtoms(c: Condition, a: Atoms): void {
  switch (c.type) {
    case 0:
      a.kinds.push('NilCondition')
      return
    case 1:
      a.kinds.push('UnlockHashCondition')
      uhAtoms(c.unlockHash, a)
      return
    case 2:
      throw new Error('atomic swap conditions do not occur in these literals')
    case 3:
      a.kinds.push('TimeLockCondition')
      a.numbers.push(String(c.lockTime))
      conditionAtoms(c.condition, a)
      return
    case 4:
      a.kinds.push('MultiSignatureCondition')
      a.numbers.push(String(c.minimumSignatureCount))
      for (const uh of c.unlockHashes) uhAtoms(uh, a)
      return
  }
}

function fulfillmentAtoms(f: Fulfillment, a: Atoms): void {
  const pair = (p: { publicKey: { algorithm: number; key: Uint8Array }; signature: Uint8Array }) => {
    if (p.publicKey.algorithm !== 1) throw new Error('only ed25519 keys occur in these literals')
    a.kinds.push('SignatureAlgoEd25519')
    a.hex.push(toHex(p.publicKey.key), toHex(p.signature))
  }
  if (f.type === 1) {
    a.kinds.push('SingleSignatureFulfillment')
    pair(f)
  } else if (f.type === 3) {
    a.kinds.push('MultiSignatureFulfillment')
    for (const p of f.pairs) pair(p)
  } else throw new Error(`fulfillment type ${f.type} does not occur in these literals`)
}

/**
 * The same multisets from our decoded transaction. `extension` adds the minting fields; the minting
 * literals are of the extension structs, which carry no version and no nonce.
 */
export function transactionAtoms(
  tx: Transaction,
  extension?: { mintFulfillment?: Fulfillment; mintCondition?: Condition },
): Atoms {
  const a: Atoms = { hex: [], numbers: [], kinds: [], data: [] }
  if (tx.version === 1) a.kinds.push('TransactionVersionOne')
  for (const i of tx.coinInputs) {
    a.hex.push(toHex(i.parentId))
    fulfillmentAtoms(i.fulfillment, a)
  }
  for (const o of tx.coinOutputs) {
    a.numbers.push(String(o.value))
    conditionAtoms(o.condition, a)
  }
  expect(tx.blockStakeInputs.length + tx.blockStakeOutputs.length).toBe(0)
  for (const f of tx.minerFees) a.numbers.push(String(f))
  if (tx.arbitraryData.length) a.data.push(fromUtf8(tx.arbitraryData))
  if (extension?.mintFulfillment) fulfillmentAtoms(extension.mintFulfillment, a)
  if (extension?.mintCondition) conditionAtoms(extension.mintCondition, a)
  return sorted(a)
}

/** Compact JSON as Go's json.Compact gives it for these inputs. */
export const compactJson = (text: string): string => stringifyJson(parseJson(text) as never)

// ---- the handler --------------------------------------------------------------------------------

export function handle(v: Vector): Outcome {
  const id = v.id ?? ''
  if (id.startsWith('authcointx-json-roundtrip-') || id.startsWith('authcointx-binary-roundtrip-')) {
    expect(v.input.controller_options).toEqual({ RequireMinerFees: false })
    const reg = registries.rivine
    if (id.includes('json')) {
      const tx = reg.fromJsonString(v.input.json)
      expect(tx.version).toBe(v.input.transaction_version)
      expect(v.expected.json_roundtrip_equals_compacted_input).toBe(true)
      expect(reg.toJsonString(tx)).toBe(v.expected.compacted_input)
      expect(compactJson(v.input.json)).toBe(v.expected.compacted_input)
      // the same data through the binary codec
      expect(reg.toJsonString(reg.decode(reg.encode(tx)))).toBe(v.expected.compacted_input)
      // tfchain requires miner fees: without them the transaction cannot be hashed for signing there
      expect(() => registries.tfchain.sigHash(tx, [])).toThrow(/miner fee/)
    } else {
      const bin = fromHex(v.input.hex)
      const tx = reg.decode(bin)
      expect(tx.version).toBe(v.input.transaction_version)
      expect(toHex(reg.encode(tx))).toBe(v.expected.binary_roundtrip_hex)
      expect(toHex(reg.encode(reg.fromJsonString(reg.toJsonString(tx))))).toBe(
        v.expected.binary_roundtrip_hex,
      )
      expect(tx.minerFees).toEqual([]) // the trailing 00
      // the bytes carry nothing else: truncation and trailing bytes are refused
      expect(() => reg.decode(bin.subarray(0, bin.length - 1))).toThrow(DecodeError)
      expect(() => reg.decode(new Uint8Array([...bin, 0]))).toThrow(DecodeError)
    }
    return undefined
  }
  if (id.startsWith('authcointx-v1-binary-')) {
    const reg = registries.tfchain
    const tx = reg.decode(fromHex(v.input.hex))
    expect(tx.version).toBe(1)
    expect(toHex(reg.encode(tx))).toBe(v.expected.binary_roundtrip_hex)
    expect(transactionAtoms(tx)).toEqual(goLiteralAtoms(v.expected.decoded_go_struct_literal))
    return undefined
  }
  if (id.startsWith('authcointx-v1-json-')) {
    const reg = registries.tfchain
    const tx = reg.fromJsonString(v.input.json)
    expect(tx.version).toBe(1)
    expect(reg.toJsonString(tx)).toBe(v.expected.json_roundtrip)
    expect(v.input.json.replace(/[ \t\n]/g, '')).toBe(v.expected.json_roundtrip)
    expect(transactionAtoms(tx)).toEqual(goLiteralAtoms(v.expected.decoded_go_struct_literal))
    expect(reg.toJsonString(reg.decode(reg.encode(tx)))).toBe(v.expected.json_roundtrip)
    return undefined
  }
  throw new Error(`tfchain-authcointx: unknown vector ${id}`)
}
