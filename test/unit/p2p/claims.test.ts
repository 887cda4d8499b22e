import { describe, expect, it } from 'vitest'
import { Claims } from '../../../p2p/claims.js'

function setup() {
  let now = 1_000_000
  const claims = new Claims({ graceMs: 20_000, backoffMs: 5_000, maxBackoffMs: 60_000, now: () => now })
  return { claims, advance: (ms: number) => (now += ms), now: () => now }
}

describe('Claims: a claim of a heavier chain is unproven until blocks back it', () => {
  it('counts a fresh claim for the grace period only', () => {
    const { claims, advance } = setup()
    claims.update('liar', true)
    expect(claims.credible('liar')).toBe(true)
    expect(claims.sweep()).toEqual({ credible: true, expiresAt: 1_020_000 })
    advance(20_000)
    expect(claims.credible('liar')).toBe(false)
    expect(claims.sweep()).toEqual({ credible: false })
    // the expired claim counts as fruitless: taking it back and making it again buys no new grace
    claims.update('liar', false)
    claims.update('liar', true)
    expect(claims.credible('liar')).toBe(false)
    expect(claims.discredited('liar')).toBe(true)
  })

  it('stays credible while blocks back it, and not after a fruitless run', () => {
    const { claims, advance } = setup()
    claims.update('honest', true)
    advance(15_000)
    claims.backed('honest')
    advance(15_000)
    expect(claims.credible('honest')).toBe(true) // backed 15 s ago
    claims.fruitless('honest')
    expect(claims.credible('honest')).toBe(false)
    // a later run that adds blocks restores it
    claims.backed('honest')
    expect(claims.credible('honest')).toBe(true)
  })

  it('pauses a fruitless peer longer each time, up to the maximum', () => {
    const { claims, now } = setup()
    claims.update('p', true)
    const pauses: number[] = []
    for (let i = 0; i < 6; i++) {
      claims.fruitless('p')
      pauses.push(claims.get('p')!.retryAfter - now())
    }
    expect(pauses).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000])
  })

  it('keeps a discredited peer discredited when it reconnects', () => {
    const { claims } = setup()
    claims.update('liar', true)
    claims.fruitless('liar')
    claims.disconnected('liar')
    claims.update('liar', true)
    expect(claims.credible('liar')).toBe(false)
    // an honest peer that leaves is forgotten
    claims.update('honest', true)
    claims.disconnected('honest')
    expect(claims.get('honest')).toBeUndefined()
  })

  it('a claim our tip caught up with is neither', () => {
    const { claims } = setup()
    const c = claims.update('p', true)
    c.ahead = false
    expect(claims.credible('p')).toBe(false)
    expect(claims.discredited('p')).toBe(false)
    expect(claims.sweep()).toEqual({ credible: false })
  })
})
