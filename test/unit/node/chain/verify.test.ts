// verifyAll remembers the checks that verified (a transaction's signatures are checked when it enters the
// pool, not again in its block): only successes are remembered, and a remembered check changes no answer.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { type SignatureCheck, verifyAll } from '../../../../node/chain/verify.js'

function check(): SignatureCheck {
  const seed = randomBytes(32)
  const message = randomBytes(32)
  return {
    publicKey: nodeEd25519.publicKeyFromSeed(seed),
    message,
    signature: nodeEd25519.sign(seed, message),
  }
}

describe('verifyAll', () => {
  it('answers the same for a check verified before, and refuses a tampered one every time', async () => {
    const good = check()
    expect(await verifyAll([good])).toBe(true)
    expect(await verifyAll([good])).toBe(true)
    const tampered = { ...good, message: Uint8Array.from(good.message, (b, i) => (i === 0 ? b ^ 1 : b)) }
    expect(await verifyAll([tampered])).toBe(false)
    expect(await verifyAll([tampered])).toBe(false)
    // a batch with one remembered good check and one bad one fails
    expect(await verifyAll([good, tampered])).toBe(false)
    const forged = { ...good, signature: Uint8Array.from(good.signature, (b, i) => (i === 10 ? b ^ 4 : b)) }
    expect(await verifyAll([forged, good])).toBe(false)
    expect(await verifyAll([forged])).toBe(false)
  })

  it('answers a batch mixing remembered and new checks', async () => {
    const first = check()
    expect(await verifyAll([first])).toBe(true)
    const many = Array.from({ length: 300 }, check)
    for (let i = 0; i < many.length; i += 100) expect(await verifyAll(many.slice(i, i + 100))).toBe(true)
    expect(await verifyAll([first, ...many])).toBe(true)
    expect(await verifyAll([{ ...first, publicKey: many[0]!.publicKey }])).toBe(false)
  })
})
