import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UserError } from '../../../../cli/errors.js'
import { readWalletFile } from '../../../../cli/wallet/store.js'
import { runCli } from '../../../utils/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-wallet-files-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

// the same parsed value in a fuzzed keystore made String() throw a TypeError (exit 1, not a user mistake)
const ODD_VERSION = '{"toString":null}'

describe('wallet files with an unsupported version', () => {
  it('a wallet file is corrupt, naming the version', () => {
    const path = file('wallet.json', `{"kind":"blockstake-wallet","version":${ODD_VERSION}}`)
    expect(() => readWalletFile(path)).toThrow(UserError)
    expect(() => readWalletFile(path)).toThrow(/version \{"toString":null\} is not supported/)
  })

  it('a public key file for import-keys is refused as invalid input (exit 2)', async () => {
    const keys = file('keys.json', `{"kind":"blockstake-public-keys","version":${ODD_VERSION}}`)
    const res = await runCli('wallet', 'import-keys', keys, '--wallet', join(dir, 'watch.json'))
    expect(res.code, res.err).toBe(2)
    expect(res.err).toMatch(/version \{"toString":null\} is not supported/)
  })
})
