// Notary receipts end to end (issue #14): a 1-node devnet process creating 1-second blocks, LevelDB in a
// temp dir. The faucet wallet notarizes a file (twice), saves its receipt, and `notary verify` accepts it
// offline and against the node; a changed file, a tampered proof, a wrong block ID and a block that is not
// on the node's chain are refused with exit 1 and the failed check; after the node restarts the receipt
// is still valid and the node still lists both registrations.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blake2b256 } from '../../consensus/crypto/hash.js'
import { toHex, utf8 } from '../../consensus/encoding/hex.js'
import { apiUrl, startNodes, stopNodes } from '../../devnet/runner.js'
import { type DevnetConfig, initDevnet } from '../../devnet/setup.js'
import { runCli } from '../utils/cli.js'
import { getJson, until } from '../utils/poll.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-e2e-notary-'))
const path = (name: string) => join(dir, name)
let config: DevnetConfig | undefined
let url = ''
let faucetMnemonic = ''

async function json(...args: string[]): Promise<any> {
  const r = await runCli(...args, '--json')
  if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.err}`)
  return JSON.parse(r.out)
}
const wallet = (...args: string[]) => json('wallet', ...args, '--wallet', path('faucet.json'), '--node', url)
const height = async (): Promise<number> => (await getJson(`${url}/consensus`)).height
const confirmed = (id: string) =>
  until(`transaction ${id.slice(0, 8)} to be confirmed`, 30_000, async () => {
    const t = await getJson(`${url}/transactions/${id}`)
    return t && !t.unconfirmed ? t : undefined
  })
/** `notary verify` with --json: its exit code and answer. */
async function verify(receipt: string, file: string, ...more: string[]) {
  const r = await runCli('notary', 'verify', receipt, file, ...more, '--json')
  return { code: r.code, answer: r.out ? JSON.parse(r.out) : undefined, err: r.err }
}

const document = path('contract.txt')
const contents = 'the contract, signed by both parties\n'

beforeAll(async () => {
  process.env.BLOCKSTAKE_PASSPHRASE = 'e2e notary passphrase'
  const created = await initDevnet({ dir: path('devnet'), nodes: 1, blockTime: 1 })
  config = created.config
  faucetMnemonic = created.faucetMnemonic
  startNodes(config, { detached: false })
  url = apiUrl(config.nodes[0]!)
  await until('the node to create blocks', 30_000, async () => ((await height()) >= 1 ? true : undefined))
  writeFileSync(document, contents)
}, 40_000)

afterAll(async () => {
  if (config) await stopNodes(config, 5000)
  delete process.env.BLOCKSTAKE_PASSPHRASE
  rmSync(dir, { recursive: true, force: true })
}, 20_000)

describe('notary against a node process', () => {
  const hash = toHex(blake2b256(utf8(contents)))
  let first = ''
  let second = ''

  it('notarizes a file; the receipt verifies offline and against the node', async () => {
    await json(
      'wallet',
      'recover',
      '--mnemonic',
      faucetMnemonic,
      '--wallet',
      path('faucet.json'),
      '--node',
      url,
    )
    const unknown = await runCli('wallet', 'notary', 'receipt', document, '--node', url)
    expect(unknown.code).toBe(2)
    expect(unknown.err).toBe(`no receipt: hash ${hash} is not registered on the main chain\n`)

    const sent = await wallet('notarize', document)
    expect(sent).toEqual({ transactionId: expect.stringMatching(/^[0-9a-f]{64}$/), hash })
    first = sent.transactionId
    // the record is the transaction's arbitrary data: "nty1" and the hash
    const tx = await getJson(`${url}/transactions/${first}`)
    expect(Buffer.from(tx.transaction.data.arbitrarydata, 'base64').toString('hex')).toBe(`6e747931${hash}`)
    await confirmed(first)

    const saved = await wallet('notary', 'receipt', document, '--out', path('receipt.json'))
    expect(saved).toMatchObject({ hash, transactionId: first, registrations: 1, out: path('receipt.json') })
    const receipt = JSON.parse(readFileSync(path('receipt.json'), 'utf8'))
    for (const k of ['hash', 'transactionId', 'blockId', 'height', 'proof']) expect(receipt).toHaveProperty(k)
    expect(receipt).toMatchObject({
      hash,
      transactionId: first,
      blockId: saved.blockId,
      height: saved.height,
    })

    expect(await verify(path('receipt.json'), document)).toMatchObject({
      code: 0,
      answer: { valid: true, height: saved.height, confirmations: null },
    })
    const online = await verify(path('receipt.json'), document, '--node', url)
    expect(online.code).toBe(0)
    expect(online.answer).toMatchObject({ valid: true, height: saved.height })
    expect(online.answer.confirmations).toBeGreaterThanOrEqual(1)
    const tip = await height()
    expect(online.answer.confirmations).toBeLessThanOrEqual(tip - saved.height + 1)

    // the receipt by hash is the same receipt
    const byHash = await runCli('wallet', 'notary', 'receipt', hash, '--node', url)
    expect(JSON.parse(byHash.out)).toEqual(receipt)
  }, 60_000)

  it('refuses a changed file, a tampered proof, a wrong block ID and a block not on the chain', async () => {
    const receipt = JSON.parse(readFileSync(path('receipt.json'), 'utf8'))
    const write = (name: string, r: object) => {
      writeFileSync(path(name), JSON.stringify(r))
      return path(name)
    }
    writeFileSync(path('changed.txt'), `${contents} `)
    const changed = await verify(path('receipt.json'), path('changed.txt'))
    expect(changed.code).toBe(1)
    expect(changed.answer).toEqual({
      valid: false,
      reason: expect.stringMatching(/^the file's hash [0-9a-f]{64} is not the receipt's hash/),
    })
    expect(changed.err).toMatch(/^invalid receipt: the file's hash/)
    expect(changed.err.trim().split('\n')).toHaveLength(1)

    const flip = (h: string) => (h[0] === '0' ? '1' : '0') + h.slice(1)
    const proof =
      receipt.proof.path.length > 0
        ? { ...receipt.proof, path: [flip(receipt.proof.path[0]), ...receipt.proof.path.slice(1)] }
        : { ...receipt.proof, leafIndex: receipt.proof.leafIndex + 1, leafCount: receipt.proof.leafCount + 1 }
    const tampered = await verify(write('tampered.json', { ...receipt, proof }), document)
    expect(tampered).toMatchObject({
      code: 1,
      answer: { valid: false, reason: expect.stringMatching(/Merkle proof/) },
    })

    const wrongId = await verify(
      write('wrong-id.json', { ...receipt, blockId: flip(receipt.blockId) }),
      document,
    )
    expect(wrongId).toMatchObject({
      code: 1,
      answer: { valid: false, reason: expect.stringMatching(/^the header hashes to block/) },
    })

    // the height is not in the header: offline it cannot be checked, the node refuses it
    const moved = write('moved.json', { ...receipt, height: receipt.height - 1 })
    expect((await verify(moved, document)).code).toBe(0)
    const notOnChain = await verify(moved, document, '--node', url)
    expect(notOnChain).toMatchObject({
      code: 1,
      answer: {
        valid: false,
        reason: expect.stringMatching(/is not on the node's main chain: its block at height/),
      },
    })
    const beyond = await verify(
      write('beyond.json', { ...receipt, height: receipt.height + 1_000_000 }),
      document,
      '--node',
      url,
    )
    expect(beyond).toMatchObject({
      code: 1,
      answer: {
        valid: false,
        reason: expect.stringMatching(/not on the node's main chain: it ends at height/),
      },
    })

    const malformed = await verify(write('malformed.json', { ...receipt, blockId: 'xyz' }), document)
    expect(malformed).toMatchObject({
      code: 1,
      answer: { valid: false, reason: expect.stringMatching(/^malformed receipt: blockId/) },
    })
  }, 60_000)

  it('lists both registrations of a file notarized twice, and answers 400/404 for bad and unknown hashes', async () => {
    second = (await wallet('notarize', document, '--note', 'v2')).transactionId
    await confirmed(second)
    const listed = await getJson(`${url}/notary/${hash}`)
    expect(listed.registrations.map((r: any) => r.transactionId)).toEqual([first, second])
    const picked = await wallet(
      'notary',
      'receipt',
      document,
      '--transaction',
      second,
      '--out',
      path('second.json'),
    )
    expect(picked).toMatchObject({ transactionId: second, registrations: 2 })
    expect((await verify(path('second.json'), document, '--node', url)).code).toBe(0)

    const bad = await fetch(`${url}/notary/not-a-hash`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({
      code: 'invalid-parameter',
      message: expect.stringMatching(/^hash: /),
    })
    const none = await fetch(`${url}/notary/${'00'.repeat(32)}`)
    expect(none.status).toBe(404)
    expect(await none.json()).toMatchObject({ code: 'not-found' })
  }, 60_000)

  it('the receipt is still valid after the node restarts', async () => {
    const before = await getJson(`${url}/notary/${hash}`)
    await stopNodes(config!, 5000)
    startNodes(config!, { detached: false })
    await until('the node to answer again', 30_000, async () =>
      (await height()) >= before.height ? true : undefined,
    )
    const after = await getJson(`${url}/notary/${hash}`)
    expect(after.registrations).toEqual(before.registrations)
    const again = await verify(path('receipt.json'), document, '--node', url)
    expect(again).toMatchObject({ code: 0, answer: { valid: true } })
  }, 60_000)
})
