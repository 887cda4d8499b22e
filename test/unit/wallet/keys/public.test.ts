import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { deriveKeys } from '../../../../wallet/keys/derive.js'
import { parsePublicKeys, publicKeyOf, publicKeysToJson } from '../../../../wallet/keys/public.js'
import { mnemonicToSeed } from '../../../../wallet/keys/seed.js'
import { DEVNET_MNEMONIC } from '../../../utils/devchain.js'

const keys = deriveKeys(mnemonicToSeed(DEVNET_MNEMONIC), 0, 3, nodeEd25519).map(publicKeyOf)
const json = () => JSON.parse(JSON.stringify(publicKeysToJson(keys)))

describe('public wallet keys', () => {
  it('round-trip without any secret', () => {
    expect(parsePublicKeys(json())).toEqual(keys)
    expect(JSON.stringify(json())).not.toMatch(/secret/i)
  })

  it.each([
    [
      'a swapped address',
      (l: any[]) => [{ ...l[0], address: l[1].address }, ...l.slice(1)],
      /keys\[0\]\.address/,
    ],
    ['a gap in the indexes', (l: any[]) => [l[0], l[2]], /keys\[1\]\.index: expected key index 1/],
    ['a bad key', (l: any[]) => [{ ...l[0], publicKey: 'ed25519:00' }], /keys\[0\]\.publicKey/],
    ['not a list', () => ({}), /keys: expected an array/],
  ])('refuses %s', (_what, mutate, message) => {
    expect(() => parsePublicKeys(mutate(json()))).toThrow(message)
  })
})
