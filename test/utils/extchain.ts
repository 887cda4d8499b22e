// A devnet chain with minting and a whitelist (auth-coin, authorizedByDefault false) and builders for its
// blocks and extension transactions: the staker creates every block; `minter` holds the genesis mint
// condition and `authority` the auth condition. Shared by the consensus replay and the node's chain tests.
import { nobleEd25519 } from '../../consensus/crypto/ed25519.js'
import { signAuthFulfillment } from '../../consensus/extensions/authcointx/index.js'
import { chainConsensus } from '../../consensus/extensions/catalog.js'
import { signMintFulfillment } from '../../consensus/extensions/minting/index.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { preset } from '../../consensus/params/presets.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../../consensus/pobs/kernel.js'
import type { Block } from '../../consensus/types/block.js'
import { conditionToJson } from '../../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../consensus/types/transaction.js'
import { addressOf, conditionOf, nonce } from '../unit/consensus/extensions/harness.js'
import { testKey } from '../unit/consensus/extensions/helpers.js'
import type { MemoryChain } from './replay.js'

const ed = nobleEd25519

export { addressOf, conditionOf }
export const [staker, minter, authority, alice, bob] = ['staker', 'minter', 'authority', 'alice', 'bob'].map(
  testKey,
) as [SigningKey, SigningKey, SigningKey, SigningKey, SigningKey]
export const base = preset('devnet')
export const FEE = base.constants.minimumTransactionFee

/** Our devnet with a whitelist and minting; the staker holds every block stake. */
export const def: ChainDefinition = {
  ...base,
  genesis: {
    ...base.genesis,
    coinOutputs: [{ value: 1000n * base.oneCoin, condition: conditionOf(staker) }],
    blockStakeOutputs: [{ value: 3000n, condition: conditionOf(staker) }],
  },
  extensions: {
    minting: {
      genesisMintCondition: conditionToJson(conditionOf(minter)),
      encoding: 'sia',
      requireMinerFees: true,
    },
    authcoin: {
      genesisAuthCondition: conditionToJson(conditionOf(authority)),
      authorizedByDefault: false,
      requireMinerFees: true,
    },
  },
}
export const { registry, rules } = chainConsensus(def)
const [extDef, extRegistry] = [def, registry]
export const NOW = (): number => 2_000_000_000

/** The next block on `chain`'s tip: the staker's respend, `txs`, and the payouts they owe. */
export function nextBlock(
  chain: MemoryChain,
  txs: readonly Transaction[],
  { def, registry } = { def: extDef, registry: extRegistry },
): Block {
  const tip = chain.tip
  const pobsOutput = { blockHeight: tip.height, transactionIndex: 0, outputIndex: 0 }
  const holder = chain.blocks[tip.height]!.block.transactions[0]!
  const modifier = stakeModifier(tip.height + 1, def.constants.stakeModifierDelay, (h) => chain.blocks[h]!.id)
  let timestamp = tip.block.timestamp + 1
  while (!kernelMeetsTarget(kernelHash(modifier, pobsOutput, timestamp), 3000n, tip.childTarget)) timestamp++
  const respend = signSingleSignature(
    registry,
    ed,
    {
      ...emptyTransaction(1),
      blockStakeInputs: [{ parentId: registry.blockStakeOutputId(holder, 0), fulfillment: { type: 0 } }],
      blockStakeOutputs: [holder.blockStakeOutputs[0]!],
    },
    'blockStakeInputs',
    0,
    staker,
  )
  const fees = txs.reduce((s, tx) => s + tx.minerFees.reduce((a, f) => a + f, 0n), 0n)
  return {
    parentId: tip.id,
    timestamp,
    pobsOutput,
    minerPayouts: [{ value: def.constants.blockCreatorFee + fees, unlockHash: addressOf(staker) }],
    transactions: [respend, ...txs],
  }
}

let n = 0
export const authorize = (...keys: SigningKey[]) =>
  signAuthFulfillment(
    registry,
    ed,
    {
      ...emptyTransaction(176),
      minerFees: [FEE],
      extension: {
        nonce: nonce(++n),
        authAddresses: keys.map(addressOf),
        deauthAddresses: [],
        authFulfillment: { type: 0 },
      },
    },
    authority,
  )
export const mint = (to: SigningKey, value: bigint, signer = minter) =>
  signMintFulfillment(
    registry,
    ed,
    {
      ...emptyTransaction(129),
      coinOutputs: [{ value, condition: conditionOf(to) }],
      minerFees: [FEE],
      extension: { nonce: nonce(++n), mintFulfillment: { type: 0 } },
    },
    signer,
  )
export const newMinter = (to: SigningKey) =>
  signMintFulfillment(
    registry,
    ed,
    {
      ...emptyTransaction(128),
      minerFees: [FEE],
      extension: { nonce: nonce(++n), mintFulfillment: { type: 0 }, mintCondition: conditionOf(to) },
    },
    minter,
  )
