// DESIGN §3: the extension plug-in interface. An extension is one folder under consensus/extensions/ that
// exports an `Extension`: its chain-definition parameters, its transaction types, its genesis state, its
// validity rules (per version, and global ones that see every transaction, v0/v1 included) and the state
// changes of applying a transaction or a block. The core v0/v1 rules have the same shape
// (`validation/core.ts`). Which extensions a build knows is decided in one place, `catalog.ts`.

import type { Ed25519 } from '../crypto/ed25519.js'
import type { JsonValue } from '../encoding/json.js'
import type { ChainDefinition } from '../params/chain.js'
import type { ExtensionStateView } from '../state/extensions.js'
import type { OutputEntry } from '../state/outputs.js'
import type { Block } from '../types/block.js'
import type { Transaction, TransactionRegistry, TransactionType } from '../types/transaction.js'
import { type ValidationCode, type ValidationDetails, ValidationError } from '../validation/errors.js'

/** An extension a chain definition can enable under `extensions.<name>`. */
export interface Extension<P = unknown> {
  /** The key under `extensions` in a chain definition and the namespace of its state (`EXTENSION_NAME`). */
  readonly name: string
  /**
   * Parses and validates the extension's parameters; every error is a `ChainDefinitionError` naming the
   * field (under `path`, e.g. `extensions.minting`).
   */
  parseParams(value: unknown, path: string): P
  /** The JSON form of the parameters, every field explicit; `parseParams` inverts it. */
  paramsToJson(params: P): JsonValue
  /** The transaction versions the parameters claim, each with the field (relative to `path`) that sets it. */
  versions(params: P): readonly { readonly version: number; readonly field: string }[]
  /** What a chain gets when it enables the extension with these parameters. */
  enable(params: P): EnabledExtension
}

/** An extension with its parameters applied: what the rule engine runs. */
export interface EnabledExtension {
  readonly name: string
  /** Transaction types it adds to the registry; every version must be covered by one of `rules`. */
  readonly transactionTypes: readonly TransactionType[]
  /** The state it starts with at genesis (key → value, in its own namespace). */
  readonly genesisState?: readonly (readonly [key: string, value: Uint8Array])[]
  /** Validity rules and the state changes of valid transactions. */
  readonly rules: readonly TransactionRule[]
  /** What a whole block does besides its transactions (runs after them, in block order of extensions). */
  readonly blockRules?: readonly BlockRule[]
  /** Read-only routes a node serves from the extension's state (`GET` on its HTTP API). */
  readonly queries?: readonly ExtensionQuery[]
}

/** What a query reads: the chain, its committed extension state and the height of that state. */
export interface QueryContext {
  readonly def: ChainDefinition
  readonly state: ExtensionStateView
  readonly height: number
  /** The timestamp of the block at `height` (what "now" is for the state). */
  readonly time: number
}

/**
 * A read-only route of the node's HTTP API, answered from extension state (DESIGN §3: the node-level hook
 * for API routes). The node mounts it under `GET path`; the answer is JSON.
 */
export interface ExtensionQuery {
  /** The route, with `:name` path parameters, e.g. `/mint/condition/:height`. */
  readonly path: string
  /** One line for the route list. */
  readonly description: string
  /** The JSON Schema of the answer, for the API description (GET /openapi.json); any JSON when absent. */
  readonly response?: { readonly [key: string]: unknown }
  /**
   * Answers from `ctx`; throws a `QueryError` for a bad parameter or something that does not exist.
   * `params` holds the path parameters and the query string's parameters given once (`?owner=…`).
   */
  answer(params: Readonly<Record<string, string>>, ctx: QueryContext): JsonValue
}

/** A query the node answers with an HTTP error: 400 for a bad parameter, 404 for something not there. */
export class QueryError extends Error {
  override readonly name = 'QueryError'
  constructor(
    readonly status: 400 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** A query's `:height` parameter: a height at or below the state's, or a QueryError. */
export function queryHeight(value: string | undefined, ctx: QueryContext): number {
  if (value === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(value))
    throw new QueryError(400, 'invalid-height', `height must be a non-negative integer, got "${value ?? ''}"`)
  const height = Number(value)
  if (height > ctx.height)
    throw new QueryError(404, 'not-found', `height ${height} is above the chain's height ${ctx.height}`)
  return height
}

/** What every rule sees: the transaction's context and the extension state as of this transaction. */
export interface RuleContext {
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly verifier: Ed25519
  /** The including block's height and timestamp, or the tip's in the pool (spec/rivine.md §4.4). */
  readonly blockHeight: number
  readonly blockTime: number
  /** Every extension's state with the earlier transactions of the block (or pool set) applied. */
  readonly state: ExtensionStateView
}

/** The outputs a transaction spends (found and fulfilled before its rules run), in input order. */
export interface SpentOutputs {
  readonly coins: readonly OutputEntry[]
  readonly blockStakes: readonly OutputEntry[]
}

/** Writes into one extension's own namespace (its reads see its own and earlier writes). */
export interface ExtensionStateWriter {
  get(key: string): Uint8Array | undefined
  /** Sets `key`, or deletes it with `undefined`; the engine records the change with the value before. */
  set(key: string, value: Uint8Array | undefined): void
}

/**
 * A validity rule. `versions` lists the transaction versions it covers, or `'all'` for a global rule that
 * sees every transaction (v0/v1 included) after the version rules passed. A transaction whose version no
 * non-global rule lists is refused (`unknown-version`): the engine fails closed.
 */
export interface TransactionRule {
  /** `extension/rule`, e.g. `minting/coin-creation`: errors carry it as `details.rule`. */
  readonly name: string
  readonly versions: readonly number[] | 'all'
  /** Throws a `ValidationError` when `tx` breaks the rule; reads state only through `ctx.state`. */
  validate(tx: Transaction, spent: SpentOutputs, ctx: RuleContext): void
  /** The state changes of a valid `tx`, written to the rule's extension's namespace. */
  apply?(tx: Transaction, ctx: RuleContext, state: ExtensionStateWriter): void
}

/** What applying a block changes besides its transactions (e.g. per-block bookkeeping). */
export interface BlockRule {
  readonly name: string
  /** Runs after the block's transactions; may throw a `ValidationError` to refuse the block. */
  apply(block: Block, ctx: RuleContext, state: ExtensionStateWriter): void
}

/**
 * A `ValidationError` of rule `rule` (its name goes to `details.rule` and leads the message, so the
 * message names the rule; the engine adds the transaction index).
 */
export function ruleError(
  rule: string,
  code: ValidationCode,
  message: string,
  details: Omit<ValidationDetails, 'rule' | 'transaction'> = {},
): ValidationError {
  return new ValidationError(code, `${rule}: ${message}`, { ...details, rule })
}
