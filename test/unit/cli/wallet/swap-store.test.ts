// Swap secrets in the wallet file: encrypted under the seed, kept across a save, and a file written before
// swaps existed (no "swaps" field) opens and is written back without one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UserError } from '../../../../cli/errors.js'
import { OpenWallet, readWalletFile } from '../../../../cli/wallet/store.js'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { sha256 } from '../../../../consensus/crypto/hash.js'
import { toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import { deriveKey } from '../../../../wallet/keys/derive.js'
import { encryptSeed, FAST_SCRYPT } from '../../../../wallet/keys/keystore.js'
import { nodeScrypt } from '../../../../wallet/keys/keystore.node.js'
import { decryptSwapSecret, encryptSwapSecret } from '../../../../wallet/keys/swap-secret.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-swap-store-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  delete process.env.BLOCKSTAKE_PASSPHRASE
})

const SEED = sha256(utf8('wallet seed'))
const OTHER_SEED = sha256(utf8('another seed'))
const SECRET = sha256(utf8('swap secret'))
const HASHED = sha256(SECRET)

/** A wallet file as written before swaps existed. */
async function oldWalletFile(name: string): Promise<string> {
  process.env.BLOCKSTAKE_PASSPHRASE = 'swap store test'
  const path = join(dir, name)
  const keystore = await encryptSeed(SEED, 'swap store test', { kdf: nodeScrypt, scrypt: FAST_SCRYPT })
  writeFileSync(
    path,
    JSON.stringify({ version: 1, kind: 'blockstake-wallet', keystore, addressCount: 1, multisig: [] }),
  )
  return path
}

describe('swap secrets', () => {
  it('encrypt under the seed, bound to their hashed secret', async () => {
    const record = await encryptSwapSecret(SEED, SECRET, HASHED)
    expect(record.hashedSecret).toBe(toHex(HASHED))
    expect(JSON.stringify(record)).not.toContain(toHex(SECRET))
    expect(toHex(await decryptSwapSecret(SEED, record))).toBe(toHex(SECRET))
    await expect(decryptSwapSecret(OTHER_SEED, record)).rejects.toThrow(/does not decrypt/)
    // moved onto another contract's record, it does not open
    const moved = { ...record, hashedSecret: toHex(sha256(HASHED)) }
    await expect(decryptSwapSecret(SEED, moved)).rejects.toThrow(/does not decrypt/)
  })

  it('an old wallet file opens, keeps a secret, and reads it back after a save', async () => {
    const path = await oldWalletFile('old.json')
    expect(readWalletFile(path).swaps).toBeUndefined()
    const w = OpenWallet.open(path)
    await w.keys(1)
    w.save()
    // no swaps yet: the file has no "swaps" field
    expect(JSON.parse(readFileSync(path, 'utf8')).swaps).toBeUndefined()
    // any valid address stands in for the contract's here
    const record = { outputId: 'ab'.repeat(32), contractAddress: deriveKey(SEED, 5, nodeEd25519).address }
    await w.keepSwapSecret(record, SECRET, HASHED)
    w.save()
    const text = readFileSync(path, 'utf8')
    expect(text).toContain(toHex(HASHED))
    expect(text).not.toContain(toHex(SECRET))
    const again = OpenWallet.open(path)
    expect(again.file.swaps).toHaveLength(1)
    expect(again.file.swaps![0]).toMatchObject(record)
    expect(toHex((await again.swapSecret(toHex(HASHED)))!)).toBe(toHex(SECRET))
    expect(await again.swapSecret('00'.repeat(32))).toBeUndefined()
  })

  it('a tampered swap record makes the wallet file corrupt, naming the field', async () => {
    const path = await oldWalletFile('tampered.json')
    const w = OpenWallet.open(path)
    const address = (await w.keys(1))[0]!.address
    await w.keepSwapSecret({ outputId: 'cd'.repeat(32), contractAddress: address }, SECRET, HASHED)
    w.save()
    const file = JSON.parse(readFileSync(path, 'utf8'))
    file.swaps[0].ciphertext = 'zz'
    writeFileSync(path, JSON.stringify(file))
    expect(() => readWalletFile(path)).toThrow(UserError)
    expect(() => readWalletFile(path)).toThrow(/swaps\[0\]/)
  })
})
