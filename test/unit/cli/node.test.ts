import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../../cli/errors.js'
import { fullCollection, parseHostPort } from '../../../cli/node.js'

describe('fullCollection', () => {
  it('collects what is unreachable, and leaves no gc global behind', async () => {
    const gc = fullCollection()
    const ref = (() => new WeakRef({ payload: new Array(1000).fill(0) }))()
    await new Promise((resolve) => setTimeout(resolve, 0)) // a WeakRef target lives until the job ends
    gc()
    expect(ref.deref()).toBeUndefined()
    expect('gc' in globalThis).toBe(false)
    expect(runInNewContext('typeof gc')).toBe('undefined')
  })
})

describe('parseHostPort', () => {
  it('reads host and port, IPv6 in brackets', () => {
    expect(parseHostPort('127.0.0.1:23110', '--api')).toEqual({ host: '127.0.0.1', port: 23110 })
    expect(parseHostPort('[::1]:80', '--api')).toEqual({ host: '::1', port: 80 })
  })

  it('names the option and the value it refuses', () => {
    for (const bad of ['127.0.0.1', ':80', 'host:99999', 'host:port'])
      expect(() => parseHostPort(bad, '--api')).toThrow(UserError)
    expect(() => parseHostPort('host:99999', '--api')).toThrow(/--api must look like HOST:PORT.*"host:99999"/)
  })
})
