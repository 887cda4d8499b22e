import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../../consensus/validation/errors.js'
import { PoolError } from '../../../node/mempool/pool.js'
import { judgePoolError, POOL_VERDICTS } from '../../../node/pool-verdict.js'

describe('judgePoolError', () => {
  it('ignores duplicates, conflicts and a full pool; rejects oversized sets', () => {
    for (const code of ['duplicate', 'already-confirmed', 'conflict', 'pool-full'] as const)
      expect(judgePoolError(new PoolError(code, 'x')).verdict, code).toBe('ignore')
    for (const code of ['empty-set', 'tx-too-large', 'set-too-large'] as const)
      expect(judgePoolError(new PoolError(code, 'x')).verdict, code).toBe('reject')
    expect(Object.keys(POOL_VERDICTS)).toHaveLength(8)
  })

  it('lets the consensus rule decide an invalid set, with the failing transaction', () => {
    const invalid = (code: ConstructorParameters<typeof ValidationError>[0]) =>
      new PoolError('invalid', 'x', { transaction: 2 }, new ValidationError(code, 'y', { transaction: 2 }))
    expect(judgePoolError(invalid('unfulfilled'))).toEqual({
      verdict: 'reject',
      code: 'invalid/unfulfilled',
      transaction: 2,
    })
    // our tip or clock decides these: an honest peer is never penalised for them
    expect(judgePoolError(invalid('time-locked')).verdict).toBe('ignore')
    expect(judgePoolError(invalid('missing-output')).verdict).toBe('ignore')
  })

  it('ignores anything that is not a pool refusal (a local failure)', () => {
    expect(judgePoolError(new Error('disk'))).toEqual({ verdict: 'ignore', code: 'local-failure' })
  })
})
