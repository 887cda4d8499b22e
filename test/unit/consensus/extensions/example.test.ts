// The worked example of docs/extensions.md: a chain builder's own extension, "nametag", with one custom
// transaction type (a name registration, version 240) and one custom global rule (a dust limit on every
// coin output of every transaction), plugged into a chain definition through a catalog of its own.
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { array, bytes, string, type Writer } from '../../../../consensus/encoding/codec.js'
import { concatBytes, utf8 } from '../../../../consensus/encoding/hex.js'
import {
  jsonObject,
  jsonString,
  jsonUint,
  parseJson,
  stringifyJson,
} from '../../../../consensus/encoding/json.js'
import {
  type BodyField,
  BUILTIN_EXTENSIONS,
  bodyLayout,
  chainConsensus,
  dataField,
  type Extension,
  enabledExtensions,
  extensionParams,
  extensionTransactionType,
  feeList,
  feesField,
  listField,
  parseChainDefinitionWithExtensions,
  ruleError,
  type TransactionRule,
} from '../../../../consensus/extensions/index.js'
import { rejectUnknownKeys, version } from '../../../../consensus/extensions/params.js'
import { ChainDefinitionError, chainDefinitionToJson } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import type { ExtensionStateView } from '../../../../consensus/state/extensions.js'
import { currencyToJson, parseCurrency } from '../../../../consensus/types/currency.js'
import { specifier } from '../../../../consensus/types/publickey.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import {
  emptyTransaction,
  type Transaction,
  writeExtraObjects,
} from '../../../../consensus/types/transaction.js'
import {
  parseUnlockHash,
  type UnlockHash,
  unlockHashBytes,
  unlockHashCodec,
  unlockHashToString,
} from '../../../../consensus/types/unlockhash.js'
import {
  inputCodec,
  inputFromJson,
  inputToJson,
  outputCodec,
  outputFromJson,
  outputToJson,
} from '../../../../consensus/types/v1.js'
import { addressOf, conditionOf, ed, Harness } from './harness.js'
import { testKey } from './helpers.js'

// ---- the extension (in a real chain: consensus/extensions/nametag/) ---------------------------------

const NAMETAG = 'nametag'

/** `extensions.nametag` of a chain definition. */
interface NametagParams {
  readonly registrationVersion: number
  readonly maxNameLength: number
  /** Every coin output of every transaction must be worth at least this (the custom global rule). */
  readonly minOutputValue: bigint
}

/** `Transaction.extension` of a registration; the coin lists, fees and data use the shared fields. */
interface NameRegistration {
  readonly name: string
  readonly owner: UnlockHash
}

type RegistrationBody = NameRegistration &
  Pick<Transaction, 'coinInputs' | 'coinOutputs' | 'minerFees' | 'arbitraryData'>

const nameField: BodyField<string> = { codec: string, toJson: (s) => s, fromJson: (v, f) => jsonString(v, f) }
const ownerField: BodyField<UnlockHash> = {
  codec: unlockHashCodec,
  toJson: unlockHashToString,
  fromJson: (v, f) => parseUnlockHash(v, f),
}
const outputList = array(outputCodec, 2)

/** name | owner | coininputs | coinoutputs | minerfees | arbitrarydata (rivbin), in JSON in that order too. */
const registrationBody = bodyLayout<RegistrationBody>({
  name: nameField,
  owner: ownerField,
  coinInputs: listField(array(inputCodec, 34), inputToJson, inputFromJson),
  coinOutputs: listField(outputList, outputToJson, outputFromJson),
  minerFees: feesField,
  arbitraryData: dataField,
})

const registrationType = (v: number) =>
  extensionTransactionType<RegistrationBody>({
    version: v,
    name: 'name registration',
    format: 'rivbin',
    specifier: specifier('name register tx'),
    body: registrationBody,
    extensionOf: (tx) => {
      if (tx.blockStakeInputs.length || tx.blockStakeOutputs.length)
        throw new TypeError('a name registration carries no block stakes')
      return tx.extension as NameRegistration
    },
    // inputs are signed like v1 inputs: the extras (input index first), then every field but the fulfillments
    sigHash: (w: Writer, b, extras) => {
      writeExtraObjects(w, extras)
      string.write(w, b.name)
      unlockHashCodec.write(w, b.owner)
      w.length(b.coinInputs.length)
      for (const i of b.coinInputs) w.bytes(i.parentId)
      outputList.write(w, b.coinOutputs)
      feeList.write(w, b.minerFees)
      bytes.write(w, b.arbitraryData)
    },
  })

const nameKey = (name: string) => `name/${name}`

/** Who owns `name` (a query for the node's API). */
function nameOwner(view: ExtensionStateView, name: string): UnlockHash | undefined {
  const v = view.get(NAMETAG, nameKey(name))
  return v ? { type: v[0]!, hash: v.slice(1, 33) } : undefined
}

function registrationRule(p: NametagParams): TransactionRule {
  const rule = `${NAMETAG}/registration`
  return {
    name: rule,
    versions: [p.registrationVersion],
    validate: (tx, spent, ctx) => {
      const { name } = tx.extension as NameRegistration
      if (!new RegExp(`^[a-z0-9-]{1,${p.maxNameLength}}$`).test(name))
        throw ruleError(rule, 'extension-rule', `"${name}" is not 1-${p.maxNameLength} of [a-z0-9-]`)
      if (ctx.state.get(NAMETAG, nameKey(name))) throw ruleError(rule, 'extension-rule', `"${name}" is taken`)
      if (tx.minerFees.length === 0) throw ruleError(rule, 'missing-miner-fee', 'a miner fee is required')
      const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n)
      const paid = sum(spent.coins.map((o) => o.value))
      const owed = sum(tx.coinOutputs.map((o) => o.value)) + sum(tx.minerFees)
      if (paid !== owed)
        throw ruleError(rule, 'unbalanced-coins', `inputs ${paid} ≠ outputs and fees ${owed}`)
    },
    apply: (tx, ctx, state) => {
      const { name, owner } = tx.extension as NameRegistration
      const height = new Uint8Array(8)
      new DataView(height.buffer).setBigUint64(0, BigInt(ctx.blockHeight))
      state.set(nameKey(name), concatBytes(unlockHashBytes(owner), height))
    },
  }
}

/** The custom global rule: it sees every transaction, v0/v1 and the built-in extensions' included. */
function dustRule(p: NametagParams): TransactionRule {
  const rule = `${NAMETAG}/dust`
  return {
    name: rule,
    versions: 'all',
    validate: (tx) => {
      for (const [index, o] of tx.coinOutputs.entries()) {
        if (o.value < p.minOutputValue) {
          throw ruleError(
            rule,
            'extension-rule',
            `coinOutputs[${index}] of ${o.value} is below ${p.minOutputValue}`,
            {
              output: { list: 'coinOutputs', index },
            },
          )
        }
      }
    },
  }
}

const FIELDS = ['registrationVersion', 'maxNameLength', 'minOutputValue'] as const

const nametagExtension: Extension<NametagParams> = {
  name: NAMETAG,
  parseParams: (value, path) => {
    const o = jsonObject(value, path)
    rejectUnknownKeys(o, FIELDS, path, 'nametag field')
    return {
      registrationVersion: version(o, 'registrationVersion', path, 240),
      maxNameLength: jsonUint(o.maxNameLength, `${path}.maxNameLength`),
      minOutputValue: parseCurrency(o.minOutputValue, `${path}.minOutputValue`),
    }
  },
  paramsToJson: (p) => ({
    registrationVersion: p.registrationVersion,
    maxNameLength: p.maxNameLength,
    minOutputValue: currencyToJson(p.minOutputValue),
  }),
  versions: (p) => [{ version: p.registrationVersion, field: 'registrationVersion' }],
  enable: (p) => ({
    name: NAMETAG,
    transactionTypes: [registrationType(p.registrationVersion)],
    rules: [registrationRule(p), dustRule(p)],
  }),
}

// ---- a chain that enables it --------------------------------------------------------------------

const catalog = [...BUILTIN_EXTENSIONS, nametagExtension]
const COIN = 1_000_000_000n
const chainFile = (nametag: unknown) =>
  parseJson(
    stringifyJson({
      ...(chainDefinitionToJson(preset('devnet')) as object),
      extensions: { nametag: nametag as never },
    }),
  )

describe('an extension of a chain builder: nametag', () => {
  const def = parseChainDefinitionWithExtensions(
    chainFile({ maxNameLength: 16, minOutputValue: '1000000' }),
    catalog,
  )

  it('is enabled from the chain definition through its catalog, with field-named errors', () => {
    expect(extensionParams(def, nametagExtension, catalog)).toEqual({
      registrationVersion: 240,
      maxNameLength: 16,
      minOutputValue: 1_000_000n,
    })
    expect(chainConsensus(def, catalog).registry.versions).toEqual([0, 1, 240])
    const fieldOf = (fn: () => unknown) => {
      try {
        fn()
      } catch (err) {
        if (err instanceof ChainDefinitionError) return err.field
        throw err
      }
      return undefined
    }
    // a build without it refuses the chain file; bad parameters name their field
    expect(fieldOf(() => parseChainDefinitionWithExtensions(chainFile({})))).toBe('extensions.nametag')
    expect(
      fieldOf(() =>
        parseChainDefinitionWithExtensions(chainFile({ maxNameLength: 'x', minOutputValue: '1' }), catalog),
      ),
    ).toBe('extensions.nametag.maxNameLength')
    expect(
      fieldOf(() =>
        parseChainDefinitionWithExtensions(
          chainFile({ maxNameLength: 8, minOutputValue: '1', color: 1 }),
          catalog,
        ),
      ),
    ).toBe('extensions.nametag.color')
  })

  it('registers names, refuses taken ones, applies its dust rule to every version, and reverts', () => {
    const h = new Harness(def, enabledExtensions(def, catalog))
    const alice = testKey('nametag alice')
    const coins = h.fund(blake2b256(utf8('alice coins')), 10n * COIN, conditionOf(alice))
    const more = h.fund(blake2b256(utf8('more alice coins')), 10n * COIN, conditionOf(alice))
    const register = (name: string, value = 10n * COIN - COIN / 10n, input = coins): Transaction =>
      signSingleSignature(
        h.registry,
        ed,
        {
          ...emptyTransaction(240),
          coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
          coinOutputs: [{ value, condition: conditionOf(alice) }],
          minerFees: [10n * COIN - value],
          extension: { name, owner: addressOf(alice) } satisfies NameRegistration,
        },
        'coinInputs',
        0,
        alice,
      )
    const tx = register('alice')
    // its codecs: binary and JSON round trips
    expect(h.registry.decode(h.registry.encode(tx))).toEqual(tx)
    expect(h.registry.toJsonString(h.registry.fromJsonString(h.registry.toJsonString(tx)))).toBe(
      h.registry.toJsonString(tx),
    )
    expect(h.refusal(register('Alice'))).toMatchObject({
      code: 'extension-rule',
      rule: 'nametag/registration',
    })
    expect(h.refusal(register('alice', 5n))).toMatchObject({
      rule: 'nametag/dust',
      details: { output: { index: 0 } },
    })
    const applied = h.block(tx)
    expect(nameOwner(h.state, 'alice')).toEqual(addressOf(alice))
    expect(h.refusal(register('alice', undefined, more)).message).toMatch(
      /nametag\/registration: "alice" is taken/,
    )
    const second = h.block(register('bob', undefined, more))

    // the global rule sees v1 transactions too
    const change = applied.createdCoins[0]!
    const pay: Transaction = signSingleSignature(
      h.registry,
      ed,
      {
        ...emptyTransaction(1),
        coinInputs: [{ parentId: change.id, fulfillment: { type: 0 } }],
        coinOutputs: [
          { value: change.value - COIN / 10n - 1n, condition: conditionOf(alice) },
          { value: 1n, condition: conditionOf(alice) },
        ],
        minerFees: [COIN / 10n],
      },
      'coinInputs',
      0,
      alice,
    )
    expect(h.refusal(pay).message).toBe('transaction 0: nametag/dust: coinOutputs[1] of 1 is below 1000000')

    // reverting the blocks' changes (newest first, as a reorg does) frees the names again
    h.state.revert(second.extensionChanges)
    h.state.revert(applied.extensionChanges)
    expect(nameOwner(h.state, 'alice')).toBeUndefined()
    expect(h.state.size).toBe(0)
  })
})
