// Shared by the extension unit tests: fast-check arbitraries for the fields extension bodies carry, test
// keys, the signature check context and the codec properties every extension type must have.
import fc from 'fast-check'
import { expect } from 'vitest'
import { nobleEd25519 } from '../../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { DecodeError } from '../../../../consensus/encoding/errors.js'
import { concatBytes, utf8 } from '../../../../consensus/encoding/hex.js'
import type { Condition } from '../../../../consensus/types/conditions.js'
import type { Fulfillment } from '../../../../consensus/types/fulfillments.js'
import { ed25519PublicKey, type PublicKey } from '../../../../consensus/types/publickey.js'
import type { SigningKey } from '../../../../consensus/types/sign.js'
import type { Transaction, TransactionRegistry } from '../../../../consensus/types/transaction.js'
import type { UnlockHash } from '../../../../consensus/types/unlockhash.js'

const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
export const hash32 = bytesOf(32)
export const nonce = bytesOf(8)

/** JSON numbers are exact up to 2^53 − 1: JSON-tested values stay below. */
const u64 = (json: boolean) =>
  fc.bigInt({ min: 0n, max: json ? BigInt(Number.MAX_SAFE_INTEGER) : 2n ** 64n - 1n })

export const unlockHash: fc.Arbitrary<UnlockHash> = fc.oneof(
  fc.record({ type: fc.constantFrom(1, 2, 3), hash: hash32 }),
  fc.constant({ type: 0, hash: new Uint8Array(32) }),
)

const publicKey: fc.Arbitrary<PublicKey> = fc.oneof(
  { weight: 5, arbitrary: hash32.map((key): PublicKey => ({ algorithm: 1, key })) },
  { weight: 1, arbitrary: fc.constant<PublicKey>({ algorithm: 0, key: new Uint8Array(0) }) },
)

export const currency = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n }),
  fc.bigInt({ min: 0n, max: 2n ** 200n }),
)

export function condition(json: boolean): fc.Arbitrary<Condition> {
  const nil = fc.constant<Condition>({ type: 0 })
  const uh = unlockHash.map((u): Condition => ({ type: 1, unlockHash: u }))
  const multisig = fc
    .record({ unlockHashes: fc.array(unlockHash, { maxLength: 4 }), minimumSignatureCount: fc.nat(5) })
    .map((m): Condition => ({ type: 4, ...m }))
  const swap = fc
    .record({ sender: unlockHash, receiver: unlockHash, hashedSecret: hash32, timeLock: u64(json) })
    .map((s): Condition => ({ type: 2, ...s }))
  const timeLock = fc
    .record({ lockTime: u64(json), condition: fc.oneof(nil, uh, multisig) })
    .map((t): Condition => ({ type: 3, ...t }))
  return fc.oneof(nil, uh, multisig, swap, timeLock)
}

const pair = fc.record({ publicKey, signature: fc.uint8Array({ maxLength: 70 }) })

export const fulfillment: fc.Arbitrary<Fulfillment> = fc.oneof(
  fc.constant<Fulfillment>({ type: 0 }),
  pair.map((p): Fulfillment => ({ type: 1, ...p })),
  fc.record({ p: pair, secret: hash32 }).map(({ p, secret }): Fulfillment => ({ type: 2, ...p, secret })),
  fc.array(pair, { maxLength: 3 }).map((pairs): Fulfillment => ({ type: 3, pairs })),
)

export const arbitraryData = fc.uint8Array({ maxLength: 100 })
export const minerFees = fc.array(currency, { maxLength: 3 })

/** An ed25519 test key whose secret seed is the BLAKE2b-256 of `label`. */
export function testKey(label: string): SigningKey {
  const secretSeed = blake2b256(utf8(label))
  return { secretSeed, publicKey: ed25519PublicKey(nobleEd25519.publicKeyFromSeed(secretSeed)) }
}

export const verifiers = [nobleEd25519, nodeEd25519]
export const at = { blockHeight: 100, blockTime: 1_600_000_000 }

/** Property: every transaction `txs` yields survives `reg`'s JSON text, and writes the same text again. */
export function assertJsonRoundTrip(reg: TransactionRegistry, txs: fc.Arbitrary<Transaction>): void {
  fc.assert(
    fc.property(txs, (tx) => {
      const text = reg.toJsonString(tx)
      const back = reg.fromJsonString(text)
      expect(back).toEqual(tx)
      expect(reg.toJsonString(back)).toBe(text)
    }),
    { numRuns: 200 },
  )
}

/** Property: `reg` refuses a truncated binary form and one with a trailing byte with a DecodeError. */
export function assertTruncationRejected(reg: TransactionRegistry, txs: fc.Arbitrary<Transaction>): void {
  fc.assert(
    fc.property(txs, fc.nat(), fc.integer({ min: 0, max: 255 }), (tx, cut, extra) => {
      const bin = reg.encode(tx)
      expect(() => reg.decode(bin.subarray(0, cut % bin.length))).toThrow(DecodeError)
      expect(() => reg.decode(concatBytes(bin, new Uint8Array([extra])))).toThrow(DecodeError)
    }),
    { numRuns: 200 },
  )
}
