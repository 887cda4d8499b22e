// `blockstake tx inspect` and `blockstake block inspect`: offline decoding of transactions and blocks.
import type { Command } from 'commander'
import { DecodeError } from '../consensus/encoding/errors.js'
import { fromHex, toHex } from '../consensus/encoding/hex.js'
import { type JsonValue, parseJson, stringifyJson } from '../consensus/encoding/json.js'
import { BlockCodec } from '../consensus/types/block.js'
import type { Transaction, TransactionRegistry } from '../consensus/types/transaction.js'
import { UserError } from './errors.js'
import { println, readInput } from './io.js'
import { inspectRegistry } from './registry.js'

/** JSON (starts with `{`) or hex of the binary form, whitespace ignored. */
function parseInput<T>(
  text: string,
  what: string,
  fromJson: (v: unknown) => T,
  fromBinary: (b: Uint8Array) => T,
): T {
  const trimmed = text.trim()
  if (trimmed === '')
    throw new UserError(`no ${what} given: pass a file, or pipe Rivine JSON or hex on standard input`)
  if (trimmed.startsWith('{')) return fromJson(parseJson(trimmed))
  const hex = trimmed.replace(/\s+/g, '').replace(/^0x/, '')
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new DecodeError('invalid-value', `${what} is neither JSON nor hex`)
  return fromBinary(fromHex(hex))
}

export function inspectTransaction(registry: TransactionRegistry, tx: Transaction) {
  const { id, coinOutputIds, blockStakeOutputIds } = registry.outputIds(tx)
  const sig = (n: number) => Array.from({ length: n }, (_, i) => toHex(registry.inputSigHash(tx, i)))
  return {
    id: toHex(id),
    coinOutputIds: coinOutputIds.map(toHex),
    blockStakeOutputIds: blockStakeOutputIds.map(toHex),
    sigHashes: { coinInputs: sig(tx.coinInputs.length), blockStakeInputs: sig(tx.blockStakeInputs.length) },
    hex: toHex(registry.encode(tx)),
    json: registry.toJson(tx),
  }
}

function printHuman(rows: [string, string | string[]][]): void {
  for (const [k, v] of rows) {
    if (Array.isArray(v)) {
      println(`${k}:${v.length ? '' : ' (none)'}`)
      for (const [i, x] of v.entries()) println(`  [${i}] ${x}`)
    } else println(`${k}: ${v}`)
  }
}

export function registerInspectCommands(program: Command): void {
  program
    .command('tx')
    .description('transaction tools')
    .command('inspect [file]')
    .description(
      'decode a transaction (Rivine JSON or binary hex; FILE or - for stdin) and print its IDs and signature hashes',
    )
    .option('--json', 'print one JSON object')
    .action((file: string | undefined, opts: { json?: boolean }) => {
      const registry = inspectRegistry()
      const tx = parseInput(
        readInput(file, 'transaction'),
        'transaction',
        (v) => registry.fromJson(v),
        (b) => registry.decode(b),
      )
      const out = inspectTransaction(registry, tx)
      if (opts.json) {
        println(stringifyJson(out as unknown as JsonValue))
        return
      }
      printHuman([
        ['id', out.id],
        ['version', String(tx.version)],
        ['coin output ids', out.coinOutputIds],
        ['block stake output ids', out.blockStakeOutputIds],
        ['coin input signature hashes', out.sigHashes.coinInputs],
        ['block stake input signature hashes', out.sigHashes.blockStakeInputs],
        ['json', stringifyJson(out.json)],
        ['hex', out.hex],
      ])
    })

  program
    .command('block')
    .description('block tools')
    .command('inspect [file]')
    .description(
      'decode a block (Rivine JSON or binary hex; FILE or - for stdin) and print its ID, merkle root and IDs',
    )
    .option('--json', 'print one JSON object')
    .action((file: string | undefined, opts: { json?: boolean }) => {
      const codec = new BlockCodec(inspectRegistry())
      const block = parseInput(
        readInput(file, 'block'),
        'block',
        (v) => codec.fromJson(v),
        (b) => codec.decode(b),
      )
      const id = codec.id(block)
      const out = {
        id: toHex(id),
        merkleRoot: toHex(codec.merkleRoot(block)),
        transactionIds: block.transactions.map((tx) => toHex(codec.registry.id(tx))),
        minerPayoutIds: codec.minerPayoutIds(block, id).map(toHex),
        hex: toHex(codec.encode(block)),
        json: codec.toJson(block),
      }
      if (opts.json) {
        println(stringifyJson(out as unknown as JsonValue))
        return
      }
      printHuman([
        ['id', out.id],
        ['parent', toHex(block.parentId)],
        ['timestamp', `${block.timestamp} (${new Date(block.timestamp * 1000).toISOString()})`],
        ['merkle root', out.merkleRoot],
        ['transaction ids', out.transactionIds],
        ['miner payout ids', out.minerPayoutIds],
        ['json', stringifyJson(out.json)],
        ['hex', out.hex],
      ])
    })
}
