// Generates valid chains quickly from the pure consensus functions (no validation on the way):
// benchmarks and tests import them into a node to measure or exercise full validation.
import type { Ed25519 } from '../consensus/crypto/ed25519.js'
import type { JsonValue } from '../consensus/encoding/json.js'
import { COIN_DESTRUCTION_VERSION } from '../consensus/extensions/minting/types.js'
import { type ChainDefinition, chainRootTarget, genesisBlock } from '../consensus/params/chain.js'
import { preset } from '../consensus/params/presets.js'
import { kernelHash, kernelMeetsTarget, stakeModifier } from '../consensus/pobs/kernel.js'
import { childTarget } from '../consensus/pobs/target.js'
import { type Block, BlockCodec, type MinerPayout } from '../consensus/types/block.js'
import {
  conditionToJson,
  conditionUnlockHash,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../consensus/types/conditions.js'
import { type SigningKey, signSingleSignature } from '../consensus/types/sign.js'
import type { Transaction, TransactionRegistry } from '../consensus/types/transaction.js'
import { unlockHashToString } from '../consensus/types/unlockhash.js'

/** The extensions a devnet can run with (DESIGN §4, §8). */
export interface DevnetExtensions {
  /** Minting: 128, 129 and coin destruction (130), rivbin bodies, a miner fee on each. */
  readonly minting?: boolean
  /** Authorized addresses (176, 177): `whitelist` (authorizedByDefault false) or tfchain's `blocklist`. */
  readonly auth?: 'whitelist' | 'blocklist'
  /** Grid capacity (224, 225; docs/capacity.md), with its default parameters. */
  readonly capacity?: boolean
}

/**
 * The `extensions` object of a devnet's chain definition: `authority` holds the mint and auth conditions;
 * on a whitelist, `authorized` (the faucet, the nodes, the authority) are authorized from genesis so
 * the genesis coins and the block rewards can move before the first address update.
 */
export function devnetExtensions(
  enabled: DevnetExtensions,
  authority: SigningKey | undefined,
  authorized: readonly SigningKey[],
): Record<string, JsonValue> {
  if ((enabled.minting || enabled.auth) && !authority)
    throw new Error('minting and authorized addresses need an authority key')
  const condition = authority
    ? conditionToJson(unlockHashCondition(publicKeyUnlockHash(authority.publicKey)))
    : null
  const out: Record<string, JsonValue> = {}
  if (enabled.capacity) out.capacity = {}
  if (enabled.minting)
    out.minting = {
      genesisMintCondition: condition,
      coinDestructionVersion: COIN_DESTRUCTION_VERSION,
      encoding: 'rivbin',
      requireMinerFees: true,
    }
  if (enabled.auth)
    out.authcoin = {
      genesisAuthCondition: condition,
      authorizedByDefault: enabled.auth === 'blocklist',
      requireMinerFees: true,
      ...(enabled.auth === 'whitelist'
        ? {
            genesisAuthorizedAddresses: [
              ...new Set(authorized.map((k) => unlockHashToString(publicKeyUnlockHash(k.publicKey)))),
            ],
          }
        : {}),
    }
  return out
}

/** A chain definition from the `devnet` preset with its genesis given to the named keys. */
export function devnetDefinition(opts: {
  readonly stakers: readonly SigningKey[]
  readonly coinsTo: SigningKey
  readonly timestamp: number
  readonly stakePerStaker?: bigint
  readonly coins?: bigint
  readonly base?: ChainDefinition
  /** The `extensions` object (`devnetExtensions`); default: the base's (none on the devnet preset). */
  readonly extensions?: Record<string, JsonValue>
}): ChainDefinition {
  const base = opts.base ?? preset('devnet')
  const to = (k: SigningKey) => unlockHashCondition(publicKeyUnlockHash(k.publicKey))
  return {
    ...base,
    ...(opts.extensions ? { extensions: opts.extensions } : {}),
    genesis: {
      timestamp: opts.timestamp,
      transactionVersion: 1,
      coinOutputs: [{ value: opts.coins ?? 100_000_000n * base.oneCoin, condition: to(opts.coinsTo) }],
      blockStakeOutputs: opts.stakers.map((k) => ({ value: opts.stakePerStaker ?? 1000n, condition: to(k) })),
    },
  }
}

export interface GenerateOptions {
  readonly def: ChainDefinition
  readonly registry: TransactionRegistry
  readonly ed: Ed25519
  /** Owner of the genesis block stake output at (0, 0, 0), which creates every block. */
  readonly stakeKey: SigningKey
  /** Owner of the genesis coin output; transfers rotate between these keys (the first funds them). */
  readonly keys: readonly SigningKey[]
  readonly blocks: number
  readonly transactionsPerBlock: number
  /** The arbitrary data of transfer `index` of block `height` (default none). */
  readonly arbitraryData?: (height: number, index: number) => Uint8Array
}

interface Spendable {
  readonly id: Uint8Array
  readonly value: bigint
  readonly key: SigningKey
}

/**
 * Yields blocks 1…n on top of the definition's genesis. Each transaction spends one output and
 * creates two (a payment and change), so every block can hold `transactionsPerBlock` signed
 * transactions from the start (later transactions spend outputs of earlier ones in the block).
 */
export function* generateChain(opts: GenerateOptions): Generator<Block> {
  const { def, registry, ed } = opts
  const c = def.constants
  const codec = new BlockCodec(registry)
  const genesis = genesisBlock(def)
  const ids = [codec.id(genesis)]
  const timestamps = [genesis.timestamp]
  let target = chainRootTarget(def)
  const genesisTx = genesis.transactions[0]!
  let stake = { id: registry.blockStakeOutputId(genesisTx, 0), output: genesisTx.blockStakeOutputs[0]! }
  const fee = c.minimumTransactionFee
  const queue: Spendable[] = [
    { id: registry.coinOutputId(genesisTx, 0), value: genesisTx.coinOutputs[0]!.value, key: opts.keys[0]! },
  ]
  let head = 0
  const addressOf = opts.keys.map((k) => unlockHashCondition(publicKeyUnlockHash(k.publicKey)))
  const owner = publicKeyUnlockHash(opts.stakeKey.publicKey)
  let turn = 0

  for (let height = 1; height <= opts.blocks; height++) {
    const parentTimestamp = timestamps[height - 1]!
    const modifier = stakeModifier(height, c.stakeModifierDelay, (h) => ids[h]!)
    const position =
      height === 1
        ? { blockHeight: 0, transactionIndex: 0, outputIndex: 0 }
        : { blockHeight: height - 1, transactionIndex: 0, outputIndex: 0 }
    let timestamp = parentTimestamp + 1
    while (!kernelMeetsTarget(kernelHash(modifier, position, timestamp), stake.output.value, target))
      timestamp++

    const respend = signSingleSignature(
      registry,
      ed,
      {
        version: 1,
        coinInputs: [],
        coinOutputs: [],
        blockStakeInputs: [{ parentId: stake.id, fulfillment: { type: 0 } }],
        blockStakeOutputs: [stake.output],
        minerFees: [],
        arbitraryData: new Uint8Array(0),
      },
      'blockStakeInputs',
      0,
      opts.stakeKey,
    )
    const transactions: Transaction[] = [respend]
    for (let i = 0; i < opts.transactionsPerBlock; i++) {
      const input = queue[head++]!
      const pay = (input.value - fee) / 2n
      const to = turn++ % opts.keys.length
      const unsigned: Transaction = {
        version: 1,
        coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
        coinOutputs: [
          { value: pay, condition: addressOf[to]! },
          { value: input.value - fee - pay, condition: addressOf[(to + 1) % opts.keys.length]! },
        ],
        blockStakeInputs: [],
        blockStakeOutputs: [],
        minerFees: [fee],
        arbitraryData: opts.arbitraryData?.(height, i) ?? new Uint8Array(0),
      }
      const tx = signSingleSignature(registry, ed, unsigned, 'coinInputs', 0, input.key)
      const outIds = registry.outputIds(tx)
      queue.push({ id: outIds.coinOutputIds[0]!, value: pay, key: opts.keys[to]! })
      queue.push({
        id: outIds.coinOutputIds[1]!,
        value: input.value - fee - pay,
        key: opts.keys[(to + 1) % opts.keys.length]!,
      })
      transactions.push(tx)
    }
    if (head > 100_000) {
      queue.splice(0, head)
      head = 0
    }
    const payouts: MinerPayout[] = [{ value: c.blockCreatorFee, unlockHash: owner }]
    const fees = fee * BigInt(opts.transactionsPerBlock)
    if (fees > 0n)
      payouts.push({
        value: fees,
        unlockHash:
          c.transactionFeeCondition.type === 0 ? owner : conditionUnlockHash(c.transactionFeeCondition),
      })
    const block: Block = {
      parentId: ids[height - 1]!,
      timestamp,
      pobsOutput: position,
      minerPayouts: payouts,
      transactions,
    }
    const id = codec.id(block)
    ids.push(id)
    timestamps.push(timestamp)
    target = childTarget(
      c,
      target,
      height,
      timestamp,
      () => timestamps[Math.max(0, height - c.targetWindow)]!,
    )
    stake = { id: registry.blockStakeOutputId(respend, 0), output: respend.blockStakeOutputs[0]! }
    yield block
  }
}
