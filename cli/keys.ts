// `blockstake keys derive|new`: offline seed, mnemonic and address derivation (spec/rivine.md §7).
import type { Command } from 'commander'
import { nodeEd25519 } from '../consensus/crypto/ed25519.node.js'
import { fromHex, toHex } from '../consensus/encoding/hex.js'
import { stringifyJson } from '../consensus/encoding/json.js'
import { publicKeyToString } from '../consensus/types/publickey.js'
import { deriveKeys } from '../wallet/keys/derive.js'
import { generateSeed, mnemonicToSeed, seedToMnemonic } from '../wallet/keys/seed.js'
import { UserError } from './errors.js'
import { println } from './io.js'

const MAX_COUNT = 10_000

function parseCount(text: string | undefined, name: string, min: number, fallback: number): number {
  if (text === undefined) return fallback
  if (!/^[0-9]+$/.test(text)) throw new UserError(`--${name} must be a whole number, got "${text}"`)
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < min) throw new UserError(`--${name} must be at least ${min}`)
  return n
}

function report(seed: Uint8Array, index: number, count: number, json: boolean | undefined): void {
  const keys = deriveKeys(seed, index, count, nodeEd25519).map((k) => ({
    index: k.index,
    publicKey: publicKeyToString(k.publicKey),
    address: k.address,
  }))
  const out = { mnemonic: seedToMnemonic(seed), seed: toHex(seed), keys }
  if (json) {
    println(stringifyJson(out))
    return
  }
  println(`mnemonic: ${out.mnemonic}`)
  println(`seed:     ${out.seed}`)
  for (const k of keys) println(`key ${k.index}: ${k.address}  ${k.publicKey}`)
}

interface DeriveOptions {
  mnemonic?: string
  seed?: string
  index?: string
  count?: string
  json?: boolean
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('offline key tools: seeds, mnemonics, addresses')

  keys
    .command('derive')
    .description('derive keys and addresses from a 24-word mnemonic or a 32-byte hex seed')
    .option('--mnemonic <words>', 'BIP39 mnemonic (24 words)')
    .option('--seed <hex>', 'wallet seed (64 hex characters)')
    .option('--index <n>', 'first key index', '0')
    .option('--count <k>', 'number of keys', '1')
    .option('--json', 'print one JSON object')
    .action((opts: DeriveOptions) => {
      if ((opts.mnemonic === undefined) === (opts.seed === undefined)) {
        throw new UserError('give exactly one of --mnemonic "WORDS" or --seed HEX')
      }
      const seed =
        opts.mnemonic !== undefined ? mnemonicToSeed(opts.mnemonic) : fromHex(opts.seed!.trim(), 32, '--seed')
      const count = parseCount(opts.count, 'count', 1, 1)
      if (count > MAX_COUNT) throw new UserError(`--count must be at most ${MAX_COUNT}`)
      report(seed, parseCount(opts.index, 'index', 0, 0), count, opts.json)
    })

  keys
    .command('new')
    .description('make a fresh random seed and print its mnemonic and first address')
    .option('--count <k>', 'number of keys to show', '1')
    .option('--json', 'print one JSON object')
    .action((opts: { count?: string; json?: boolean }) => {
      const count = parseCount(opts.count, 'count', 1, 1)
      if (count > MAX_COUNT) throw new UserError(`--count must be at most ${MAX_COUNT}`)
      report(generateSeed(), 0, count, opts.json)
    })
}
