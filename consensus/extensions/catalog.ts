// DESIGN §3: the one place that names the built-in extensions, and the composition of a chain's rules
// from its definition: parameters parsed by each extension, transaction types into the registry, rules
// and genesis state into the rule set. `consensus/params` and the rest of the core name no extension.
import { type JsonValue, jsonObject } from '../encoding/json.js'
import {
  asDefinitionError,
  type ChainDefinition,
  ChainDefinitionError,
  parseChainDefinition,
} from '../params/chain.js'
import { EXTENSION_NAME } from '../state/extensions.js'
import type { TransactionRegistry } from '../types/transaction.js'
import { composeRules, type RuleSet } from '../validation/rules.js'
import type { EnabledExtension, Extension } from './api.js'
import { authCoinExtension } from './authcointx/extension.js'
import { capacityExtension } from './capacity/extension.js'
import { mintingExtension } from './minting/extension.js'
import { rejectUnknownKeys } from './params.js'

/** The extensions a build knows; a chain may enable any of them. */
// biome-ignore lint/suspicious/noExplicitAny: each extension has its own parameter type
export type ExtensionCatalog = readonly Extension<any>[]

/** Minting, authorized addresses and grid capacity (DESIGN §4). */
export const BUILTIN_EXTENSIONS: ExtensionCatalog = [mintingExtension, authCoinExtension, capacityExtension]

/** The enabled extensions of a chain: name → parsed parameters. */
export type ExtensionSettings = Readonly<Record<string, unknown>>

function checkCatalog(catalog: ExtensionCatalog): void {
  const names = new Set<string>()
  for (const e of catalog) {
    if (!EXTENSION_NAME.test(e.name) || e.name === 'core' || names.has(e.name))
      throw new Error(`extension catalog: invalid or repeated name "${e.name}"`)
    names.add(e.name)
  }
}

/**
 * Validates the `extensions` object of a chain definition. Unknown extension names and unknown fields are
 * errors naming the field, so a chain file cannot enable something this build does not enforce; two
 * extensions may not claim one transaction version.
 */
export function parseExtensions(
  value: unknown,
  path = 'extensions',
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): ExtensionSettings {
  checkCatalog(catalog)
  return asDefinitionError(() => {
    const o = jsonObject(value ?? {}, path)
    rejectUnknownKeys(
      o,
      catalog.map((e) => e.name),
      path,
      'extension',
    )
    const settings: Record<string, unknown> = {}
    const claimed = new Map<number, string>()
    for (const ext of catalog) {
      if (o[ext.name] === undefined) continue
      const params = ext.parseParams(o[ext.name], `${path}.${ext.name}`)
      for (const { version, field } of ext.versions(params)) {
        const at = `${path}.${ext.name}.${field}`
        const other = claimed.get(version)
        if (other)
          throw new ChainDefinitionError(
            'invalid-value',
            `transaction version ${version} is already used by ${other}`,
            at,
          )
        claimed.set(version, at)
      }
      settings[ext.name] = params
    }
    return settings
  })
}

/** The JSON form of `parseExtensions`' result, every field explicit; `parseExtensions` inverts it. */
export function extensionsToJson(
  settings: ExtensionSettings,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): { [name: string]: JsonValue } {
  const out: { [name: string]: JsonValue } = {}
  for (const ext of catalog) {
    if (settings[ext.name] !== undefined) out[ext.name] = ext.paramsToJson(settings[ext.name])
  }
  return out
}

/** `parseChainDefinition` with the extensions validated by `catalog`: what loads a chain file. */
export function parseChainDefinitionWithExtensions(
  value: unknown,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): ChainDefinition {
  return parseChainDefinition(value, (extensions, path) => {
    parseExtensions(extensions, path, catalog)
  })
}

/** The parameters `def` enables `extension` with, or `undefined` when it does not enable it. */
export function extensionParams<P>(
  def: ChainDefinition,
  extension: Extension<P>,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): P | undefined {
  return parseExtensions(def.extensions, 'extensions', catalog)[extension.name] as P | undefined
}

/** The extensions `def` enables, with their parameters applied, in catalog order. */
export function enabledExtensions(
  def: ChainDefinition,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): EnabledExtension[] {
  const settings = parseExtensions(def.extensions, 'extensions', catalog)
  return catalog.filter((e) => settings[e.name] !== undefined).map((e) => e.enable(settings[e.name]))
}

/** What a chain validates with: its definition, its registry and its rules (`TxContext.rules`). */
export interface ChainConsensus {
  readonly def: ChainDefinition
  /** Core and extension transaction types (the rule set's). */
  readonly registry: TransactionRegistry
  readonly rules: RuleSet
  /** The enabled extensions with their parameters applied (their queries, for a node's API). */
  readonly extensions: readonly EnabledExtension[]
}

const composed = new WeakMap<ExtensionCatalog, WeakMap<ChainDefinition, ChainConsensus>>()

/**
 * The rules and registry of `def` (its extensions validated, `ChainDefinitionError` naming the field
 * otherwise). Composed once per definition object and catalog: share the result (registries cache
 * encodings per instance).
 */
export function chainConsensus(
  def: ChainDefinition,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): ChainConsensus {
  let byDef = composed.get(catalog)
  if (!byDef) {
    byDef = new WeakMap()
    composed.set(catalog, byDef)
  }
  let c = byDef.get(def)
  if (!c) {
    const extensions = enabledExtensions(def, catalog)
    const rules = composeRules(extensions)
    c = { def, registry: rules.registry, rules, extensions }
    byDef.set(def, c)
  }
  return c
}

/**
 * The transaction registry of a chain: core v0/v1 plus the enabled extensions' types. A new registry each
 * call (registries cache encodings per instance): build it once per chain and share it.
 */
export function registryFor(
  def: ChainDefinition,
  catalog: ExtensionCatalog = BUILTIN_EXTENSIONS,
): TransactionRegistry {
  return composeRules(enabledExtensions(def, catalog)).registry
}
