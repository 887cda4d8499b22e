// DESIGN §4 notary: a record is ordinary arbitrary data (no chain rule changes): the tag "nty1" and the
// blake2b-256 hash of the document, 36 bytes at the start of a transaction's arbitrary data.
import { blake2b256 } from '../../crypto/hash.js'
import { concatBytes, equalBytes, fromHex, utf8 } from '../../encoding/hex.js'
import type { Transaction } from '../../types/transaction.js'

/** The record's tag, "nty1" in ASCII. */
export const NOTARY_TAG: Uint8Array = utf8('nty1')
/** The record's size: the tag and a 32-byte hash. */
export const NOTARY_RECORD_SIZE = 36
/** The versions whose records are indexed and verified: v0 and v1 (readable without a chain definition). */
export const NOTARY_VERSIONS: readonly number[] = [0, 1]

/** The hash a document is notarized under: blake2b-256 of its bytes. */
export const notaryHash = (document: Uint8Array): Uint8Array => blake2b256(document)

/** The 36-byte record of a document hash. */
export function notaryRecord(hash: Uint8Array): Uint8Array {
  if (hash.length !== 32) throw new RangeError(`a notary hash is 32 bytes, got ${hash.length}`)
  return concatBytes(NOTARY_TAG, hash)
}

/**
 * The document hash recorded in arbitrary data, or undefined: the data starts with "nty1" and holds at least
 * 36 bytes (what follows the record, up to the chain's limit, is a free note and not part of it).
 */
export function recordedHash(arbitraryData: Uint8Array): Uint8Array | undefined {
  if (arbitraryData.length < NOTARY_RECORD_SIZE) return undefined
  if (!equalBytes(arbitraryData.subarray(0, NOTARY_TAG.length), NOTARY_TAG)) return undefined
  return arbitraryData.slice(NOTARY_TAG.length, NOTARY_RECORD_SIZE)
}

/** The hash a transaction notarizes (a v0/v1 transaction whose arbitrary data starts with a record). */
export function transactionNotaryHash(tx: Transaction): Uint8Array | undefined {
  return NOTARY_VERSIONS.includes(tx.version) ? recordedHash(tx.arbitraryData) : undefined
}

/** A notary hash given as text: 64 hex characters (either case); a RangeError names what is wrong. */
export function parseNotaryHash(text: string): Uint8Array {
  const s = text.trim()
  if (!/^[0-9a-fA-F]{64}$/.test(s))
    throw new RangeError(
      `a notary hash is 64 hex characters (blake2b-256), got ${s.length > 80 ? `${s.slice(0, 80)}…` : `"${s}"`}`,
    )
  return fromHex(s)
}
