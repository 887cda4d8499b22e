import { describe, expect, it } from 'vitest'
import { describeError, UserError } from '../../../cli/errors.js'
import { DecodeError } from '../../../consensus/encoding/errors.js'
import { NodeClientError } from '../../../wallet/client/node-api.js'
import { WalletError } from '../../../wallet/tx/build.js'

describe('describeError', () => {
  it('prints a user mistake as its message with exit code 2', () => {
    expect(describeError(new UserError('--count must be a positive integer'))).toEqual({
      line: '--count must be a positive integer',
      exitCode: 2,
    })
    expect(describeError(new NodeClientError('unreachable', 'cannot reach the node at x')).exitCode).toBe(2)
    expect(describeError(new WalletError('insufficient-funds', 'not enough coins')).exitCode).toBe(2)
  })

  it('names malformed input as such', () => {
    expect(describeError(new DecodeError('truncated', 'truncated'))).toEqual({
      line: 'invalid input: truncated',
      exitCode: 2,
    })
  })

  it('recognises errors by their class, not their name', () => {
    const impostor = new Error('disk on fire')
    impostor.name = 'WalletError'
    expect(describeError(impostor)).toEqual({ line: 'error: disk on fire', exitCode: 1 })
    expect(describeError('boom')).toEqual({ line: 'error: boom', exitCode: 1 })
  })
})
