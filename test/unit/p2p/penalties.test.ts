import pino from 'pino'
import { describe, expect, it } from 'vitest'
import type { Transaction } from '../../../consensus/types/transaction.js'
import { signatureChecks } from '../../../p2p/gossip.js'
import { BAN_SCORE, PENALTY, Penalties } from '../../../p2p/penalties.js'

const log = pino({ level: 'silent' })

function setup(opts: { decayPerSecond?: number } = {}) {
  let now = 1_000_000
  const banned: string[] = []
  const penalties = new Penalties({
    banSeconds: 600,
    log,
    onBan: (peer) => banned.push(peer),
    now: () => now,
    ...opts,
  })
  return { penalties, banned, advance: (ms: number) => (now += ms) }
}

describe('Penalties', () => {
  it('adds weighted points and bans at the ban score, once', () => {
    const { penalties, banned } = setup({ decayPerSecond: 0 })
    for (let i = 0; i < 4; i++) penalties.penalise('a', PENALTY.badMessage, 'garbage')
    expect(penalties.score('a')).toBe(80)
    expect(penalties.isBanned('a')).toBe(false)
    penalties.penalise('a', PENALTY.badMessage, 'garbage')
    expect(penalties.isBanned('a')).toBe(true)
    expect(banned).toEqual(['a'])
    penalties.penalise('a', PENALTY.badMessage, 'more')
    penalties.ban('a', 'again')
    expect(banned).toEqual(['a']) // the ban runs: no second notice
    // an invalid block bans at once
    penalties.penalise('b', PENALTY.invalidBlock, 'invalid block')
    expect(banned).toEqual(['a', 'b'])
  })

  it('forgets points over time (the default: the ban score in ten minutes)', () => {
    const { penalties, advance } = setup()
    penalties.penalise('a', 60, 'x')
    advance(300_000)
    expect(penalties.score('a')).toBeCloseTo(10, 5)
    penalties.penalise('a', 60, 'y') // 70: an honest peer's occasional fault never adds up to a ban
    expect(penalties.isBanned('a')).toBe(false)
    advance(600_000)
    expect(penalties.score('a')).toBe(0)
  })

  it('the ban ends after banSeconds', () => {
    const { penalties, advance } = setup()
    penalties.ban('a', 'x')
    advance(599_000)
    expect(penalties.isBanned('a')).toBe(true)
    advance(2_000)
    expect(penalties.isBanned('a')).toBe(false)
    expect(penalties.score('a')).toBe(0)
  })

  it('tracks a bounded number of peers', () => {
    const { penalties } = setup({ decayPerSecond: 0 })
    for (let i = 0; i < 10_050; i++) penalties.penalise(`p${i}`, 1 + (i % 7), 'x')
    expect(penalties.score('p10049')).toBeGreaterThan(0)
    expect(BAN_SCORE).toBe(100)
  })
})

describe('signatureChecks', () => {
  const tx = (inputs: number, stakeInputs = 0) =>
    ({
      coinInputs: Array.from({ length: inputs }),
      blockStakeInputs: Array.from({ length: stakeInputs }),
    }) as unknown as Transaction

  it('counts the inputs up to the failing transaction, or all of them', () => {
    const set = [tx(2), tx(10, 1), tx(40)]
    expect(signatureChecks(set)).toBe(53)
    expect(signatureChecks(set, 0)).toBe(2)
    expect(signatureChecks(set, 1)).toBe(13)
    expect(signatureChecks(set, 9)).toBe(53)
  })
})
