import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { DecodeError } from '../../../../consensus/encoding/errors.js'
import { toHex } from '../../../../consensus/encoding/hex.js'
import { authCoinTransactionTypes } from '../../../../consensus/extensions/authcointx/index.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import {
  BLOCKSTAKE_OUTPUT_SPECIFIER,
  COIN_OUTPUT_SPECIFIER,
  emptyTransaction,
  type Transaction,
} from '../../../../consensus/types/transaction.js'
import { u64le } from '../../../../consensus/types/unlockhash.js'

const registry = coreRegistry()
const output = (n: number) => ({
  value: BigInt(n),
  condition: { type: 1 as const, unlockHash: { type: 1, hash: new Uint8Array(32).fill(n) } },
})

describe('transaction IDs', () => {
  it.each([0, 1])('v%i output IDs are H(specifier || ID input || u64le(i)) (spec §2.4)', (version) => {
    const tx: Transaction = {
      ...emptyTransaction(version),
      coinOutputs: [output(1), output(2), output(3)],
      blockStakeOutputs: [output(4), output(5)],
    }
    const input = version === 1 ? registry.encode(tx) : registry.encode(tx).subarray(1)
    const ids = registry.outputIds(tx)
    expect(toHex(ids.id)).toBe(toHex(blake2b256(input)))
    expect(ids.coinOutputIds.map(toHex)).toEqual(
      [0, 1, 2].map((i) => toHex(blake2b256(COIN_OUTPUT_SPECIFIER, input, u64le(i)))),
    )
    expect(ids.blockStakeOutputIds.map(toHex)).toEqual(
      [0, 1].map((i) => toHex(blake2b256(BLOCKSTAKE_OUTPUT_SPECIFIER, input, u64le(i)))),
    )
  })

  it('hashes a transaction once per output list, not once per output (found by fuzzing POST /txpool)', () => {
    // 100 000 nil outputs: 1.7 MB, under the block size limit. Hashing the whole transaction for each output
    // ID took outputs × size (170 GB, minutes of CPU for one gossiped set or block); once is ~0.1 s.
    const nil = { value: 0n, condition: { type: 0 as const } }
    const tx: Transaction = {
      ...emptyTransaction(1),
      coinOutputs: Array.from({ length: 100_000 }, () => nil),
    }
    const start = performance.now()
    const ids = registry.outputIds(tx)
    expect(performance.now() - start).toBeLessThan(5_000)
    expect(ids.coinOutputIds).toHaveLength(100_000)
    expect(toHex(ids.coinOutputIds[99_999]!)).toBe(
      toHex(blake2b256(COIN_OUTPUT_SPECIFIER, registry.encode(tx), u64le(99_999))),
    )
  })
})

describe('transaction JSON', () => {
  // an auth address update: its body, fulfillment included, is rivbin, where an ed25519 key is 32 raw bytes
  const auth = coreRegistry().with(...authCoinTransactionTypes({ requireMinerFees: true }))
  const update = (publickey: string) =>
    JSON.stringify({
      version: 176,
      data: {
        nonce: 'AQIDBAUGBwg=',
        authaddresses: null,
        deauthaddresses: null,
        authfulfillment: { type: 1, data: { publickey, signature: '00'.repeat(64) } },
        minerfees: ['1'],
      },
    })

  it('refuses what the binary form cannot carry with a DecodeError (found by fuzzing: POST /txpool said 500)', () => {
    for (const key of [`ed25519:${'11'.repeat(31)}`, `ed25519:${'11'.repeat(33)}`, `:${'11'.repeat(32)}`]) {
      let err: unknown
      try {
        auth.fromJsonString(update(key))
      } catch (e) {
        err = e
      }
      expect(err, key).toBeInstanceOf(DecodeError)
      expect((err as DecodeError).code).toBe('invalid-value')
    }
    // what it can carry decodes, and survives its binary form
    for (const key of [`ed25519:${'11'.repeat(32)}`, ':']) {
      const tx = auth.fromJsonString(update(key))
      expect(auth.decode(auth.encode(tx))).toEqual(tx)
    }
  })
})

describe('transaction JSON with a legacy atomic swap fulfillment', () => {
  const auth = coreRegistry().with(...authCoinTransactionTypes({ requireMinerFees: true }))
  const address = (type: number, byte: number) => {
    const bin = new Uint8Array(33).fill(byte)
    bin[0] = type
    return toHex(bin) + toHex(blake2b256(bin).subarray(0, 6))
  }
  const legacy = (sender: string) => ({
    type: 2,
    data: {
      sender,
      receiver: address(1, 2),
      hashedsecret: '33'.repeat(32),
      timelock: 5,
      publickey: `ed25519:${'44'.repeat(32)}`,
      signature: '55'.repeat(64),
      secret: '66'.repeat(32),
    },
  })
  const v1 = (fulfillment: unknown) =>
    JSON.stringify({
      version: 1,
      data: { coininputs: [{ parentid: '77'.repeat(32), fulfillment }], minerfees: ['1'] },
    })
  const update = (authfulfillment: unknown) =>
    JSON.stringify({ version: 176, data: { nonce: 'AQIDBAUGBwg=', authfulfillment, minerfees: ['1'] } })
  const refused = (fn: () => unknown) => {
    try {
      fn()
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError)
      return (err as DecodeError).message
    }
    throw new Error('expected a DecodeError')
  }

  // found by fuzzing: such a payload also reads in the current layout, which the decoder tries first (spec
  // §3.5), so the node hashed and signed another transaction than the one its peers decode
  it('is refused when its binary form reads back as the current layout', () => {
    // Sia: a nil sender reads as a nil public key specifier
    expect(refused(() => coreRegistry().fromJsonString(v1(legacy(''))))).toMatch(/reads back differently/)
    // rivbin: a public key sender reads as an ed25519 public key
    expect(refused(() => auth.fromJsonString(update(legacy(address(1, 1)))))).toMatch(
      /reads back differently/,
    )
  })

  it('is kept when it cannot be read otherwise', () => {
    const registry = coreRegistry()
    const tx = registry.fromJsonString(v1(legacy(address(1, 1))))
    expect(tx.coinInputs[0]!.fulfillment).toMatchObject({ type: 2, legacy: true })
    expect(registry.decode(registry.encode(tx))).toEqual(tx)
  })
})
