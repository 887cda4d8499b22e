import { describe, expect, it } from 'vitest'
import type { Condition } from '../../../../consensus/types/conditions.js'
import { isTimeLockFailure } from '../../../../consensus/types/fulfill.js'
import type { Fulfillment } from '../../../../consensus/types/fulfillments.js'
import { ed25519PublicKey } from '../../../../consensus/types/publickey.js'
import { UnlockType } from '../../../../consensus/types/unlockhash.js'
import { VALIDATION_VERDICTS, validationVerdict } from '../../../../consensus/validation/verdict.js'

describe('validation verdicts', () => {
  it('judge every code in both contexts', () => {
    for (const [code, v] of Object.entries(VALIDATION_VERDICTS)) {
      expect(['reject', 'ignore'], code).toContain(v.block)
      expect(['reject', 'ignore'], code).toContain(v.pool)
    }
  })

  it('never reject what our clock or tip decides', () => {
    expect(validationVerdict('timestamp-too-far-future', 'block')).toBe('ignore')
    expect(validationVerdict('timestamp-in-future', 'block')).toBe('ignore')
    expect(validationVerdict('time-locked', 'pool')).toBe('ignore')
    expect(validationVerdict('missing-output', 'pool')).toBe('ignore')
    expect(validationVerdict('unknown-parent', 'block')).toBe('ignore')
  })

  it('reject what the sender should have checked', () => {
    expect(validationVerdict('unfulfilled', 'pool')).toBe('reject')
    expect(validationVerdict('unfulfilled', 'block')).toBe('reject')
    expect(validationVerdict('kernel-above-target', 'block')).toBe('reject')
    // in a block the branch decides: a locked or missing output makes the block invalid
    expect(validationVerdict('time-locked', 'block')).toBe('reject')
    expect(validationVerdict('missing-output', 'block')).toBe('reject')
  })
})

describe('isTimeLockFailure', () => {
  const pk = ed25519PublicKey(new Uint8Array(32).fill(7))
  const single: Fulfillment = { type: 1, publicKey: pk, signature: new Uint8Array(64) }
  const uh = { type: UnlockType.PubKey, hash: new Uint8Array(32).fill(1) }
  const at = (blockHeight: number, blockTime: number) => ({ blockHeight, blockTime })

  it('is true for a time lock not reached, by height or by time', () => {
    const byHeight: Condition = { type: 3, lockTime: 10n, condition: { type: 1, unlockHash: uh } }
    expect(isTimeLockFailure(byHeight, single, at(9, 2_000_000_000))).toBe(true)
    expect(isTimeLockFailure(byHeight, single, at(10, 0))).toBe(false)
    const byTime: Condition = { type: 3, lockTime: 1_700_000_000n, condition: { type: 0 } }
    expect(isTimeLockFailure(byTime, single, at(1_000_000, 1_699_999_999))).toBe(true)
    expect(isTimeLockFailure(byTime, single, at(0, 1_700_000_000))).toBe(false)
  })

  it('is true for an atomic swap refund before its lock, false for a claim or another condition', () => {
    const swap: Condition = {
      type: 2,
      sender: uh,
      receiver: uh,
      hashedSecret: new Uint8Array(32).fill(2),
      timeLock: 1_000n,
    }
    const refund: Fulfillment = {
      type: 2,
      publicKey: pk,
      signature: new Uint8Array(64),
      secret: new Uint8Array(32),
    }
    const claim: Fulfillment = { ...refund, secret: new Uint8Array(32).fill(3) }
    expect(isTimeLockFailure(swap, refund, at(1, 1_000))).toBe(true)
    expect(isTimeLockFailure(swap, refund, at(1, 1_001))).toBe(false)
    expect(isTimeLockFailure(swap, claim, at(1, 1_000))).toBe(false)
    expect(isTimeLockFailure({ type: 1, unlockHash: uh }, single, at(0, 0))).toBe(false)
  })
})
