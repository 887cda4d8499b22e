// DESIGN §3: the rules of a chain, composed from the core and its enabled extensions, indexed for the rule
// engine (`applyTransactions`): per transaction version the rules that cover it (none: the version is
// refused), the global rules every transaction meets, the block rules and the genesis state.
import type { BlockRule, EnabledExtension, TransactionRule } from '../extensions/api.js'
import { EXTENSION_NAME, type ExtensionChange } from '../state/extensions.js'
import { TransactionRegistry } from '../types/transaction.js'
import { CORE_EXTENSION } from './core.js'

/** A rule and the extension whose state it writes. */
export interface BoundRule<R = TransactionRule> {
  readonly extension: string
  readonly rule: R
}

export interface RuleSet {
  /** The core first, then the chain's extensions in their order. */
  readonly extensions: readonly EnabledExtension[]
  /** Core and extension transaction types. */
  readonly registry: TransactionRegistry
  /** Index = version byte: the version rules covering it, `undefined` when none does. */
  readonly versionRules: readonly (readonly BoundRule[] | undefined)[]
  /** Rules every transaction meets after its version rules. */
  readonly globalRules: readonly BoundRule[]
  /** Index = version byte: the rules with state changes a transaction of that version runs. */
  readonly appliers: readonly (readonly BoundRule[] | undefined)[]
  readonly blockRules: readonly BoundRule<BlockRule>[]
  /** The extensions' genesis state as changes from the empty state. */
  readonly genesisState: readonly ExtensionChange[]
}

/**
 * Composes the core and `extensions` into a rule set. Throws an `Error` (a programming error, not a chain
 * file's) when a name is invalid or taken twice, a version is registered twice, a registered version has
 * no rule of its extension, or a rule covers a version no extension registers.
 */
export function composeRules(extensions: readonly EnabledExtension[]): RuleSet {
  const all = [CORE_EXTENSION, ...extensions]
  const names = new Set<string>()
  const owner = new Map<number, string>()
  for (const ext of all) {
    if (!EXTENSION_NAME.test(ext.name)) throw new Error(`invalid extension name "${ext.name}"`)
    if (names.has(ext.name)) throw new Error(`extension "${ext.name}" is enabled twice`)
    names.add(ext.name)
    for (const t of ext.transactionTypes) {
      const other = owner.get(t.version)
      if (other) throw new Error(`transaction version ${t.version} of ${ext.name} is taken by ${other}`)
      owner.set(t.version, ext.name)
      const covered = ext.rules.some((r) => r.versions !== 'all' && r.versions.includes(t.version))
      if (!covered) throw new Error(`${ext.name}: no rule covers its transaction version ${t.version}`)
    }
  }
  const versionRules: BoundRule[][] = []
  const globalRules: BoundRule[] = []
  const appliers: BoundRule[][] = []
  const blockRules: BoundRule<BlockRule>[] = []
  const genesisState: ExtensionChange[] = []
  for (const ext of all) {
    for (const rule of ext.rules) {
      const bound = { extension: ext.name, rule }
      if (rule.versions === 'all') {
        globalRules.push(bound)
        continue
      }
      for (const v of rule.versions) {
        if (!owner.has(v)) throw new Error(`${rule.name} covers version ${v}, which no extension registers`)
        const list = versionRules[v] ?? []
        list.push(bound)
        versionRules[v] = list
      }
    }
    for (const rule of ext.blockRules ?? []) blockRules.push({ extension: ext.name, rule })
    for (const [key, value] of ext.genesisState ?? []) {
      genesisState.push({ extension: ext.name, key, before: undefined, after: value })
    }
  }
  const globalAppliers = globalRules.filter((r) => r.rule.apply)
  for (const v of owner.keys()) {
    appliers[v] = [...(versionRules[v] ?? []).filter((r) => r.rule.apply), ...globalAppliers]
  }
  return {
    extensions: all,
    registry: new TransactionRegistry(all.flatMap((e) => e.transactionTypes)),
    versionRules,
    globalRules,
    appliers,
    blockRules,
    genesisState,
  }
}

/** The rules of a chain without extensions: v0 and v1, every other version refused. */
export const CORE_RULES: RuleSet = composeRules([])
