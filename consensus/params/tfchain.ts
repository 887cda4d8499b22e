// DESIGN §3: the tfchain networks as compatibility presets, from tfchain `pkg/config/config.go`,
// `pkg/config/daemon.go`, `cmd/tfchaind/daemon.go` and `extensions/tfchain/consensus/validators.go`
// (spec/tfchain.md §2.1, §3.1, §7). Only minting and auth-coin are enabled: 3Bot (144–146) and ERC20
// (208–210), which the reference runs on testnet and devnet, are out of scope (docs/presets.md).

import type { JsonValue } from '../encoding/json.js'
import { ROOT_DEPTH, ratio } from '../pobs/target.js'
import {
  type Condition,
  conditionToJson,
  type MultiSignatureCondition,
  NIL_CONDITION,
  unlockHashCondition,
} from '../types/conditions.js'
import type { CoinOutput } from '../types/transaction.js'
import { parseUnlockHash } from '../types/unlockhash.js'
import type { ChainConstants, ChainDefinition, ChainRules } from './chain.js'

/** 1 TFT = 10^9 base units (spec/tfchain.md §7.3). */
const TFT = 1_000_000_000n
const uh = (address: string): Condition => unlockHashCondition(parseUnlockHash(address))
const multisig = (minimumSignatureCount: number, addresses: string[]): MultiSignatureCondition => ({
  type: 4,
  minimumSignatureCount,
  unlockHashes: addresses.map((a) => parseUnlockHash(a)),
})
/** A genesis coin output of `tft` whole coins, and a block stake output. */
const coins = (tft: bigint, address: string): CoinOutput => ({ value: tft * TFT, condition: uh(address) })
const stakes = (value: bigint, address: string): CoinOutput => ({ value, condition: uh(address) })

/** Key 25 of the published devnet mnemonic "carbon boss … expire else" (spec/tfchain.md §7.2). */
const TFCHAIN_DEVNET_ADDRESS =
  '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f'
/** Standard net: receives every transaction fee (`TransactionFeeCondition`), also the 3Bot/ERC20 pool. */
export const TFCHAIN_STANDARD_FEE_POOL_ADDRESS =
  '017267221ef1947bb18506e390f1f9446b995acfb6d08d8e39508bb974d9830b8cb8fdca788e34'
const TFCHAIN_TESTNET_GENESIS_ADDRESS =
  '01fc8714235d549f890f35e52d745b9eeeee34926f96c4b9ef1689832f338d9349b453898f7e51'

/** Heights of `extensions/tfchain/consensus/validators.go` (standard and testnet alike). */
export const TFCHAIN_MINIMUM_FEE_HEIGHT = 300_000
export const TFCHAIN_V0_DISABLED_HEIGHT = 385_000

/** Rivine defaults tfchain does not override (Rivine `types/constants.go`, spec/rivine.md §6.7). */
const RIVINE_DEFAULTS = {
  medianTimestampWindow: 11,
  blockSizeLimit: 2_000_000,
  arbitraryDataSizeLimit: 83,
  rootDepth: ROOT_DEPTH,
  transactionSizeLimit: 16_000,
  transactionSetSizeLimit: 250_000,
  poolSizeLimit: 1_745_000,
} as const

/** Standard and testnet share everything but aging, creator fee and fee condition (`config.go`). */
const publicNetConstants = (
  c: Pick<ChainConstants, 'blockStakeAging' | 'blockCreatorFee' | 'transactionFeeCondition'>,
): ChainConstants => ({
  ...RIVINE_DEFAULTS,
  blockFrequency: 120,
  maturityDelay: 720,
  targetWindow: 1000,
  maxAdjustmentUp: ratio(25, 10),
  maxAdjustmentDown: ratio(10, 25),
  futureThreshold: 3600,
  extremeFutureThreshold: 7200,
  stakeModifierDelay: 2000,
  minimumTransactionFee: TFT / 10n,
  ...c,
})

/**
 * Standard and testnet: v0 below 385 000 (DisableTransactionSinceValidator). The reference checks the
 * minimum fee only from height 300 000; `enforceMinimumFee` is global, so it is on (the rule live nodes
 * apply today) and replaying history below 300 000 may differ (docs/presets.md). The median-timestamp
 * rule is off: reference nodes effectively never enforced it (spec/rivine.md §5.3 [quirk]), so the live
 * chains may contain blocks that break it.
 */
const PUBLIC_NET_RULES: ChainRules = {
  enforceMedianTimestamp: false,
  enforceMinimumFee: true,
  acceptV0BelowHeight: TFCHAIN_V0_DISABLED_HEIGHT,
  feeRulesFromHeight: 300_000,
}

/**
 * `minting.NewMintingPlugin(cond, 128, 129, {UseLegacySiaEncoding, RequireMinerFees})` and
 * `authcointx.NewPlugin(cond, 176, 177, {RequireMinerFees, AuthorizedByDefault, tfchain exception})`, as
 * the `extensions` object of a chain file (each extension validates its own part, docs/presets.md).
 */
const tfchainExtensions = (mint: Condition, auth: Condition): { [name: string]: JsonValue } => ({
  minting: {
    genesisMintCondition: conditionToJson(mint),
    minterDefinitionVersion: 128,
    coinCreationVersion: 129,
    encoding: 'sia',
    requireMinerFees: true,
  },
  authcoin: {
    genesisAuthCondition: conditionToJson(auth),
    addressUpdateVersion: 176,
    conditionUpdateVersion: 177,
    authorizedByDefault: true,
    requireMinerFees: true,
    selfTransferMaxCoinOutputs: 2,
  },
})

/** Reference `host:port` peers as multiaddrs; they speak Rivine's gateway protocol, not libp2p. */
const peers = (list: string[]): string[] =>
  list.map((p) => {
    const [host, port] = p.split(':')
    return `/dns4/${host}/tcp/${port}`
  })

/** `GetStandardnetGenesis()`, `GetStandardDaemonNetworkConfig()`, `GetStandardnetGenesisAuthCoinCondition()`. */
export const tfchainStandard: ChainDefinition = {
  name: 'tfchain',
  network: 'standard',
  coinUnit: 'TFT',
  oneCoin: TFT,
  constants: publicNetConstants({
    blockStakeAging: 1 << 17,
    blockCreatorFee: TFT,
    transactionFeeCondition: uh(TFCHAIN_STANDARD_FEE_POOL_ADDRESS),
  }),
  rules: PUBLIC_NET_RULES,
  genesis: {
    timestamp: 1_522_501_000,
    transactionVersion: 0,
    coinOutputs: [
      // temporary pool, then dev/test allocations, in the reference's order
      coins(695_000_000n, '014ab1cf49a331bef9225a51a68623daf7e112fce0e81a91194a7f4fe7af1d9a793bc52d4676d0'),
      coins(3000n, '01ad4f73417476f8b8350298681dd0fa8640baa53a91915417b1dd8103d118b543c992e6fba1c4'),
      coins(90_000n, '017eb744c7a97443d7927725bfb2a004384e4230386ea0f693f9ce1c1161d771878a1f048c887b'),
      coins(1000n, '01cc55df18eb3b86670deb6cfbb9b62b8463b62738426f0c14a7ae8926d6b556fbac3aab17f437'),
      coins(1000n, '01e2dc01a686fc0ca25612871a6515f2e3b804aa63244bf19449ecb3c9aaaf36f0cc6839b0af60'),
      coins(1000n, '0166da8a4ab39a621637d9e7eb4e1fbaf95f905856af13af1268fc1a79c65b4f6686dec75c9d94'),
      coins(1000n, '013dfb1c49e8b9a73bc8b460d9ef20fc1f40e0d034742950f70d983c455342719d1e9f656d002b'),
      coins(2000n, '018a28615b277eb7e7a0e6921e85ad5b3ca378ac210b7f258b0b11ef313ea2ce98bd2e2510472d'),
    ],
    blockStakeOutputs: [
      // ambassadors' pool, one per first-generation node, dev/validation
      stakes(390n, '01746677df456546d93729066dd88514e2009930f3eebac3c93d43c88a108f8f9aa9e7c6f58893'),
      stakes(100n, '01ad4f73417476f8b8350298681dd0fa8640baa53a91915417b1dd8103d118b543c992e6fba1c4'),
      stakes(10n, '01cc55df18eb3b86670deb6cfbb9b62b8463b62738426f0c14a7ae8926d6b556fbac3aab17f437'),
    ],
  },
  bootstrapPeers: peers([1, 2, 3, 4, 5].map((i) => `bootstrap${i}.threefoldtoken.com:23112`)),
  extensions: tfchainExtensions(
    multisig(2, [
      '01434535fd01243c02c277cd58d71423163767a575a8ae44e15807bf545e4a8456a5c4afabad51',
      '01334cf68f312026ff9df84fc023558db8624bedd717adcc9edc6900488cf6df54ac8e3d1c89a8',
      '0149a5496fea27315b7db6251e5dfda23bc9d4bf677c5a5c2d70f1382c44357197d8453d9dfa32',
    ]),
    multisig(2, [
      '01334cf68f312026ff9df84fc023558db8624bedd717adcc9edc6900488cf6df54ac8e3d1c89a8',
      '019fa94269df01563cdcdc992d4f0cd5e00bb88eb0dfd3de397acd9823ee6de30cce2fbdf3ad89',
      '0149a5496fea27315b7db6251e5dfda23bc9d4bf677c5a5c2d70f1382c44357197d8453d9dfa32',
    ]),
  ),
}

/** `GetTestnetGenesis()` (Rivine testnet defaults: no fee condition), `GetTestnetDaemonNetworkConfig()`. */
export const tfchainTestnet: ChainDefinition = {
  name: 'tfchain',
  network: 'testnet',
  coinUnit: 'TFT',
  oneCoin: TFT,
  constants: publicNetConstants({
    blockStakeAging: 1 << 6,
    blockCreatorFee: 10n * TFT,
    transactionFeeCondition: NIL_CONDITION,
  }),
  rules: PUBLIC_NET_RULES,
  genesis: {
    timestamp: 1_519_200_000,
    transactionVersion: 0,
    coinOutputs: [coins(100_000_000n, TFCHAIN_TESTNET_GENESIS_ADDRESS)],
    blockStakeOutputs: [stakes(3000n, TFCHAIN_TESTNET_GENESIS_ADDRESS)],
  },
  bootstrapPeers: peers([
    'bootstrap1.testnet.threefoldtoken.com:23112',
    'bootstrap2.testnet.threefoldtoken.com:23112',
    'bootstrap3.testnet.threefoldtoken.com:23112',
    'bootstrap4.testnet.threefoldtoken.com:24112',
    'bootstrap5.testnet.threefoldtoken.com:23112',
  ]),
  extensions: tfchainExtensions(
    multisig(2, [
      '016148ac9b17828e0933796eaca94418a376f2aa3fefa15685cea5fa462093f0150e09067f7512',
      '01d553fab496f3fd6092e25ce60e6f72e24b57950bffc0d372d659e38e5a95e89fb117b4eb3481',
      '013a787bf6248c518aee3a040a14b0dd3a029bc8e9b19a1823faf5bcdde397f4201ad01aace4c9',
    ]),
    multisig(1, [
      '018a65b9dc7b3e769a3fee8c06d04bbee6d77c94b29bd735e4eb5d81813886bb885fd9c9fa23e4',
      '01b972bc33c0929b5b8133917cbb64423bc77c2ba41faa620df0d58d3d886a439a66b102295083',
      '013a787bf6248c518aee3a040a14b0dd3a029bc8e9b19a1823faf5bcdde397f4201ad01aace4c9',
    ]),
  ),
}

/**
 * `GetDevnetGenesis()`: v1 genesis, v0 never valid, minimum fee 1 TFT checked globally (the reference
 * comment says 0.1; the code multiplies by 1).
 */
export const tfchainDevnet: ChainDefinition = {
  name: 'tfchain',
  network: 'devnet',
  coinUnit: 'TFT',
  oneCoin: TFT,
  constants: {
    ...RIVINE_DEFAULTS,
    blockFrequency: 12,
    maturityDelay: 10,
    targetWindow: 20,
    maxAdjustmentUp: ratio(120, 100),
    maxAdjustmentDown: ratio(100, 120),
    futureThreshold: 120,
    extremeFutureThreshold: 240,
    stakeModifierDelay: 2000,
    blockStakeAging: 1 << 6,
    blockCreatorFee: 10n * TFT,
    minimumTransactionFee: TFT,
    transactionFeeCondition: NIL_CONDITION,
  },
  rules: {
    enforceMedianTimestamp: true,
    enforceMinimumFee: true,
    acceptV0BelowHeight: 0,
    feeRulesFromHeight: 0,
  },
  genesis: {
    timestamp: 1_519_200_000,
    transactionVersion: 1,
    coinOutputs: [coins(100_000_000n, TFCHAIN_DEVNET_ADDRESS)],
    blockStakeOutputs: [stakes(3000n, TFCHAIN_DEVNET_ADDRESS)],
  },
  bootstrapPeers: peers(['localhost:23112']),
  extensions: tfchainExtensions(uh(TFCHAIN_DEVNET_ADDRESS), uh(TFCHAIN_DEVNET_ADDRESS)),
}

/** The tfchain presets by name, for `presets.ts`. */
export const TFCHAIN_PRESETS: readonly (readonly [string, ChainDefinition])[] = [
  ['tfchain-standard', tfchainStandard],
  ['tfchain-testnet', tfchainTestnet],
  ['tfchain-devnet', tfchainDevnet],
]
