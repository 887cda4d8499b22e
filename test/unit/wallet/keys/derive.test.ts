import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nobleEd25519 } from '../../../../consensus/crypto/ed25519.js'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { concatBytes, fromHex, toHex } from '../../../../consensus/encoding/hex.js'
import { publicKeyToString } from '../../../../consensus/types/publickey.js'
import { parseUnlockHash, u64le, unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import {
  deriveKey,
  deriveKeys,
  KeyError,
  type KeyErrorCode,
  mnemonicToSeed,
} from '../../../../wallet/index.js'

const DEVNET_MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'
const DEVNET_INDEX0 = '015df22a2e82a3323bc6ffbd1730450ed844feca711c8fe0c15e218c171962fd17b206263220ee'
const DEVNET_INDEX25 = '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f'

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 })
const msg = (text: string): Uint8Array => new TextEncoder().encode(text)

function expectKeyError(fn: () => unknown, code: KeyErrorCode): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  expect(thrown).toBeInstanceOf(KeyError)
  expect((thrown as KeyError).code).toBe(code)
}

describe('deriveKey: the devnet mnemonic (spec §7.2)', () => {
  const seed = mnemonicToSeed(DEVNET_MNEMONIC)

  it('gives 015df22a… at index 0 and the devnet genesis address 015a080a… at index 25', () => {
    expect(deriveKey(seed, 0).address).toBe(DEVNET_INDEX0)
    expect(deriveKey(seed, 25).address).toBe(DEVNET_INDEX25)
  })

  it('gives the same public keys and addresses with the node (OpenSSL) implementation', () => {
    for (const index of [0, 1, 25, 2499]) {
      const noble = deriveKey(seed, index, nobleEd25519)
      const node = deriveKey(seed, index, nodeEd25519)
      expect(toHex(node.publicKey.key)).toBe(toHex(noble.publicKey.key))
      expect(node.address).toBe(noble.address)
    }
    expect(deriveKey(seed, 25, nodeEd25519).address).toBe(DEVNET_INDEX25)
  })

  it('finds the genesis address by scanning the first 26 keys, at index 25 only', () => {
    const keys = deriveKeys(seed, 0, 26)
    expect(keys.map((k) => k.index)).toEqual(Array.from({ length: 26 }, (_, i) => i))
    expect(keys.findIndex((k) => k.address === DEVNET_INDEX25)).toBe(25)
    expect(keys[0]!.address).toBe(DEVNET_INDEX0)
  })
})

describe('deriveKey', () => {
  it('follows entropy_i = blake2b256(seed || u64le(i)) and address = pubkey unlock hash', () => {
    fc.assert(
      fc.property(seedArb, fc.nat(), (seed, index) => {
        const kp = deriveKey(seed, index)
        const entropy = blake2b256(concatBytes(seed, u64le(index)))
        expect(toHex(kp.secretSeed)).toBe(toHex(entropy))
        expect(toHex(kp.publicKey.key)).toBe(toHex(nobleEd25519.publicKeyFromSeed(entropy)))
        expect(kp.index).toBe(index)
        expect(kp.publicKey.algorithm).toBe(1)
        expect(publicKeyToString(kp.publicKey)).toBe(`ed25519:${toHex(kp.publicKey.key)}`)
        expect(kp.unlockHash.type).toBe(1)
        expect(kp.address).toBe(unlockHashToString(kp.unlockHash))
        expect(parseUnlockHash(kp.address)).toEqual(kp.unlockHash)
      }),
      { numRuns: 100 },
    )
  })

  it('agrees between noble and node (OpenSSL) on random seeds and indices', () => {
    fc.assert(
      fc.property(seedArb, fc.oneof(fc.nat(3000), fc.maxSafeNat()), (seed, index) => {
        const noble = deriveKey(seed, index, nobleEd25519)
        const node = deriveKey(seed, index, nodeEd25519)
        expect(toHex(node.publicKey.key)).toBe(toHex(noble.publicKey.key))
        expect(toHex(node.secretSeed)).toBe(toHex(noble.secretSeed))
        expect(node.address).toBe(noble.address)
      }),
      { numRuns: 100 },
    )
  })

  it('gives keys that sign and verify under both implementations', () => {
    const kp = deriveKey(fromHex('7c061107e43a2e3bfd26b220d78c1883a4e78e502adc10bdb06e290e73387cd7'), 3)
    const message = msg('blockstake wallet key')
    const sig = nobleEd25519.sign(kp.secretSeed, message)
    expect(toHex(nodeEd25519.sign(kp.secretSeed, message))).toBe(toHex(sig))
    expect(nobleEd25519.verify(kp.publicKey.key, message, sig)).toBe(true)
    expect(nodeEd25519.verify(kp.publicKey.key, message, sig)).toBe(true)
    expect(nodeEd25519.verify(kp.publicKey.key, msg('other'), sig)).toBe(false)
  })

  it('different indices and seeds give different keys', () => {
    const seed = new Uint8Array(32)
    const addresses = new Set(deriveKeys(seed, 0, 50).map((k) => k.address))
    expect(addresses.size).toBe(50)
    const other = new Uint8Array(32)
    other[31] = 1
    expect(deriveKey(other, 0).address).not.toBe(deriveKey(seed, 0).address)
  })

  it('copies secret material out and never shares it', () => {
    const seed = mnemonicToSeed(DEVNET_MNEMONIC)
    const kp = deriveKey(seed, 0)
    const first = kp.secretSeed
    const second = kp.secretSeed
    expect(first).not.toBe(second)
    expect(toHex(first)).toBe(toHex(second))
    first.fill(0)
    expect(toHex(kp.secretSeed)).toBe(toHex(second))
    // changing the caller's seed afterwards does not change the derived key
    seed.fill(0)
    expect(toHex(kp.secretSeed)).toBe(toHex(second))
    expect(kp.address).toBe(DEVNET_INDEX0)
    expect(Object.isFrozen(kp)).toBe(true)
    expect(Object.isFrozen(kp.publicKey)).toBe(true)
    expect(Object.isFrozen(kp.unlockHash)).toBe(true)
  })

  it('accepts the largest safe index', () => {
    expect(deriveKey(new Uint8Array(32), Number.MAX_SAFE_INTEGER).index).toBe(Number.MAX_SAFE_INTEGER)
  })

  it.each([
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
    '1' as unknown as number,
    1n as unknown as number,
  ])('rejects index %s', (index) => {
    expectKeyError(() => deriveKey(new Uint8Array(32), index), 'invalid-index')
  })

  it.each([0, 31, 33, 64])('rejects a %i-byte seed', (n) => {
    expectKeyError(() => deriveKey(new Uint8Array(n), 0), 'invalid-seed')
  })
})

describe('deriveKeys', () => {
  const seed = fromHex('a1563c3b047fe7161c9eed7d257c1613bd2b4c69ace6296f0bfe0f1417b8c69d')

  it('returns keys start … start+count-1 in order, equal to deriveKey', () => {
    const keys = deriveKeys(seed, 10, 5)
    expect(keys.map((k) => k.index)).toEqual([10, 11, 12, 13, 14])
    keys.forEach((k) => {
      expect(k.address).toBe(deriveKey(seed, k.index).address)
    })
    const viaNode = deriveKeys(seed, 10, 5, nodeEd25519)
    expect(viaNode.map((k) => k.address)).toEqual(keys.map((k) => k.address))
  })

  it('returns nothing for count 0', () => {
    expect(deriveKeys(seed, 0, 0)).toEqual([])
    expect(deriveKeys(seed, Number.MAX_SAFE_INTEGER, 0)).toEqual([])
  })

  it('rejects bad starts, counts and ranges past the safe integers', () => {
    expectKeyError(() => deriveKeys(seed, -1, 1), 'invalid-index')
    expectKeyError(() => deriveKeys(seed, 0, -1), 'invalid-index')
    expectKeyError(() => deriveKeys(seed, 0, 2.5), 'invalid-index')
    expectKeyError(() => deriveKeys(seed, Number.MAX_SAFE_INTEGER, 2), 'invalid-index')
    expectKeyError(() => deriveKeys(new Uint8Array(16), 0, 1), 'invalid-seed')
  })
})
