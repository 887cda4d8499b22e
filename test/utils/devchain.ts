// Helpers for tests that build chains: the public devnet key (carbon boss … index 25), a simulated
// clock, and deterministic generated chains for tests that need a valid chain but not the reference's.
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { toHex } from '../../consensus/encoding/hex.js'
import { type ChainConstants, type ChainDefinition, genesisBlock } from '../../consensus/params/chain.js'
import { preset } from '../../consensus/params/presets.js'
import { type Block, BlockCodec } from '../../consensus/types/block.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../consensus/types/conditions.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import type { SigningKey } from '../../consensus/types/sign.js'
import { devnetDefinition, generateChain } from '../../devnet/chaingen.js'
import { Chain } from '../../node/chain/chain.js'
import type { KVStore } from '../../node/db/kvstore.js'
import { createMemoryStore } from '../../node/db/memory.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { mnemonicToSeed } from '../../wallet/keys/seed.js'

export const DEVNET_MNEMONIC =
  'carbon boss inject cover mountain fetch fiber fit tornado cloth wing dinosaur proof joy intact fabric thumb rebel borrow poet chair network expire else'

export function devKey(index: number): SigningKey & { address: string } {
  const k = deriveKey(mnemonicToSeed(DEVNET_MNEMONIC), index, nodeEd25519)
  return { secretSeed: k.secretSeed, publicKey: k.publicKey, address: k.address }
}

/** A simulated clock: tests advance it explicitly. */
export class SimClock {
  constructor(public t: number) {}
  readonly now = (): number => this.t
  advance(seconds: number): void {
    this.t += seconds
  }
}

/** The devnet preset with block stakes split between `stakers` keys, genesis at `timestamp`. */
export function devnetWithStakers(
  stakers: readonly SigningKey[],
  timestamp: number,
  coinsTo?: SigningKey,
): ChainDefinition {
  const base = preset('devnet')
  const owner = coinsTo ?? stakers[0]!
  return {
    ...base,
    genesis: {
      timestamp,
      transactionVersion: 1,
      coinOutputs: [
        {
          value: 1_000_000n * base.oneCoin,
          condition: unlockHashCondition(publicKeyUnlockHash(owner.publicKey)),
        },
      ],
      blockStakeOutputs: stakers.map((k) => ({
        value: 1000n,
        condition: unlockHashCondition(publicKeyUnlockHash(k.publicKey)),
      })),
    },
  }
}

export const openChain = (def: ChainDefinition, clock: SimClock, store: KVStore = createMemoryStore()) =>
  Chain.open({ store, def, registry: coreRegistry(), verifier: nodeEd25519, now: clock.now })

export interface GeneratedChain {
  readonly def: ChainDefinition
  /** Blocks 1…n. */
  readonly blocks: readonly Block[]
  /** Hex block IDs by height, genesis at 0. */
  readonly ids: readonly string[]
}

/**
 * A valid devnet chain from devnet/chaingen.ts, the same for the same options: devKey(0) holds the block
 * stake and creates every block; each block carries `transactionsPerBlock` fee-paying transfers between
 * devKey(0) and devKey(1). `constants` overrides the devnet preset's (a chain of other rules, same genesis).
 */
export function generatedChain(opts: {
  readonly blocks: number
  readonly transactionsPerBlock?: number
  readonly timestamp?: number
  readonly constants?: Partial<ChainConstants>
  readonly arbitraryData?: (height: number, index: number) => Uint8Array
}): GeneratedChain {
  const keys = [devKey(0), devKey(1)]
  const base = preset('devnet')
  const def = devnetDefinition({
    stakers: [keys[0]!],
    coinsTo: keys[0]!,
    timestamp: opts.timestamp ?? 1_700_000_000,
    base: { ...base, constants: { ...base.constants, ...opts.constants } },
  })
  const registry = coreRegistry()
  const blocks = [
    ...generateChain({
      def,
      registry,
      ed: nodeEd25519,
      stakeKey: keys[0]!,
      keys,
      blocks: opts.blocks,
      transactionsPerBlock: opts.transactionsPerBlock ?? 1,
      ...(opts.arbitraryData ? { arbitraryData: opts.arbitraryData } : {}),
    }),
  ]
  const codec = new BlockCodec(registry)
  const ids = [genesisBlock(def), ...blocks].map((b) => toHex(codec.id(b)))
  return { def, blocks, ids }
}
