// consensus/validation: the rule engine (DESIGN §3): rules composed from the core and extensions, fail
// closed on versions no rule covers, version rules before global ones, state changes after validation,
// block rules, and the extension part of block diffs.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { bytes } from '../../../../consensus/encoding/codec.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import type { EnabledExtension, TransactionRule } from '../../../../consensus/extensions/api.js'
import { chainConsensus } from '../../../../consensus/extensions/catalog.js'
import { bodyLayout, dataField, extensionTransactionType } from '../../../../consensus/extensions/common.js'
import { genesisBlock } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import { MemoryExtensionState } from '../../../../consensus/state/extensions.js'
import { MapView } from '../../../../consensus/state/outputs.js'
import { specifier } from '../../../../consensus/types/publickey.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { applyBlock, genesisDiff } from '../../../../consensus/validation/block.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { CORE_RULES, composeRules } from '../../../../consensus/validation/rules.js'
import { applyTransactions, type TxContext } from '../../../../consensus/validation/transaction.js'

/** A type whose body is only arbitrary data (enough to carry a version through the engine). */
const dataOnlyType = (version: number, name: string) =>
  extensionTransactionType<Pick<Transaction, 'arbitraryData'>>({
    version,
    name,
    format: 'rivbin',
    specifier: specifier(name),
    body: bodyLayout({ arbitraryData: dataField }),
    extensionOf: () => undefined,
    sigHash: (w, b) => bytes.write(w, b.arbitraryData),
  })

const def = preset('devnet')
const context = (rules = CORE_RULES, state = new MemoryExtensionState()): TxContext => ({
  def,
  registry: rules.registry,
  verifier: nodeEd25519,
  blockHeight: 5,
  blockTime: def.genesis.timestamp + 10,
  rules,
  state,
})
const refusal = (txs: Transaction[], ctx: TxContext): ValidationError => {
  try {
    applyTransactions(txs, ctx, new MapView())
  } catch (err) {
    if (err instanceof ValidationError) return err
    throw err
  }
  throw new Error('accepted')
}
const note = (version: number, text: string): Transaction => ({
  ...emptyTransaction(version),
  arbitraryData: utf8(text),
})

describe('composing rules', () => {
  const t = dataOnlyType(200, 'note')
  const rule = (versions: number[] | 'all'): TransactionRule => ({
    name: 'x/r',
    versions,
    validate: () => {},
  })
  const ext = (over: Partial<EnabledExtension>): EnabledExtension => ({
    name: 'x',
    transactionTypes: [t],
    rules: [rule([200])],
    ...over,
  })

  it('refuses a type no rule of its extension covers, a taken version or name, a rule for no type', () => {
    expect(() => composeRules([ext({ rules: [] })])).toThrow(/no rule covers its transaction version 200/)
    expect(() => composeRules([ext({ rules: [rule('all')] })])).toThrow(/no rule covers/)
    expect(() => composeRules([ext({}), ext({ name: 'y' })])).toThrow(/version 200 of y is taken by x/)
    expect(() => composeRules([ext({}), ext({ transactionTypes: [], rules: [] })])).toThrow(/enabled twice/)
    expect(() => composeRules([ext({ name: 'core' })])).toThrow(/enabled twice/)
    expect(() => composeRules([ext({ name: 'Bad Name' })])).toThrow(/invalid extension name/)
    expect(() => composeRules([ext({ rules: [rule([200, 201])] })])).toThrow(/covers version 201/)
  })

  it('a chain without extensions has no global rules and nothing to apply for v0/v1 (the hot path)', () => {
    expect(CORE_RULES.globalRules).toEqual([])
    expect(CORE_RULES.appliers[0]).toEqual([])
    expect(CORE_RULES.appliers[1]).toEqual([])
    expect(CORE_RULES.blockRules).toEqual([])
    expect(CORE_RULES.genesisState).toEqual([])
    expect(CORE_RULES.registry.versions).toEqual([0, 1])
    expect(CORE_RULES.versionRules.flatMap((r, v) => (r ? [v] : []))).toEqual([0, 1])
  })
})

describe('fail closed', () => {
  it('refuses a decodable version no rule covers (3Bot 144 on tfchain-devnet)', () => {
    const tfchain = chainConsensus(preset('tfchain-devnet'))
    const rules = { ...tfchain.rules, registry: tfchain.registry.with(dataOnlyType(144, 'bot register tx')) }
    const ctx = { ...context(), registry: rules.registry, rules }
    const err = refusal([note(144, 'hello')], ctx)
    expect(err.code).toBe('unknown-version')
    expect(err.message).toBe('transaction 0: no rule of this chain covers transaction version 144')
    // and without a chain's rules only v0/v1 are covered: the registry's 128 is refused too
    expect(
      refusal([note(128, '')], { ...context(), registry: tfchain.registry, rules: undefined }).code,
    ).toBe('unknown-version')
  })
})

describe('the rule engine', () => {
  it('runs version rules, then global rules, then applies state; each transaction sees the ones before', () => {
    const calls: string[] = []
    const counter: EnabledExtension = {
      name: 'counter',
      transactionTypes: [dataOnlyType(200, 'count')],
      genesisState: [['n', new Uint8Array([0])]],
      rules: [
        {
          name: 'counter/count',
          versions: [200],
          validate: (tx, _s, ctx) => {
            calls.push(`version ${tx.version} sees ${ctx.state.get('counter', 'n')![0]}`)
            if (tx.arbitraryData.length === 0)
              throw new ValidationError('extension-rule', 'counter/count: empty', { rule: 'counter/count' })
          },
          apply: (_tx, _ctx, state) => state.set('n', new Uint8Array([state.get('n')![0]! + 1])),
        },
        {
          name: 'counter/all',
          versions: 'all',
          validate: (tx) => {
            calls.push(`global ${tx.version}`)
          },
        },
      ],
      blockRules: [
        {
          name: 'counter/blocks',
          apply: (block, ctx, state) =>
            state.set('last', utf8(`${ctx.blockHeight}:${block.transactions.length}`)),
        },
      ],
    }
    const rules = composeRules([counter])
    expect(rules.appliers[200]!.map((r) => r.rule.name)).toEqual(['counter/count'])
    expect(rules.appliers[1]).toEqual([])
    const state = new MemoryExtensionState()
    state.apply(rules.genesisState)
    const result = applyTransactions([note(200, 'a'), note(200, 'b')], context(rules, state), new MapView())
    expect(calls).toEqual(['version 200 sees 0', 'global 200', 'version 200 sees 1', 'global 200'])
    expect(result.extensionChanges.map((c) => [c.key, c.before![0], c.after![0]])).toEqual([
      ['n', 0, 1],
      ['n', 1, 2],
    ])
    expect(state.get('counter', 'n')).toEqual(new Uint8Array([0])) // the base is not written to
    const err = refusal([note(200, 'a'), note(200, '')], context(rules, state))
    expect(err).toMatchObject({ code: 'extension-rule', rule: 'counter/count', details: { transaction: 1 } })

    // a block: compacted changes (one per key) and the block rule after the transactions
    const g = genesisBlock(def)
    const block = { ...g, parentId: new Uint8Array(32), transactions: [note(200, 'a'), note(200, 'b')] }
    const diff = applyBlock(
      block,
      new Uint8Array(32),
      {
        def,
        registry: rules.registry,
        verifier: nodeEd25519,
        height: 3,
        stakeId: new Uint8Array(32),
        rules,
        state,
      },
      new MapView(),
      [],
    )
    expect(diff.extensionChanges).toEqual([
      { extension: 'counter', key: 'n', before: new Uint8Array([0]), after: new Uint8Array([2]) },
      { extension: 'counter', key: 'last', before: undefined, after: utf8('3:2') },
    ])
    state.apply(diff.extensionChanges)
    state.revert(diff.extensionChanges)
    expect([...state.entries()].map((e) => e.key)).toEqual(['n'])
    // the genesis diff carries the genesis state
    expect(genesisDiff(g, rules.registry, rules).extensionChanges).toEqual(rules.genesisState)
    expect(genesisDiff(g, rules.registry).extensionChanges).toEqual([])
  })
})
