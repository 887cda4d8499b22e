// Property (DESIGN §3): applying blocks of random extension transactions and then reverting them with the
// inverse of their changes restores the extension state exactly, block by block (what a reorg does).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import {
  type AuthCoinParams,
  addressState,
  authCoinExtension,
  authConditionAt,
  signAuthFulfillment,
} from '../../../../consensus/extensions/authcointx/index.js'
import {
  type MintingParams,
  mintConditionAt,
  mintingExtension,
  signMintFulfillment,
} from '../../../../consensus/extensions/minting/index.js'
import { preset } from '../../../../consensus/params/presets.js'
import {
  compactChanges,
  type ExtensionChange,
  type ExtensionStateView,
  extensionStateHash,
  type MemoryExtensionState,
} from '../../../../consensus/state/extensions.js'
import type { Condition } from '../../../../consensus/types/conditions.js'
import type { SigningKey } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { applyTransactions } from '../../../../consensus/validation/transaction.js'
import { addressOf, conditionOf, ed, Harness, nonce } from './harness.js'
import { testKey } from './helpers.js'

const keys = [0, 1, 2, 3].map((i) => testKey(`revert ${i}`))
const FEE = 1_000_000_000n

type Action =
  | { kind: 'define' | 'mint' | 'authcond'; to: number; honest: boolean }
  | { kind: 'auth' | 'deauth'; who: number; honest: boolean }

/** Mostly signed by the key in charge, so most blocks apply; sometimes by another, so some are refused. */
const honest = fc.integer({ min: 0, max: 9 }).map((x) => x > 0)

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('define' as const, 'mint' as const, 'authcond' as const),
    to: fc.nat(3),
    honest,
  }),
  fc.record({
    kind: fc.constantFrom('auth' as const, 'deauth' as const),
    who: fc.nat(3),
    honest,
  }),
)

const snapshot = (s: MemoryExtensionState) =>
  [...s.entries()].map((e) => `${e.extension}/${e.key}=${Buffer.from(e.value).toString('hex')}`).sort()

function run(auth: AuthCoinParams, blocks: Action[][]) {
  const minting: MintingParams = {
    genesisMintCondition: conditionOf(keys[0]!),
    minterDefinitionVersion: 128,
    coinCreationVersion: 129,
    encoding: 'sia',
    requireMinerFees: true,
  }
  const h = new Harness(preset('tfchain-devnet'), [
    mintingExtension.enable(minting),
    authCoinExtension.enable(auth),
  ])
  const genesis = snapshot(h.state)
  const genesisHash = extensionStateHash(h.state.entries(), blake2b256)
  /** The key holding `condition`, or (dishonest) another one. */
  const signer = (condition: Condition, honest: boolean): SigningKey => {
    const holder = keys.find((k) => JSON.stringify(conditionOf(k)) === JSON.stringify(condition)) ?? keys[0]!
    return honest ? holder : keys[(keys.indexOf(holder) + 1) % keys.length]!
  }
  let n = 1
  /** A transaction for `a`, signed for the state `view` (the block's state so far). */
  const build = (a: Action, view: ExtensionStateView): Transaction => {
    const extension = { nonce: nonce(n++), mintFulfillment: { type: 0 as const } }
    const mintSigner = signer(mintConditionAt(view, h.height), a.honest)
    const authSigner = signer(authConditionAt(view, h.height), a.honest)
    switch (a.kind) {
      case 'define':
        return signMintFulfillment(
          h.registry,
          ed,
          {
            ...emptyTransaction(128),
            minerFees: [FEE],
            extension: { ...extension, mintCondition: conditionOf(keys[a.to]!) },
          },
          mintSigner,
        )
      case 'mint':
        return signMintFulfillment(
          h.registry,
          ed,
          {
            ...emptyTransaction(129),
            coinOutputs: [{ value: FEE, condition: conditionOf(keys[a.to]!) }],
            minerFees: [FEE],
            extension,
          },
          mintSigner,
        )
      case 'authcond':
        return signAuthFulfillment(
          h.registry,
          ed,
          {
            ...emptyTransaction(177),
            minerFees: [FEE],
            extension: {
              nonce: nonce(n++),
              authCondition: conditionOf(keys[a.to]!),
              authFulfillment: { type: 0 },
            },
          },
          authSigner,
        )
      default: {
        const address = addressOf(keys[a.who]!)
        const list = a.kind === 'auth' ? 'authAddresses' : 'deauthAddresses'
        return signAuthFulfillment(
          h.registry,
          ed,
          {
            ...emptyTransaction(176),
            minerFees: [FEE],
            extension: {
              nonce: nonce(n++),
              authAddresses: [],
              deauthAddresses: [],
              [list]: [address],
              authFulfillment: { type: 0 },
            },
          },
          authSigner,
        )
      }
    }
  }

  const applied: { changes: ExtensionChange[]; before: string[] }[] = []
  for (const actions of blocks) {
    const before = snapshot(h.state)
    const txs: Transaction[] = []
    try {
      // each transaction is signed for the state the earlier ones of its block leave
      let view: ExtensionStateView = h.state
      for (const a of actions) {
        txs.push(build(a, view))
        view = applyTransactions(txs, h.context(), h.outputs).extensionState
      }
      const result = applyTransactions(txs, h.context(), h.outputs)
      const changes = compactChanges(result.extensionChanges)
      h.state.apply(changes)
      applied.push({ changes, before })
      h.height++
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      expect(snapshot(h.state)).toEqual(before) // a refused block changes nothing
    }
  }
  // a reorg back to genesis, one block at a time
  for (const { changes, before } of applied.reverse()) {
    h.state.revert(changes)
    expect(snapshot(h.state)).toEqual(before)
  }
  expect(snapshot(h.state)).toEqual(genesis)
  expect(extensionStateHash(h.state.entries(), blake2b256)).toEqual(genesisHash)
  for (const k of keys) expect(addressState(h.state, addressOf(k)).since).toBeUndefined()
  return applied.length
}

describe('apply then revert restores extension state exactly', () => {
  const base: AuthCoinParams = {
    genesisAuthCondition: conditionOf(keys[1]!),
    addressUpdateVersion: 176,
    conditionUpdateVersion: 177,
    authorizedByDefault: true,
    requireMinerFees: true,
    selfTransferMaxCoinOutputs: 2,
  }
  for (const authorizedByDefault of [true, false]) {
    it(`random minting and auth-coin blocks (authorizedByDefault ${authorizedByDefault})`, () => {
      let appliedBlocks = 0
      fc.assert(
        fc.property(
          fc.array(fc.array(action, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
          (blocks) => {
            appliedBlocks += run({ ...base, authorizedByDefault }, blocks)
          },
        ),
        { numRuns: 60 },
      )
      expect(appliedBlocks).toBeGreaterThan(30) // the property saw real changes, not only refusals // the property saw real changes, not only refusals
    })
  }
})
