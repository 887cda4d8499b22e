// The offline CLI against the reference vectors: `tx inspect --json` reproduces every transaction ID,
// output ID and binary form the vectors give; `keys derive --json` reproduces oracle-keys.json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stringifyJson } from '../../consensus/encoding/json.js'
import { runCli } from '../utils/cli.js'
import { loadVectorFile } from './framework.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-cli-vectors-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
async function inspect(input: string): Promise<any> {
  const file = join(dir, `tx-${n++}.txt`)
  writeFileSync(file, input)
  const r = await runCli('tx', 'inspect', file, '--json')
  expect(r.err).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.out)
}

describe('blockstake tx inspect against the vectors', () => {
  it('oracle-transactions.json: ID, output IDs and binary from the JSON and from the hex', async () => {
    for (const v of loadVectorFile('oracle-transactions.json').vectors) {
      const e = v.expected
      for (const input of [stringifyJson(e.json), e.siabin]) {
        const out = await inspect(input)
        expect(out.id, v.name).toBe(e.id)
        expect(out.hex, v.name).toBe(e.siabin)
        expect(out.coinOutputIds, v.name).toEqual(e.coin_output_ids)
        expect(out.blockStakeOutputIds, v.name).toEqual(e.blockstake_output_ids)
        expect(out.json, v.name).toEqual(e.json)
      }
    }
  })

  it('rivine-transactions.json: binary round trips, canonical JSON and reference IDs', async () => {
    let checked = 0
    for (const v of loadVectorFile('rivine-transactions.json').vectors) {
      const id = v.id!
      if (id.startsWith('tx-binary-') && v.expected.roundtrip_hex) {
        expect((await inspect(v.input.hex)).hex, id).toBe(v.expected.roundtrip_hex)
        checked++
      } else if (id.startsWith('tx-json-') && v.expected.canonical_json) {
        expect(stringifyJson((await inspect(v.input.json)).json), id).toBe(v.expected.canonical_json)
        checked++
      } else if (id.startsWith('txid-tfchain-')) {
        const out = await inspect(v.input.json)
        expect(out.id, id).toBe(v.expected.transaction_id)
        for (const o of v.expected.coin_output_ids) expect(out.coinOutputIds[o.index]).toBe(o.id)
        for (const o of v.expected.blockstake_output_ids) expect(out.blockStakeOutputIds[o.index]).toBe(o.id)
        checked++
      } else if (id.startsWith('ext-authcoin-') && v.expected.canonical_json) {
        expect(stringifyJson((await inspect(v.input.json)).json), id).toBe(v.expected.canonical_json)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(20)
  })
})

describe('blockstake keys derive against the vectors', () => {
  it('oracle-keys.json: mnemonic, seed, public keys and addresses', async () => {
    for (const v of loadVectorFile('oracle-keys.json').vectors) {
      if (!v.name!.startsWith('wallet-seed-')) continue
      for (const key of v.expected.keys) {
        const r = await runCli(
          'keys',
          'derive',
          '--seed',
          v.inputs.seed,
          '--index',
          String(key.index),
          '--json',
        )
        expect(r.code).toBe(0)
        const out = JSON.parse(r.out)
        expect(out.mnemonic).toBe(v.expected.mnemonic)
        expect(out.keys[0]).toEqual({
          index: key.index,
          publicKey: key.rivine_publickey_string,
          address: key.unlockhash,
        })
        const m = await runCli(
          'keys',
          'derive',
          '--mnemonic',
          v.expected.mnemonic,
          '--index',
          String(key.index),
          '--json',
        )
        expect(JSON.parse(m.out).keys[0].address).toBe(key.unlockhash)
      }
    }
  })
})
