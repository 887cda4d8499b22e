import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { UserError } from '../../../cli/errors.js'
import { fullCollection, parseHostPort, resolveApiToken } from '../../../cli/node.js'

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

describe('resolveApiToken', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
  const tokenFile = (content: string, mode: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'blockstake-token-'))
    dirs.push(dir)
    const file = join(dir, 'api-token')
    writeFileSync(file, content)
    chmodSync(file, mode)
    return file
  }

  it('reads a file only its owner can read, without its trailing newline', async () => {
    expect(await resolveApiToken({ apiTokenFile: tokenFile('s3cret\n', 0o600) }, {})).toBe('s3cret')
    expect(await resolveApiToken({ apiTokenFile: tokenFile('s3cret', 0o400) }, {})).toBe('s3cret')
  })

  it('refuses a file others may read, naming its mode and the fix', async () => {
    const file = tokenFile('s3cret', 0o644)
    await expect(resolveApiToken({ apiTokenFile: file }, {})).rejects.toThrow(UserError)
    await expect(resolveApiToken({ apiTokenFile: file }, {})).rejects.toThrow(
      new RegExp(`has mode 0644: others may read it; run chmod 600 ${file}`),
    )
    await expect(resolveApiToken({ apiTokenFile: tokenFile('s3cret', 0o640) }, {})).rejects.toThrow(
      /mode 0640/,
    )
  })

  it('refuses an empty or missing file and two sources at once', async () => {
    await expect(resolveApiToken({ apiTokenFile: tokenFile('\n', 0o600) }, {})).rejects.toThrow(
      /not be empty/,
    )
    await expect(resolveApiToken({ apiTokenFile: '/nonexistent/blockstake-token' }, {})).rejects.toThrow(
      /cannot read the API token file/,
    )
    await expect(resolveApiToken({ apiToken: 'a', apiTokenFile: 'b' }, {})).rejects.toThrow(/not both/)
  })

  it('takes the flag, else BLOCKSTAKE_API_TOKEN, else none', async () => {
    const env = { BLOCKSTAKE_API_TOKEN: 'from-env' }
    expect(await resolveApiToken({ apiToken: 'flag' }, env)).toBe('flag')
    expect(await resolveApiToken({}, env)).toBe('from-env')
    expect(await resolveApiToken({}, { BLOCKSTAKE_API_TOKEN: '' })).toBeUndefined()
    expect(await resolveApiToken({}, {})).toBeUndefined()
  })
})
