import { describe, expect, it } from 'vitest'
import { publicKeyUnlockHash, unlockHashCondition } from '../../../../consensus/types/conditions.js'
import { describeLock, lockKind, parseLockTime, timeLocked } from '../../../../wallet/tx/lock.js'
import { devKey } from '../../../utils/devchain.js'

describe('time locks (spec §3.4)', () => {
  it('reads heights below 500,000,000, unix seconds from there, and ISO dates', () => {
    expect(parseLockTime('1200')).toBe(1200n)
    expect(lockKind(1200n)).toBe('height')
    expect(parseLockTime('499999999')).toBe(499_999_999n)
    expect(lockKind(499_999_999n)).toBe('height')
    expect(parseLockTime('500000000')).toBe(500_000_000n)
    expect(lockKind(500_000_000n)).toBe('time')
    expect(parseLockTime('2030-01-31T12:00:00Z')).toBe(BigInt(Date.UTC(2030, 0, 31, 12) / 1000))
    expect(parseLockTime('2030-01-31')).toBe(BigInt(Date.UTC(2030, 0, 31) / 1000))
    expect(parseLockTime('2030-01-31T12:00:00.5+02:00')).toBe(BigInt(Date.UTC(2030, 0, 31, 10) / 1000 + 1))
    expect(describeLock(1200n)).toBe('height 1200')
    expect(describeLock(BigInt(Date.UTC(2030, 0, 31) / 1000))).toBe('2030-01-31T00:00:00.000Z')
  })

  it.each([
    ['0', /must be positive/],
    ['-5', /block height, unix seconds or an ISO date/],
    ['1.5', /block height/],
    ['tomorrow', /block height/],
    ['2030-13-45', /not a valid date/],
    ['2030-02-30', /not a valid date/],
    ['2031-02-29', /not a valid date/],
    ['2030-01-31T24:00:00Z', /not a valid date/],
    ['1970-01-02', /before 1985/],
    ['18446744073709551616', /64 bits/],
  ])('refuses %s naming --lock', (text, message) => {
    expect(() => parseLockTime(text)).toThrow(message)
    expect(() => parseLockTime(text)).toThrow(/--lock/)
  })

  it('wraps unlock-hash and multisig conditions only', () => {
    const c = unlockHashCondition(publicKeyUnlockHash(devKey(0).publicKey))
    expect(timeLocked(c, 7n)).toEqual({ type: 3, lockTime: 7n, condition: c })
    expect(() => timeLocked({ type: 3, lockTime: 1n, condition: c }, 7n)).toThrow(/type 3/)
    // spec §3.4: only wallet (type 1) unlock hashes may sit under a time lock
    const swap = unlockHashCondition({ type: 2, hash: new Uint8Array(32).fill(7) })
    expect(() => timeLocked(swap, 7n)).toThrow(/type 2 cannot be time-locked/)
    expect(parseLockTime('2032-02-29')).toBe(BigInt(Date.UTC(2032, 1, 29) / 1000))
  })
})
