// The fuzz engine: a target is one decoder that takes outside bytes or text (its inputs: inputs.ts). The
// decoder must either return a value that re-encodes canonically (checked by the target) or throw its typed
// error. Anything else (a TypeError, a RangeError, a stack overflow, a failed round trip, a decode slower
// than the hang limit in both wall-clock and CPU time) is a failure, reported with the input's index.
import type fc from 'fast-check'
import type { Format } from '../../consensus/encoding/codec.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { InputSource } from './inputs.js'
import type { Rng } from './rng.js'

export type FuzzInput = Uint8Array | string

export interface Target<I extends FuzzInput = FuzzInput, V = unknown> {
  readonly name: string
  /** Byte inputs get byte mutators, text inputs JSON tree and character mutators. */
  readonly input: I extends string ? 'text' : 'bytes'
  /** The codec of byte inputs, for the length-prefix mutators. */
  readonly format?: Format
  /** Valid encodings to mutate (besides a pool drawn from `generate`). */
  readonly seeds: readonly I[]
  /** Fresh valid inputs (structure-aware). */
  readonly generate: fc.Arbitrary<I>
  /** Hostile but well-formed inputs a generic mutator rarely reaches (deep nesting, huge lists). */
  readonly special?: (rng: Rng) => I
  decode(input: I): V | Promise<V>
  /** Whether `err` is the decoder's typed rejection. */
  isRejection(err: unknown): boolean
  /** Throws unless an accepted value re-encodes to a canonical form that decodes to an equal value. */
  check(value: V, input: I): void
  close?(): Promise<void>
}

/** A failed oracle: the decoder accepted something it cannot give back. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure'
}

export type FailureKind = 'crash' | 'roundtrip' | 'hang'

export interface Failure {
  readonly kind: FailureKind
  readonly index: number
  readonly error: string
  /** Where the error was thrown (the first stack frame in the project). */
  readonly at: string
  /** The input, clipped (hex for bytes). */
  readonly input: string
  readonly inputLength: number
}

export interface TargetReport {
  readonly target: string
  readonly seed: number
  readonly inputs: number
  readonly accepted: number
  readonly rejected: number
  readonly failures: number
  /** Distinct failures (same kind, error and place), each with its first input and how often it occurred. */
  readonly distinct: readonly (Failure & { readonly count: number })[]
  /**
   * The slowest decode after re-timing (an input over the hang limit, or slower than every one before it,
   * runs twice more; the lowest of the three times counts), its index, and the slowest first timing.
   */
  readonly maxMs: number
  readonly maxMsIndex: number
  /** The CPU time (user + system, decode and check) of that input's re-timing; null when it was not re-timed. */
  readonly maxMsCpu: number | null
  readonly maxFirstMs: number
  /** The slowest round-trip check (re-encoding, IDs) of an accepted input, and its index. */
  readonly maxCheckMs: number
  readonly maxCheckMsIndex: number
  /** Time spent in the decoder (the rest of `seconds` is generating inputs and checking round trips). */
  readonly decodeSeconds: number
  readonly seconds: number
  readonly stoppedEarly: boolean
  readonly rssBeforeMb: number
  readonly rssAfterMb: number
  /** The process's peak, generating inputs included (sampled every 1,000 inputs). */
  readonly rssPeakMb: number
  /** The most the RSS grew over one input's decode and check, and that input. */
  readonly maxInputRssMb: number
  readonly maxInputRssIndex: number
  readonly heapBeforeMb: number
  readonly heapAfterMb: number
}

export interface RunOptions {
  readonly inputs: number
  readonly seed: number
  /** An input slower than this (confirmed by re-timing) is a hang. */
  readonly hangMs?: number
  /** Stops a target after this long (the report says so). */
  readonly maxSeconds?: number
  /** Runs only these input indexes (to reproduce a report). */
  readonly only?: readonly number[]
  /** Called before each input (the runner's watchdog). */
  readonly onInput?: (index: number) => void
  /** Called every `progressEvery` inputs. */
  readonly onProgress?: (done: number) => void
  readonly progressEvery?: number
}

const MB = 1024 * 1024
const mb = (n: number) => Math.round(n / MB)
/** A new slowest decode above this is re-timed (below it, the figure is not worth the time). */
const RETIME_MS = 10

const isThenable = (v: unknown): v is Promise<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function'

function describeError(err: unknown): { error: string; at: string } {
  if (!(err instanceof Error)) return { error: `non-Error thrown: ${String(err)}`, at: '' }
  const frame =
    (err.stack ?? '')
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .find((l) => /(consensus|p2p|node|wallet)[/\\]/.test(l) && !l.includes('node_modules')) ?? ''
  const where = /([\w-]+[/\\][\w.-]+\.ts):(\d+)/.exec(frame)
  return {
    error: `${err.name}: ${err.message.split('\n')[0]!.slice(0, 300)}`,
    at: where ? `${where[1]}:${where[2]}` : '',
  }
}

function clip(input: FuzzInput): string {
  if (typeof input === 'string') return input.length > 600 ? `${input.slice(0, 600)}…` : input
  const hex = toHex(input.subarray(0, 300))
  return input.length > 300 ? `${hex}…` : hex
}

type Result = { kind: 'accepted' } | { kind: 'rejected' } | { kind: FailureKind; err: unknown }

interface Timed {
  readonly result: Result
  /** The decoder's time: what a hang is measured on. */
  readonly decodeMs: number
  /** The round-trip check's time (re-encoding, IDs), reported apart. */
  readonly checkMs: number
}

function rejection<I extends FuzzInput>(target: Target<I>, err: unknown): Result {
  if (target.isRejection(err)) return { kind: 'rejected' }
  return { kind: 'crash', err }
}

function checked<I extends FuzzInput>(
  target: Target<I>,
  input: I,
  value: unknown,
  start: number,
  decoded: number,
): Timed {
  let result: Result = { kind: 'accepted' }
  try {
    target.check(value, input)
  } catch (err) {
    result = { kind: 'roundtrip', err }
  }
  return { result, decodeMs: decoded - start, checkMs: performance.now() - decoded }
}

async function settle<I extends FuzzInput>(
  target: Target<I>,
  input: I,
  pending: Promise<unknown>,
  start: number,
): Promise<Timed> {
  let value: unknown
  try {
    value = await pending
  } catch (err) {
    return { result: rejection(target, err), decodeMs: performance.now() - start, checkMs: 0 }
  }
  return checked(target, input, value, start, performance.now())
}

/** One input through the decoder and the check; sync decoders go without an await (a microtask per input). */
function runOne<I extends FuzzInput>(target: Target<I>, input: I): Timed | Promise<Timed> {
  const start = performance.now()
  let value: unknown
  try {
    value = target.decode(input)
  } catch (err) {
    return { result: rejection(target, err), decodeMs: performance.now() - start, checkMs: 0 }
  }
  if (isThenable(value)) return settle(target, input, value, start)
  return checked(target, input, value, start, performance.now())
}

async function timed<I extends FuzzInput>(target: Target<I>, input: I): Promise<Timed> {
  const r = runOne(target, input)
  return isThenable(r) ? await r : r
}

/** The decode's wall time and the process's CPU time over the decode and check. */
async function cpuTimed<I extends FuzzInput>(
  target: Target<I>,
  input: I,
): Promise<{ ms: number; cpuMs: number }> {
  const before = process.cpuUsage()
  const t = await timed(target, input)
  const used = process.cpuUsage(before)
  return { ms: t.decodeMs, cpuMs: (used.user + used.system) / 1000 }
}

/** Runs `opts.inputs` inputs (or `opts.only`) through `target` and reports. */
export async function fuzzTarget<I extends FuzzInput>(
  target: Target<I>,
  opts: RunOptions,
): Promise<TargetReport> {
  const hangMs = opts.hangMs ?? 200
  const gc = (globalThis as { gc?: () => void }).gc
  const source = new InputSource(target, opts.seed)
  gc?.()
  const before = process.memoryUsage()
  let rssPeak = before.rss
  const counts = { accepted: 0, rejected: 0, failures: 0 }
  const distinct = new Map<string, Failure & { count: number }>()
  let maxMs = 0
  let maxMsIndex = -1
  let maxMsCpu = Number.NaN
  let maxFirstMs = 0
  let maxCheckMs = 0
  let maxCheckMsIndex = -1
  let maxInputRss = 0
  let maxInputRssIndex = -1
  let decodeMsTotal = 0
  let done = 0
  let stoppedEarly = false
  const start = performance.now()
  const deadline = opts.maxSeconds === undefined ? Number.POSITIVE_INFINITY : start + opts.maxSeconds * 1000
  const every = opts.progressEvery ?? 10_000
  const total = opts.only?.length ?? opts.inputs

  const record = (kind: FailureKind, index: number, input: I, err: unknown, ms?: number, cpuMs?: number) => {
    counts.failures++
    const d =
      kind === 'hang'
        ? { error: `took ${ms!.toFixed(0)} ms, ${cpuMs!.toFixed(0)} ms of CPU (limit ${hangMs} ms)`, at: '' }
        : describeError(err)
    const key = `${kind}|${d.error.replace(/\d+/g, 'N')}|${d.at}`
    const seen = distinct.get(key)
    if (seen) seen.count++
    else distinct.set(key, { kind, index, ...d, input: clip(input), inputLength: input.length, count: 1 })
  }

  for (let n = 0; n < total; n++) {
    const index = opts.only ? opts.only[n]! : n
    if (performance.now() > deadline) {
      stoppedEarly = true
      break
    }
    const input = source.at(index)
    opts.onInput?.(index)
    const rssBefore = process.memoryUsage.rss()
    const first = await timed(target, input)
    const grown = process.memoryUsage.rss() - rssBefore
    if (grown > maxInputRss) {
      maxInputRss = grown
      maxInputRssIndex = index
    }
    const result = first.result
    let ms = first.decodeMs
    let cpuMs = Number.NaN
    decodeMsTotal += ms
    if (first.checkMs > maxCheckMs) {
      maxCheckMs = first.checkMs
      maxCheckMsIndex = index
    }
    maxFirstMs = Math.max(maxFirstMs, ms)
    if (ms > hangMs || (ms > maxMs && ms > RETIME_MS)) {
      // a GC pause or a busy shared core is not the decoder: a hang or a new slowest input is re-timed
      // twice, and the fastest of the three counts; a hang must also have used that much CPU (on a
      // shared machine the wall clock includes other processes' turns on the core)
      const a = await cpuTimed(target, input)
      const b = await cpuTimed(target, input)
      ms = Math.min(ms, a.ms, b.ms)
      cpuMs = Math.min(a.cpuMs, b.cpuMs)
      if (ms > hangMs && cpuMs > hangMs) record('hang', index, input, undefined, ms, cpuMs)
    }
    if (ms > maxMs) {
      maxMs = ms
      maxMsIndex = index
      maxMsCpu = cpuMs
    }
    if (result.kind === 'accepted' || result.kind === 'rejected') counts[result.kind]++
    else record(result.kind, index, input, result.err)
    done++
    if (done % 1000 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
    if (done % every === 0) opts.onProgress?.(done)
  }
  const seconds = (performance.now() - start) / 1000
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
  gc?.()
  const after = process.memoryUsage()
  return {
    target: target.name,
    seed: opts.seed,
    inputs: done,
    accepted: counts.accepted,
    rejected: counts.rejected,
    failures: counts.failures,
    distinct: [...distinct.values()],
    maxMs: Number(maxMs.toFixed(2)),
    maxMsIndex,
    maxMsCpu: Number.isNaN(maxMsCpu) ? null : Number(maxMsCpu.toFixed(2)),
    maxFirstMs: Number(maxFirstMs.toFixed(2)),
    maxCheckMs: Number(maxCheckMs.toFixed(2)),
    maxCheckMsIndex,
    decodeSeconds: Number((decodeMsTotal / 1000).toFixed(1)),
    seconds: Number(seconds.toFixed(1)),
    stoppedEarly,
    rssBeforeMb: mb(before.rss),
    rssAfterMb: mb(after.rss),
    rssPeakMb: mb(rssPeak),
    maxInputRssMb: mb(maxInputRss),
    maxInputRssIndex,
    heapBeforeMb: mb(before.heapUsed),
    heapAfterMb: mb(after.heapUsed),
  }
}
