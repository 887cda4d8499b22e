// test/vectors/data/tfchain-erc20.json (copied from shared/vectors): ERC20 (208–210) is out of scope (DESIGN
// §2). The addresses that the v210 JSON derives from its public key are plain checks of what we have, so they
// are checked first.
import { expect } from 'vitest'
import { blake2b256 } from '../../../consensus/crypto/hash.js'
import { encode } from '../../../consensus/encoding/codec.js'
import { toHex } from '../../../consensus/encoding/hex.js'
import { parseJson } from '../../../consensus/encoding/json.js'
import { publicKeyUnlockHash } from '../../../consensus/types/conditions.js'
import { parsePublicKey } from '../../../consensus/types/publickey.js'
import { parseUnlockHash, unlockHashCodec, unlockHashToString } from '../../../consensus/types/unlockhash.js'
import { later, type Outcome, type Vector } from '../framework.js'

const OUT_OF_SCOPE = 'out of scope: 3Bot/ERC20 (DESIGN §2)'
const IDS = new Set([
  'erc20-json-v208',
  'erc20-json-v209',
  'erc20-json-v210',
  'erc20-binary-v208',
  'erc20-binary-v209',
  'erc20-binary-v210',
  'erc20-address-string-valid',
  'erc20-address-string-invalid',
  'erc20-hash-string-valid',
  'erc20-hash-string-invalid',
])

export function handle(v: Vector): Outcome {
  const id = v.id ?? ''
  if (!IDS.has(id)) throw new Error(`tfchain-erc20: unknown vector ${id}`)
  if (id === 'erc20-json-v210') {
    const data = (parseJson(v.input.json) as { data: Record<string, string> }).data
    const uh = publicKeyUnlockHash(parsePublicKey(data.pubkey))
    expect(unlockHashToString(uh)).toBe(data.tftaddress)
    // erc20address = last 20 bytes of blake2b(siabin(unlockhash))
    const h = blake2b256(encode(unlockHashCodec, parseUnlockHash(data.tftaddress), 'sia'))
    expect(`0x${toHex(h.subarray(12))}`).toBe(data.erc20address)
  }
  return later(OUT_OF_SCOPE)
}
