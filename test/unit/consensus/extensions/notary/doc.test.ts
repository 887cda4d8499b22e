// docs/notary.md's worked example: the chain it describes is rebuilt here, and every value the page lists
// (hash, record, leaf, the two proof steps, header, block ID, and the whole receipt) is checked against it.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../../consensus/crypto/hash.js'
import { merkleLeafHash, merkleNodeHash } from '../../../../../consensus/crypto/merkle.js'
import { fromHex, toHex, utf8 } from '../../../../../consensus/encoding/hex.js'
import {
  notaryReceipt,
  notaryReceiptToJson,
  parseNotaryReceipt,
  verifyNotaryReceipt,
} from '../../../../../consensus/extensions/notary/receipt.js'
import { notaryHash, notaryRecord } from '../../../../../consensus/extensions/notary/record.js'
import { BlockCodec, encodeHeader } from '../../../../../consensus/types/block.js'
import { coreRegistry } from '../../../../../consensus/types/registry.js'
import { generatedChain } from '../../../../utils/devchain.js'

const page = readFileSync(new URL('../../../../../docs/notary.md', import.meta.url), 'utf8')
const example = page.slice(page.indexOf('## Worked example'), page.indexOf('## Limits'))
/** The hex value the example lists after `label`. */
const listed = (label: string): string => {
  const line = example.split('\n').find((l) => l.startsWith(`- ${label}`))
  const m = line && /`([0-9a-f]{64,})`(?![^`]*`[0-9a-f]{64,}`)/.exec(line.replace(/`H\([^`]*\)`/g, ''))
  if (!m) throw new Error(`docs/notary.md lists no value for "${label}"`)
  return m[1]!
}

describe('docs/notary.md worked example', () => {
  const document = utf8('hello, notary\n')
  const hash = notaryHash(document)
  const chain = generatedChain({
    blocks: 1,
    transactionsPerBlock: 1,
    arbitraryData: () => notaryRecord(hash),
  })
  const codec = new BlockCodec(coreRegistry())
  const block = chain.blocks[0]!
  const receipt = notaryReceipt(codec, {
    genesisId: fromHex(chain.ids[0]!),
    hash,
    block,
    height: 1,
    txIndex: 1,
  })

  it('lists the values the chain gives, step by step', () => {
    expect(document.length).toBe(14)
    expect(listed('document hash')).toBe(toHex(blake2b256(document)))
    expect(listed('record')).toBe(toHex(notaryRecord(hash)))
    expect(toHex(receipt.transaction).endsWith(`2400000000000000${listed('record')}`)).toBe(true)
    const leaf = merkleLeafHash(receipt.transaction)
    expect(listed('leaf')).toBe(toHex(leaf))
    expect(receipt.proof).toMatchObject({ leafIndex: 3, leafCount: 4 })
    const step1 = merkleNodeHash(receipt.proof.path[0]!, leaf)
    expect(listed('leaf 3 of 4')).toBe(toHex(step1))
    const root = merkleNodeHash(receipt.proof.path[1]!, step1)
    expect(listed('fn = 1')).toBe(toHex(root))
    expect(toHex(root)).toBe(toHex(receipt.header.merkleRoot))
    expect(listed('header')).toBe(toHex(encodeHeader(receipt.header)))
    expect(listed('block ID')).toBe(toHex(blake2b256(encodeHeader(receipt.header))))
    expect(listed('block ID')).toBe(chain.ids[1])
  })

  it('shows the receipt the chain gives, and it verifies', () => {
    const shown = JSON.parse(example.slice(example.indexOf('```json') + 7, example.lastIndexOf('```')))
    expect(shown).toEqual(JSON.parse(JSON.stringify(notaryReceiptToJson(receipt))))
    expect(verifyNotaryReceipt(parseNotaryReceipt(shown), hash)).toMatchObject({ valid: true })
  })
})
