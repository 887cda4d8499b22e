import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import {
  type Condition,
  conditionToJson,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import { coreRegistry } from '../../../../consensus/types/registry.js'
import { buildTransfer, keyring, signInputs } from '../../../../wallet/tx/build.js'
import { buildCoinCreation } from '../../../../wallet/tx/extensions.js'
import {
  assertSameChain,
  canonicalExtensions,
  chainRegistry,
  parseTransactionFileText,
  spentConditions,
  type TransactionFile,
  transactionFileToText,
} from '../../../../wallet/tx/file.js'
import { devKey } from '../../../utils/devchain.js'

const registry = coreRegistry()
const [a, b, c] = [devKey(0), devKey(1), devKey(2)]
const to = (k: typeof a): Condition => unlockHashCondition(publicKeyUnlockHash(k.publicKey))
const multisig: Condition = {
  type: 4,
  minimumSignatureCount: 2,
  unlockHashes: [a, b, c].map((k) => publicKeyUnlockHash(k.publicKey)),
}
const chain = {
  name: 'devnet',
  network: 'devnet',
  genesisId: toHex(blake2b256(utf8('genesis'))),
  precision: 9,
}
const available = [
  { id: blake2b256(utf8('one')), value: 50n, condition: multisig },
  { id: blake2b256(utf8('two')), value: 7n, condition: to(a) },
]

function sample(): TransactionFile {
  const transaction = buildTransfer({
    available,
    outputs: [{ value: 55n, condition: to(b) }],
    fee: 1n,
    change: to(a),
  })
  return {
    chain,
    transaction,
    spent: {
      coinInputs: [
        { value: 50n, condition: multisig },
        { value: 7n, condition: to(a), keyIndex: 0 },
      ],
      blockStakeInputs: [],
    },
  }
}

describe('transaction files', () => {
  it('round-trip unsigned and partly signed transactions with the outputs they spend', () => {
    const file = sample()
    const text = transactionFileToText(file, registry)
    expect(JSON.parse(text)).toMatchObject({ kind: 'blockstake-transaction', version: 1, chain })
    const back = parseTransactionFileText(text, registry)
    expect(back).toEqual(file)
    const signed = signInputs(registry, nodeEd25519, back.transaction, spentConditions(back), keyring([b]))
    expect(signed.signed).toBe(1)
    const again = parseTransactionFileText(
      transactionFileToText({ ...back, transaction: signed.tx }, registry),
      registry,
    )
    expect(registry.id(again.transaction)).toEqual(registry.id(signed.tx))
  })

  it.each([
    ['kind', (o: any) => ({ ...o, kind: 'blockstake-wallet' }), /kind/],
    ['version', (o: any) => ({ ...o, version: 2 }), /version 2/],
    ['genesis ID', (o: any) => ({ ...o, chain: { ...o.chain, genesisId: 'zz' } }), /chain\.genesisId/],
    [
      'spent count',
      (o: any) => ({ ...o, spent: { coinInputs: [o.spent.coinInputs[0]] } }),
      /spent\.coinInputs: lists 1/,
    ],
    [
      'spent parent',
      (o: any) => ({
        ...o,
        spent: { ...o.spent, coinInputs: [o.spent.coinInputs[1], o.spent.coinInputs[0]] },
      }),
      /spent\.coinInputs\[0\]\.parentId/,
    ],
    [
      'value',
      (o: any) => ({
        ...o,
        spent: { coinInputs: [{ ...o.spent.coinInputs[0], value: '-1' }, o.spent.coinInputs[1]] },
      }),
      /value: currency cannot be negative/,
    ],
    ['transaction', (o: any) => ({ ...o, transaction: { version: 9 } }), /transaction\.version/],
    // found by fuzzing transaction files: String() of this version threw a TypeError
    ['version', (o: any) => ({ ...o, version: { toString: null } }), /version \{"toString":null\} is not/],
  ])('refuses a file with a bad %s, naming the field', (_what, mutate, message) => {
    const json = JSON.parse(transactionFileToText(sample(), registry))
    expect(() => parseTransactionFileText(JSON.stringify(mutate(json)), registry)).toThrow(message)
  })

  it('tells chains apart by genesis ID', () => {
    expect(() => assertSameChain(chain, { ...chain }, 'the file')).not.toThrow()
    expect(() =>
      assertSameChain(chain, { ...chain, name: 'other', genesisId: '00'.repeat(32) }, 'the transaction file'),
    ).toThrow(/the transaction file is for chain "devnet" .*, not chain "other"/)
  })
})

describe('transaction files of extension transactions', () => {
  const extensions = {
    minting: {
      genesisMintCondition: conditionToJson(to(a)),
      encoding: 'rivbin',
      requireMinerFees: true,
      coinDestructionVersion: 130,
    },
    authcoin: {
      genesisAuthCondition: conditionToJson(to(a)),
      authorizedByDefault: false,
      requireMinerFees: true,
    },
  }
  const extChain = { ...chain, extensions: canonicalExtensions(extensions)! }
  const extRegistry = chainRegistry(extChain)
  const authority = { kind: 'mint' as const, condition: multisig, height: 12 }
  const creation = (): TransactionFile => ({
    chain: extChain,
    transaction: buildCoinCreation(129, [{ value: 5n, condition: to(b) }], { minerFees: [1n] }),
    spent: { coinInputs: [], blockStakeInputs: [] },
    authority,
  })

  it('carry the chain extension parameters (every field explicit) and the authority; read with the file’s own registry', () => {
    expect(extChain.extensions.minting).toMatchObject({
      minterDefinitionVersion: 128,
      coinCreationVersion: 129,
    })
    expect(extRegistry.versions).toEqual([0, 1, 128, 129, 130, 176, 177])
    const file = creation()
    const text = transactionFileToText(file, extRegistry)
    expect(JSON.parse(text).authority).toEqual({
      kind: 'mint',
      condition: conditionToJson(multisig),
      height: 12,
    })
    // no registry given: the file's chain says how to read it
    const back = parseTransactionFileText(text)
    expect(back).toEqual(file)
    expect(extRegistry.id(back.transaction)).toEqual(extRegistry.id(file.transaction))
    // a chain without extensions keeps its record as it was
    expect(Object.keys(JSON.parse(transactionFileToText(sample(), registry)).chain)).toEqual([
      'name',
      'network',
      'genesisId',
      'precision',
    ])
  })

  it.each([
    ['missing authority', (o: any) => ({ ...o, authority: undefined }), /authority: a mint transaction file/],
    [
      'authority kind',
      (o: any) => ({ ...o, authority: { ...o.authority, kind: 'auth' } }),
      /authority\.kind/,
    ],
    [
      'authority condition',
      (o: any) => ({ ...o, authority: { ...o.authority, condition: { type: 9 } } }),
      /authority\.condition/,
    ],
    [
      'extension parameters',
      (o: any) => ({ ...o, chain: { ...o.chain, extensions: { minting: { encoding: 'json' } } } }),
      /chain\.extensions\.minting/,
    ],
    [
      'chain without the extension',
      (o: any) => ({ ...o, chain: { ...o.chain, extensions: undefined } }),
      /transaction\.version: unknown transaction version 129/,
    ],
  ])('refuses a file with a bad %s, naming the field', (_what, mutate, message) => {
    const json = JSON.parse(transactionFileToText(creation(), extRegistry))
    expect(() => parseTransactionFileText(JSON.stringify(mutate(json)))).toThrow(message)
  })

  it('an authority on an ordinary transfer is refused', () => {
    const json = JSON.parse(transactionFileToText(sample(), registry))
    json.authority = { kind: 'mint', condition: conditionToJson(multisig), height: 1 }
    expect(() => parseTransactionFileText(JSON.stringify(json), registry)).toThrow(/only mint and auth/)
  })

  it('tells apart one genesis run with other extension parameters', () => {
    const other = {
      ...chain,
      extensions: canonicalExtensions({
        ...extensions,
        authcoin: { ...extensions.authcoin, authorizedByDefault: true },
      })!,
    }
    expect(() => assertSameChain(extChain, other, 'the file')).toThrow(/other extension parameters/)
    // a record written before extension parameters were kept is compared by genesis only
    expect(() => assertSameChain(extChain, chain, 'the file')).not.toThrow()
  })
})
