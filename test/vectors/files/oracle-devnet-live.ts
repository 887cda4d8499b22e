// test/vectors/data/oracle-devnet-live.json (copied from shared/vectors): the 21 sampled blocks of a live
// reference devnet (rivchain example with the auth-coin extension). Per block: JSON → block, siabin, rivbin,
// header, ID, merkle leaves and root, payout and transaction IDs, and the signatures of every input whose
// parent output is in the file. The PoBS fields (stake modifier, kernel hash, target, difficulty) belong to
// the consensus engine. The auth address update applies under the live chain's auth-coin rules (whitelist),
// and the transfers after it pass them.
import { expect } from 'vitest'
import { bytesToBigint, fromHex, toHex } from '../../../consensus/encoding/hex.js'
import {
  authAddressUpdateOf,
  authCoinTransactionTypes,
  authFulfillmentSigHash,
  authStatus,
} from '../../../consensus/extensions/authcointx/index.js'
import { chainConsensus, parseChainDefinitionWithExtensions } from '../../../consensus/extensions/catalog.js'
import { chainDefinitionToJson, chainRootTarget, genesisBlock } from '../../../consensus/params/chain.js'
import { preset } from '../../../consensus/params/presets.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../../consensus/pobs/kernel.js'
import { difficultyOf } from '../../../consensus/pobs/target.js'
import { type ExtensionStateView, MemoryExtensionState } from '../../../consensus/state/extensions.js'
import { MapView, type OutputEntry } from '../../../consensus/state/outputs.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { parseUnlockHash } from '../../../consensus/types/unlockhash.js'
import { ValidationError } from '../../../consensus/validation/errors.js'
import { applyTransactions } from '../../../consensus/validation/transaction.js'
import { accountFields, checkBlock } from '../block-checks.js'
import { verifyKnownInputs } from '../chain-checks.js'
import { loadVectorFile, type Outcome, type Vector, vectorId } from '../framework.js'
import { oracleKey, verifiers } from '../oracle.js'

const FILE = 'oracle-devnet-live.json'

/**
 * The live daemon's registry: rivchain numbers the auth address update 177 and the auth condition update
 * 176 (`examples/rivchain/pkg/types/transactions.go`, the reverse of tfchain), so the recorded address
 * update carries version 177 (its JSON has `authaddresses`). Rivchain's plugin takes no options:
 * RequireMinerFees = false.
 */
const registry = coreRegistry().with(
  ...authCoinTransactionTypes({
    addressUpdateVersion: 177,
    conditionUpdateVersion: 176,
    requireMinerFees: false,
  }),
)
const codec = new BlockCodec(registry)

const DEVNET_ADDRESS = {
  type: 1,
  data: { unlockhash: '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f' },
}

/**
 * The live chain's consensus: rivchain's devnet with the plugins its daemon registers
 * (`examples/rivchain/cmd/rivined/daemon.go`): minting (128/129/130, rivbin, no fee option) and auth-coin
 * with no options, i.e. a whitelist with Rivine's default exception (≤ 1 output), no fee option, address
 * update 177 and condition update 176 (`pkg/types/transactions.go`); both genesis conditions are the
 * devnet address (`pkg/config/config.go`).
 */
const live = chainConsensus(
  parseChainDefinitionWithExtensions({
    ...(chainDefinitionToJson(preset('rivchain-devnet')) as object),
    extensions: {
      minting: {
        genesisMintCondition: DEVNET_ADDRESS,
        coinDestructionVersion: 130,
        encoding: 'rivbin',
        requireMinerFees: false,
      },
      authcoin: {
        genesisAuthCondition: DEVNET_ADDRESS,
        addressUpdateVersion: 177,
        conditionUpdateVersion: 176,
        authorizedByDefault: false,
        requireMinerFees: false,
      },
    },
  }),
)

/** The auth state at genesis, and after the address update of block 62 (the only one in the file). */
let authStates: { genesis: ExtensionStateView; after62: ExtensionStateView } | undefined

const POBS_FIELDS = [
  'explorer_difficulty',
  'explorer_target',
  'hash_div_value_hex',
  'pobs_hash',
  'stakemodifier_bytes',
] as const

let blocks: { height: number; block: Block }[] | undefined

/** Every sampled block of the file, decoded from its JSON. */
function allBlocks(): { height: number; block: Block }[] {
  blocks ??= loadVectorFile(FILE)
    .vectors.filter((v) => vectorId(v).startsWith('devnet-live-block-'))
    .map((v) => ({ height: v.inputs.height as number, block: codec.fromJson(v.expected.json) }))
  return blocks
}

function checkLiveBlock(v: Vector): Outcome {
  const height: number = v.inputs.height
  expect(vectorId(v)).toBe(`devnet-live-block-${height}`)
  const block = codec.fromJson(v.expected.json)
  const checked = checkBlock(codec, block, v.expected)
  expect(toHex(codec.id(block))).toBe(v.inputs.explorer_blockid)
  if (height === 0) {
    // the devnet genesis is our rivchain-devnet preset's
    expect(toHex(codec.encode(genesisBlock(preset('rivchain-devnet'))))).toBe(v.expected.siabin)
  }
  // every input whose parent output is in the file verifies (both verifiers)
  verifyKnownInputs(registry, allBlocks(), height, block)
  // the auth fulfillment of the address update signs the transaction (its condition is chain state)
  for (const tx of block.transactions) {
    if (tx.version !== 177) continue
    const f = authAddressUpdateOf(tx).authFulfillment
    if (f.type !== 1) throw new Error('the recorded address update carries a single signature')
    // signed by the devnet genesis key (devnet/25)
    expect(toHex(f.publicKey.key)).toBe(toHex(oracleKey('devnet/25').publicKey.key))
    const sighash = authFulfillmentSigHash(registry, tx)
    for (const ed of verifiers) expect(ed.verify(f.publicKey.key, sighash, f.signature), ed.name).toBe(true)
  }
  checkAuthCoin(height, block)
  checkKernel(block, height, v.expected, checked)
  accountFields(v.expected, checked, [])
  return undefined
}

/**
 * The PoBS fields of one sampled block (spec §6): below height 2000 the stake modifier is a pure
 * function of the height; the kernel meets the recorded target, and the difficulty is its inverse.
 */
function checkKernel(
  block: Block,
  height: number,
  expected: Record<string, unknown>,
  checked: Set<string>,
): void {
  const hex32 = (n: bigint) => n.toString(16).padStart(64, '0')
  if (height === 0) {
    // the genesis carries the root target; the reference explorer reports its difficulty as 1
    expect(expected.explorer_target).toBe(hex32(chainRootTarget(preset('rivchain-devnet'))))
    expect(expected.explorer_difficulty).toBe('1')
    checked.add('explorer_target').add('explorer_difficulty')
    return
  }
  const modifier = stakeModifier(height, 2000, () => {
    throw new Error('the sampled heights are below the stake modifier delay')
  })
  expect(toHex(modifier)).toBe(expected.stakemodifier_bytes)
  const value = block.transactions[0]!.blockStakeOutputs[0]!.value
  const hash = kernelHash(modifier, block.pobsOutput, block.timestamp)
  expect(toHex(hash)).toBe(expected.pobs_hash)
  expect(hex32(bytesToBigint(hash) / value)).toBe(expected.hash_div_value_hex)
  const target = bytesToBigint(fromHex(expected.explorer_target as string))
  expect(kernelMeetsTarget(hash, value, target)).toBe(true)
  expect(difficultyOf(target).toString()).toBe(expected.explorer_difficulty)
  for (const f of POBS_FIELDS) checked.add(f)
}

/**
 * The address update of block 62 validates and applies under the live chain's rules (signed under the
 * genesis auth condition; the four addresses are unauthorized until then), and every later transfer whose
 * spent outputs are in the file passes the whitelist with that state, while the genesis state refuses it.
 */
function authStatesOf(): NonNullable<typeof authStates> {
  if (authStates) return authStates
  const genesis = new MemoryExtensionState()
  genesis.apply(live.rules.genesisState)
  const { block } = allBlocks().find((b) => b.height === 62)!
  const update = block.transactions.filter((tx) => tx.version === 177)
  expect(update).toHaveLength(1)
  const after62 = new MemoryExtensionState()
  after62.apply(live.rules.genesisState)
  for (const verifier of verifiers) {
    const result = applyTransactions(
      update,
      {
        def: live.def,
        registry: live.registry,
        verifier,
        blockHeight: 62,
        blockTime: block.timestamp,
        rules: live.rules,
        state: genesis,
      },
      new MapView(),
    )
    expect(result.extensionChanges.map((c) => c.key)).toHaveLength(4)
    if (verifier === verifiers[0]) after62.apply(result.extensionChanges)
  }
  authStates = { genesis, after62 }
  return authStates
}

/** Output ID → output of every coin output and payout the sampled blocks create. */
let coinOutputs: Map<string, OutputEntry> | undefined
function knownCoinOutputs(): Map<string, OutputEntry> {
  if (coinOutputs) return coinOutputs
  coinOutputs = new Map()
  for (const { block } of allBlocks()) {
    for (const tx of block.transactions) {
      const ids = live.registry.outputIds(tx)
      for (const [i, o] of tx.coinOutputs.entries())
        coinOutputs.set(toHex(ids.coinOutputIds[i]!), { id: ids.coinOutputIds[i]!, ...o })
    }
  }
  return coinOutputs
}

function checkAuthCoin(height: number, block: Block): void {
  const states = authStatesOf()
  if (height === 62) {
    const uhs = [
      '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f',
      '01e6a0c173c4b88ae56afbb59fa90e3cc178cdb34e495d652bffe110a846887879e0fdc43a6bd6',
    ].map((a) => parseUnlockHash(a))
    for (const uh of uhs) {
      expect(authStatus(states.genesis, uh)).toEqual({ authorized: false, since: undefined })
      expect(authStatus(states.after62, uh)).toEqual({ authorized: true, since: 62 })
    }
  }
  if (height <= 62) return
  const transfers = block.transactions.filter((tx) => tx.coinInputs.length > 0)
  for (const tx of transfers) {
    const spent = tx.coinInputs.map((i) => knownCoinOutputs().get(toHex(i.parentId)))
    expect(
      spent.every((o) => o !== undefined),
      `block ${height}: the spent outputs are in the file`,
    ).toBe(true)
    const apply = (state: ExtensionStateView) =>
      applyTransactions(
        [tx],
        {
          def: live.def,
          registry: live.registry,
          verifier: verifiers[0]!,
          blockHeight: height,
          blockTime: block.timestamp,
          rules: live.rules,
          state,
        },
        MapView.of(spent as OutputEntry[]),
      )
    // every rule of the live chain passes with the state after the update: balance, signatures, fees, auth
    expect(apply(states.after62).createdCoins).toHaveLength(tx.coinOutputs.length)
    // and the whitelist is what refuses them without it
    let refused: unknown
    try {
      apply(states.genesis)
    } catch (err) {
      refused = err
    }
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as ValidationError).code).toBe('unauthorized-address')
  }
}

function checkChainIds(v: Vector): Outcome {
  const list = v.expected.blocks as { height: number; id: string }[]
  for (const [i, b] of list.entries()) expect(b.height).toBe(i)
  expect(list.length).toBeGreaterThanOrEqual(132)
  expect(list[0]!.id).toBe(toHex(codec.id(genesisBlock(preset('rivchain-devnet')))))
  let sampled = 0
  for (const { height, block } of allBlocks()) {
    expect(toHex(codec.id(block)), `block ${height}`).toBe(list[height]!.id)
    if (height > 0) expect(toHex(block.parentId), `parent of ${height}`).toBe(list[height - 1]!.id)
    sampled++
  }
  expect(sampled).toBe(21)
  // the signatures that can be checked from the file's own outputs are checked
  const verified = allBlocks().reduce(
    (n, { height, block }) => n + verifyKnownInputs(registry, allBlocks(), height, block),
    0,
  )
  expect(verified).toBe(23)
  return undefined
}

export function handle(v: Vector): Outcome {
  const id = vectorId(v)
  if (/^devnet-live-block-\d+$/.test(id)) return checkLiveBlock(v)
  if (id === 'devnet-live-chain-ids') return checkChainIds(v)
  throw new Error(`${FILE}: unknown vector ${id}`)
}
