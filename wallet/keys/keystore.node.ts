// Keystore files on disk: written atomically (temp file + rename) with mode 0600; Node's native scrypt.
import { scrypt } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { stringifyJson } from '../../consensus/encoding/json.js'
import { KeystoreError, type KeystoreFile, parseKeystore, type ScryptKdf } from './keystore.js'

/** OpenSSL's scrypt: the same function as `nobleScrypt`, about twice as fast. */
export const nodeScrypt: ScryptKdf = (password, salt, params) =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { ...params, maxmem: 2 ** 30 + 2 ** 24 }, (err, key) =>
      err
        ? reject(new KeystoreError('corrupt', `keystore file is corrupt: scrypt parameters: ${err.message}`))
        : resolve(new Uint8Array(key.buffer, key.byteOffset, key.length)),
    ),
  )

export async function writeKeystoreFile(path: string, keystore: KeystoreFile): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, `${stringifyJson(keystore as never)}\n`, { mode: 0o600, flag: 'wx' })
  await rename(tmp, path)
}

export async function readKeystoreFile(path: string): Promise<KeystoreFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new KeystoreError(
      'corrupt',
      `cannot read keystore "${path}": ${code === 'ENOENT' ? 'no such file' : code}`,
    )
  }
  try {
    return parseKeystore(JSON.parse(text))
  } catch (err) {
    if (err instanceof KeystoreError) throw err
    throw new KeystoreError('corrupt', `keystore "${path}" is not valid JSON`)
  }
}
