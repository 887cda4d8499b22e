// DESIGN §3: built-in chain presets. Reference presets reproduce the reference genesis blocks exactly
// (vectors/oracle-genesis.json); ours follow DESIGN §3; the tfchain networks are in `tfchain.ts`.
import { ROOT_DEPTH, ratio } from '../pobs/target.js'
import { type Condition, NIL_CONDITION, unlockHashCondition } from '../types/conditions.js'
import { parseUnlockHash } from '../types/unlockhash.js'
import type { ChainConstants, ChainDefinition, ChainRules } from './chain.js'
import { TFCHAIN_PRESETS } from './tfchain.js'

const COIN = 1_000_000_000n
const uh = (address: string): Condition => unlockHashCondition(parseUnlockHash(address))

/** Address of key 25 of the public devnet mnemonic "carbon boss … expire else" (spec §7.2). */
export const DEVNET_GENESIS_ADDRESS =
  '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f'
const RIVINE_STANDARD_ADDRESS =
  '01b5e42056ef394f2ad9b511a61cec874d25bebe2095682dd37455cbafed4bec154e382a23f90e'

const POOL_LIMITS = {
  transactionSizeLimit: 16_000,
  transactionSetSizeLimit: 250_000,
  poolSizeLimit: 1_745_000,
}
const STRICT: ChainRules = {
  enforceMedianTimestamp: true,
  enforceMinimumFee: true,
  acceptV0BelowHeight: 0,
  feeRulesFromHeight: 0,
}

function constants(
  c: Omit<
    ChainConstants,
    | 'rootDepth'
    | keyof typeof POOL_LIMITS
    | 'blockSizeLimit'
    | 'arbitraryDataSizeLimit'
    | 'medianTimestampWindow'
  > &
    Partial<ChainConstants>,
): ChainConstants {
  return {
    medianTimestampWindow: 11,
    blockSizeLimit: 2_000_000,
    arbitraryDataSizeLimit: 83,
    rootDepth: ROOT_DEPTH,
    ...POOL_LIMITS,
    ...c,
  }
}

/** Ours: fast blocks for local networks (DESIGN §3). `devnet up` replaces the genesis per devnet. */
const devnet: ChainDefinition = {
  name: 'blockstake',
  network: 'devnet',
  coinUnit: 'BST',
  oneCoin: COIN,
  constants: constants({
    blockFrequency: 2,
    maturityDelay: 10,
    targetWindow: 20,
    maxAdjustmentUp: ratio(120, 100),
    maxAdjustmentDown: ratio(100, 120),
    futureThreshold: 30,
    extremeFutureThreshold: 60,
    stakeModifierDelay: 20,
    blockStakeAging: 16,
    blockCreatorFee: COIN,
    minimumTransactionFee: COIN / 10n,
    transactionFeeCondition: NIL_CONDITION,
    poolSizeLimit: 19_750_000,
  }),
  rules: STRICT,
  genesis: {
    timestamp: 1_735_689_600,
    transactionVersion: 1,
    coinOutputs: [{ value: 100_000_000n * COIN, condition: uh(DEVNET_GENESIS_ADDRESS) }],
    blockStakeOutputs: [{ value: 3000n, condition: uh(DEVNET_GENESIS_ADDRESS) }],
  },
  bootstrapPeers: [],
  extensions: {},
}

const testnet: ChainDefinition = {
  ...devnet,
  network: 'testnet',
  // its own genesis (the network and P2P topics are scoped by the genesis ID)
  genesis: { ...devnet.genesis, timestamp: 1_751_328_000 },
  constants: constants({
    blockFrequency: 30,
    maturityDelay: 60,
    targetWindow: 200,
    maxAdjustmentUp: ratio(25, 10),
    maxAdjustmentDown: ratio(10, 25),
    futureThreshold: 300,
    extremeFutureThreshold: 600,
    stakeModifierDelay: 2000,
    blockStakeAging: 3600,
    blockCreatorFee: COIN,
    minimumTransactionFee: COIN / 10n,
    transactionFeeCondition: NIL_CONDITION,
  }),
}

const standard: ChainDefinition = {
  ...devnet,
  network: 'standard',
  genesis: { ...devnet.genesis, timestamp: 1_767_225_600 },
  constants: constants({
    blockFrequency: 120,
    maturityDelay: 720,
    targetWindow: 1000,
    maxAdjustmentUp: ratio(25, 10),
    maxAdjustmentDown: ratio(10, 25),
    futureThreshold: 3600,
    extremeFutureThreshold: 7200,
    stakeModifierDelay: 2000,
    blockStakeAging: 131_072,
    blockCreatorFee: COIN,
    minimumTransactionFee: COIN / 10n,
    transactionFeeCondition: NIL_CONDITION,
  }),
}

/** Rivine `types.DevnetChainConstants()` (spec §6.7). */
const rivineDevnet: ChainDefinition = {
  name: 'rivine',
  network: 'devnet',
  coinUnit: 'ROC',
  oneCoin: COIN,
  constants: constants({
    blockFrequency: 12,
    maturityDelay: 10,
    targetWindow: 20,
    maxAdjustmentUp: ratio(6, 5),
    maxAdjustmentDown: ratio(5, 6),
    futureThreshold: 120,
    extremeFutureThreshold: 240,
    stakeModifierDelay: 2000,
    blockStakeAging: 1024,
    blockCreatorFee: 10n * COIN,
    minimumTransactionFee: COIN,
    transactionFeeCondition: NIL_CONDITION,
  }),
  rules: STRICT,
  genesis: {
    timestamp: 1_424_139_000,
    transactionVersion: 1,
    coinOutputs: [{ value: 1000n * COIN, condition: uh(DEVNET_GENESIS_ADDRESS) }],
    blockStakeOutputs: [{ value: 1_000_000n, condition: uh(DEVNET_GENESIS_ADDRESS) }],
  },
  bootstrapPeers: [],
  extensions: {},
}

/** Rivine `types.StandardnetChainConstants()` (spec §6.7). */
const rivineStandard: ChainDefinition = {
  ...rivineDevnet,
  network: 'standard',
  constants: constants({
    blockFrequency: 600,
    maturityDelay: 144,
    targetWindow: 1000,
    maxAdjustmentUp: ratio(5, 2),
    maxAdjustmentDown: ratio(2, 5),
    futureThreshold: 10_800,
    extremeFutureThreshold: 18_000,
    stakeModifierDelay: 2000,
    blockStakeAging: 131_072,
    blockCreatorFee: 10n * COIN,
    minimumTransactionFee: COIN,
    transactionFeeCondition: NIL_CONDITION,
  }),
  genesis: {
    timestamp: 1_496_322_000,
    transactionVersion: 1,
    coinOutputs: [{ value: 100_000_000n * COIN, condition: uh(RIVINE_STANDARD_ADDRESS) }],
    blockStakeOutputs: [{ value: 1_000_000n, condition: uh(RIVINE_STANDARD_ADDRESS) }],
  },
}

/** The reference's example chain (`examples/rivchain`), devnet, with no extensions: the oracle chains' network. */
const rivchainDevnet: ChainDefinition = {
  name: 'rivchain',
  network: 'devnet',
  coinUnit: 'ROC',
  oneCoin: COIN,
  constants: constants({
    blockFrequency: 12,
    maturityDelay: 10,
    targetWindow: 20,
    maxAdjustmentUp: ratio(6, 5),
    maxAdjustmentDown: ratio(5, 6),
    futureThreshold: 12,
    extremeFutureThreshold: 60,
    stakeModifierDelay: 2000,
    blockStakeAging: 1024,
    blockCreatorFee: COIN,
    minimumTransactionFee: COIN / 10n,
    transactionFeeCondition: uh(DEVNET_GENESIS_ADDRESS),
    poolSizeLimit: 19_750_000,
  }),
  rules: STRICT,
  genesis: {
    timestamp: 1_571_229_355,
    transactionVersion: 1,
    coinOutputs: [{ value: 500_000n * COIN, condition: uh(DEVNET_GENESIS_ADDRESS) }],
    blockStakeOutputs: [{ value: 3000n, condition: uh(DEVNET_GENESIS_ADDRESS) }],
  },
  bootstrapPeers: [],
  extensions: {},
}

const presets = new Map<string, ChainDefinition>([
  ['devnet', devnet],
  ['testnet', testnet],
  ['standard', standard],
  ['rivine-devnet', rivineDevnet],
  ['rivine-standard', rivineStandard],
  ['rivchain-devnet', rivchainDevnet],
  ...TFCHAIN_PRESETS,
])

/** Registers a further preset (the built-in tfchain ones come from `tfchain.ts`). */
export function registerPreset(name: string, def: ChainDefinition): void {
  if (presets.has(name)) throw new Error(`preset ${name} already exists`)
  presets.set(name, def)
}

export const presetNames = (): string[] => [...presets.keys()]

export function preset(name: string): ChainDefinition {
  const def = presets.get(name)
  if (!def) throw new Error(`unknown chain preset "${name}" (known: ${presetNames().join(', ')})`)
  return def
}
