// Crash safety (DESIGN §5: every block apply is one atomic batch): a process importing into LevelDB is killed
// with SIGKILL at random moments; every time, the directory reopens at a block of the imported chain with the
// UTXO set of an in-memory replay to that height, and the next run resumes over it. Any valid chain does: a
// generated one (300 blocks, each a respend and a transfer).
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { stringifyJson } from '../../consensus/encoding/json.js'
import { chainDefinitionToJson } from '../../consensus/params/chain.js'
import { BlockCodec } from '../../consensus/types/block.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import { Chain } from '../../node/chain/chain.js'
import { openLevelStore } from '../../node/db/level.js'
import { type GeneratedChain, generatedChain } from '../utils/devchain.js'
import { MemoryChain } from '../utils/replay.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const fixture = fileURLToPath(new URL('./fixtures/import-forever.ts', import.meta.url))
const cli = join(root, 'cli/main.ts')

const KILLS = 20
/** Runs at most (a run that finishes before its kill counts too); each run is bounded on its own. */
const MAX_RUNS = 3 * KILLS

const temp = mkdtempSync(join(tmpdir(), 'blockstake-crash-'))
const children = new Set<ChildProcess>()
afterAll(() => {
  for (const c of children) c.kill('SIGKILL')
  rmSync(temp, { recursive: true, force: true })
})

/** Starts `node --import tsx ARGS` and keeps its output. */
function start(args: string[], stdin: 'ignore' | 'pipe' = 'ignore') {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    stdio: [stdin, 'pipe', 'pipe'],
  })
  children.add(child)
  const io = { out: '', err: '' }
  child.stdout!.on('data', (d) => {
    io.out += String(d)
  })
  child.stderr!.on('data', (d) => {
    io.err += String(d)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child)
      resolve({ code, signal })
    }),
  )
  return { child, io, exited }
}

/** Resolves when `ready()` holds (polled), rejects after `ms`. */
async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(10)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

describe('crash safety of the LevelDB chain', () => {
  let generated: GeneratedChain
  let definitionFile: string
  let hexFile: string
  /** UTXO-set hash of a fresh in-memory replay at every height 0..300. */
  const utxoHashes: string[] = []

  beforeAll(() => {
    generated = generatedChain({ blocks: 300, transactionsPerBlock: 1 })
    const codec = new BlockCodec(coreRegistry())
    definitionFile = join(temp, 'chain.json')
    hexFile = join(temp, 'chain.hex')
    writeFileSync(definitionFile, stringifyJson(chainDefinitionToJson(generated.def)))
    writeFileSync(hexFile, generated.blocks.map((b) => `${toHex(codec.encode(b))}\n`).join(''))
    const replay = new MemoryChain(generated.def, coreRegistry())
    utxoHashes.push(toHex(replay.utxoHash()))
    for (const block of generated.blocks) {
      replay.append(block)
      utxoHashes.push(toHex(replay.utxoHash()))
    }
  })

  const blockId = (h: number) => generated.ids[h]!

  /** Reopens `dir` in this process: its tip must be block h of the chain with the replay's UTXO set. */
  async function check(dir: string): Promise<number> {
    const chain = await Chain.open({
      store: await openLevelStore(dir),
      def: generated.def,
      registry: coreRegistry(),
      verifier: nodeEd25519,
    })
    try {
      const h = chain.height
      expect(toHex(chain.tip.id), `tip at height ${h}`).toBe(blockId(h))
      expect(toHex(await chain.utxoHash()), `UTXO set at height ${h}`).toBe(utxoHashes[h])
      return h
    } finally {
      await chain.close()
    }
  }

  it(`survives ≥ ${KILLS} SIGKILLs at random moments of an import and resumes each time`, async () => {
    let dirs = 0
    let dir = join(temp, `data-${++dirs}`)
    let previous = 0
    let kills = 0
    let completed = 0
    const heights: number[] = []
    for (let runs = 0; kills < KILLS && runs < MAX_RUNS; runs++) {
      const run = start([fixture, dir, definitionFile, hexFile])
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
      void run.exited.then((e) => {
        exit = e
      })
      await until(() => run.io.out.includes('started') || exit !== undefined, 20_000, 'the child to start')
      expect(run.io.out, run.io.err).toMatch(/started \d+/)
      await sleep(50 + Math.random() * 750)
      if (exit === undefined) {
        run.child.kill('SIGKILL')
        kills++
      }
      const result = await within(run.exited, 10_000, 'the child to exit')
      if (result.signal !== 'SIGKILL') {
        // it finished before the kill
        expect(result, run.io.err).toEqual({ code: 0, signal: null })
        completed++
      }
      const h = await check(dir)
      // nothing committed is ever lost
      expect(h).toBeGreaterThanOrEqual(previous)
      heights.push(h)
      previous = h
      if (h === generated.blocks.length) {
        dir = join(temp, `data-${++dirs}`)
        previous = 0
      }
    }
    expect(kills, `heights after each run: ${heights.join(' ')}`).toBeGreaterThanOrEqual(KILLS)
    // the kills landed mid-import (not only on finished chains)
    expect(heights.filter((h) => h > 0 && h < generated.blocks.length).length).toBeGreaterThan(0)
    console.info(
      `crash test: ${kills} kills, ${completed} completed runs, ${dirs} directories, heights ${heights.join(' ')}`,
    )
  }, 300_000)

  it('Ctrl-C during `chain import` stops after the current block, closes the chain and exits 130', async () => {
    const data = join(temp, 'cli-interrupt')
    const run = start(
      [cli, 'chain', 'import', '-', '--chain', definitionFile, '--data-dir', data, '--json'],
      'pipe',
    )
    const hex = generated.blocks.map((b) => toHex(new BlockCodec(coreRegistry()).encode(b)))
    // the first 50 blocks, then standard input stays open: the import waits for more
    run.child.stdin!.write(`${hex.slice(0, 50).join('\n')}\n`)
    // chain.json is written once the chain is open (the signal handler is installed before that)
    await until(() => existsSync(join(data, 'chain.json')), 20_000, 'the import to open its chain')
    await sleep(200)
    run.child.kill('SIGINT')
    const result = await within(run.exited, 10_000, 'the import to stop')
    run.child.stdin!.destroy()
    expect(result, run.io.err).toEqual({ code: 130, signal: null })
    const out = JSON.parse(run.io.out)
    expect(out).toMatchObject({ interrupted: true, tipId: blockId(out.height) })
    expect(out.height).toBeLessThanOrEqual(50)
    // closed cleanly: the directory reopens at the reported tip
    expect(await check(join(data, 'db'))).toBe(out.height)
  }, 60_000)
})
