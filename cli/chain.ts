// `blockstake chain import` and `blockstake chain export`: main-chain blocks in and out of a data directory,
// one block per line (binary hex or Rivine block JSON), with full validation on the way in.
import { once } from 'node:events'
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { type Command, Option } from 'commander'
import { DecodeError } from '../consensus/encoding/errors.js'
import { fromHex, toHex } from '../consensus/encoding/hex.js'
import { parseJson, stringifyJson } from '../consensus/encoding/json.js'
import type { Target } from '../consensus/pobs/target.js'
import type { Block, BlockCodec } from '../consensus/types/block.js'
import { ValidationError } from '../consensus/validation/errors.js'
import type { Chain, TipInfo } from '../node/chain/chain.js'
import { chainRules, openDataDir, resolveDefinition } from '../node/datadir.js'
import { UserError } from './errors.js'
import { println } from './io.js'

// ---- import -----------------------------------------------------------------------------------------

/** One line of an import file: Rivine block JSON (starts with `{`) or the hex of the binary block. */
export function parseBlockLine(codec: BlockCodec, text: string, lineNumber: number): Block {
  try {
    if (text.startsWith('{')) return codec.fromJson(parseJson(text))
    const hex = text.replace(/^0x/, '')
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw new DecodeError('invalid-value', 'neither block JSON nor hex')
    return codec.decode(fromHex(hex))
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new UserError(`line ${lineNumber}: invalid block: ${message}`)
  }
}

export interface ImportCounts {
  /** Blocks that extended (or reorganised to) the main chain. */
  applied: number
  /** Blocks the chain already had. */
  known: number
  /** Valid blocks stored on a lighter branch. */
  side: number
}

export interface ImportFailure {
  readonly line: number
  /** The block's would-be height (its parent's height + 1), or null when its parent is unknown. */
  readonly height: number | null
  readonly code: string
  readonly message: string
}

export type ImportOutcome =
  | { readonly status: 'done' | 'interrupted'; readonly counts: ImportCounts }
  | { readonly status: 'invalid'; readonly counts: ImportCounts; readonly failure: ImportFailure }

/**
 * Adds the blocks of `lines` in order (blank lines ignored) until the first invalid block. A malformed line
 * throws a UserError naming it; everything before it stays in the chain. When `signal` aborts, stops after
 * the current block.
 */
export async function importBlocks(
  chain: Chain,
  lines: AsyncIterable<string>,
  opts: { signal?: AbortSignal; onBlock?: (counts: ImportCounts) => void; batchSize?: number } = {},
): Promise<ImportOutcome> {
  const counts: ImportCounts = { applied: 0, known: 0, side: 0 }
  const batchSize = opts.batchSize ?? 64
  let batch: { block: Block; line: number }[] = []
  /** Adds the batch (grouped, signatures verified in parallel); returns a failure outcome if one is invalid. */
  const flush = async (): Promise<ImportOutcome | undefined> => {
    if (batch.length === 0) return undefined
    const items = batch
    batch = []
    const { results, error } = await chain.addBlocks(items.map((i) => i.block))
    for (const [i, result] of results.entries()) {
      const { block, line } = items[i]!
      const fail = async (code: string, message: string): Promise<ImportOutcome> => {
        const parent = await chain.meta(block.parentId)
        return {
          status: 'invalid',
          counts,
          failure: { line, height: parent ? parent.height + 1 : null, code, message },
        }
      }
      switch (result.status) {
        case 'tip':
          counts.applied++
          break
        case 'duplicate':
          counts.known++
          break
        case 'side':
          counts.side++
          break
        case 'orphan':
          return fail(
            'unknown-parent',
            `parent block ${toHex(block.parentId)} is not known: blocks must be imported in chain order`,
          )
        case 'future':
          return fail(
            'timestamp-in-future',
            `block timestamp ${block.timestamp} is ahead of the local clock (acceptable from ${result.retryAt})`,
          )
      }
      opts.onBlock?.(counts)
    }
    if (error) {
      const { block, line } = items[error.index]!
      if (!(error.error instanceof ValidationError)) throw error.error
      const parent = await chain.meta(block.parentId)
      return {
        status: 'invalid',
        counts,
        failure: {
          line,
          height: parent ? parent.height + 1 : null,
          code: error.error.code,
          message: error.error.message,
        },
      }
    }
    return undefined
  }
  let lineNumber = 0
  for await (const raw of lines) {
    lineNumber++
    if (opts.signal?.aborted) break
    const text = raw.trim()
    if (text === '') continue
    let block: Block
    try {
      block = parseBlockLine(chain.codec, text, lineNumber)
    } catch (err) {
      // everything before a malformed line stays in the chain
      const failed = await flush()
      if (failed) return failed
      throw err
    }
    batch.push({ block, line: lineNumber })
    if (batch.length >= batchSize) {
      const failed = await flush()
      if (failed) return failed
    }
  }
  const failed = await flush()
  if (failed) return failed
  return { status: opts.signal?.aborted ? 'interrupted' : 'done', counts }
}

/**
 * The lines of FILE (or stdin for `-`). The file is opened now, so a missing one fails before anything else;
 * reading starts with the iteration (lines emitted before it would be lost).
 */
function openLines(file: string): { lines: AsyncIterable<string>; close: () => void } {
  let fd: number | undefined
  if (file !== '-') {
    try {
      fd = openSync(file, 'r')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new UserError(
        `cannot read blocks file "${file}": ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`,
      )
    }
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd)
      throw new UserError(`cannot read blocks file "${file}": is a directory`)
    }
  }
  let closed = false
  let release = () => {
    if (fd !== undefined) closeSync(fd)
  }
  const close = () => {
    if (closed) return
    closed = true
    release()
  }
  async function* lines(): AsyncGenerator<string> {
    if (closed) return
    const input = fd === undefined ? process.stdin : createReadStream('', { fd, encoding: 'utf8' })
    const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
    // the stream owns the descriptor from now on
    release = () => {
      rl.close()
      if (input !== process.stdin) input.destroy()
    }
    try {
      yield* rl
    } finally {
      close()
    }
  }
  return { lines: lines(), close }
}

const hex64 = (t: Target): string => t.toString(16).padStart(64, '0')

function tipSummary(tip: TipInfo) {
  return {
    height: tip.height,
    tipId: toHex(tip.id),
    depth: hex64(tip.depth),
    childTarget: hex64(tip.childTarget),
  }
}

/** A failed import: printed as one line, exit code 1. */
export class ChainImportError extends Error {
  override readonly name = 'ChainImportError'
}

/** Exit code after an interrupt: 128 + the signal number, as shells report it. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 }

async function importAction(file: string, opts: { chain?: string; dataDir: string; json?: boolean }) {
  const def = resolveDefinition(opts.dataDir, opts.chain)
  chainRules(def)
  const input = openLines(file)
  // Ctrl-C: stop after the current block and close the chain; a second one exits at once
  // (every block is one atomic batch, so even that loses nothing committed)
  const abort = new AbortController()
  let signalName: string | undefined
  const onSignal = (name: string) => {
    if (signalName !== undefined) process.exit(SIGNAL_EXIT[name] ?? 1)
    signalName = name
    abort.abort()
    input.close()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const started = Date.now()
  let progress: NodeJS.Timeout | undefined
  let counts: ImportCounts = { applied: 0, known: 0, side: 0 }
  let outcome: ImportOutcome
  let tip: TipInfo
  try {
    const chain = await openDataDir(opts.dataDir, def, { create: true })
    try {
      if (process.stderr.isTTY) {
        progress = setInterval(() => {
          const seconds = (Date.now() - started) / 1000
          const done = counts.applied + counts.known + counts.side
          process.stderr.write(
            `\rimporting: height ${chain.height}, ${done} blocks read (${counts.applied} new) in ${seconds.toFixed(0)} s\x1b[K`,
          )
        }, 1000)
        progress.unref()
      }
      outcome = await importBlocks(chain, input.lines, {
        signal: abort.signal,
        onBlock: (c) => {
          counts = c
        },
      })
      tip = chain.tip
    } finally {
      if (progress) {
        clearInterval(progress)
        process.stderr.write('\r\x1b[K')
      }
      input.close()
      await chain.close()
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    input.close()
  }

  const summary = tipSummary(tip)
  if (outcome.status === 'invalid') {
    const f = outcome.failure
    if (opts.json)
      println(stringifyJson({ error: { line: f.line, height: f.height, code: f.code, message: f.message } }))
    throw new ChainImportError(
      `line ${f.line}: the block${f.height === null ? '' : ` at height ${f.height}`} is invalid (${f.code}): ${f.message}; the chain stays at height ${tip.height}`,
    )
  }
  const c = outcome.counts
  if (opts.json) {
    println(stringifyJson(outcome.status === 'interrupted' ? { ...summary, interrupted: true } : summary))
  } else {
    const what = `${c.applied + c.known + c.side} blocks (${c.applied} new, ${c.known} already known, ${c.side} on side branches)`
    const where = `tip at height ${summary.height}, id ${summary.tipId}`
    if (outcome.status === 'interrupted') process.stderr.write(`interrupted after ${what}: ${where}\n`)
    else println(`imported ${what}: ${where}, child target ${summary.childTarget}`)
  }
  if (outcome.status === 'interrupted') process.exit(SIGNAL_EXIT[signalName ?? 'SIGINT'] ?? 130)
}

// ---- export -----------------------------------------------------------------------------------------

function parseHeight(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new UserError(`${option}: expected a block height (a non-negative integer), got "${value}"`)
  return Number(value)
}

async function exportAction(opts: {
  chain?: string
  dataDir: string
  format: 'hex' | 'json'
  from?: string
  to?: string
}) {
  const from = parseHeight(opts.from, '--from') ?? 1
  const toOption = parseHeight(opts.to, '--to')
  if (from < 1)
    throw new UserError('--from: must be at least 1 (the genesis block comes from the chain definition)')
  const def = resolveDefinition(opts.dataDir, opts.chain)
  const chain = await openDataDir(opts.dataDir, def, { create: false })
  let broken = false
  let writeError: Error | undefined
  const onError = (err: NodeJS.ErrnoException) => {
    // the reader went away (`| head`): stop quietly
    if (err.code !== 'EPIPE') writeError = err
    broken = true
  }
  process.stdout.on('error', onError)
  try {
    const to = toOption ?? chain.height
    if (to > chain.height) throw new UserError(`--to: height ${to} is above the tip (height ${chain.height})`)
    if (from > to && toOption !== undefined) throw new UserError(`--from ${from} is above --to ${to}`)
    let pending = ''
    const flush = async () => {
      if (pending === '' || broken) return
      const chunk = pending
      pending = ''
      // a write error is recorded by onError (and ends the loop)
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain').catch(() => undefined)
    }
    for (let h = from; h <= to && !broken; h++) {
      const block = await chain.blockAt(h)
      if (!block) throw new Error(`the main chain has no block at height ${h}`)
      pending += `${opts.format === 'json' ? chain.codec.toJsonString(block) : toHex(chain.codec.encode(block))}\n`
      if (pending.length >= 1 << 16) await flush()
    }
    await flush()
    if (writeError) throw new Error(`cannot write to standard output: ${writeError.message}`)
  } finally {
    process.stdout.off('error', onError)
    await chain.close()
  }
}

// ---- commands -----------------------------------------------------------------------------------------

export function registerChainCommands(program: Command): void {
  const chain = program.command('chain').description('import and export blocks of a data directory')
  chain
    .command('import <file>')
    .description(
      'validate and add blocks (one per line: binary hex or Rivine block JSON; FILE or - for stdin) to the chain in DIR',
    )
    .option('--chain <preset|file>', 'chain preset name or chain definition file (default: DIR/chain.json)')
    .requiredOption('--data-dir <dir>', 'data directory (created if missing)')
    .option('--json', 'print one JSON object')
    .action(importAction)

  chain
    .command('export')
    .description('print the main chain blocks (height 1 to the tip), one per line')
    .option('--chain <preset|file>', 'chain preset name or chain definition file (default: DIR/chain.json)')
    .requiredOption('--data-dir <dir>', 'data directory')
    .addOption(new Option('--format <format>', 'block format').choices(['hex', 'json']).default('hex'))
    .option('--from <height>', 'first height (default 1)')
    .option('--to <height>', 'last height (default: the tip)')
    .action(exportAction)
}
