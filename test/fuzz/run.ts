// `npm run fuzz [-- target… --inputs N --seed S --hang-ms M --max-seconds T --only i,j]`: runs every fuzz
// target (or the ones named) one after the other, each in its own Node process (a fresh heap per figure),
// and prints one JSON line per target in the benchmarks' style. Defaults: 1,000,000 inputs per target
// (FUZZ_INPUTS), seed 1 (FUZZ_SEED), an input over 200 ms (wall clock and CPU) is a hang, a target stops after 3 hours.
// A watchdog thread kills a target whose current input has not returned within a minute and prints it.
import { spawnSync } from 'node:child_process'
import { writeSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { fuzzTarget, type TargetReport } from './engine.js'
import { createTarget, TARGET_NAMES } from './targets/index.js'

interface Options {
  targets: string[]
  inputs: number
  seed: number
  hangMs: number
  maxSeconds: number
  stallSeconds: number
  only?: number[]
  child: boolean
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    targets: [],
    inputs: Number(process.env.FUZZ_INPUTS ?? 1_000_000),
    seed: Number(process.env.FUZZ_SEED ?? 1),
    hangMs: 200,
    maxSeconds: 3 * 3600,
    stallSeconds: 60,
    child: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (v === undefined) usage(`${arg} needs a value`)
      return v!
    }
    const int = () => {
      const n = Number(value())
      if (!Number.isSafeInteger(n) || n < 0) usage(`${arg}: expected a non-negative integer`)
      return n
    }
    if (arg === '--inputs') opts.inputs = int()
    else if (arg === '--seed') opts.seed = int()
    else if (arg === '--hang-ms') opts.hangMs = int()
    else if (arg === '--max-seconds') opts.maxSeconds = int()
    else if (arg === '--stall-seconds') opts.stallSeconds = int()
    else if (arg === '--only') opts.only = value().split(',').map(Number)
    else if (arg === '--child') opts.child = true
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`)
    else opts.targets.push(arg)
  }
  const unknown = opts.targets.filter((t) => !(TARGET_NAMES as readonly string[]).includes(t))
  if (unknown.length > 0) usage(`unknown target ${unknown.join(', ')}; targets: ${TARGET_NAMES.join(', ')}`)
  if (!Number.isSafeInteger(opts.inputs) || !Number.isSafeInteger(opts.seed))
    usage('FUZZ_INPUTS and FUZZ_SEED are integers')
  return opts
}

function usage(message: string): never {
  console.error(`fuzz: ${message}`)
  process.exit(2)
}

/** Kills this process when one input has not returned for `seconds` (a hang the timer cannot see). */
function watchdog(target: string, seed: number, seconds: number): Int32Array {
  const shared = new Int32Array(new SharedArrayBuffer(8))
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads')
    const { writeSync } = require('node:fs')
    const { shared, target, seed, seconds } = workerData
    let last = -1, since = Date.now()
    setInterval(() => {
      const tick = Atomics.load(shared, 1)
      if (tick !== last) { last = tick; since = Date.now(); return }
      if (Date.now() - since < seconds * 1000) return
      const index = Atomics.load(shared, 0)
      writeSync(2, 'fuzz ' + target + ': input ' + index + ' has not returned after ' + seconds + ' s (reproduce: npm run fuzz -- ' + target + ' --seed ' + seed + ' --only ' + index + ')\\n')
      writeSync(1, JSON.stringify({ bench: 'fuzz', metric: target, seed, failures: 1, hang: { index, seconds } }) + '\\n')
      process.kill(process.pid, 'SIGKILL')
    }, 1000)`,
    { eval: true, workerData: { shared, target, seed, seconds } },
  )
  worker.unref()
  return shared
}

async function runChild(opts: Options): Promise<number> {
  const name = opts.targets[0]!
  const target = await createTarget(name)
  const shared = watchdog(name, opts.seed, opts.stallSeconds)
  let tick = 0
  const started = Date.now()
  const total = opts.only?.length ?? opts.inputs
  let report: TargetReport
  try {
    report = await fuzzTarget(target, {
      inputs: opts.inputs,
      seed: opts.seed,
      hangMs: opts.hangMs,
      maxSeconds: opts.maxSeconds,
      ...(opts.only ? { only: opts.only } : {}),
      onInput: (index) => {
        Atomics.store(shared, 0, index)
        Atomics.store(shared, 1, ++tick)
      },
      progressEvery: 100_000,
      onProgress: (done) =>
        writeSync(
          2,
          `fuzz ${name}: ${done}/${total} inputs, ${Math.round((Date.now() - started) / 1000)} s\n`,
        ),
    })
  } finally {
    await target.close?.()
  }
  const { distinct, ...figures } = report
  for (const f of distinct) {
    writeSync(
      2,
      `fuzz ${name}: ${f.kind} ×${f.count} ${f.error}${f.at ? ` at ${f.at}` : ''}\n` +
        `  first input #${f.index} (length ${f.inputLength}): ${f.input}\n` +
        `  reproduce: npm run fuzz -- ${name} --seed ${report.seed} --only ${f.index}\n`,
    )
  }
  console.log(JSON.stringify({ bench: 'fuzz', metric: name, ...figures, distinct }))
  return report.failures === 0 ? 0 : 1
}

function runAll(opts: Options): number {
  const script = fileURLToPath(import.meta.url)
  const passOn = [
    '--inputs',
    String(opts.inputs),
    '--seed',
    String(opts.seed),
    '--hang-ms',
    String(opts.hangMs),
    '--max-seconds',
    String(opts.maxSeconds),
    '--stall-seconds',
    String(opts.stallSeconds),
    ...(opts.only ? ['--only', opts.only.join(',')] : []),
  ]
  const failed: string[] = []
  for (const name of opts.targets.length > 0 ? opts.targets : TARGET_NAMES) {
    const { status, signal } = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, '--child', name, ...passOn],
      { stdio: 'inherit' },
    )
    if (status !== 0) failed.push(`${name} (${signal ?? `exit ${status}`})`)
  }
  if (failed.length > 0) console.error(`fuzz: failures in ${failed.join(', ')}`)
  return failed.length === 0 ? 0 : 1
}

const opts = parseArgs(process.argv.slice(2))
process.exitCode = opts.child ? await runChild(opts) : runAll(opts)
