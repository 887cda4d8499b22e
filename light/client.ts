// The light client (DESIGN §7, docs/light-client.md): syncs headers over HTTP from one or more nodes, verifies
// every one (light/headers.ts), follows the heaviest verified chain, drops nodes that serve data that fails a
// check, reports nodes whose tip disagrees, and verifies transactions and notary receipts against the
// verified headers. Browser-safe: fetch, AbortSignal.timeout and timers only.
import { DecodeError } from '../consensus/encoding/errors.js'
import { equalBytes, fromHex, toHex } from '../consensus/encoding/hex.js'
import { jsonArray, jsonObject, jsonString, parseJson } from '../consensus/encoding/json.js'
import { registryFor } from '../consensus/extensions/catalog.js'
import {
  verifyNotaryReceipt as checkReceipt,
  type NotaryReceipt,
} from '../consensus/extensions/notary/receipt.js'
import type { ChainDefinition } from '../consensus/params/chain.js'
import { BlockCodec, blockHeaderId } from '../consensus/types/block.js'
import { type Condition, conditionUnlockHash } from '../consensus/types/conditions.js'
import { parseCurrency } from '../consensus/types/currency.js'
import type { CoinOutput, Transaction } from '../consensus/types/transaction.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashEquals,
  unlockHashToString,
} from '../consensus/types/unlockhash.js'
import { LightError } from './errors.js'
import { type ExtendResult, HeaderChain, provenTransaction, type VerifiedHeader } from './headers.js'
import {
  type Checkpoint,
  type LightHeader,
  type LightHeaders,
  MAX_LIGHT_HEADERS,
  parseLightHeaders,
  parseLightTransactionProof,
} from './proof.js'
import { chooseSignatureBackend } from './signatures.js'

export interface LightClientOptions {
  /** Base URLs of nodes' HTTP APIs, e.g. `http://127.0.0.1:23110`. */
  readonly nodes: readonly string[]
  readonly chain: ChainDefinition
  /** Start verifying above this trusted header (headers below it are only linked by parent IDs). */
  readonly checkpoint?: Checkpoint
  /** Signature backend: WebCrypto Ed25519 when the runtime has it (default), or noble. */
  readonly signatures?: 'webcrypto' | 'noble'
  /** The local clock in unix seconds (the future-timestamp rule). */
  readonly now?: () => number
  /** Per request (default 15 s). */
  readonly timeoutMs?: number
  /** The deepest reorg followed (default 1000 headers). */
  readonly maxReorg?: number
  /** Headers per request (default and most: 500). */
  readonly pageSize?: number
  readonly fetch?: typeof fetch
}

export interface Tip {
  readonly height: number
  /** The block ID, hex. */
  readonly id: string
}

export interface LightClientEvents {
  tip: Tip
  reorg: { readonly forkHeight: number; readonly reverted: readonly Tip[]; readonly applied: readonly Tip[] }
  /** A node served data that failed a check: it is no longer asked. */
  dropped: { readonly node: string; readonly error: LightError }
  /** A node's tip is on a chain that is not heavier than the verified one, or it did not answer. */
  disagreement: { readonly node: string; readonly error: LightError }
  /** A verified transaction paying to a watched address (`watchAddress`), once per transaction. */
  payment: { readonly address: string; readonly transaction: VerifiedTransaction }
}

export interface VerifiedTransaction {
  readonly transaction: Transaction
  readonly transactionId: string
  readonly height: number
  readonly blockId: string
  /** Verified headers on top of the block, the block included. */
  readonly confirmations: number
}

type Listener<T> = (value: T) => void

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

/** Most bytes one answer may have (a full page of headers with proofs is far below). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024
/** The longest branch one sync follows from one node (pages of headers). */
const MAX_PAGES_PER_SYNC = 1000

export class LightClient {
  private readonly active: string[]
  readonly dropped: { readonly node: string; readonly error: LightError }[] = []
  private readonly listeners = new Map<keyof LightClientEvents, Set<Listener<never>>>()
  private readonly fetchFn: typeof fetch
  private readonly timeoutMs: number
  private readonly maxReorg: number
  private readonly pageSize: number
  private syncing: Promise<void> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private closed = false
  /** In a sync round: proofs above the tip do not start another (it would wait for this one). */
  private inRound = false
  /** Watched addresses and the transactions already reported for each. */
  private readonly watched = new Map<string, Set<string>>()

  /** Which verifier checks signatures: WebCrypto Ed25519 or noble. */
  readonly signatures: 'webcrypto' | 'noble'

  constructor(
    private readonly chain: HeaderChain,
    opts: LightClientOptions,
    signatures: 'webcrypto' | 'noble' = 'noble',
  ) {
    this.signatures = signatures
    this.active = [...new Set(opts.nodes.map((u) => u.replace(/\/+$/, '')))]
    this.fetchFn = opts.fetch ?? ((...args) => fetch(...args))
    this.timeoutMs = opts.timeoutMs ?? 15_000
    this.maxReorg = opts.maxReorg ?? 1000
    this.pageSize = Math.min(opts.pageSize ?? MAX_LIGHT_HEADERS, MAX_LIGHT_HEADERS)
  }

  /** The verified tip. */
  tip(): Tip {
    return tipOf(this.chain.tip)
  }

  /** The verified header at `height`, if the client has one. */
  header(height: number): VerifiedHeader | undefined {
    return this.chain.at(height)
  }

  /** The nodes still asked (those that served bad data are in `dropped`). */
  nodes(): readonly string[] {
    return [...this.active]
  }

  on<K extends keyof LightClientEvents>(event: K, listener: Listener<LightClientEvents[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set()
    this.listeners.set(event, set)
    set.add(listener as Listener<never>)
    return () => set.delete(listener as Listener<never>)
  }

  private emit<K extends keyof LightClientEvents>(event: K, value: LightClientEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        ;(l as Listener<LightClientEvents[K]>)(value)
      } catch {
        // a listener's failure is the app's, not the client's
      }
    }
  }

  /**
   * One round: every node's headers above the verified tip, verified, then its tip cross-checked. Resolves
   * with the errors of the round (nodes dropped or disagreeing); rejects only when no node is left.
   */
  sync(): Promise<LightError[]> {
    const run = (this.syncing ?? Promise.resolve()).then(() => this.syncRound())
    this.syncing = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  private async syncRound(): Promise<LightError[]> {
    const before = this.chain.tip.id
    this.inRound = true
    try {
      const problems = await this.syncNodes()
      if (!equalBytes(before, this.chain.tip.id)) await this.checkPayments(problems)
      return problems
    } finally {
      this.inRound = false
    }
  }

  /**
   * Emits `payment` for each new verified transaction paying to `address` (checked after every new tip).
   * Resolves once the transactions already on the chain are recorded (they are not reported).
   */
  async watchAddress(address: string): Promise<void> {
    const text = unlockHashToString(parseUnlockHash(address, 'address'))
    if (this.watched.has(text)) return
    const seen = new Set((await this.getTransactions(text)).map((t) => t.transactionId))
    this.watched.set(text, seen)
  }

  private async checkPayments(problems: LightError[]): Promise<void> {
    for (const [address, seen] of this.watched) {
      try {
        const txs = await this.getTransactions(address, 20)
        for (const t of txs.reverse()) {
          if (seen.has(t.transactionId)) continue
          seen.add(t.transactionId)
          if (t.paysTo) this.emit('payment', { address, transaction: t })
        }
      } catch (err) {
        problems.push(asLightError(err))
      }
    }
  }

  private async syncNodes(): Promise<LightError[]> {
    const problems: LightError[] = []
    for (const node of [...this.active]) {
      try {
        await this.syncFrom(node)
      } catch (err) {
        const e = asLightError(err).from(node)
        problems.push(e)
        if (e.check === 'node' || e.check === 'fork') this.emit('disagreement', { node, error: e })
        else this.drop(node, e)
      }
    }
    if (this.active.length === 0) throw problems[0] ?? new LightError('node', 'no nodes to ask')
    return problems
  }

  private drop(node: string, error: LightError): void {
    const i = this.active.indexOf(node)
    if (i >= 0) this.active.splice(i, 1)
    this.dropped.push({ node, error })
    this.emit('dropped', { node, error })
  }

  /** Polls every `intervalMs` (default 2 s) until `close()`. */
  watch(intervalMs = 2000): void {
    if (this.timer !== undefined || this.closed) return
    const tick = () => {
      this.timer = setTimeout(() => {
        this.sync().then(tick, () => {
          this.timer = undefined
        })
      }, intervalMs)
    }
    tick()
  }

  close(): void {
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  // ---- headers ---------------------------------------------------------------------------------------

  /** One page of `node`'s headers from `from`, parsed and checked for chain and heights (no header checks). */
  async headersFrom(node: string, from: number, count: number, proofs: boolean): Promise<LightHeaders> {
    const value = await this.getJson(
      node,
      `/light/headers?from=${from}&count=${count}${proofs ? '' : '&proofs=0'}`,
    )
    let page: LightHeaders
    try {
      page = parseLightHeaders(value)
    } catch (err) {
      throw formatError(err, from)
    }
    if (!equalBytes(page.genesisId, this.chain.genesisId()))
      throw new LightError(
        'genesis',
        `the node serves chain ${toHex(page.genesisId)}, not ${toHex(this.chain.genesisId())}`,
      )
    for (const [i, h] of page.headers.entries())
      if (h.height !== from + i)
        throw new LightError('height', `expected header ${from + i}, got ${h.height}`, h.height)
    return page
  }

  private async syncFrom(node: string): Promise<void> {
    for (let pages = 0; pages < MAX_PAGES_PER_SYNC; pages++) {
      const from = this.chain.height + 1
      const page = await this.headersFrom(node, from, this.pageSize, true)
      const first = page.headers[0]
      if (!first) {
        // nothing above our tip: the node's tip must be on our chain
        const ours = this.chain.at(page.tip.height)
        if (ours && equalBytes(ours.id, page.tip.id)) return
        return this.followFork(node, page.tip.height)
      }
      if (!equalBytes(first.header.parentId, this.chain.tip.id)) return this.followFork(node, page.tip.height)
      this.applied(await this.chain.extend(page.headers))
      if (this.chain.height >= page.tip.height) return
    }
  }

  /** The node's chain forks off below our tip: find where, verify its branch, switch if heavier. */
  private async followFork(node: string, nodeTip: number): Promise<void> {
    const top = Math.min(this.chain.height, nodeTip)
    const lowest = Math.max(this.chain.base, this.chain.height - this.maxReorg)
    // the highest height where the node's header is ours, looking back in growing steps
    let fork: number | undefined
    for (let back = 8; fork === undefined; back *= 8) {
      const from = Math.max(lowest, top - back)
      const ids: Uint8Array[] = []
      for (let h = from; h <= top; h += this.pageSize) {
        const page = await this.headersFrom(node, h, Math.min(this.pageSize, top - h + 1), false)
        ids.push(...page.headers.map((x) => blockHeaderId(x.header)))
      }
      for (let i = ids.length - 1; i >= 0; i--)
        if (equalBytes(ids[i]!, this.chain.at(from + i)!.id)) {
          fork = from + i
          break
        }
      if (fork === undefined && from === lowest)
        throw new LightError(
          from === this.chain.base && this.chain.base > 0 ? 'checkpoint' : 'fork',
          `the node's chain shares no header with the verified chain from height ${lowest} up`,
          lowest,
        )
    }
    const branch: LightHeader[] = []
    for (let pages = 0; pages < MAX_PAGES_PER_SYNC; pages++) {
      const from = fork + 1 + branch.length
      const page = await this.headersFrom(node, from, this.pageSize, true)
      branch.push(...page.headers)
      if (page.headers.length === 0 || from + page.headers.length > page.tip.height) break
    }
    if (branch.length === 0)
      throw new LightError(
        'fork',
        `the node's tip ${nodeTip} is on a fork with no headers above ${fork}`,
        nodeTip,
      )
    this.applied(await this.chain.extend(branch))
  }

  private get codec(): BlockCodec {
    return this.chain.codec
  }

  private applied(r: ExtendResult): void {
    if (r.applied.length === 0) return
    if (r.reverted.length > 0)
      this.emit('reorg', {
        forkHeight: r.applied[0]!.height - 1,
        reverted: r.reverted.map(tipOf),
        applied: r.applied.map(tipOf),
      })
    this.emit('tip', this.tip())
  }

  // ---- proofs ----------------------------------------------------------------------------------------

  /**
   * Verifies that transaction `id` (hex) is in a block of the verified chain: its proof from a node decodes,
   * hashes to `id`, and leads to the verified header's Merkle root.
   */
  async verifyTransaction(id: string): Promise<VerifiedTransaction> {
    const txId = fromHex(id, 32, 'id')
    return this.fromSomeNode((node) => this.verifyTransactionFrom(node, txId))
  }

  private async verifyTransactionFrom(node: string, txId: Uint8Array): Promise<VerifiedTransaction> {
    const value = await this.getJson(node, `/light/proof/tx/${toHex(txId)}`)
    return this.verifyProof(value, txId, 'transaction')
  }

  /**
   * Checks a transaction proof answer: it parses, its block is the verified header at its height, the
   * transaction decodes canonically and is proven against that header; with `expect` 'transaction' its ID
   * is `id`, with 'output' it is the proof's own (the caller checks the output).
   */
  private async verifyProof(
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
    if (p.height > this.chain.height && !this.inRound) await this.sync()
    const header = this.chain.at(p.height)
    if (!header)
      throw new LightError(
        'transaction-proof',
        `the proof is for height ${p.height}, above the verified tip ${this.chain.height}`,
        p.height,
      )
    if (!equalBytes(header.id, p.blockId))
      throw new LightError(
        'transaction-proof',
        `block ${toHex(p.blockId)} is not the verified header's ${toHex(header.id)}`,
        p.height,
      )
    const proven = provenTransaction(this.codec.registry, p, header.header.merkleRoot)
    if ('error' in proven) throw new LightError('transaction-proof', proven.error, p.height)
    const provenId = this.codec.registry.id(proven.tx)
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
      confirmations: this.chain.height - p.height + 1,
    }
  }

  /**
   * Verifies a notary receipt (consensus/extensions/notary) for the file hash, and that its header is the
   * verified header at its height.
   */
  async verifyNotaryReceipt(receipt: NotaryReceipt, fileHash: Uint8Array): Promise<VerifiedTransaction> {
    const verdict = checkReceipt(receipt, fileHash, this.codec.registry)
    if (!verdict.valid)
      throw new LightError('transaction-proof', `receipt ${verdict.check}: ${verdict.reason}`, receipt.height)
    if (receipt.height > this.chain.height) await this.sync()
    const header = this.chain.at(receipt.height)
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
      confirmations: this.chain.height - receipt.height + 1,
    }
  }

  /**
   * The main-chain transactions of `address` a node lists (newest first, at most `limit`, default 100), each
   * verified by its inclusion proof against the verified headers (`verifyTransaction`). What a node leaves
   * out cannot be detected: ask several nodes.
   */
  async getTransactions(
    address: string,
    limit = 100,
  ): Promise<(VerifiedTransaction & { paysTo: boolean })[]> {
    const uh = parseUnlockHash(address, 'address')
    const text = unlockHashToString(uh)
    return this.fromSomeNode(async (node) => {
      const value = await this.getJson(
        node,
        `/explorer/hashes/${text}?limit=${Math.min(Math.max(1, limit), 1000)}`,
      )
      const ids = listedTransactionIds(value)
      const out: (VerifiedTransaction & { paysTo: boolean })[] = []
      for (const id of ids) {
        const v = await this.verifyTransactionFrom(node, fromHex(id, 32, 'transactions[].id'))
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
  async getBalance(address: string, limit = 200): Promise<Balance> {
    const uh = parseUnlockHash(address, 'address')
    const text = unlockHashToString(uh)
    return this.fromSomeNode(async (node) => {
      const value = await this.getJson(node, `/addresses/${text}/outputs`)
      const listed = listedOutputs(value)
      const balance = {
        address: text,
        height: this.chain.height,
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
        const proven = await this.proveOutput(node, o.id, o.kind)
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
  private async proveOutput(
    node: string,
    id: string,
    kind: 'coin' | 'blockstake',
  ): Promise<{ output: CoinOutput; height: number; transactionId: string } | undefined> {
    let value: unknown
    try {
      value = await this.getJson(node, `/light/proof/output/${id}`)
    } catch (err) {
      if (err instanceof LightError && err.check === 'node' && /HTTP 404/.test(err.message)) return undefined
      throw err
    }
    const o = typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : {}
    delete o.output
    const v = await this.verifyProof(o, fromHex(id, 32, 'id'), 'output')
    const ids = this.codec.registry.outputIds(v.transaction)
    const list = kind === 'coin' ? ids.coinOutputIds : ids.blockStakeOutputIds
    const index = list.findIndex((x) => equalBytes(x, fromHex(id)))
    const output = (kind === 'coin' ? v.transaction.coinOutputs : v.transaction.blockStakeOutputs)[index]
    if (!output)
      throw new LightError(
        'transaction-proof',
        `the proven transaction does not create output ${id}`,
        v.height,
      )
    return { output, height: v.height, transactionId: v.transactionId }
  }

  /** `fn` on the first node that answers without lying; liars are dropped, silent nodes skipped. */
  private async fromSomeNode<T>(fn: (node: string) => Promise<T>): Promise<T> {
    let last: LightError | undefined
    for (const node of [...this.active]) {
      try {
        return await fn(node)
      } catch (err) {
        last = asLightError(err).from(node)
        if (last.check !== 'node') this.drop(node, last)
      }
    }
    throw last ?? new LightError('node', 'no nodes to ask')
  }

  /** Posts a transaction to every node's pool; resolves with its ID when one accepted it. */
  async submit(tx: Transaction): Promise<string> {
    const id = toHex(this.codec.registry.id(tx))
    const refusals: string[] = []
    for (const node of this.active) {
      try {
        const res = await this.fetchFn(`${node}/txpool`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: this.codec.registry.toJsonString(tx),
          signal: AbortSignal.timeout(this.timeoutMs),
        })
        const answer = (await res.json().catch(() => ({}))) as { transactionId?: string; message?: string }
        if (res.ok && answer.transactionId === id) return id
        refusals.push(`${node}: ${answer.message ?? `HTTP ${res.status}`}`)
      } catch (err) {
        refusals.push(`${node}: ${(err as Error).message}`)
      }
    }
    throw new LightError('node', `no node accepted transaction ${id}: ${refusals.join('; ')}`)
  }

  // ---- HTTP ------------------------------------------------------------------------------------------

  private async getJson(node: string, path: string): Promise<unknown> {
    let res: Response
    try {
      res = await this.fetchFn(`${node}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (err) {
      throw new LightError('node', `no answer to ${path}: ${(err as Error).message}`)
    }
    const length = Number(res.headers.get('content-length') ?? 0)
    if (length > MAX_ANSWER_BYTES) throw new LightError('node', `the answer to ${path} has ${length} bytes`)
    const text = await res.text()
    if (text.length > MAX_ANSWER_BYTES) throw new LightError('node', `the answer to ${path} is too large`)
    if (!res.ok) {
      let message = `HTTP ${res.status}`
      try {
        message += `: ${(JSON.parse(text) as { message?: string }).message ?? ''}`
      } catch {}
      throw new LightError('node', `${path}: ${message}`)
    }
    try {
      return parseJson(text)
    } catch (err) {
      throw new LightError('format', `the answer to ${path} is not JSON: ${(err as Error).message}`)
    }
  }
}

const tipOf = (h: VerifiedHeader): Tip => ({ height: h.height, id: toHex(h.id) })

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

function asLightError(err: unknown): LightError {
  if (err instanceof LightError) return err
  if (err instanceof DecodeError) return formatError(err)
  return new LightError('node', (err as Error).message ?? String(err))
}

function formatError(err: unknown, height?: number): LightError {
  if (err instanceof LightError) return err
  const e = err as Error & { field?: string }
  return new LightError('format', `${e.field ? `${e.field}: ` : ''}${e.message}`, height)
}

/**
 * A light client synced to the nodes' tip: from genesis, or from `checkpoint` (headers below it are fetched
 * without proofs and linked by parent IDs to the checkpoint's ID). Rejects when no node serves a chain that
 * verifies.
 */
export async function createLightClient(opts: LightClientOptions): Promise<LightClient> {
  if (opts.nodes.length === 0) throw new LightError('node', 'give at least one node URL')
  const registry = registryFor(opts.chain)
  const codec = new BlockCodec(registry)
  const signatures = await chooseSignatureBackend(opts.signatures)
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000))
  let chain: HeaderChain
  if (opts.checkpoint) {
    chain = await fromCheckpoint(opts, codec, signatures, now, opts.checkpoint)
  } else chain = HeaderChain.fromGenesis(opts.chain, codec, signatures, now)
  const client = new LightClient(chain, opts, signatures.name)
  await client.sync()
  return client
}

async function fromCheckpoint(
  opts: LightClientOptions,
  codec: BlockCodec,
  signatures: Awaited<ReturnType<typeof chooseSignatureBackend>>,
  now: () => number,
  checkpoint: Checkpoint,
): Promise<HeaderChain> {
  let last: LightError | undefined
  for (const node of opts.nodes) {
    try {
      const probe = new LightClient(HeaderChain.fromGenesis(opts.chain, codec, signatures, now), opts)
      const headers: LightHeader[] = []
      while (headers.length <= checkpoint.height) {
        const count = Math.min(MAX_LIGHT_HEADERS, checkpoint.height + 1 - headers.length)
        const page = await probe.headersFrom(node.replace(/\/+$/, ''), headers.length, count, false)
        if (page.headers.length === 0)
          throw new LightError('checkpoint', `the node has no header ${headers.length}`, headers.length)
        headers.push(...page.headers)
      }
      return HeaderChain.fromCheckpoint(opts.chain, codec, signatures, now, checkpoint, headers)
    } catch (err) {
      last = asLightError(err).from(node)
    }
  }
  throw last ?? new LightError('node', 'no nodes to ask')
}
