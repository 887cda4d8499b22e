// Helpers for tests that build chains: the public devnet key (carbon boss … index 25) and a
// simulated clock.
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { preset } from '../../consensus/params/presets.js'
import { publicKeyUnlockHash, unlockHashCondition } from '../../consensus/types/conditions.js'
import { coreRegistry } from '../../consensus/types/registry.js'
import type { SigningKey } from '../../consensus/types/sign.js'
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
