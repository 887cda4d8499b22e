import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256, sha256 } from '../../../../consensus/crypto/hash.js'
import { concatBytes, toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import {
  type AtomicSwapCondition,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import { fulfillError } from '../../../../consensus/types/fulfill.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import { unlockHashBytes } from '../../../../consensus/types/unlockhash.js'
import { WalletError } from '../../../../wallet/tx/build.js'
import {
  buildSwapSpend,
  contractOf,
  extractSwapSecret,
  formatDuration,
  newSwapSecret,
  parseDuration,
  signSwapSpend,
  swapCondition,
  swapContractAddress,
} from '../../../../wallet/tx/swap.js'
import { devKey } from '../../../utils/devchain.js'

const registry = coreRegistry()
const [alice, bob] = [devKey(0), devKey(1)]
const SECRET = sha256(utf8('a swap secret'))
const TIME_LOCK = 1_800_000_000n
const contract: AtomicSwapCondition = swapCondition({
  sender: publicKeyUnlockHash(alice.publicKey),
  receiver: publicKeyUnlockHash(bob.publicKey),
  hashedSecret: sha256(SECRET),
  timeLock: TIME_LOCK,
})
const OUTPUT_ID = blake2b256(utf8('contract output'))
const VALUE = 10_000_000_000n
const FEE = 100_000_000n

// ---- the spec's byte layout, written out here independently of consensus/types/v1.ts ----------------

const u64le = (n: bigint | number) => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true)
  return out
}
/** Sia currency: u64le(length) then the value's big-endian bytes, no leading zeros (spec §2.3). */
const currency = (v: bigint) => {
  const hex = v === 0n ? '' : v.toString(16).padStart(Math.ceil(v.toString(16).length / 2) * 2, '0')
  const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))
  return concatBytes(u64le(bytes.length), bytes)
}
/** sia(publicKey): the 16-byte "ed25519" specifier, u64le(32), the key (56 bytes). */
const siaPublicKey = (key: Uint8Array) => {
  const spec = new Uint8Array(16)
  spec.set(utf8('ed25519'))
  return concatBytes(spec, u64le(32), key)
}

/**
 * spec §2.8.1 and §2.8.3: the v1 signature hash preimage of coin input 0 of a one-in, one-out swap spend:
 * version, extra objects (index, publicKey, and for a claim the raw secret), the input's parent ID, the
 * output (currency and unlock-hash condition proxy), no block stakes, the fee, no data.
 */
function swapSpendPreimage(tx: Transaction, publicKey: Uint8Array, secret?: Uint8Array): Uint8Array {
  const output = tx.coinOutputs[0]!
  if (output.condition.type !== 1) throw new Error('expected an unlock hash output')
  return concatBytes(
    new Uint8Array([1]),
    u64le(0),
    siaPublicKey(publicKey),
    secret ?? new Uint8Array(0),
    u64le(1),
    OUTPUT_ID,
    u64le(1),
    currency(output.value),
    new Uint8Array([1]),
    u64le(33),
    unlockHashBytes(output.condition.unlockHash),
    u64le(0),
    u64le(0),
    u64le(1),
    currency(FEE),
    u64le(0),
  )
}

const at = (blockTime: number) => ({
  blockHeight: 10,
  blockTime,
  verifier: nodeEd25519,
  sigHash: (tx: Transaction) => (extras: Parameters<typeof registry.inputSigHash>[2]) =>
    registry.inputSigHash(tx, 0, extras),
})
const consensusSays = (tx: Transaction, blockTime: number) =>
  fulfillError(contract, tx.coinInputs[0]!.fulfillment, {
    ...at(blockTime),
    sigHash: at(blockTime).sigHash(tx),
  })

describe('atomic swap transactions', () => {
  const output = { id: OUTPUT_ID, value: VALUE, contract }

  it('a claim signs [index, publicKey, secret] as the spec lays it out, and consensus accepts it at any time', () => {
    const unsigned = buildSwapSpend(output, unlockHashCondition(contract.receiver), FEE)
    expect(unsigned.coinOutputs).toEqual([
      { value: VALUE - FEE, condition: unlockHashCondition(contract.receiver) },
    ])
    expect(unsigned.minerFees).toEqual([FEE])
    const tx = signSwapSpend(registry, nodeEd25519, unsigned, 0, contract, bob, SECRET)
    const f = tx.coinInputs[0]!.fulfillment
    if (f.type !== 2 || f.legacy) throw new Error('expected a new-style atomic swap fulfillment')
    expect(toHex(f.secret)).toBe(toHex(SECRET))
    expect(f.publicKey).toEqual(bob.publicKey)
    const sigHash = blake2b256(swapSpendPreimage(tx, bob.publicKey.key, SECRET))
    expect(
      toHex(
        registry.inputSigHash(tx, 0, [
          { kind: 'publicKey', value: bob.publicKey },
          { kind: 'raw', value: SECRET },
        ]),
      ),
    ).toBe(toHex(sigHash))
    expect(nodeEd25519.verify(bob.publicKey.key, sigHash, f.signature)).toBe(true)
    // spec §8.2: no time check on a claim
    expect(consensusSays(tx, Number(TIME_LOCK) - 1000)).toBeUndefined()
    expect(consensusSays(tx, Number(TIME_LOCK) + 1000)).toBeUndefined()
    // the secret is readable from the transaction, for the other party
    expect(toHex(extractSwapSecret(tx, OUTPUT_ID)!)).toBe(toHex(SECRET))
    expect(extractSwapSecret(tx, blake2b256(utf8('another output')))).toBeUndefined()
  })

  it('a refund signs [index, publicKey] with a zero secret, valid strictly after the time lock', () => {
    const unsigned = buildSwapSpend(output, unlockHashCondition(contract.sender), FEE)
    const tx = signSwapSpend(registry, nodeEd25519, unsigned, 0, contract, alice)
    const f = tx.coinInputs[0]!.fulfillment
    if (f.type !== 2) throw new Error('expected an atomic swap fulfillment')
    expect(f.secret).toEqual(new Uint8Array(32))
    const sigHash = blake2b256(swapSpendPreimage(tx, alice.publicKey.key))
    expect(nodeEd25519.verify(alice.publicKey.key, sigHash, f.signature)).toBe(true)
    expect(consensusSays(tx, Number(TIME_LOCK))).toBe('atomic swap refund before its time lock')
    expect(consensusSays(tx, Number(TIME_LOCK) + 1)).toBeUndefined()
    expect(extractSwapSecret(tx)).toBeUndefined()
  })

  it('refuses a wrong secret and the wrong side before signing', () => {
    const unsigned = buildSwapSpend(output, unlockHashCondition(contract.receiver), FEE)
    const wrong = sha256(utf8('not the secret'))
    expect(() => signSwapSpend(registry, nodeEd25519, unsigned, 0, contract, bob, wrong)).toThrow(
      /secret does not match/,
    )
    expect(() => signSwapSpend(registry, nodeEd25519, unsigned, 0, contract, alice, SECRET)).toThrow(
      'only the receiver can redeem',
    )
    expect(() => signSwapSpend(registry, nodeEd25519, unsigned, 0, contract, bob)).toThrow(
      'only the sender can refund',
    )
    expect(() =>
      buildSwapSpend({ ...output, value: FEE }, unlockHashCondition(contract.receiver), FEE),
    ).toThrow(WalletError)
  })

  it('builds only standard contracts and names what an output is when it is none', () => {
    const { secret, hashedSecret } = newSwapSecret()
    expect(toHex(sha256(secret))).toBe(toHex(hashedSecret))
    expect(() => swapCondition({ ...contract, hashedSecret: new Uint8Array(32) })).toThrow('not all zero')
    const multisig = { type: 3, hash: new Uint8Array(32).fill(0x11) }
    expect(() => swapCondition({ ...contract, receiver: multisig })).toThrow(
      'receiver must be a wallet (public key) address',
    )
    expect(contractOf(contract)).toBe(contract)
    expect(contractOf(unlockHashCondition(contract.sender))).toContain('type 1 (unlock hash)')
    expect(contractOf(unlockHashCondition(swapContractAddress(contract)))).toContain(
      'legacy atomic swap address',
    )
  })

  it('reads durations like 90s, 10m, 48h and prints them back', () => {
    expect(parseDuration('90s')).toBe(90)
    expect(parseDuration('10m')).toBe(600)
    expect(parseDuration('48h')).toBe(172_800)
    expect(parseDuration('2d')).toBe(172_800)
    expect(parseDuration('30')).toBe(30)
    for (const bad of ['', '0s', '-5m', '1.5h', '10 minutes', 'h'])
      expect(() => parseDuration(bad)).toThrow(/--duration must/)
    expect(formatDuration(3723)).toBe('1h 2m 3s')
    expect(formatDuration(0)).toBe('0s')
  })
})
