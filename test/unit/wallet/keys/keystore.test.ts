import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  decryptSeed,
  encryptSeed,
  FAST_SCRYPT,
  generateSeed,
  KeystoreError,
  parseKeystore,
} from '../../../../wallet/keys/index.js'
import { nodeScrypt, readKeystoreFile, writeKeystoreFile } from '../../../../wallet/keys/keystore.node.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-keystore-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('keystore', () => {
  it('round-trips a seed; a wrong passphrase and any tampering are refused', async () => {
    const seed = generateSeed()
    const ks = await encryptSeed(seed, 'correct horse', { scrypt: FAST_SCRYPT, label: 'node-1' })
    expect(await decryptSeed(ks, 'correct horse')).toEqual(seed)
    await expect(decryptSeed(ks, 'wrong')).rejects.toMatchObject({ code: 'wrong-passphrase' })
    const flipped = { ...ks, ciphertext: (ks.ciphertext[0] === '0' ? '1' : '0') + ks.ciphertext.slice(1) }
    await expect(decryptSeed(flipped, 'correct horse')).rejects.toMatchObject({ code: 'wrong-passphrase' })
    await expect(decryptSeed({ ...ks, label: 'node-2' }, 'correct horse')).rejects.toMatchObject({
      code: 'wrong-passphrase',
    })
    expect(JSON.stringify(ks)).not.toContain(Buffer.from(seed).toString('hex'))
  })

  it("Node's native scrypt and the browser-safe one open each other's keystores", async () => {
    const seed = generateSeed()
    const native = await encryptSeed(seed, 'pw', { scrypt: FAST_SCRYPT, kdf: nodeScrypt })
    expect(await decryptSeed(native, 'pw')).toEqual(seed)
    const noble = await encryptSeed(seed, 'pw', { scrypt: FAST_SCRYPT })
    expect(await decryptSeed(noble, 'pw', nodeScrypt)).toEqual(seed)
    await expect(decryptSeed(noble, 'wrong', nodeScrypt)).rejects.toMatchObject({ code: 'wrong-passphrase' })
  })

  it('writes files atomically with mode 0600 and reads them back', async () => {
    const seed = generateSeed()
    const path = join(dir, 'wallet.json')
    await writeKeystoreFile(path, await encryptSeed(seed, 'pw', { scrypt: FAST_SCRYPT }))
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(await decryptSeed(await readKeystoreFile(path), 'pw')).toEqual(seed)
  })

  it.each([
    [{}, /kind/],
    [{ kind: 'blockstake-keystore', version: 9 }, /version 9/],
    [{ kind: 'blockstake-keystore', version: 1, kdf: { name: 'pbkdf2' } }, /kdf/],
    [
      { kind: 'blockstake-keystore', version: 1, kdf: { name: 'scrypt', N: 1024, r: 1_000_000, p: 1 } },
      /kdf.r must be at most 32/,
    ],
    [
      { kind: 'blockstake-keystore', version: 1, kdf: { name: 'scrypt', N: 1024, r: 8, p: 1000 } },
      /kdf.p must be at most 16/,
    ],
    [{ kind: 'blockstake-keystore', version: 1, kdf: { name: 'scrypt', N: 2 ** 22, r: 32, p: 1 } }, /1 GiB/],
    // found by fuzzing keystore files: String() threw a TypeError on this version, and scrypt refuses
    // N = 1 with a plain Error only when decrypting
    [JSON.parse('{"kind":"blockstake-keystore","version":{"toString":null}}'), /version \{"toString":null\}/],
    [{ kind: 'blockstake-keystore', version: 1, kdf: { name: 'scrypt', N: 1, r: 8, p: 1 } }, /kdf.N/],
  ])('rejects a corrupt file %j with a clear error', (value, message) => {
    expect(() => parseKeystore(value)).toThrow(KeystoreError)
    expect(() => parseKeystore(value)).toThrow(message)
  })

  it('says when the file is missing or not JSON', async () => {
    await expect(readKeystoreFile(join(dir, 'nope.json'))).rejects.toThrow(/no such file/)
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{')
    await expect(readKeystoreFile(bad)).rejects.toThrow(/not valid JSON/)
  })
})
