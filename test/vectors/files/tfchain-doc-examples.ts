// test/vectors/data/tfchain-doc-examples.json (copied from shared/vectors): values from documentation. The
// *_STALE hexes are negative examples: rejected (auth-coin) or refused as reserved versions (3Bot).
import { expect } from 'vitest'
import { nobleEd25519 } from '../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../consensus/crypto/ed25519.node.js'
import { sha256 } from '../../../consensus/crypto/hash.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { concatBytes, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import {
  authCoinTransactionTypes,
  authFulfillmentSigHash,
} from '../../../consensus/extensions/authcointx/index.js'
import { mintingTransactionTypes } from '../../../consensus/extensions/minting/index.js'
import { atomicSwapUnlockHash, publicKeyUnlockHash } from '../../../consensus/types/conditions.js'
import { parsePublicKey } from '../../../consensus/types/publickey.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { parseUnlockHash, unlockHashToString } from '../../../consensus/types/unlockhash.js'
import { deriveKey, mnemonicToSeed } from '../../../wallet/index.js'
import { hashSwapSecret, secretMatches, swapCondition, swapContractAddress } from '../../../wallet/tx/swap.js'
import type { Outcome, Vector } from '../framework.js'
import { expectBinaryRefused } from '../reserved.js'

const tfchain = coreRegistry()
  .with(...mintingTransactionTypes({ format: 'sia', requireMinerFees: true }))
  .with(...authCoinTransactionTypes({ requireMinerFees: true }))
/** Rivine's example chain: rivbin minting bodies with coin destruction at 130; auth without fee rule. */
const rivine = coreRegistry()
  .with(
    ...mintingTransactionTypes({ format: 'rivbin', requireMinerFees: false, coinDestructionVersion: 130 }),
  )
  .with(...authCoinTransactionTypes({ requireMinerFees: false }))

const isHash = (h: unknown) => expect(h).toMatch(/^[0-9a-f]{64}$/)

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
    return err as DecodeError
  }
  throw new Error('expected a DecodeError')
}

function checkStaleAuthHex(v: Vector): void {
  expect(v.expected.decodes_with_current_code).toBe(false)
  expect(v.expected.reason).toBe('missing trailing miner-fee slice')
  const bin = fromHex(v.input.hex)
  // rejected by every configuration: the reader runs out of bytes where the miner fees should be
  for (const reg of [tfchain, rivine]) {
    const err = decodeError(() => reg.decode(bin))
    expect(err.code).toBe('truncated')
    expect(err.field).toBe('minerfees')
  }
  // with the empty fee slice appended it is a well-formed transaction …
  const fixed = concatBytes(bin, new Uint8Array([0]))
  const tx = rivine.decode(fixed)
  expect(toHex(rivine.encode(tx))).toBe(toHex(fixed))
  // … whose signature (copied from the minting example) does not verify, under rivbin or any other hash
  const f = (tx.extension as { authFulfillment: { type: number } }).authFulfillment
  if (f.type !== 1) throw new Error('expected a single-signature auth fulfillment')
  const pair = f as unknown as { publicKey: { key: Uint8Array }; signature: Uint8Array }
  for (const ed of [nobleEd25519, nodeEd25519])
    expect(ed.verify(pair.publicKey.key, authFulfillmentSigHash(rivine, tx), pair.signature)).toBe(false)
}

export function handle(v: Vector): Outcome {
  switch (v.id) {
    case 'doc-3bot-v144-hex-STALE':
    case 'doc-3bot-v145-hex-STALE':
    case 'doc-3bot-v146-hex-STALE': {
      expect(v.expected.decodes_with_current_code).toBe(false)
      // 3Bot is out of scope (DESIGN §2): every registry of ours refuses the version, naming it
      expectBinaryRefused(v.input.hex, Number(/-v(\d+)-/.exec(v.id)![1]))
      return undefined
    }
    case 'doc-authcointx-v176-hex-STALE':
    case 'doc-authcointx-v177-hex-STALE':
      checkStaleAuthHex(v)
      return undefined
    case 'doc-minting-coindestruction-v130-hex': {
      expect(v.expected.note).toBe('informative only')
      const bin = fromHex(v.input.hex)
      // tfchain has no coin destruction: the version is unknown there
      expect(decodeError(() => tfchain.decode(bin)).code).toBe('unknown-type')
      // under Rivine's options (rivbin body) it round-trips
      const tx = rivine.decode(bin)
      expect(toHex(rivine.encode(tx))).toBe(v.input.hex)
      expect(tx.coinInputs.length).toBe(1)
      expect(tx.coinOutputs.length).toBe(1)
      expect(tx.minerFees).toEqual([1_000_000_000n])
      expect(new TextDecoder().decode(tx.arbitraryData)).toBe('test... 1, 2... 3')
      expect(toHex(rivine.encode(rivine.fromJsonString(rivine.toJsonString(tx))))).toBe(v.input.hex)
      return undefined
    }
    case 'doc-atomicswap-tfchain-participation':
    case 'doc-atomicswap-cli-json-example': {
      const secret = fromHex(v.input.secret, 32)
      const hashed = toHex(sha256(secret))
      expect(hashed).toBe(v.expected.secret_hash ?? v.expected.hashedsecret)
      const contract = atomicSwapUnlockHash({
        sender: parseUnlockHash(v.input.sender),
        receiver: parseUnlockHash(v.input.receiver),
        hashedSecret: fromHex(hashed, 32),
        timeLock: BigInt(v.input.timelock),
      })
      expect(unlockHashToString(contract)).toBe(v.expected.contract_address ?? v.expected.contractid)
      // the wallet's swap contract (what `wallet swap initiate|participate` locks coins with) reproduces it
      const condition = swapCondition({
        sender: parseUnlockHash(v.input.sender),
        receiver: parseUnlockHash(v.input.receiver),
        hashedSecret: hashSwapSecret(secret),
        timeLock: BigInt(v.input.timelock),
      })
      expect(secretMatches(secret, condition.hashedSecret)).toBe(true)
      expect(unlockHashToString(swapContractAddress(condition))).toBe(
        v.expected.contract_address ?? v.expected.contractid,
      )
      if (v.id === 'doc-atomicswap-tfchain-participation') {
        // the walkthrough prints these IDs without the transactions they hash: only their form is checkable
        for (const k of ['output_id', 'transaction_id', 'redeem_transaction_id']) isHash(v.expected[k])
        expect(v.input.value_tft).toBe(567)
      }
      return undefined
    }
    case 'devnet-genesis-mnemonic': {
      const seed = mnemonicToSeed(v.input.mnemonic)
      for (const ed of [nobleEd25519, nodeEd25519]) {
        expect(deriveKey(seed, 25, ed).address).toBe(v.expected.owned_address)
        expect(deriveKey(seed, 0, ed).address).not.toBe(v.expected.owned_address)
      }
      return undefined
    }
    case 'doc-pubkey-to-address': {
      const addresses = (v.input.public_keys as string[]).map((pk) =>
        unlockHashToString(publicKeyUnlockHash(parsePublicKey(pk))),
      )
      expect(addresses).toEqual(v.expected.addresses)
      return undefined
    }
    default:
      throw new Error(`tfchain-doc-examples: unknown vector ${v.id}`)
  }
}
