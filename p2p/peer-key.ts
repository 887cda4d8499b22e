// DESIGN §5: one persistent libp2p identity per data directory, `DATA_DIR/peer-key` (protobuf private key).
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export const PEER_KEY_FILE = 'peer-key'

/**
 * Loads the node's key from `dataDir/peer-key`, or creates an Ed25519 key there: written to a temporary
 * file with mode 0600 and renamed into place, so a crash never leaves a partial key.
 */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  const file = join(dataDir, PEER_KEY_FILE)
  let existing: Uint8Array | undefined
  try {
    existing = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (existing) {
    try {
      return privateKeyFromProtobuf(existing)
    } catch (err) {
      throw new Error(`${file} is not a libp2p private key: ${(err as Error).message}`)
    }
  }
  await mkdir(dataDir, { recursive: true })
  const key = await generateKeyPair('Ed25519')
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx', flush: true })
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return key
}
