// `notary verify` and `wallet notary verify` offline (no node): a valid receipt, a changed file, a
// malformed receipt (exit 1 with the failed check), unreadable files (exit 2); and the file hash the CLI
// computes in chunks is the record's blake2b-256. The online checks run against a node in test/e2e/notary.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hashFile } from '../../../cli/notary.js'
import { fromHex, toHex, utf8 } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import { notaryReceipt, notaryReceiptToJson } from '../../../consensus/extensions/notary/receipt.js'
import { notaryHash, notaryRecord } from '../../../consensus/extensions/notary/record.js'
import { BlockCodec } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { runCli } from '../../utils/cli.js'
import { generatedChain } from '../../utils/devchain.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-cli-notary-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const path = (name: string) => join(dir, name)

const contents = utf8('hello, notary\n')
const hash = notaryHash(contents)
const chain = generatedChain({ blocks: 1, transactionsPerBlock: 1, arbitraryData: () => notaryRecord(hash) })
const receipt = notaryReceipt(new BlockCodec(coreRegistry()), {
  genesisId: fromHex(chain.ids[0]!),
  hash,
  block: chain.blocks[0]!,
  height: 1,
  txIndex: 1,
})
writeFileSync(path('doc.txt'), contents)
writeFileSync(path('receipt.json'), stringifyJson(notaryReceiptToJson(receipt)))

describe('notary verify (offline)', () => {
  it('hashes files of any size as blake2b-256, across its 1 MiB chunks', async () => {
    expect(await hashFile(path('doc.txt'))).toEqual(hash)
    const big = new Uint8Array(3 * (1 << 20) + 17).map((_, i) => i * 7)
    writeFileSync(path('big.bin'), big)
    expect(toHex(await hashFile(path('big.bin')))).toBe(toHex(notaryHash(big)))
    writeFileSync(path('empty'), '')
    expect(toHex(await hashFile(path('empty')))).toBe(toHex(notaryHash(new Uint8Array(0))))
  })

  it.each([['notary'], ['wallet', 'notary']])('%s verify accepts the receipt of the file', async (...cmd) => {
    const r = await runCli(...cmd, 'verify', path('receipt.json'), path('doc.txt'), '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual({
      valid: true,
      height: 1,
      confirmations: null,
      hash: toHex(hash),
      transactionId: toHex(receipt.transactionId),
      blockId: chain.ids[1],
      timestamp: receipt.timestamp,
    })
    const text = await runCli(...cmd, 'verify', path('receipt.json'), path('doc.txt'))
    expect(text.out).toMatch(/^valid: .*doc\.txt \(blake2b-256 1c9c6f6d/)
    expect(text.out).toMatch(/checked offline/)
  })

  it('refuses a changed file and a malformed receipt with exit 1 and the failed check', async () => {
    writeFileSync(path('changed.txt'), 'hello, notary!\n')
    const changed = await runCli('notary', 'verify', path('receipt.json'), path('changed.txt'), '--json')
    expect(changed.code).toBe(1)
    expect(JSON.parse(changed.out)).toEqual({
      valid: false,
      reason: `the file's hash ${toHex(notaryHash(utf8('hello, notary!\n')))} is not the receipt's hash ${toHex(hash)}`,
    })
    expect(changed.err).toBe(`invalid receipt: ${JSON.parse(changed.out).reason}\n`)
    writeFileSync(path('bad.json'), '{"kind":"blockstake-notary-receipt"')
    const bad = await runCli('notary', 'verify', path('bad.json'), path('doc.txt'))
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^invalid receipt: malformed receipt: malformed JSON/)
  })

  it('a file or receipt that cannot be read is a usage error (exit 2)', async () => {
    const noFile = await runCli('notary', 'verify', path('receipt.json'), path('missing.txt'))
    expect(noFile).toMatchObject({
      code: 2,
      err: `cannot read file "${path('missing.txt')}": no such file\n`,
    })
    const noReceipt = await runCli('notary', 'verify', path('missing.json'), path('doc.txt'))
    expect(noReceipt.code).toBe(2)
    expect(noReceipt.err).toMatch(/cannot read receipt file/)
  })
})
