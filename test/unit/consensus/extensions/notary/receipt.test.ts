// Notary records and receipts (docs/notary.md): the record's layout, a receipt's JSON round trip, and
// each way a receipt can be wrong failing the check that names it.
import { describe, expect, it } from 'vitest'
import { merkleLeafHash, merkleRootOfHashes } from '../../../../../consensus/crypto/merkle.js'
import { DecodeError } from '../../../../../consensus/encoding/errors.js'
import { concatBytes, fromHex, toHex, utf8 } from '../../../../../consensus/encoding/hex.js'
import {
  type NotaryReceipt,
  notaryReceipt,
  notaryReceiptToJson,
  parseNotaryReceipt,
  verifyNotaryReceipt,
} from '../../../../../consensus/extensions/notary/receipt.js'
import {
  notaryHash,
  notaryRecord,
  parseNotaryHash,
  recordedHash,
  transactionNotaryHash,
} from '../../../../../consensus/extensions/notary/record.js'
import { type Block, BlockCodec, blockHeaderId } from '../../../../../consensus/types/block.js'
import { unlockHashCondition } from '../../../../../consensus/types/conditions.js'
import { NIL_FULFILLMENT } from '../../../../../consensus/types/fulfillments.js'
import { coreRegistry } from '../../../../../consensus/types/registry.js'
import type { Transaction } from '../../../../../consensus/types/transaction.js'
import { UnlockType } from '../../../../../consensus/types/unlockhash.js'

const registry = coreRegistry()
const codec = new BlockCodec(registry)
const document = utf8('the document\n')
const hash = notaryHash(document)
const address = { type: UnlockType.PubKey, hash: new Uint8Array(32).fill(7) }

function transfer(n: number, data: Uint8Array = new Uint8Array(0)): Transaction {
  return {
    version: 1,
    coinInputs: [{ parentId: new Uint8Array(32).fill(n), fulfillment: NIL_FULFILLMENT }],
    coinOutputs: [{ value: 1000n + BigInt(n), condition: unlockHashCondition(address) }],
    blockStakeInputs: [],
    blockStakeOutputs: [],
    minerFees: [100n],
    arbitraryData: data,
  }
}

/** A block of 2 payouts and 4 transactions, the third notarizing `hash` (leaf 4 of 6). */
const block: Block = {
  parentId: new Uint8Array(32).fill(1),
  timestamp: 1_700_000_000,
  pobsOutput: { blockHeight: 3, transactionIndex: 0, outputIndex: 1 },
  minerPayouts: [
    { value: 10n, unlockHash: address },
    { value: 20n, unlockHash: address },
  ],
  transactions: [
    transfer(1),
    transfer(2),
    transfer(3, concatBytes(notaryRecord(hash), utf8('a note'))),
    transfer(4),
  ],
}
const genesisId = new Uint8Array(32).fill(9)
const receipt = notaryReceipt(codec, { genesisId, hash, block, height: 12, txIndex: 2 })

describe('notary record', () => {
  it('is "nty1" and the blake2b-256 hash, 36 bytes, at the start of the arbitrary data', () => {
    const record = notaryRecord(hash)
    expect(record.length).toBe(36)
    expect(toHex(record.subarray(0, 4))).toBe('6e747931')
    expect(recordedHash(record)).toEqual(hash)
    expect(recordedHash(concatBytes(record, utf8('note')))).toEqual(hash)
    expect(recordedHash(record.subarray(0, 35))).toBeUndefined()
    expect(recordedHash(concatBytes(utf8('x'), record))).toBeUndefined()
    expect(recordedHash(concatBytes(utf8('nty2'), hash))).toBeUndefined()
    expect(() => notaryRecord(new Uint8Array(31))).toThrow(/32 bytes/)
  })

  it('is read from v0 and v1 transactions only', () => {
    const tx = transfer(1, notaryRecord(hash))
    expect(transactionNotaryHash(tx)).toEqual(hash)
    expect(transactionNotaryHash({ ...tx, version: 129 })).toBeUndefined()
  })

  it('parses hashes as 64 hex characters and names what is wrong', () => {
    expect(parseNotaryHash(` ${toHex(hash).toUpperCase()} `)).toEqual(hash)
    expect(() => parseNotaryHash('abc')).toThrow(/64 hex characters.*"abc"/)
    expect(() => parseNotaryHash('g'.repeat(64))).toThrow(/64 hex characters/)
  })
})

describe('notary receipt', () => {
  it('points at the transaction, its block and its leaf', () => {
    expect(receipt.transactionId).toEqual(registry.id(block.transactions[2]!))
    expect(receipt.blockId).toEqual(codec.id(block))
    expect(receipt.proof).toMatchObject({ leafIndex: 4, leafCount: 6 })
    const root = merkleRootOfHashes(codec.merkleLeaves(block).map(merkleLeafHash))
    expect(receipt.header.merkleRoot).toEqual(root)
    expect(verifyNotaryReceipt(receipt, hash)).toMatchObject({ valid: true })
  })

  it('round-trips through JSON, and the JSON has the fields scripts read', () => {
    const json = notaryReceiptToJson(receipt) as Record<string, unknown>
    for (const k of ['hash', 'transactionId', 'blockId', 'height', 'proof']) expect(json).toHaveProperty(k)
    const back = parseNotaryReceipt(JSON.parse(JSON.stringify(json)))
    expect(back).toEqual(receipt)
    expect(verifyNotaryReceipt(back, hash)).toMatchObject({ valid: true })
  })

  it('proves every transaction of the block', () => {
    for (let t = 0; t < 4; t++) {
      const r = notaryReceipt(codec, { genesisId, hash, block, height: 12, txIndex: t })
      const verdict = verifyNotaryReceipt(r, hash)
      // only the third carries the record; the others pass everything up to the record check
      expect(verdict).toMatchObject(t === 2 ? { valid: true } : { valid: false, check: 'record' })
    }
  })

  const tampered: [string, (r: NotaryReceipt) => NotaryReceipt, string, RegExp][] = [
    ['a changed file', (r) => r, 'hash', /file's hash/],
    [
      'a flipped bit in a proof hash',
      (r) => ({ ...r, proof: { ...r.proof, path: r.proof.path.map((h, i) => (i === 1 ? flip(h) : h)) } }),
      'proof',
      /does not lead to the header's Merkle root/,
    ],
    [
      'a proof hash dropped',
      (r) => ({ ...r, proof: { ...r.proof, path: r.proof.path.slice(1) } }),
      'proof',
      /does not fit/,
    ],
    ['another leaf index', (r) => ({ ...r, proof: { ...r.proof, leafIndex: 5 } }), 'proof', /Merkle/],
    ['another leaf count', (r) => ({ ...r, proof: { ...r.proof, leafCount: 9 } }), 'proof', /Merkle/],
    ['a wrong block ID', (r) => ({ ...r, blockId: flip(r.blockId) }), 'block-id', /header hashes to block/],
    [
      'a changed header field',
      (r) => ({ ...r, header: { ...r.header, parentId: flip(r.header.parentId) } }),
      'block-id',
      /header hashes to block/,
    ],
    [
      'another Merkle root',
      (r) => ({ ...r, header: { ...r.header, merkleRoot: flip(r.header.merkleRoot) } }),
      'proof',
      /header's Merkle root/,
    ],
    [
      'a wrong transaction ID',
      (r) => ({ ...r, transactionId: flip(r.transactionId) }),
      'transaction-id',
      /ID is/,
    ],
    ['another timestamp', (r) => ({ ...r, timestamp: r.timestamp + 1 }), 'timestamp', /timestamp/],
    [
      'another transaction',
      (r) => ({ ...r, transaction: registry.encode(transfer(1, notaryRecord(hash))) }),
      'transaction-id',
      /ID is/,
    ],
    [
      'a transaction without the record',
      (r) => ({ ...r, transaction: registry.encode(block.transactions[0]!) }),
      'record',
      /does not start with the record/,
    ],
    [
      'bytes that are no transaction',
      (r) => ({ ...r, transaction: r.transaction.slice(0, 20) }),
      'transaction',
      /does not decode/,
    ],
    [
      'trailing bytes after the transaction',
      (r) => ({ ...r, transaction: concatBytes(r.transaction, new Uint8Array(1)) }),
      'transaction',
      /does not decode/,
    ],
  ]
  it.each(tampered)('refuses %s', (_name, change, check, reason) => {
    const file = check === 'hash' ? notaryHash(utf8('the document, changed\n')) : hash
    const verdict = verifyNotaryReceipt(change(receipt), file)
    expect(verdict).toMatchObject({ valid: false, check })
    expect(verdict.valid === false && verdict.reason).toMatch(reason)
  })

  it('a header that hashes to the block ID is what the reference hashes (96 bytes, spec §2.5)', () => {
    expect(toHex(blockHeaderId(receipt.header))).toBe(toHex(codec.id(block)))
  })

  it('parsing names the missing, unknown or malformed field', () => {
    const json = () => JSON.parse(JSON.stringify(notaryReceiptToJson(receipt)))
    const cases: [(j: any) => void, RegExp][] = [
      [(j) => delete j.blockId, /blockId: missing/],
      [(j) => (j.extra = 1), /extra: unknown field/],
      [(j) => (j.kind = 'x'), /kind/],
      [(j) => (j.version = 2), /version/],
      [(j) => (j.hash = 'zz'), /hash/],
      [(j) => (j.proof.path[0] = 'ab'), /proof\.path\[0\].*32 bytes/],
      [(j) => (j.proof.leafIndex = -1), /proof\.leafIndex/],
      [(j) => (j.header.pobsIndexes.outputIndex = '1'), /header\.pobsIndexes\.outputIndex/],
      [(j) => (j.header.more = 1), /header\.more: unknown field/],
      [(j) => (j.proof.path = Array(65).fill(toHex(hash))), /proof\.path.*too many/],
      [(j) => (j.height = 1.5), /height/],
    ]
    for (const [change, message] of cases) {
      const j = json()
      change(j)
      expect(() => parseNotaryReceipt(j)).toThrow(DecodeError)
      expect(() => parseNotaryReceipt(j)).toThrow(message)
    }
    expect(() => parseNotaryReceipt([])).toThrow(/receipt/)
  })

  it('hex fields decode in either case', () => {
    const j = JSON.parse(JSON.stringify(notaryReceiptToJson(receipt)))
    j.blockId = j.blockId.toUpperCase()
    expect(parseNotaryReceipt(j).blockId).toEqual(fromHex(toHex(receipt.blockId)))
  })
})

function flip(h: Uint8Array): Uint8Array {
  const out = h.slice()
  out[0] = out[0]! ^ 1
  return out
}
