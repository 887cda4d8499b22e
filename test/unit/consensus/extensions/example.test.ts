// The worked example of docs/extensions.md: a chain builder's own extension, "nametag", with one custom
// transaction type (a name registration, version 240) and one custom global rule (a dust limit on every
// coin output of every transaction), plugged into a chain definition through a catalog of its own.
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import { parseJson, stringifyJson } from '../../../../consensus/encoding/json.js'
import {
  BUILTIN_EXTENSIONS,
  chainConsensus,
  enabledExtensions,
  extensionParams,
  parseChainDefinitionWithExtensions,
} from '../../../../consensus/extensions/index.js'
import { ChainDefinitionError, chainDefinitionToJson } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { type NameRegistration, nameOwner, nametagExtension } from '../../../utils/nametag.js'
import { addressOf, conditionOf, ed, Harness } from './harness.js'
import { testKey } from './helpers.js'

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
