// The light client's queries (docs/light-client.md "Balances, transactions, payments"): transactions and
// outputs a node lists, each checked by its inclusion proof against the verified headers, and notary
// receipts. What they need of the client (its header chain, its nodes, its HTTP) is a QueryContext.
import { equalBytes, fromHex, toHex } from '../consensus/encoding/hex.js'
import { jsonArray, jsonObject, jsonString } from '../consensus/encoding/json.js'
import {
  verifyNotaryReceipt as checkReceipt,
  type NotaryReceipt,
} from '../consensus/extensions/notary/receipt.js'
import { type Condition, conditionUnlockHash } from '../consensus/types/conditions.js'
import { parseCurrency } from '../consensus/types/currency.js'
import type { CoinOutput, Transaction } from '../consensus/types/transaction.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashEquals,
  unlockHashToString,
} from '../consensus/types/unlockhash.js'
import { formatError, LightError } from './errors.js'
import { type HeaderChain, provenTransaction } from './headers.js'
import { parseLightTransactionProof } from './proof.js'

export interface VerifiedTransaction {
  readonly transaction: Transaction
  readonly transactionId: string
  readonly height: number
  readonly blockId: string
  /** Verified headers on top of the block, the block included. */
  readonly confirmations: number
}

export interface ProvenOutput {
  readonly id: string
  readonly kind: 'coin' | 'blockstake'
  readonly value: bigint
  /** Its condition, as the proven transaction has it. */
  readonly condition: Condition
  /** The height of the block that created it. */
  readonly height: number
  readonly transactionId: string
}

export interface Balance {
  readonly address: string
  /** The verified tip the proofs were checked against. */
  readonly height: number
  /** Outputs proven by their creating transaction, and the rest the node listed. */
  readonly coins: { readonly proven: bigint; readonly unproven: bigint }
  readonly blockStakes: { readonly proven: bigint; readonly unproven: bigint }
  readonly outputs: readonly ProvenOutput[]
}

/** What the queries use of a light client. */
export interface QueryContext {
  readonly chain: HeaderChain
  /** In a sync round: proofs above the tip do not start another (it would wait for this one). */
  inRound(): boolean
  sync(): Promise<unknown>
  getJson(node: string, path: string): Promise<unknown>
  /** `fn` on the first node that answers without lying; liars are dropped, silent nodes skipped. */
  fromSomeNode<T>(fn: (node: string) => Promise<T>): Promise<T>
}

/**
 * Verifies that transaction `id` (hex) is in a block of the verified chain: its proof from a node decodes,
 * hashes to `id`, and leads to the verified header's Merkle root.
 */
export async function verifyTransaction(ctx: QueryContext, id: string): Promise<VerifiedTransaction> {
  const txId = fromHex(id, 32, 'id')
  return ctx.fromSomeNode((node) => verifyTransactionFrom(ctx, node, txId))
}

async function verifyTransactionFrom(
  ctx: QueryContext,
  node: string,
  txId: Uint8Array,
): Promise<VerifiedTransaction> {
  const value = await ctx.getJson(node, `/light/proof/tx/${toHex(txId)}`)
  return verifyProof(ctx, value, txId, 'transaction')
}

/**
 * Checks a transaction proof answer: it parses, its block is the verified header at its height, the
 * transaction decodes canonically and is proven against that header; with `expect` 'transaction' its ID
 * is `id`, with 'output' it is the proof's own (the caller checks the output).
 */
async function verifyProof(
  ctx: QueryContext,
  value: unknown,
  id: Uint8Array,
  expect: 'transaction' | 'output',
): Promise<VerifiedTransaction> {
  let p: ReturnType<typeof parseLightTransactionProof>
  try {
    p = parseLightTransactionProof(value)
  } catch (err) {
    throw formatError(err)
  }
  if (p.height > ctx.chain.height && !ctx.inRound()) await ctx.sync()
  const header = ctx.chain.at(p.height)
  if (!header)
    throw new LightError(
      'transaction-proof',
      `the proof is for height ${p.height}, above the verified tip ${ctx.chain.height}`,
      p.height,
    )
  if (!equalBytes(header.id, p.blockId))
    throw new LightError(
      'transaction-proof',
      `block ${toHex(p.blockId)} is not the verified header's ${toHex(header.id)}`,
      p.height,
    )
  const proven = provenTransaction(ctx.chain.codec.registry, p, header.header.merkleRoot)
  if ('error' in proven) throw new LightError('transaction-proof', proven.error, p.height)
  const provenId = ctx.chain.codec.registry.id(proven.tx)
  if (!equalBytes(provenId, p.transactionId) || (expect === 'transaction' && !equalBytes(provenId, id)))
    throw new LightError(
      'transaction-proof',
      `the proven transaction is not ${toHex(expect === 'transaction' ? id : p.transactionId)}`,
      p.height,
    )
  return {
    transaction: proven.tx,
    transactionId: toHex(provenId),
    height: p.height,
    blockId: toHex(header.id),
    confirmations: ctx.chain.height - p.height + 1,
  }
}

/**
 * Verifies a notary receipt (consensus/extensions/notary) for the file hash, and that its header is the
 * verified header at its height.
 */
export async function verifyNotaryReceipt(
  ctx: QueryContext,
  receipt: NotaryReceipt,
  fileHash: Uint8Array,
): Promise<VerifiedTransaction> {
  const verdict = checkReceipt(receipt, fileHash, ctx.chain.codec.registry)
  if (!verdict.valid)
    throw new LightError('transaction-proof', `receipt ${verdict.check}: ${verdict.reason}`, receipt.height)
  if (receipt.height > ctx.chain.height) await ctx.sync()
  const header = ctx.chain.at(receipt.height)
  if (!header || !equalBytes(header.id, receipt.blockId))
    throw new LightError(
      'transaction-proof',
      `the receipt's block ${toHex(receipt.blockId)} is not the verified header at height ${receipt.height}`,
      receipt.height,
    )
  return {
    transaction: verdict.transaction,
    transactionId: toHex(receipt.transactionId),
    height: receipt.height,
    blockId: toHex(header.id),
    confirmations: ctx.chain.height - receipt.height + 1,
  }
}

/**
 * The main-chain transactions of `address` a node lists (newest first, at most `limit`, default 100), each
 * verified by its inclusion proof against the verified headers (`verifyTransaction`). What a node leaves
 * out cannot be detected: ask several nodes.
 */
export async function getTransactions(
  ctx: QueryContext,
  address: string,
  limit = 100,
): Promise<(VerifiedTransaction & { paysTo: boolean })[]> {
  const uh = parseUnlockHash(address, 'address')
  const text = unlockHashToString(uh)
  return ctx.fromSomeNode(async (node) => {
    const value = await ctx.getJson(
      node,
      `/explorer/hashes/${text}?limit=${Math.min(Math.max(1, limit), 1000)}`,
    )
    const ids = listedTransactionIds(value)
    const out: (VerifiedTransaction & { paysTo: boolean })[] = []
    for (const id of ids) {
      const v = await verifyTransactionFrom(ctx, node, fromHex(id, 32, 'transactions[].id'))
      out.push({ ...v, paysTo: paysTo(v.transaction, uh) })
    }
    return out
  })
}

/**
 * The unspent outputs of `address` a node lists, each proven: the transaction that created it is in a
 * verified block, and it has that output with the listed value to this address. Outputs without such a proof
 * (miner payouts, or beyond the first `limit`, default 200) are summed apart as `unproven`. That an output is
 * still unspent is the node's word (a light client has no UTXO set).
 */
export async function getBalance(ctx: QueryContext, address: string, limit = 200): Promise<Balance> {
  const uh = parseUnlockHash(address, 'address')
  const text = unlockHashToString(uh)
  return ctx.fromSomeNode(async (node) => {
    const value = await ctx.getJson(node, `/addresses/${text}/outputs`)
    const listed = listedOutputs(value)
    const balance = {
      address: text,
      height: ctx.chain.height,
      coins: { proven: 0n, unproven: 0n },
      blockStakes: { proven: 0n, unproven: 0n },
      outputs: [] as ProvenOutput[],
    }
    for (const [n, o] of listed.entries()) {
      const sums = o.kind === 'coin' ? balance.coins : balance.blockStakes
      if (o.immature || n >= limit) {
        sums.unproven += o.value
        continue
      }
      const proven = await proveOutput(ctx, node, o.id, o.kind)
      if (!proven) {
        sums.unproven += o.value
        continue
      }
      const out = proven.output
      if (out.value !== o.value || !unlockHashEquals(conditionUnlockHash(out.condition), uh))
        throw new LightError(
          'transaction-proof',
          `output ${o.id} is not ${o.value} to ${text} in its proven transaction`,
          proven.height,
        )
      sums.proven += o.value
      balance.outputs.push({
        id: o.id,
        kind: o.kind,
        value: o.value,
        condition: out.condition,
        height: proven.height,
        transactionId: proven.transactionId,
      })
    }
    return balance
  })
}

/** The proof of the transaction creating output `id` from `node`, or undefined when the node has none (404). */
async function proveOutput(
  ctx: QueryContext,
  node: string,
  id: string,
  kind: 'coin' | 'blockstake',
): Promise<{ output: CoinOutput; height: number; transactionId: string } | undefined> {
  let value: unknown
  try {
    value = await ctx.getJson(node, `/light/proof/output/${id}`)
  } catch (err) {
    if (err instanceof LightError && err.check === 'node' && /HTTP 404/.test(err.message)) return undefined
    throw err
  }
  const o = typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : {}
  delete o.output
  const v = await verifyProof(ctx, o, fromHex(id, 32, 'id'), 'output')
  const ids = ctx.chain.codec.registry.outputIds(v.transaction)
  const list = kind === 'coin' ? ids.coinOutputIds : ids.blockStakeOutputIds
  const index = list.findIndex((x) => equalBytes(x, fromHex(id)))
  const output = (kind === 'coin' ? v.transaction.coinOutputs : v.transaction.blockStakeOutputs)[index]
  if (!output)
    throw new LightError('transaction-proof', `the proven transaction does not create output ${id}`, v.height)
  return { output, height: v.height, transactionId: v.transactionId }
}

const paysTo = (tx: Transaction, uh: UnlockHash): boolean =>
  [...tx.coinOutputs, ...tx.blockStakeOutputs].some((o) =>
    unlockHashEquals(conditionUnlockHash(o.condition), uh),
  )

/** The confirmed transaction IDs of an address lookup (`GET /explorer/hashes/:address`). */
function listedTransactionIds(value: unknown): string[] {
  try {
    const o = jsonObject(value, 'answer')
    const list = jsonArray(o.transactions ?? [], 'transactions')
    return list.flatMap((t, i) => {
      const e = jsonObject(t, `transactions[${i}]`)
      if (e.unconfirmed === true) return []
      return [toHex(fromHex(jsonString(e.id, `transactions[${i}].id`), 32, `transactions[${i}].id`))]
    })
  } catch (err) {
    throw formatError(err)
  }
}

/** The outputs of `GET /addresses/:address/outputs`. */
function listedOutputs(
  value: unknown,
): { id: string; kind: 'coin' | 'blockstake'; value: bigint; immature: boolean }[] {
  try {
    const o = jsonObject(value, 'answer')
    return (['coinOutputs', 'blockStakeOutputs'] as const).flatMap((list) =>
      jsonArray(o[list] ?? [], list).map((x, i) => {
        const e = jsonObject(x, `${list}[${i}]`)
        return {
          id: toHex(fromHex(jsonString(e.id, `${list}[${i}].id`), 32, `${list}[${i}].id`)),
          kind: list === 'coinOutputs' ? ('coin' as const) : ('blockstake' as const),
          value: parseCurrency(e.value, `${list}[${i}].value`),
          immature: e.maturityHeight !== undefined,
        }
      }),
    )
  } catch (err) {
    throw formatError(err)
  }
}
