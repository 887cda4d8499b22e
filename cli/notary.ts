// `blockstake notary verify RECEIPT FILE [--node URL]` (issue #14, docs/notary.md): checks a notary receipt
// offline (file hash, record, transaction ID, Merkle proof, block ID) and, with a node, that the block is on
// its main chain and how many confirmations it has. No wallet needed.
import { closeSync, openSync, readSync } from 'node:fs'
import type { Command } from 'commander'
import { createBLAKE2b } from 'hash-wasm'
import { DecodeError } from '../consensus/encoding/errors.js'
import { toHex } from '../consensus/encoding/hex.js'
import { parseJson } from '../consensus/encoding/json.js'
import {
  type NotaryReceipt,
  parseNotaryReceipt,
  verifyNotaryReceipt,
} from '../consensus/extensions/notary/receipt.js'
import { coreRegistry } from '../consensus/types/registry.js'
import { NodeClient } from '../wallet/client/node-api.js'
import { CheckFailed, UserError } from './errors.js'
import { println, readInput } from './io.js'

/** blake2b-256 of a file's bytes, read in 1 MiB chunks (any size); a UserError names a file it cannot read. */
export async function hashFile(path: string): Promise<Uint8Array> {
  const hasher = await createBLAKE2b(256)
  hasher.init()
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UserError(
      `cannot read file "${path}": ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`,
    )
  }
  try {
    const chunk = new Uint8Array(1 << 20)
    for (;;) {
      let n: number
      try {
        n = readSync(fd, chunk, 0, chunk.length, null)
      } catch (err) {
        throw new UserError(`cannot read file "${path}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
      }
      if (n === 0) break
      hasher.update(chunk.subarray(0, n))
    }
  } finally {
    closeSync(fd)
  }
  return hasher.digest('binary')
}

const utcTime = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')

/** What `notary verify` found: valid (with confirmations when a node was asked) or the check that failed. */
export type ReceiptCheck =
  | {
      readonly valid: true
      readonly receipt: NotaryReceipt
      readonly confirmations?: number
    }
  | { readonly valid: false; readonly reason: string }

/** Checks a receipt's text against a file hash, and against the node at `node` when given. */
export async function checkReceipt(text: string, fileHash: Uint8Array, node?: string): Promise<ReceiptCheck> {
  let receipt: NotaryReceipt
  try {
    receipt = parseNotaryReceipt(parseJson(text))
  } catch (err) {
    if (err instanceof DecodeError) return { valid: false, reason: `malformed receipt: ${err.message}` }
    throw err
  }
  const client = node === undefined ? undefined : await NodeClient.connect(node)
  const verdict = verifyNotaryReceipt(receipt, fileHash, client?.registry ?? coreRegistry())
  if (!verdict.valid) return { valid: false, reason: verdict.reason }
  if (!client) return { valid: true, receipt }
  if (client.chain.genesisId !== toHex(receipt.genesisId))
    return {
      valid: false,
      reason: `the receipt is of the chain with genesis ${toHex(receipt.genesisId)}, the node at ${client.url} serves genesis ${client.chain.genesisId}`,
    }
  const blockId = toHex(receipt.blockId)
  const tip = await client.height()
  const atHeight = await client.blockIdAt(receipt.height)
  if (atHeight === undefined)
    return {
      valid: false,
      reason: `block ${blockId} is not on the node's main chain: it ends at height ${tip}, below the receipt's height ${receipt.height}`,
    }
  if (atHeight !== blockId)
    return {
      valid: false,
      reason: `block ${blockId} is not on the node's main chain: its block at height ${receipt.height} is ${atHeight}`,
    }
  return { valid: true, receipt, confirmations: Math.max(1, tip - receipt.height + 1) }
}

export function registerNotaryCommands(program: Command): void {
  registerVerifyCommand(program.command('notary').description('notary receipts (docs/notary.md)'))
}

/** `verify RECEIPT FILE` under `parent` (`blockstake notary`, and `blockstake wallet notary` too). */
export function registerVerifyCommand(parent: Command): void {
  parent
    .command('verify <receipt> <file>')
    .description(
      "check that RECEIPT proves FILE was notarized: the file's hash, the record in the transaction, the Merkle proof, the block ID; with --node, that the block is on the node's main chain",
    )
    .option('--node <url>', 'also check the block against this node (default: offline)')
    .option('--json', 'print one JSON object')
    .action(async (receiptPath: string, file: string, opts: { node?: string; json?: boolean }) => {
      const text = readInput(receiptPath, 'receipt')
      const hash = await hashFile(file)
      const result = await checkReceipt(text, hash, opts.node)
      if (!result.valid) {
        if (opts.json) println(JSON.stringify({ valid: false, reason: result.reason }))
        throw new CheckFailed(`invalid receipt: ${result.reason}`)
      }
      const r = result.receipt
      const confirmations = result.confirmations ?? null
      if (opts.json) {
        println(
          JSON.stringify({
            valid: true,
            height: r.height,
            confirmations,
            hash: toHex(r.hash),
            transactionId: toHex(r.transactionId),
            blockId: toHex(r.blockId),
            timestamp: r.timestamp,
          }),
        )
        return
      }
      println(
        `valid: ${file} (blake2b-256 ${toHex(r.hash)}) was notarized by transaction ${toHex(r.transactionId)}`,
      )
      println(`  in block ${toHex(r.blockId)} at height ${r.height}, ${utcTime(r.timestamp)}`)
      println(
        confirmations === null
          ? '  checked offline: run with --node URL to check that the block is on a chain'
          : `  on the main chain of ${opts.node} with ${confirmations} confirmation${confirmations === 1 ? '' : 's'}`,
      )
    })
}
