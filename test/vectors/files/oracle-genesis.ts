// test/vectors/data/oracle-genesis.json (copied from shared/vectors): each genesis block built from its
// constants (spec §5.5) — block encodings, ID, merkle root, genesis transaction and output IDs, root target
// and start difficulty — and, where we ship a preset for the network, the preset's genesis and constants
// against the reference's.
import { expect } from 'vitest'
import { fromHex, toHex } from '../../../consensus/encoding/hex.js'
import { stringifyJson } from '../../../consensus/encoding/json.js'
import { type ChainDefinition, chainRootTarget, genesisBlock } from '../../../consensus/params/chain.js'
import { preset } from '../../../consensus/params/presets.js'
import {
  parseRatio,
  type Ratio,
  ratioToString,
  rootTarget,
  targetFromBytes,
  targetToBytes,
} from '../../../consensus/pobs/target.js'
import { type Block, BlockCodec } from '../../../consensus/types/block.js'
import { conditionToJson } from '../../../consensus/types/conditions.js'
import { currencyToJson } from '../../../consensus/types/currency.js'
import { coreRegistry } from '../../../consensus/types/registry.js'
import { outputFromJson } from '../../../consensus/types/v1.js'
import { accountFields, checkBlock } from '../block-checks.js'
import type { Outcome, Vector } from '../framework.js'

const registry = coreRegistry()
const codec = new BlockCodec(registry)

/** Our presets of the same networks (DESIGN §3). */
const PRESETS: Record<string, string | undefined> = {
  'genesis-rivchain-devnet': 'rivchain-devnet',
  'genesis-rivchain-standard': undefined,
  'genesis-rivchain-testnet': undefined,
  'genesis-types-standardnet': 'rivine-standard',
  'genesis-types-devnet': 'rivine-devnet',
  'genesis-types-testnet-fixed-timestamp': undefined,
}

/** spec §5.5: parent 0, the genesis timestamp, POBS (0,0,0), no payouts, one transaction with the distribution. */
function genesisFromInputs(i: Vector['inputs']): Block {
  const outputs = (list: unknown[], what: string) => list.map((o, n) => outputFromJson(o, `${what}[${n}]`))
  return {
    parentId: new Uint8Array(32),
    timestamp: i.genesis_timestamp,
    pobsOutput: { blockHeight: 0, transactionIndex: 0, outputIndex: 0 },
    minerPayouts: [],
    transactions: [
      {
        version: i.genesis_transaction_version,
        coinInputs: [],
        coinOutputs: outputs(i.genesis_coin_distribution, 'genesis_coin_distribution'),
        blockStakeInputs: [],
        blockStakeOutputs: outputs(i.genesis_blockstake_allocation, 'genesis_blockstake_allocation'),
        minerFees: [],
        arbitraryData: new Uint8Array(0),
      },
    ],
  }
}

/** `theirs` when our ratio has the same value, else ours as text (so the comparison shows it). */
const asTheirs = (ours: Ratio, theirs: string): string => {
  const r = parseRatio(theirs)
  return r && ours.num * r.den === r.num * ours.den ? theirs : ratioToString(ours)
}

/** The preset's constants and genesis equal the reference's. */
function checkPreset(def: ChainDefinition, v: Vector): void {
  const i = v.inputs
  const c = def.constants
  const o = i.other_constants
  expect(c.blockFrequency).toBe(i.block_frequency)
  expect(c.rootDepth).toBe(targetFromBytes(fromHex(i.root_depth, 32)))
  expect(def.genesis.timestamp).toBe(i.genesis_timestamp)
  expect(def.genesis.transactionVersion).toBe(i.genesis_transaction_version)
  const outputsJson = (
    list: readonly { value: bigint; condition: Parameters<typeof conditionToJson>[0] }[],
  ) =>
    stringifyJson(
      list.map((x) => ({ value: currencyToJson(x.value), condition: conditionToJson(x.condition) })),
    )
  expect(outputsJson(def.genesis.coinOutputs)).toBe(stringifyJson(i.genesis_coin_distribution))
  expect(outputsJson(def.genesis.blockStakeOutputs)).toBe(stringifyJson(i.genesis_blockstake_allocation))
  const mine: Record<string, unknown> = {
    ArbitraryDataSizeLimit: c.arbitraryDataSizeLimit,
    BlockCreatorFee: currencyToJson(c.blockCreatorFee),
    BlockSizeLimit: c.blockSizeLimit,
    BlockStakeAging: c.blockStakeAging,
    ExtremeFutureThreshold: c.extremeFutureThreshold,
    FutureThreshold: c.futureThreshold,
    MaturityDelay: c.maturityDelay,
    // ratios compare by value (ours may be written 120/100 where the reference says 6/5)
    MaxAdjustmentDown: asTheirs(c.maxAdjustmentDown, o.MaxAdjustmentDown),
    MaxAdjustmentUp: asTheirs(c.maxAdjustmentUp, o.MaxAdjustmentUp),
    MedianTimestampWindow: c.medianTimestampWindow,
    MinimumTransactionFee: currencyToJson(c.minimumTransactionFee),
    OneCoin: currencyToJson(def.oneCoin),
    StakeModifierDelay: c.stakeModifierDelay,
    TargetWindow: c.targetWindow,
    TransactionFeeCondition: conditionToJson(c.transactionFeeCondition),
  }
  expect(stringifyJson(mine as never)).toBe(stringifyJson(o))
  const block = genesisBlock(def)
  expect(toHex(codec.encode(block)), 'preset genesis').toBe(v.expected.siabin)
  expect(toHex(codec.id(block)), 'preset genesis id').toBe(v.expected.id)
  expect(toHex(targetToBytes(chainRootTarget(def)))).toBe(v.expected.root_target)
}

export function handle(v: Vector): Outcome {
  const name = v.name ?? ''
  if (!(name in PRESETS)) throw new Error(`oracle-genesis.json: unknown vector ${name}`)
  const i = v.inputs
  const e = v.expected
  const block = genesisFromInputs(i)
  const checked = checkBlock(codec, block, e)
  // the genesis transaction's outputs
  const ids = registry.outputIds(block.transactions[0]!)
  expect(ids.coinOutputIds.map(toHex)).toEqual(e.genesis_coin_output_ids)
  expect(ids.blockStakeOutputIds.map(toHex)).toEqual(e.genesis_blockstake_output_ids)
  checked.add('genesis_coin_output_ids').add('genesis_blockstake_output_ids')
  // StartDifficulty = BlockFrequency × Σ genesis block stakes; RootTarget = RootDepth / StartDifficulty
  const stakes = block.transactions[0]!.blockStakeOutputs.reduce((s, o) => s + o.value, 0n)
  expect((BigInt(i.block_frequency) * stakes).toString()).toBe(e.start_difficulty)
  const rootDepth = targetFromBytes(fromHex(i.root_depth, 32))
  const target = rootTarget(i.block_frequency, stakes, rootDepth)
  expect(toHex(targetToBytes(target))).toBe(e.root_target)
  expect(target).toBe(rootDepth / BigInt(e.start_difficulty))
  checked.add('start_difficulty').add('root_target')
  accountFields(e, checked)
  const presetName = PRESETS[name]
  if (presetName) checkPreset(preset(presetName), v)
  return undefined
}
