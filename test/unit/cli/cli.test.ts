import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../utils/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'

describe('blockstake keys', () => {
  it('derives the devnet genesis address at index 25', async () => {
    const r = await runCli('keys', 'derive', '--mnemonic', MNEMONIC, '--index', '25', '--json')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.out)
    expect(out.keys).toEqual([
      {
        index: 25,
        publicKey: 'ed25519:d285f92d6d449d9abb27f4c6cf82713cec0696d62b8c123f1627e054dc6d7780',
        address: '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f',
      },
    ])
    const again = await runCli('keys', 'derive', '--seed', out.seed, '--count', '2', '--json')
    expect(JSON.parse(again.out).mnemonic).toBe(MNEMONIC)
    expect(JSON.parse(again.out).keys[0].address).toBe(
      '015df22a2e82a3323bc6ffbd1730450ed844feca711c8fe0c15e218c171962fd17b206263220ee',
    )
  })

  it('makes a fresh seed whose mnemonic derives the same address', async () => {
    const fresh = JSON.parse((await runCli('keys', 'new', '--json')).out)
    const back = JSON.parse((await runCli('keys', 'derive', '--mnemonic', fresh.mnemonic, '--json')).out)
    expect(back.keys[0].address).toBe(fresh.keys[0].address)
  })

  it.each([
    [['keys', 'derive', '--seed', 'zz'], /--seed/],
    [['keys', 'derive'], /exactly one of/],
    [['keys', 'derive', '--mnemonic', 'carbon boss'], /24 words|mnemonic/],
    [['keys', 'derive', '--mnemonic', MNEMONIC, '--count', '-1'], /count/],
  ])('rejects bad input %j with exit code 2 and one line', async (args, message) => {
    const r = await runCli(...args)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err.trim().split('\n')).toHaveLength(1)
    expect(r.out).toBe('')
  })
})

describe('blockstake tx inspect', () => {
  const emptyV1 = '{"version":1,"data":{"coininputs":null,"minerfees":null}}'

  it('reads the grid capacity types (224, 225) of docs/capacity.md', async () => {
    const doc = readFileSync(new URL('../../../docs/capacity.md', import.meta.url), 'utf8')
    for (const name of ['registration', 'reservation']) {
      const at = doc.slice(doc.indexOf(`<!-- example: ${name} -->`))
      const hex = at
        .split('```')[1]!
        .split('\n')
        .slice(1)
        .filter((l) => l.trim())
        .map((l) => l.split(/\s+/)[0]!)
        .join('')
      const id = at.split('```')[2]!.match(/`([0-9a-f]{64})`/)![1]
      const r = await runCli('tx', 'inspect', file(`${name}.hex`, hex), '--json')
      expect(r.code, r.err).toBe(0)
      expect(JSON.parse(r.out)).toMatchObject({ id, hex })
    }
  })

  it('reads JSON and hex and prints the same IDs', async () => {
    const fromJson = JSON.parse((await runCli('tx', 'inspect', file('tx.json', emptyV1), '--json')).out)
    expect(Object.keys(fromJson)).toEqual([
      'id',
      'coinOutputIds',
      'blockStakeOutputIds',
      'sigHashes',
      'hex',
      'json',
    ])
    expect(fromJson.hex).toBe('013000000000000000' + '00'.repeat(48))
    const fromHex = JSON.parse((await runCli('tx', 'inspect', file('tx.hex', fromJson.hex), '--json')).out)
    expect(fromHex).toEqual(fromJson)
    expect(fromJson.json).toEqual(JSON.parse(emptyV1))
  })

  it.each([
    ['{"version":1,', /malformed JSON/],
    ['{"version":9,"data":{}}', /unknown transaction version 9/],
    ['0130000000', /unexpected end of data|exceeds/],
    ['01zz', /neither JSON nor hex|hex/],
    ['{"version":1,"data":{"coinoutputs":[{"value":"-1","condition":{}}]}}', /coinoutputs\[0\]\.value/],
    [
      '{"version":1,"data":{"coinoutputs":[{"value":"1","condition":{"type":1,"data":{"unlockhash":"01e3c6f29e75b03351b3d72ad49ee427aa60d32a6d06f6b1c2d60e73c9438e7b927dd7817ad27d"}}}]}}',
      /checksum/,
    ],
  ])('rejects %s with exit code 2 and one line naming the problem', async (text, message) => {
    const r = await runCli('tx', 'inspect', file('bad.txt', text))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err.trim().split('\n')).toHaveLength(1)
  })

  it('says when the file does not exist', async () => {
    const r = await runCli('tx', 'inspect', join(dir, 'missing.json'))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/no such file/)
  })
})
