// The node API as the wallet uses it: the chain definition (and a check that it is the wallet's chain),
// an address's unspent outputs and history, and transaction submission.
import { toHex } from '../../consensus/encoding/hex.js'
import { registryFor } from '../../consensus/extensions/catalog.js'
import { type ChainDefinition, genesisBlock, parseChainDefinition } from '../../consensus/params/chain.js'
import { BlockCodec } from '../../consensus/types/block.js'
import { type Condition, conditionFromJson } from '../../consensus/types/conditions.js'
import { type Currency, parseCurrency, precisionOf } from '../../consensus/types/currency.js'
import type { Transaction, TransactionRegistry } from '../../consensus/types/transaction.js'
import { assertSameChain, type ChainRef, canonicalExtensions, describeChain } from '../tx/file.js'

/** What went wrong talking to a node: `code` says which, the message names the node and the request. */
export type NodeClientErrorCode =
  /** the URL is not an http(s) URL */
  | 'bad-url'
  /** no connection, or no answer in time to a read */
  | 'unreachable'
  /** the node answered a read with an error status or no JSON */
  | 'bad-answer'
  /** the node serves another chain than the one expected */
  | 'wrong-chain'
  /** the node refused a transaction (its reason is in the message) */
  | 'refused'
  /** no answer in time to a submission: it may have been accepted */
  | 'timeout'

export class NodeClientError extends Error {
  override readonly name = 'NodeClientError'
  constructor(
    readonly code: NodeClientErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** The chain a caller (a wallet) belongs to, when it knows it yet; told the node's chain when it does not. */
export interface ChainOwner {
  /** How messages name the owner, e.g. `the wallet w.json`. */
  readonly label: string
  readonly chain: ChainRef | undefined
  learn(chain: ChainRef): void
}

/** The API address a node listens on by default. */
export const DEFAULT_NODE = 'http://127.0.0.1:23110'

const TIMEOUT_MS = 10_000

/** An unspent output as GET /addresses/:address/outputs lists it. */
export interface ListedOutput {
  readonly id: string
  readonly value: Currency
  readonly condition: Condition
  readonly spendable: boolean
  readonly locked?: { readonly until: number; readonly kind: 'height' | 'time' }
  readonly maturityHeight?: number
  readonly unconfirmedSpender?: string
}

export interface AddressOutputs {
  readonly coinOutputs: readonly ListedOutput[]
  readonly blockStakeOutputs: readonly ListedOutput[]
  readonly balance: {
    readonly coins: Record<'unlocked' | 'locked' | 'immature' | 'unconfirmed', Currency>
    readonly blockStakes: Record<'unlocked' | 'locked' | 'unconfirmed', Currency>
  }
  readonly more: boolean
}

interface OutputJson {
  readonly id: string
  readonly value: string
  readonly condition: unknown
  readonly spendable?: boolean
  readonly locked?: { readonly until: number; readonly kind: 'height' | 'time' }
  readonly maturityHeight?: number
  readonly unconfirmedSpender?: string
}

interface OutputsJson {
  readonly coinOutputs?: readonly OutputJson[]
  readonly blockStakeOutputs?: readonly OutputJson[]
  readonly balance: {
    readonly coins: Readonly<Record<string, string>>
    readonly blockStakes: Readonly<Record<string, string>>
  }
  readonly more?: boolean
}

/** A transaction as the API lists it (node/api/views.ts transactionView). */
export interface TransactionViewJson {
  readonly id: string
  readonly height?: number
  readonly index?: number
  readonly unconfirmed?: true
  readonly transaction: unknown
  readonly coinOutputIds: readonly string[]
  readonly blockStakeOutputIds: readonly string[]
}

/** GET /explorer/hashes/:address. */
export interface AddressHistoryJson {
  readonly transactions?: readonly TransactionViewJson[]
  readonly blocks?: readonly {
    readonly id: string
    readonly height: number
    readonly minerPayouts: readonly { readonly id: string; readonly value: string }[]
  }[]
  readonly unconfirmed?: readonly TransactionViewJson[]
  readonly more?: boolean
}

/** A coin output as `NodeClient.coinOutput` finds it. */
export type CoinOutputStatus = {
  readonly value: Currency
  readonly condition: Condition
} & (
  | { readonly state: 'unspent' | 'unconfirmed'; readonly unconfirmedSpender?: string }
  | { readonly state: 'spent'; readonly spentBy: { readonly transactionId: string; readonly height: number } }
)

export class NodeClient {
  private constructor(
    readonly url: string,
    readonly def: ChainDefinition,
    readonly chain: ChainRef,
    readonly registry: TransactionRegistry,
  ) {}

  /**
   * Reads the node's chain. With an owner (a wallet): a node on another chain is refused, and an owner that
   * does not know its chain yet learns it here.
   */
  static async connect(url: string, owner?: ChainOwner): Promise<NodeClient> {
    const base = url.replace(/\/+$/, '')
    if (!/^https?:\/\/[^/]/.test(base))
      throw new NodeClientError('bad-url', `--node must be an http(s) URL, got "${url}"`)
    const body = await getJson<{ genesisId: string; definition: unknown }>(base, '/chain')
    const def = parseChainDefinition(body.definition)
    // the genesis ID is computed here from the definition the node sent, not taken from the node
    const chain = chainRefOf(def)
    if (chain.genesisId !== body.genesisId)
      throw new NodeClientError(
        'wrong-chain',
        `the node at ${base} reports genesis ${body.genesisId}, but its chain definition has genesis ${chain.genesisId}`,
      )
    if (owner) {
      const mine = owner.chain
      if (!mine) owner.learn(chain)
      else if (mine.genesisId !== chain.genesisId)
        throw new NodeClientError(
          'wrong-chain',
          `the node at ${base} serves ${describeChain(chain)}, but ${owner.label} belongs to ${describeChain(mine)}`,
        )
      // amounts are typed and shown in the owner's unit: a node must not change what "1" means
      else if (mine.precision !== chain.precision)
        throw new NodeClientError(
          'wrong-chain',
          `the node at ${base} gives the coin ${chain.precision} decimals, ${owner.label} knows ${mine.precision}`,
        )
      else {
        try {
          assertSameChain(chain, mine, `the node at ${base}`)
        } catch (err) {
          throw new NodeClientError('wrong-chain', `${(err as Error).message} (${owner.label})`)
        }
        // a record from before extension parameters were kept learns them
        if (!mine.extensions && chain.extensions) owner.learn(chain)
      }
    }
    return new NodeClient(base, def, chain, registryFor(def))
  }

  /** Decimals of the chain's coin. */
  get precision(): number {
    return this.chain.precision
  }

  assertChain(chain: ChainRef, what: string): void {
    try {
      assertSameChain(chain, this.chain, what)
    } catch (err) {
      throw new NodeClientError('wrong-chain', `${(err as Error).message} (the node at ${this.url})`)
    }
  }

  async outputs(address: string): Promise<AddressOutputs> {
    // the most history entries the node reads per address: older unspent outputs are found too
    const body = await getJson<OutputsJson>(this.url, `/addresses/${address}/outputs?limit=10000`)
    const output = (o: OutputJson): ListedOutput => ({
      id: o.id,
      value: parseCurrency(o.value),
      condition: conditionFromJson(o.condition),
      spendable: o.spendable === true,
      ...(o.locked ? { locked: o.locked } : {}),
      ...(o.maturityHeight !== undefined ? { maturityHeight: o.maturityHeight } : {}),
      ...(o.unconfirmedSpender ? { unconfirmedSpender: o.unconfirmedSpender } : {}),
    })
    const sums = (o: Readonly<Record<string, string | undefined>>, keys: readonly string[]) =>
      Object.fromEntries(keys.map((k) => [k, BigInt(o[k] ?? '0')]))
    return {
      coinOutputs: (body.coinOutputs ?? []).map(output),
      blockStakeOutputs: (body.blockStakeOutputs ?? []).map(output),
      balance: {
        coins: sums(body.balance.coins, ['unlocked', 'locked', 'immature', 'unconfirmed']) as never,
        blockStakes: sums(body.balance.blockStakes, ['unlocked', 'locked', 'unconfirmed']) as never,
      },
      more: body.more === true,
    }
  }

  /** GET /explorer/hashes/:address: the address's transactions, payout blocks and pool transactions. */
  explorer(address: string, limit: number): Promise<AddressHistoryJson> {
    return getJson<AddressHistoryJson>(this.url, `/explorer/hashes/${address}?limit=${limit}`)
  }

  /**
   * The mint or auth condition in force at the node's tip (`GET /mint/condition`, `/auth/condition`), or at
   * `height`. The caller checks first that the chain enables the extension (the node answers 404 otherwise).
   */
  async authorityCondition(
    kind: 'mint' | 'auth',
    height?: number,
  ): Promise<{ height: number; condition: Condition }> {
    const path = `/${kind}/condition${height === undefined ? '' : `/${height}`}`
    const body = await getJson<{ height?: unknown; condition?: unknown }>(this.url, path)
    if (typeof body.height !== 'number')
      throw new NodeClientError('bad-answer', `the node at ${this.url} answered ${path} without a height`)
    return { height: body.height, condition: conditionFromJson(body.condition, 'condition') }
  }

  /** `GET /auth/status/:address`: whether the address may send and receive coins, since which height. */
  async authStatus(address: string): Promise<{ authorized: boolean; since: number | undefined }> {
    const body = await getJson<{ authorized?: unknown; since?: unknown }>(this.url, `/auth/status/${address}`)
    if (typeof body.authorized !== 'boolean')
      throw new NodeClientError(
        'bad-answer',
        `the node at ${this.url} answered /auth/status/${address} without "authorized"`,
      )
    return { authorized: body.authorized, since: typeof body.since === 'number' ? body.since : undefined }
  }

  /** `GET /consensus`: the tip's height and timestamp (the chain time). */
  async tip(): Promise<{ height: number; timestamp: number }> {
    const body = await getJson<{ height?: unknown; timestamp?: unknown }>(this.url, '/consensus')
    if (!Number.isSafeInteger(body.height) || !Number.isSafeInteger(body.timestamp))
      throw new NodeClientError('bad-answer', `the node at ${this.url} answered /consensus without a tip`)
    return { height: body.height as number, timestamp: body.timestamp as number }
  }

  /**
   * A transaction by ID (confirmed, or in the pool), decoded and checked to hash to that ID; undefined
   * when the node knows none.
   */
  async transaction(id: string): Promise<{ transaction: Transaction; height?: number } | undefined> {
    const view = await getJsonOrMissing<TransactionViewJson>(this.url, `/transactions/${id}`)
    if (!view) return undefined
    let tx: Transaction
    try {
      tx = this.registry.fromJson(view.transaction)
    } catch (err) {
      throw new NodeClientError(
        'bad-answer',
        `the node at ${this.url} answered /transactions/${id} with an invalid transaction: ${(err as Error).message}`,
      )
    }
    if (toHex(this.registry.id(tx)) !== id.toLowerCase())
      throw new NodeClientError(
        'bad-answer',
        `the node at ${this.url} answered another transaction for ${id}`,
      )
    return {
      transaction: tx,
      ...(view.unconfirmed || view.height === undefined ? {} : { height: view.height }),
    }
  }

  /**
   * Where coin output `id` stands: unspent on the chain (perhaps spent by a pool transaction), spent by a
   * main-chain transaction, created by a pool transaction, or unknown (undefined).
   */
  async coinOutput(id: string): Promise<CoinOutputStatus | undefined> {
    const output = (o: OutputJson) => ({
      value: parseCurrency(o.value),
      condition: conditionFromJson(o.condition),
    })
    const unspent = await getJsonOrMissing<OutputJson>(this.url, `/outputs/coin/${id}`)
    if (unspent)
      return {
        state: 'unspent',
        ...output(unspent),
        ...(unspent.unconfirmedSpender ? { unconfirmedSpender: unspent.unconfirmedSpender } : {}),
      }
    const spent = await getJsonOrMissing<
      OutputJson & { spentBy?: { transactionId?: unknown; height?: unknown } }
    >(this.url, `/outputs/coin/${id}/spent`)
    if (spent) {
      const by = spent.spentBy
      if (typeof by?.transactionId !== 'string' || !Number.isSafeInteger(by.height))
        throw new NodeClientError(
          'bad-answer',
          `the node at ${this.url} answered a spent output without its spender`,
        )
      return {
        state: 'spent',
        ...output(spent),
        spentBy: { transactionId: by.transactionId, height: by.height as number },
      }
    }
    const found = await getJsonOrMissing<{
      hashtype?: string
      output?: OutputJson & { unconfirmed?: boolean }
    }>(this.url, `/explorer/hashes/${id}`)
    if (found?.hashtype === 'coinoutputid' && found.output?.unconfirmed)
      return {
        state: 'unconfirmed',
        ...output(found.output),
        ...(found.output.unconfirmedSpender ? { unconfirmedSpender: found.output.unconfirmedSpender } : {}),
      }
    return undefined
  }

  /** `GET path` of an extension route (e.g. `/capacity/nodes/node-1`): its JSON answer, unchecked. */
  query<T>(path: string): Promise<T> {
    return getJson<T>(this.url, path)
  }

  /**
   * `GET /notary/:hash`: every main-chain registration of a document hash, each a receipt's JSON, or the
   * node's reason when it has none (not registered, or only by a pool transaction).
   */
  async notary(
    hash: string,
  ): Promise<
    { readonly height: number; readonly registrations: readonly unknown[] } | { readonly none: string }
  > {
    const body = await getJson<{ height?: unknown; registrations?: unknown }>(
      this.url,
      `/notary/${hash}`,
      [404],
    )
    if (body instanceof Absent) return { none: body.message ?? `the node has no registration of ${hash}` }
    if (typeof body.height !== 'number' || !Array.isArray(body.registrations))
      throw new NodeClientError(
        'bad-answer',
        `the node at ${this.url} answered /notary/${hash} without registrations`,
      )
    return { height: body.height, registrations: body.registrations }
  }

  /** The node's tip height (`GET /consensus`). */
  async height(): Promise<number> {
    const body = await getJson<{ height?: unknown }>(this.url, '/consensus')
    if (typeof body.height !== 'number')
      throw new NodeClientError('bad-answer', `the node at ${this.url} answered /consensus without a height`)
    return body.height
  }

  /** The ID of the node's main-chain block at `height`, or undefined when its chain is not that high. */
  async blockIdAt(height: number): Promise<string | undefined> {
    const body = await getJson<{ id?: unknown }>(this.url, `/blocks/${height}`, [404])
    if (body instanceof Absent) return undefined
    if (typeof body.id !== 'string')
      throw new NodeClientError(
        'bad-answer',
        `the node at ${this.url} answered /blocks/${height} without an id`,
      )
    return body.id
  }

  /** Posts a transaction to the pool; returns its ID. A refusal is a NodeClientError `refused` with the node's reason. */
  async submit(tx: Transaction): Promise<string> {
    let res: Response
    try {
      res = await fetch(`${this.url}/txpool`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: this.registry.toJsonString(tx),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch (err) {
      // a timeout may come after the node accepted it
      const timedOut = (err as Error).name === 'TimeoutError'
      throw new NodeClientError(
        timedOut ? 'timeout' : 'unreachable',
        timedOut
          ? `no answer from the node at ${this.url} in time: the transaction ${toHex(this.registry.id(tx))} may have been sent (check "wallet transactions" before sending again)`
          : `cannot reach the node at ${this.url}: ${(err as Error).message}`,
      )
    }
    const answer = (await res.json().catch(() => ({}))) as { transactionId?: string; message?: string }
    if (!res.ok || !answer.transactionId)
      throw new NodeClientError(
        'refused',
        `the node refused the transaction: ${answer.message ?? `HTTP ${res.status}`}`,
      )
    if (answer.transactionId !== toHex(this.registry.id(tx)))
      throw new NodeClientError(
        'bad-answer',
        `the node answered transaction ID ${answer.transactionId} for another transaction`,
      )
    return answer.transactionId
  }
}

export function chainRef(def: ChainDefinition, genesisId: string): ChainRef {
  const extensions = canonicalExtensions(def.extensions)
  return {
    name: def.name,
    network: def.network,
    genesisId: genesisId.toLowerCase(),
    precision: precisionOf(def.oneCoin),
    ...(extensions ? { extensions } : {}),
  }
}

/** The chain of a definition, computed offline (`--chain FILE|PRESET`). */
export function chainRefOf(def: ChainDefinition): ChainRef {
  const id = new BlockCodec(registryFor(def)).id(genesisBlock(def))
  return chainRef(def, toHex(id))
}

/** An answer with a status the caller expects for "not there", and the node's message. */
class Absent {
  constructor(readonly message: string | undefined) {}
}

async function getJson<T>(base: string, path: string): Promise<T>
async function getJson<T>(base: string, path: string, absent: readonly number[]): Promise<T | Absent>
/** GET `path` as JSON; a status in `absent` (a 404 for something not there) gives an `Absent`. */
async function getJson<T>(base: string, path: string, absent: readonly number[] = []): Promise<T | Absent> {
  let res: Response
  try {
    res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (err) {
    throw new NodeClientError('unreachable', `cannot reach the node at ${base}: ${(err as Error).message}`)
  }
  const body = (await res.json().catch(() => undefined)) as (T & { message?: string }) | undefined
  if (absent.includes(res.status))
    return new Absent(typeof body?.message === 'string' ? body.message : undefined)
  if (!res.ok || body === undefined)
    throw new NodeClientError(
      'bad-answer',
      `the node at ${base} answered ${res.status} for ${path}: ${body?.message ?? 'no JSON'}`,
    )
  return body
}

/** `getJson`, but undefined when the node answers 404 (the thing asked for does not exist). */
async function getJsonOrMissing<T>(base: string, path: string): Promise<T | undefined> {
  let res: Response
  try {
    res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (err) {
    throw new NodeClientError('unreachable', `cannot reach the node at ${base}: ${(err as Error).message}`)
  }
  const body = (await res.json().catch(() => undefined)) as (T & { message?: string }) | undefined
  if (res.status === 404 && (body as { code?: unknown } | undefined)?.code === 'not-found') return undefined
  if (!res.ok || body === undefined)
    throw new NodeClientError(
      'bad-answer',
      `the node at ${base} answered ${res.status} for ${path}: ${body?.message ?? 'no JSON'}`,
    )
  return body
}
