// The light client (DESIGN §7, docs/light-client.md): syncs headers over HTTP from one or more nodes, verifies
// every one (light/headers.ts), follows the heaviest verified chain, drops nodes that serve data that fails a
// check, reports nodes whose tip disagrees, and verifies transactions and notary receipts against the
// verified headers. Browser-safe: fetch, AbortSignal.timeout and timers only.
import { equalBytes, toHex } from '../consensus/encoding/hex.js'
import { registryFor } from '../consensus/extensions/catalog.js'
import type { NotaryReceipt } from '../consensus/extensions/notary/receipt.js'
import type { ChainDefinition } from '../consensus/params/chain.js'
import { BlockCodec, blockHeaderId } from '../consensus/types/block.js'
import type { Transaction } from '../consensus/types/transaction.js'
import { parseUnlockHash, unlockHashToString } from '../consensus/types/unlockhash.js'
import { asLightError, formatError, LightError } from './errors.js'
import { type ExtendResult, HeaderChain, type VerifiedHeader } from './headers.js'
import { getJson } from './http.js'
import {
  type Checkpoint,
  type LightHeader,
  type LightHeaders,
  MAX_LIGHT_HEADERS,
  parseLightHeaders,
} from './proof.js'
import type { Balance, QueryContext, VerifiedTransaction } from './queries.js'
import * as queries from './queries.js'
import { chooseSignatureBackend } from './signatures.js'

export type { Balance, ProvenOutput, VerifiedTransaction } from './queries.js'

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

type Listener<T> = (value: T) => void

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
  /** What the queries (light/queries.ts) use of this client. */
  private readonly queries: QueryContext

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
    this.queries = {
      chain,
      inRound: () => this.inRound,
      sync: () => this.sync(),
      getJson: (node, path) => this.getJson(node, path),
      fromSomeNode: (fn) => this.fromSomeNode(fn),
    }
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

  // ---- proofs and queries (light/queries.ts) ----------------------------------------------------------

  /**
   * Verifies that transaction `id` (hex) is in a block of the verified chain: its proof from a node decodes,
   * hashes to `id`, and leads to the verified header's Merkle root.
   */
  verifyTransaction(id: string): Promise<VerifiedTransaction> {
    return queries.verifyTransaction(this.queries, id)
  }

  /**
   * Verifies a notary receipt (consensus/extensions/notary) for the file hash, and that its header is the
   * verified header at its height.
   */
  verifyNotaryReceipt(receipt: NotaryReceipt, fileHash: Uint8Array): Promise<VerifiedTransaction> {
    return queries.verifyNotaryReceipt(this.queries, receipt, fileHash)
  }

  /**
   * The main-chain transactions of `address` a node lists (newest first, at most `limit`, default 100), each
   * verified by its inclusion proof against the verified headers. What a node leaves out cannot be
   * detected: ask several nodes.
   */
  getTransactions(address: string, limit = 100): Promise<(VerifiedTransaction & { paysTo: boolean })[]> {
    return queries.getTransactions(this.queries, address, limit)
  }

  /**
   * The unspent outputs of `address` a node lists, each proven by its creating transaction in a verified
   * block; the rest (miner payouts, beyond `limit`, default 200) summed apart as `unproven`. That an output
   * is still unspent is the node's word.
   */
  getBalance(address: string, limit = 200): Promise<Balance> {
    return queries.getBalance(this.queries, address, limit)
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

  private getJson(node: string, path: string): Promise<unknown> {
    return getJson(this.fetchFn, this.timeoutMs, node, path)
  }
}

const tipOf = (h: VerifiedHeader): Tip => ({ height: h.height, id: toHex(h.id) })

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
