// consensus/params: every preset round-trips through its JSON file form, reference presets reproduce the
// reference genesis blocks (test/vectors/data), and chain files are validated field by field (DESIGN §3).
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../../consensus/encoding/hex.js'
import { parseJson, stringifyJson } from '../../../../consensus/encoding/json.js'
import type { AuthCoinParams } from '../../../../consensus/extensions/authcointx/params.js'
import {
  extensionsToJson,
  parseChainDefinitionWithExtensions,
  parseExtensions,
  registryFor,
} from '../../../../consensus/extensions/catalog.js'
import type { MintingParams } from '../../../../consensus/extensions/minting/params.js'
import {
  type ChainDefinition,
  ChainDefinitionError,
  chainDefinitionToJson,
  chainRootTarget,
  genesisBlock,
  genesisTransaction,
  parseChainDefinition,
  parseChainDefinitionText,
} from '../../../../consensus/params/chain.js'
import { preset, presetNames } from '../../../../consensus/params/presets.js'
import { targetToBytes } from '../../../../consensus/pobs/target.js'
import { BlockCodec } from '../../../../consensus/types/block.js'
import { conditionToJson } from '../../../../consensus/types/conditions.js'
import { loadVectorFile } from '../../../vectors/framework.js'

// ---- vectors ----------------------------------------------------------------------------------

type Json = any

/** A vector of a test/vectors/data file by id; a missing file or vector fails the test file. */
function vector(file: Json, id: string): Json {
  const v = file.vectors.find((v: Json) => v.id === id || v.name === id)
  if (!v) throw new Error(`no vector ${id} in test/vectors/data`)
  return v
}

const oracleGenesis = loadVectorFile('oracle-genesis.json')
const blocksConsensus = loadVectorFile('rivine-blocks-consensus.json')
const minting = loadVectorFile('tfchain-minting.json')
const authcoin = loadVectorFile('tfchain-authcointx.json')
const threebot = loadVectorFile('tfchain-threebot.json')

/** The parsed extension parameters of a chain, by name. */
const chainExtensions = (def: ChainDefinition) =>
  parseExtensions(def.extensions) as { minting?: MintingParams; authcoin?: AuthCoinParams }

const genesisId = (def: ChainDefinition): string =>
  toHex(new BlockCodec(registryFor(def)).id(genesisBlock(def)))

/** JSON text → object, the way a chain file is read. */
const viaText = (def: ChainDefinition): unknown => parseJson(stringifyJson(chainDefinitionToJson(def)))

// ---- presets ----------------------------------------------------------------------------------

describe('presets', () => {
  it('include ours, the reference chains and the tfchain networks', () => {
    expect(presetNames()).toEqual(
      expect.arrayContaining([
        'devnet',
        'testnet',
        'standard',
        'rivine-devnet',
        'rivine-standard',
        'rivchain-devnet',
        'tfchain-standard',
        'tfchain-testnet',
        'tfchain-devnet',
      ]),
    )
  })

  it.each(presetNames())('%s round-trips through chainDefinitionToJson → parseChainDefinition', (name) => {
    const def = preset(name)
    const back = parseChainDefinitionWithExtensions(viaText(def))
    expect(genesisId(back)).toBe(genesisId(def))
    expect(chainRootTarget(back)).toBe(chainRootTarget(def))
    expect(chainDefinitionToJson(back)).toEqual(chainDefinitionToJson(def))
    expect(back.rules).toEqual(def.rules)
    expect(registryFor(back).versions).toEqual(registryFor(def).versions)
  })

  const reference: [string, string][] = [
    ['rivine-devnet', 'genesis-types-devnet'],
    ['rivine-standard', 'genesis-types-standardnet'],
    ['rivchain-devnet', 'genesis-rivchain-devnet'],
  ]
  it.each(reference)('%s has the genesis ID and root target of oracle-genesis %s', (name, id) => {
    const v = vector(oracleGenesis, id)
    const def = preset(name)
    expect(genesisId(def)).toBe(v.expected.id)
    if (v.expected.root_target)
      expect(toHex(targetToBytes(chainRootTarget(def)))).toBe(v.expected.root_target)
  })
})

describe('tfchain presets', () => {
  it('tfchain-testnet is the genesis block of blockid-tfchain-genesis (and of the height-1 block)', () => {
    const v = vector(blocksConsensus, 'blockid-tfchain-genesis')
    // The vector is labelled "standard net" by its Rivine test, but its block is GetTestnetGenesis():
    // timestamp 1519200000, 100M TFT and 3000 BS to 01fc8714…, v0 (docs/presets.md).
    const def = preset('tfchain-testnet')
    expect(v.input.block.timestamp).toBe(def.genesis.timestamp)
    expect(genesisId(def)).toBe(v.expected.block_id)
    expect(genesisId(preset('tfchain-standard'))).not.toBe(v.expected.block_id)
    const next = vector(blocksConsensus, 'blockid-tfchain-height1')
    expect(next.input.block.parent_id).toBe(genesisId(def))
    const reg = registryFor(def)
    expect(next.input.block.transactions[0].blockstake_inputs[0].parent_id).toBe(
      toHex(reg.blockStakeOutputId(genesisTransaction(def), 0)),
    )
  })

  it('tfchain-standard has the genesis transaction ID the ThreeFold explorer shows for block 0', () => {
    // threefoldfoundation/tft-stellar scripts/analysis/readme.md and the ThreeFold wiki's genesis block page
    const def = preset('tfchain-standard')
    expect(toHex(registryFor(def).id(genesisTransaction(def)))).toBe(
      'a2ee0aa706c9de46ec57dbba1af8d352fbcc3cc5e9626fc56337fd5e9ca44c8d',
    )
    expect(genesisId(def)).toBe('2e49ab79f65e115fcb7443e10a549d282ca290c562467ee451ff7d90410fd4d3')
    const total = def.genesis.coinOutputs.reduce((s, o) => s + o.value, 0n)
    expect(total).toBe(695_099_000n * def.oneCoin)
    expect(def.genesis.blockStakeOutputs.map((o) => o.value)).toEqual([390n, 100n, 10n])
  })

  it('tfchain-devnet spends its genesis coin output in the reference devnet block of the 3Bot tests', () => {
    const v = vector(threebot, '3bot-registration-in-block')
    const def = preset('tfchain-devnet')
    const spent = JSON.parse(v.expected.transaction_json).data.coininputs[0].parentid
    expect(toHex(registryFor(def).coinOutputId(genesisTransaction(def), 0))).toBe(spent)
    expect(genesisId(def)).toBe('3b9a428e733686067adf2e6ae296cdd144b5151716a884a4b4c636a4e8379b3e')
  })

  it('have tfchain’s constants, rules and extension settings', () => {
    const std = preset('tfchain-standard')
    expect(conditionToJson(std.constants.transactionFeeCondition)).toEqual({
      type: 1,
      data: { unlockhash: '017267221ef1947bb18506e390f1f9446b995acfb6d08d8e39508bb974d9830b8cb8fdca788e34' },
    })
    expect(std.genesis.transactionVersion).toBe(0)
    expect(preset('tfchain-testnet').genesis.transactionVersion).toBe(0)
    expect(preset('tfchain-devnet').genesis.transactionVersion).toBe(1)
    expect(std.rules.acceptV0BelowHeight).toBe(385_000)
    expect(preset('tfchain-devnet').rules.acceptV0BelowHeight).toBe(0)
    expect(preset('tfchain-devnet').constants.minimumTransactionFee).toBe(std.oneCoin)
    expect(preset('tfchain-testnet').constants.transactionFeeCondition.type).toBe(0)
    expect(std.bootstrapPeers).toContain('/dns4/bootstrap1.threefoldtoken.com/tcp/23112')
    expect(preset('tfchain-testnet').bootstrapPeers).toContain(
      '/dns4/bootstrap4.testnet.threefoldtoken.com/tcp/24112',
    )
    for (const name of ['tfchain-standard', 'tfchain-testnet', 'tfchain-devnet']) {
      const ext = chainExtensions(preset(name))
      expect(ext.minting).toMatchObject({ encoding: 'sia', requireMinerFees: true })
      expect(ext.minting?.coinDestructionVersion).toBeUndefined()
      expect(ext.authcoin).toMatchObject({ authorizedByDefault: true, requireMinerFees: true })
      expect(registryFor(preset(name)).versions).toEqual([0, 1, 128, 129, 176, 177])
    }
    // spec/tfchain.md §2.1: the standard genesis mint condition is a 2-of-3 multisig
    expect(conditionToJson(chainExtensions(std).minting!.genesisMintCondition)).toMatchObject({
      type: 4,
      data: { minimumsignaturecount: 2 },
    })
  })

  it('registryFor(tfchain-standard) decodes the v128 (siabin) and v176 (rivbin) vectors', () => {
    const reg = registryFor(preset('tfchain-standard'))
    const md = vector(minting, 'minting-minterdefinition-v128-devnet-signed')
    const hex = md.expected.doc_binary_hex
    const tx = reg.decode(fromHex(hex))
    expect(tx.version).toBe(128)
    expect(toHex(reg.encode(tx))).toBe(hex)
    expect(reg.fromJson(parseJson(md.input.json)).minerFees).toEqual(tx.minerFees)
    // Rivine's default (rivbin) minting reads the same bytes differently
    const rivbin = viaText(preset('tfchain-standard')) as Json
    rivbin.extensions = {
      ...rivbin.extensions,
      minting: { ...rivbin.extensions.minting, encoding: 'rivbin' },
    }
    const other = registryFor(parseChainDefinitionWithExtensions(rivbin))
    let reread: string | undefined
    try {
      reread = toHex(other.encode(other.decode(fromHex(hex))))
    } catch {}
    expect(reread).not.toBe(hex)
    const au = vector(authcoin, 'authcointx-binary-roundtrip-v176')
    const auth = reg.decode(fromHex(au.input.hex))
    expect(auth.version).toBe(176)
    expect(toHex(reg.encode(auth))).toBe(au.expected.binary_roundtrip_hex)
  })
})

// ---- validation of chain files --------------------------------------------------------------------

/** The error of `fn`, which must be a ChainDefinitionError naming `field` in its message. */
function expectFieldError(fn: () => unknown, field: string, message?: RegExp): void {
  let error: unknown
  try {
    fn()
  } catch (err) {
    error = err
  }
  expect(error).toBeInstanceOf(ChainDefinitionError)
  const e = error as ChainDefinitionError
  expect(e.field).toBe(field)
  expect(e.message).toContain(field)
  if (message) expect(e.message).toMatch(message)
}

describe('parseChainDefinition errors name the field', () => {
  const base = (): Json => viaText(preset('tfchain-devnet'))

  it('missing genesis', () => {
    const j = base()
    delete j.genesis
    expectFieldError(() => parseChainDefinition(j), 'genesis')
  })

  it('bad ratio', () => {
    const j = base()
    j.constants.maxAdjustmentUp = '6:5'
    expectFieldError(() => parseChainDefinition(j), 'constants.maxAdjustmentUp', /ratio/)
  })

  it('negative fee', () => {
    const j = base()
    j.constants.minimumTransactionFee = '-1'
    expectFieldError(() => parseChainDefinition(j), 'constants.minimumTransactionFee', /negative/)
  })

  // found by fuzzing chain definition files: a SyntaxError from BigInt, and a file accepted whose genesis
  // block could then not be encoded (the node failed computing its ID, naming no field)
  it('root depth that is not hex of at most 256 bits', () => {
    for (const bad of ['-1', 'zz', '', '0x10', '1'.repeat(65), 12]) {
      const j = base()
      j.constants.rootDepth = bad
      expectFieldError(() => parseChainDefinition(j), 'constants.rootDepth')
    }
    const j = base()
    j.constants.rootDepth = 'FF'
    expect(parseChainDefinition(j).constants.rootDepth).toBe(255n)
  })

  it('v0 genesis output that is not an unlock hash', () => {
    const j = base()
    j.genesis.transactionVersion = 0
    j.genesis.blockStakeOutputs[0].condition = { type: 3, data: { locktime: 1, condition: {} } }
    expectFieldError(() => parseChainDefinition(j), 'genesis.blockStakeOutputs[0].condition', /v0/)
    j.genesis.transactionVersion = 1
    const def = parseChainDefinition(j)
    expect(new BlockCodec(registryFor(def)).id(genesisBlock(def))).toHaveLength(32)
  })

  it('malformed JSON text is a ChainDefinitionError', () => {
    let error: unknown
    try {
      parseChainDefinitionText('{"name": ')
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ChainDefinitionError)
    expect((error as ChainDefinitionError).code).toBe('invalid-json')
  })

  it('unknown extension', () => {
    const j = base()
    j.extensions.notary = {}
    expectFieldError(() => parseChainDefinitionWithExtensions(j), 'extensions.notary', /unknown extension/)
    expectFieldError(() => registryFor(parseChainDefinition(j)), 'extensions.notary')
  })

  it('bad extension fields', () => {
    const cases: [(j: Json) => void, string, RegExp?][] = [
      [(j) => (j.extensions.minting.encoding = 'json'), 'extensions.minting.encoding', /sia/],
      [(j) => (j.extensions.authcoin.authorizedByDefault = 'yes'), 'extensions.authcoin.authorizedByDefault'],
      [(j) => delete j.extensions.authcoin.requireMinerFees, 'extensions.authcoin.requireMinerFees'],
      [(j) => (j.extensions.minting.mintCondition = {}), 'extensions.minting.mintCondition', /unknown/],
      [
        (j) => (j.extensions.minting.coinCreationVersion = 1),
        'extensions.minting.coinCreationVersion',
        /core/,
      ],
      [(j) => (j.extensions.minting.coinCreationVersion = 256), 'extensions.minting.coinCreationVersion'],
      [
        (j) => (j.extensions.authcoin.addressUpdateVersion = 128),
        'extensions.authcoin.addressUpdateVersion',
        /already used by extensions\.minting\.minterDefinitionVersion/,
      ],
      [(j) => delete j.extensions.minting.genesisMintCondition, 'extensions.minting.genesisMintCondition'],
      [
        (j) => (j.extensions.minting.genesisMintCondition = {}),
        'extensions.minting.genesisMintCondition',
        /nil/,
      ],
      [
        (j) => (j.extensions.authcoin.genesisAuthCondition.data.unlockhash = '01abc'),
        'extensions.authcoin.genesisAuthCondition.data.unlockhash',
      ],
      [(j) => (j.extensions.minting = 'on'), 'extensions.minting'],
    ]
    for (const [mutate, field, message] of cases) {
      const j = base()
      mutate(j)
      expectFieldError(() => parseChainDefinitionWithExtensions(j), field, message)
    }
  })
})

describe('parseExtensions', () => {
  it('applies the version defaults and inverts extensionsToJson', () => {
    const devnet = chainExtensions(preset('tfchain-devnet'))
    const minimal = {
      minting: {
        genesisMintCondition: conditionToJson(devnet.minting!.genesisMintCondition),
        encoding: 'rivbin',
        requireMinerFees: false,
        coinDestructionVersion: 130,
      },
    }
    const ext = parseExtensions(minimal) as { minting?: MintingParams; authcoin?: AuthCoinParams }
    expect(ext.minting).toMatchObject({ minterDefinitionVersion: 128, coinCreationVersion: 129 })
    expect(ext.authcoin).toBeUndefined()
    expect(parseExtensions(extensionsToJson(ext))).toEqual(ext)
    expect(registryFor({ ...preset('devnet'), extensions: minimal }).versions).toEqual([0, 1, 128, 129, 130])
    expect(parseExtensions(undefined)).toEqual({})
    expect(registryFor(preset('devnet')).versions).toEqual([0, 1])
  })
})
