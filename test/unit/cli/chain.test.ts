import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { toHex } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import { type ChainDefinition, chainDefinitionToJson } from '../../../consensus/params/chain.js'
import { presetNames } from '../../../consensus/params/presets.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { runCli } from '../../utils/cli.js'
import { generatedChain } from '../../utils/devchain.js'
import { loadOracleChains } from '../../utils/oracle.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-cli-chain-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
let dirs = 0
const freshDir = () => join(dir, `data-${++dirs}`)
const lines = (text: string) => text.split('\n').filter((l) => l !== '')

const codec = new BlockCodec(coreRegistry())

interface Files {
  readonly blocks: readonly Block[]
  readonly def: string
  readonly hex: string
  readonly json: string
  readonly hexText: string
  readonly jsonText: string
}

function writeChainFiles(def: ChainDefinition, blocks: readonly Block[], tag: string): Files {
  const hexText = blocks.map((b) => `${toHex(codec.encode(b))}\n`).join('')
  const jsonText = blocks.map((b) => `${codec.toJsonString(b)}\n`).join('')
  return {
    blocks,
    def: file(`${tag}.chain.json`, stringifyJson(chainDefinitionToJson(def))),
    hex: file(`${tag}.hex`, hexText),
    json: file(`${tag}.jsonl`, jsonText),
    hexText,
    jsonText,
  }
}

describe('blockstake chain import/export (reference chains)', () => {
  for (const [i, oracle] of loadOracleChains().entries()) {
    const f = writeChainFiles(oracle.def, oracle.blocks, `chain-${'AB'[i]}`)
    const last = oracle.expected.at(-1)!
    it(`${oracle.name}: imports hex and JSON lines, exports them back byte for byte`, async () => {
      const data = freshDir()
      const imported = await runCli('chain', 'import', f.hex, '--chain', f.def, '--data-dir', data, '--json')
      expect(imported.code, imported.err).toBe(0)
      const result = JSON.parse(imported.out)
      expect(Object.keys(result)).toEqual(['height', 'tipId', 'depth', 'childTarget'])
      expect(result.tipId).toBe(last.id)
      expect(result.height).toBe(last.height)
      expect(result.childTarget).toBe(last.child_target)
      expect(result.depth).toMatch(/^[0-9a-f]{64}$/)
      expect(JSON.parse(readFileSync(join(data, 'chain.json'), 'utf8'))).toEqual(
        JSON.parse(readFileSync(f.def, 'utf8')),
      )

      // the definition is stored: export needs no --chain
      const exported = await runCli('chain', 'export', '--data-dir', data)
      expect(exported.code, exported.err).toBe(0)
      expect(exported.out).toBe(f.hexText)
      const asJson = await runCli('chain', 'export', '--data-dir', data, '--format', 'json')
      expect(asJson.out).toBe(f.jsonText)
      const range = await runCli('chain', 'export', '--data-dir', data, '--from', '5', '--to', '7')
      expect(lines(range.out)).toEqual(lines(f.hexText).slice(4, 7))

      // a fresh directory from the export, and one from the JSON lines
      const again = freshDir()
      const back = await runCli(
        'chain',
        'import',
        file(`export-${dirs}.hex`, exported.out),
        '--chain',
        f.def,
        '--data-dir',
        again,
        '--json',
      )
      expect(back.code, back.err).toBe(0)
      expect(JSON.parse(back.out)).toEqual(result)
      const fromJson = await runCli(
        'chain',
        'import',
        f.json,
        '--chain',
        f.def,
        '--data-dir',
        freshDir(),
        '--json',
      )
      expect(fromJson.code, fromJson.err).toBe(0)
      expect(JSON.parse(fromJson.out)).toEqual(result)
    })
  }
})

describe('blockstake chain import/export', () => {
  // any valid chain: 40 generated devnet blocks, each a respend and a transfer
  const generated = generatedChain({ blocks: 40, transactionsPerBlock: 1 })
  const f = writeChainFiles(generated.def, generated.blocks, 'generated')

  it('resumes a directory: known blocks count as fine, new ones extend the chain', async () => {
    const data = freshDir()
    const first = await runCli(
      'chain',
      'import',
      file('b-first-20.hex', lines(f.hexText).slice(0, 20).join('\n')),
      '--chain',
      f.def,
      '--data-dir',
      data,
    )
    expect(first.code, first.err).toBe(0)
    expect(first.out).toMatch(/imported 20 blocks \(20 new, 0 already known.*height 20/)
    // blank lines and CRLF are fine; the stored chain.json stands in for --chain
    const withBlanks = `\n${lines(f.hexText).slice(0, 30).join('\r\n\r\n')}\n\n`
    const second = await runCli('chain', 'import', file('b-30-blanks.hex', withBlanks), '--data-dir', data)
    expect(second.code, second.err).toBe(0)
    expect(second.out).toMatch(/imported 30 blocks \(10 new, 20 already known.*height 30/)
    const rest = await runCli('chain', 'import', f.json, '--data-dir', data, '--chain', f.def, '--json')
    expect(JSON.parse(rest.out).tipId).toBe(generated.ids.at(-1))
  })

  it('stops at the first invalid block with exit code 1 and keeps the blocks before it', async () => {
    const block10 = f.blocks[9]!
    const respend = block10.transactions.find((t) => t.blockStakeInputs.length > 0)!
    const signature = toHex((respend.blockStakeInputs[0]!.fulfillment as any).signature)
    const hex = lines(f.hexText)
    const at = hex[9]!.indexOf(signature)
    expect(at).toBeGreaterThan(0)
    const flip = at + signature.length / 2
    const flipped = (Number.parseInt(hex[9]!.slice(flip, flip + 2), 16) ^ 0x01).toString(16).padStart(2, '0')
    hex[9] = hex[9]!.slice(0, flip) + flipped + hex[9]!.slice(flip + 2)
    const tampered = file('b-tampered.hex', `${hex.join('\n')}\n`)

    const data = freshDir()
    const r = await runCli('chain', 'import', tampered, '--chain', f.def, '--data-dir', data, '--json')
    expect(r.code).toBe(1)
    const out = JSON.parse(r.out)
    expect(out).toMatchObject({ error: { height: 10, code: 'unfulfilled' } })
    expect(out.error.message).toEqual(expect.any(String))
    expect(r.err.trim().split('\n')).toHaveLength(1)
    const kept = await runCli('chain', 'export', '--data-dir', data)
    expect(kept.out).toBe(lines(f.hexText).slice(0, 9).join('\n') + '\n')

    // without --json: one line naming the line, height and rule; the invalid block stays refused
    const human = await runCli('chain', 'import', tampered, '--data-dir', data)
    expect(human.code).toBe(1)
    expect(human.out).toBe('')
    expect(human.err.trim().split('\n')).toHaveLength(1)
    expect(human.err).toMatch(/line 10: .*height 10.*(unfulfilled|known-invalid)/)
  })

  it('refuses a block whose parent is unknown (blocks out of order)', async () => {
    const r = await runCli(
      'chain',
      'import',
      file('a-gap.hex', lines(f.hexText).slice(1, 5).join('\n')),
      '--chain',
      f.def,
      '--data-dir',
      freshDir(),
      '--json',
    )
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out)).toMatchObject({ error: { line: 1, height: null, code: 'unknown-parent' } })
  })

  it.each([
    ['a hex line with a non-hex character', (l: string[]) => l[2]!.slice(0, 40) + 'zz', /line 3: .*hex/],
    ['a truncated hex line', (l: string[]) => l[2]!.slice(0, 100), /line 3: invalid block/],
    ['malformed JSON', () => '{"parentid":', /line 3: .*malformed JSON/],
    ['block JSON missing a field', () => '{"timestamp":1}', /line 3: .*parentid/],
  ])('exits 2 naming the line of %s, keeping the blocks before it', async (_, bad, message) => {
    const l = lines(f.hexText)
    const data = freshDir()
    const text = [l[0], l[1], bad(l), l[3]].join('\n')
    const r = await runCli(
      'chain',
      'import',
      file('bad.hex', text),
      '--chain',
      f.def,
      '--data-dir',
      data,
      '--json',
    )
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err.trim().split('\n')).toHaveLength(1)
    expect(r.out).toBe('')
    expect(lines((await runCli('chain', 'export', '--data-dir', data)).out)).toEqual(l.slice(0, 2))
  })

  it('refuses a directory that holds another chain with exit code 2', async () => {
    const c = generated.def.constants
    const otherConstants = {
      ...generated.def,
      constants: { ...c, stakeModifierDelay: c.stakeModifierDelay + 10 },
    }
    const data = freshDir()
    expect((await runCli('chain', 'import', f.hex, '--chain', f.def, '--data-dir', data)).code).toBe(0)
    // another genesis
    const other = await runCli('chain', 'import', f.hex, '--chain', 'rivine-devnet', '--data-dir', data)
    expect(other.code).toBe(2)
    expect(other.err).toMatch(/holds another chain/)
    expect(other.err.trim().split('\n')).toHaveLength(1)
    // the same genesis with other consensus constants (another stake modifier delay)
    const def = file('other-constants.chain.json', stringifyJson(chainDefinitionToJson(otherConstants)))
    const constants = await runCli('chain', 'import', f.hex, '--chain', def, '--data-dir', data)
    expect(constants.code).toBe(2)
    expect(constants.err).toMatch(/constants\.stakeModifierDelay/)
    expect((await runCli('chain', 'export', '--data-dir', data, '--chain', 'devnet')).code).toBe(2)
    // a database without chain.json is still checked against its stored genesis
    rmSync(join(data, 'chain.json'))
    const noDefinition = await runCli(
      'chain',
      'import',
      f.hex,
      '--chain',
      'rivine-devnet',
      '--data-dir',
      data,
    )
    expect(noDefinition.code).toBe(2)
    expect(noDefinition.err).toMatch(/holds another chain \(genesis [0-9a-f]{64}/)
    expect((await runCli('chain', 'export', '--data-dir', data)).code).toBe(2)
    expect((await runCli('chain', 'export', '--data-dir', data, '--chain', f.def)).out).toBe(f.hexText)
    expect(existsSync(join(data, 'chain.json'))).toBe(true)
  })
})

describe('blockstake chain: usage errors', () => {
  const blocks = file('empty.hex', '')

  it('lists the presets for an unknown one', async () => {
    const r = await runCli('chain', 'import', blocks, '--chain', 'nonet', '--data-dir', freshDir())
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/unknown chain preset "nonet"/)
    for (const name of presetNames()) expect(r.err).toContain(name)
    expect(r.err.trim().split('\n')).toHaveLength(1)
  })

  it.each([
    [['chain', 'import', join(dir, 'missing.hex'), '--chain', 'devnet', '--data-dir', 'D'], /no such file/],
    [['chain', 'import', blocks, '--chain', join(dir, 'missing.json'), '--data-dir', 'D'], /no such chain/],
    [
      ['chain', 'import', blocks, '--chain', file('bad-def.json', '{"name":1}'), '--data-dir', 'D'],
      /bad-def.json.*constants/,
    ],
    [['chain', 'import', blocks, '--data-dir', 'D'], /no chain definition: pass --chain/],
    [['chain', 'import', blocks, '--chain', 'devnet'], /--data-dir/],
    [['chain', 'export', '--data-dir', 'D', '--chain', 'devnet'], /holds no chain data/],
    [
      ['chain', 'export', '--data-dir', 'D', '--chain', 'devnet', '--from', '0'],
      /--from: must be at least 1/,
    ],
    [
      ['chain', 'export', '--data-dir', 'D', '--chain', 'devnet', '--to', 'x'],
      /--to: expected a block height/,
    ],
    [['chain', 'export', '--data-dir', 'D', '--chain', 'devnet', '--format', 'xml'], /--format/],
  ])('%j exits 2 with one line', async (args, message) => {
    const data = freshDir()
    const r = await runCli(...args.map((a) => (a === 'D' ? data : a)))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.out).toBe('')
    // a failed command leaves no data directory behind
    expect(existsSync(data)).toBe(false)
  })

  it('imports an empty file into a fresh directory (genesis only) and exports nothing', async () => {
    const data = freshDir()
    const r = await runCli('chain', 'import', blocks, '--chain', 'devnet', '--data-dir', data, '--json')
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out).height).toBe(0)
    const e = await runCli('chain', 'export', '--data-dir', data)
    expect(e).toMatchObject({ code: 0, out: '' })
    expect((await runCli('chain', 'export', '--data-dir', data, '--to', '1')).err).toMatch(/above the tip/)
  })
})
