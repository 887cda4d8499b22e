// consensus/extensions/authcointx: the rules of auth address updates (176), auth condition updates (177)
// and of every transaction's coin flow (spec/tfchain.md §3.2–3.4), in whitelist and blocklist mode.
import { describe, expect, it } from 'vitest'
import { blake2b256, sha256 } from '../../../../consensus/crypto/hash.js'
import { utf8 } from '../../../../consensus/encoding/hex.js'
import {
  type AuthCoinParams,
  authCoinExtension,
  authCoinRules,
  authConditionAt,
  authConditionHistory,
  authStatus,
  signAuthFulfillment,
} from '../../../../consensus/extensions/authcointx/index.js'
import { mintingExtension, signMintFulfillment } from '../../../../consensus/extensions/minting/index.js'
import { preset } from '../../../../consensus/params/presets.js'
import {
  atomicSwapUnlockHash,
  type Condition,
  conditionUnlockHash,
  NIL_CONDITION,
} from '../../../../consensus/types/conditions.js'
import type { SigningKey } from '../../../../consensus/types/sign.js'
import { signSingleSignature } from '../../../../consensus/types/sign.js'
import { emptyTransaction, type Transaction } from '../../../../consensus/types/transaction.js'
import {
  NIL_UNLOCK_HASH,
  type UnlockHash,
  unlockHashToString,
} from '../../../../consensus/types/unlockhash.js'
import { addressOf, conditionOf, ed, Harness, nonce } from './harness.js'
import { testKey } from './helpers.js'

const COIN = 1_000_000_000n
const FEE = COIN / 10n
const authority = testKey('auth authority')
const [alice, bob, carol] = [testKey('alice'), testKey('bob'), testKey('carol')]

const WHITELIST: AuthCoinParams = {
  genesisAuthCondition: conditionOf(authority),
  addressUpdateVersion: 176,
  conditionUpdateVersion: 177,
  authorizedByDefault: false,
  requireMinerFees: true,
  selfTransferMaxCoinOutputs: 1,
}
const BLOCKLIST: AuthCoinParams = { ...WHITELIST, authorizedByDefault: true, selfTransferMaxCoinOutputs: 2 }

const chain = (params: AuthCoinParams) => new Harness(preset('devnet'), [authCoinExtension.enable(params)])

let serial = 0
/** An unspent output of `value` owned by `owner` (or paying `condition`). */
function funded(h: Harness, owner: SigningKey | Condition, value = 10n * COIN) {
  const condition = 'secretSeed' in owner ? conditionOf(owner) : owner
  return h.fund(blake2b256(utf8(`output ${serial++}`)), value, condition)
}

/** A v1 payment spending `input` (signed by `signer`) to `outputs`, the rest as the fee. */
function payment(
  h: Harness,
  input: { id: Uint8Array; value: bigint },
  signer: SigningKey,
  outputs: readonly (readonly [Condition, bigint])[],
): Transaction {
  const paid = outputs.reduce((s, [, v]) => s + v, 0n)
  const tx: Transaction = {
    ...emptyTransaction(1),
    coinInputs: [{ parentId: input.id, fulfillment: { type: 0 } }],
    coinOutputs: outputs.map(([condition, value]) => ({ value, condition })),
    minerFees: [input.value - paid],
  }
  return signSingleSignature(h.registry, ed, tx, 'coinInputs', 0, signer)
}

function addressUpdate(
  h: Harness,
  auth: readonly UnlockHash[],
  deauth: readonly UnlockHash[] = [],
  signer: SigningKey = authority,
  n = 1,
): Transaction {
  const tx: Transaction = {
    ...emptyTransaction(176),
    minerFees: [FEE],
    extension: {
      nonce: nonce(n),
      authAddresses: auth,
      deauthAddresses: deauth,
      authFulfillment: { type: 0 },
    },
  }
  return signAuthFulfillment(h.registry, ed, tx, signer)
}

function conditionUpdate(h: Harness, authCondition: Condition, signer: SigningKey = authority): Transaction {
  const tx: Transaction = {
    ...emptyTransaction(177),
    minerFees: [FEE],
    extension: { nonce: nonce(9), authCondition, authFulfillment: { type: 0 } },
  }
  return signAuthFulfillment(h.registry, ed, tx, signer)
}

describe('authorized addresses: whitelist (authorizedByDefault false)', () => {
  it('refuses a transfer to an unauthorized address, naming it; it passes after an address update', () => {
    const h = chain(WHITELIST)
    h.block(addressUpdate(h, [addressOf(alice)]))
    const coins = funded(h, alice)
    const pay = payment(h, coins, alice, [
      [conditionOf(alice), 5n * COIN],
      [conditionOf(bob), 4n * COIN],
    ])
    const err = h.refusal(pay)
    const bobAddress = unlockHashToString(addressOf(bob))
    expect(err).toMatchObject({ code: 'unauthorized-address', rule: 'authcoin/transfers' })
    expect(err.details).toMatchObject({
      transaction: 0,
      output: { list: 'coinOutputs', index: 1 },
      address: bobAddress,
    })
    expect(err.message).toBe(
      `transaction 0: authcoin/transfers: coinOutputs[1] pays to ${bobAddress}, which is not authorized`,
    )

    const update = h.block(addressUpdate(h, [addressOf(bob)], [], authority, 2))
    expect(update.extensionChanges).toHaveLength(1)
    expect(authStatus(h.state, addressOf(bob))).toEqual({ authorized: true, since: h.height - 1 })
    h.block(pay)
  })

  it('an update and a transfer it allows may share a block (the transfer comes later)', () => {
    const h = chain(WHITELIST)
    const coins = funded(h, alice)
    const pay = payment(h, coins, alice, [[conditionOf(bob), 9n * COIN]])
    expect(h.refusal(addressUpdate(h, [addressOf(alice)]), pay).details.transaction).toBe(1)
    h.block(addressUpdate(h, [addressOf(alice), addressOf(bob)]), pay)
  })

  it('refuses spending from an unauthorized address, naming the input', () => {
    const h = chain(WHITELIST)
    h.block(addressUpdate(h, [addressOf(bob)]))
    const coins = funded(h, alice)
    const err = h.refusal(payment(h, coins, alice, [[conditionOf(bob), 9n * COIN]]))
    expect(err.details).toMatchObject({
      input: { list: 'coinInputs', index: 0 },
      address: unlockHashToString(addressOf(alice)),
    })
    expect(err.message).toMatch(/coinInputs\[0\] spends from 01/)
  })

  it('§3.4 exemptions: no coins, a single-address v0/v1 transfer with few outputs, nil and atomic swap addresses', () => {
    const h = chain(WHITELIST)
    // rule 1: no coin flow at all, e.g. a block's respend of its block stakes by an unauthorized address
    const transfers = authCoinRules(WHITELIST).find((r) => r.versions === 'all')!
    const stake = { id: blake2b256(utf8('stake')), value: 5n, condition: conditionOf(alice) }
    const respend: Transaction = {
      ...emptyTransaction(1),
      blockStakeInputs: [{ parentId: stake.id, fulfillment: { type: 0 } }],
      blockStakeOutputs: [{ value: 5n, condition: conditionOf(carol) }],
    }
    transfers.validate(respend, { coins: [], blockStakes: [stake] }, { ...h.context(), state: h.state })
    // rule 2: alice (unauthorized) consolidates to herself with one output (Rivine's default limit)
    const coins = funded(h, alice)
    h.block(payment(h, coins, alice, [[conditionOf(alice), 9n * COIN]]))
    const more = funded(h, alice)
    const twoOutputs = payment(h, more, alice, [
      [conditionOf(alice), 4n * COIN],
      [conditionOf(alice), 5n * COIN],
    ])
    expect(h.refusal(twoOutputs).code).toBe('unauthorized-address')
    // a time lock around her own address is still her address
    const relock: Condition = { type: 3, lockTime: 10n, condition: conditionOf(alice) }
    h.block(payment(h, more, alice, [[relock, 9n * COIN]]))
    // rule 3: an atomic swap contract is never checked; its (authorized) sender is
    h.block(addressUpdate(h, [addressOf(bob)]))
    const swap: Condition = {
      type: 2,
      sender: addressOf(bob),
      receiver: addressOf(carol),
      hashedSecret: sha256(utf8('secret')),
      timeLock: 2_000_000_000n,
    }
    expect(atomicSwapUnlockHash(swap).type).toBe(2)
    const bobs = funded(h, bob)
    h.block(payment(h, bobs, bob, [[swap, 9n * COIN]]))
    // ... but an unauthorized sender cannot create one (two addresses: sender and contract)
    const alices = funded(h, alice)
    expect(h.refusal(payment(h, alices, alice, [[swap, 9n * COIN]])).code).toBe('unauthorized-address')
    expect(authStatus(h.state, atomicSwapUnlockHash(swap))).toEqual({ authorized: true, since: undefined })
    expect(authStatus(h.state, NIL_UNLOCK_HASH)).toEqual({ authorized: true, since: undefined })
    expect(authStatus(h.state, addressOf(carol))).toEqual({ authorized: false, since: undefined })
  })

  it('coin creations pay only authorized addresses (minting and auth-coin together)', () => {
    const minter = testKey('minter')
    const h = new Harness(preset('devnet'), [
      mintingExtension.enable({
        genesisMintCondition: conditionOf(minter),
        minterDefinitionVersion: 128,
        coinCreationVersion: 129,
        encoding: 'sia',
        requireMinerFees: true,
      }),
      authCoinExtension.enable(WHITELIST),
    ])
    const mint = (to: SigningKey, n: number) =>
      signMintFulfillment(
        h.registry,
        ed,
        {
          ...emptyTransaction(129),
          coinOutputs: [{ value: COIN, condition: conditionOf(to) }],
          minerFees: [FEE],
          extension: { nonce: nonce(n), mintFulfillment: { type: 0 } },
        },
        minter,
      )
    // one address and one output, but not v0/v1: no self-transfer exemption
    expect(h.refusal(mint(carol, 1))).toMatchObject({
      code: 'unauthorized-address',
      rule: 'authcoin/transfers',
    })
    h.block(addressUpdate(h, [addressOf(carol)]), mint(carol, 1))
  })
})

describe('authorized addresses: blocklist (tfchain, authorizedByDefault true)', () => {
  it('everyone is authorized until deauthorized; a blocked address neither pays nor receives', () => {
    const h = chain(BLOCKLIST)
    const coins = funded(h, alice)
    h.block(payment(h, coins, alice, [[conditionOf(bob), 9n * COIN]]))
    h.block(addressUpdate(h, [], [addressOf(bob)]))
    expect(authStatus(h.state, addressOf(bob))).toEqual({ authorized: false, since: h.height - 1 })
    const more = funded(h, alice)
    expect(h.refusal(payment(h, more, alice, [[conditionOf(bob), 9n * COIN]])).code).toBe(
      'unauthorized-address',
    )
    const bobs = funded(h, bob)
    expect(h.refusal(payment(h, bobs, bob, [[conditionOf(alice), 9n * COIN]])).details.input).toEqual({
      list: 'coinInputs',
      index: 0,
    })
    // tfchain's exception: a blocked address may move funds among its own outputs, up to 2 of them
    h.block(
      payment(h, bobs, bob, [
        [conditionOf(bob), 4n * COIN],
        [conditionOf(bob), 5n * COIN],
      ]),
    )
    // re-authorizing works; authorizing a never-seen address does not (it is authorized by default)
    h.block(addressUpdate(h, [addressOf(bob)], [], authority, 2))
    expect(authStatus(h.state, addressOf(bob)).authorized).toBe(true)
    expect(h.refusal(addressUpdate(h, [addressOf(carol)], [], authority, 3)).code).toBe('already-authorized')
  })
})

describe('auth address update (176) and auth condition update (177)', () => {
  it('checks its lists, nonce, fees and fulfillment', () => {
    const h = chain(BLOCKLIST)
    expect(h.refusal(addressUpdate(h, [])).code).toBe('no-auth-addresses')
    const dup = h.refusal(addressUpdate(h, [], [addressOf(bob), addressOf(bob)]))
    expect(dup).toMatchObject({ code: 'duplicate-auth-address' })
    expect(dup.message).toMatch(/deauthAddresses\[1\]/)
    expect(h.refusal(addressUpdate(h, [addressOf(bob)], [addressOf(bob)])).code).toBe('already-authorized')
    expect(h.refusal(addressUpdate(h, [], [addressOf(bob)], alice)).code).toBe('auth-unfulfilled')
    expect(h.refusal(addressUpdate(h, [], [addressOf(bob)], authority, 0)).code).toBe('zero-nonce')
    const noFee = { ...addressUpdate(h, [], [addressOf(bob)]), minerFees: [] }
    expect(h.refusal(noFee)).toMatchObject({ code: 'missing-miner-fee', rule: 'authcoin/address-update' })
    h.block(addressUpdate(h, [], [addressOf(bob)]))
    expect(h.refusal(addressUpdate(h, [], [addressOf(bob)], authority, 2)).code).toBe('already-deauthorized')
    // the nil address is not exempt here (spec §3.2 rule 5): on a blocklist it is authorized already
    expect(h.refusal(addressUpdate(h, [NIL_UNLOCK_HASH], [], authority, 3)).code).toBe('already-authorized')
  })

  it('a condition update hands the authority over from its block on', () => {
    const h = chain(BLOCKLIST)
    h.height = 7
    expect(h.refusal(conditionUpdate(h, conditionOf(authority))).code).toBe('auth-condition-unchanged')
    const swap: Condition = {
      type: 2,
      sender: addressOf(alice),
      receiver: addressOf(bob),
      hashedSecret: sha256(utf8('x')),
      timeLock: 1n,
    }
    for (const bad of [NIL_CONDITION, swap])
      expect(h.refusal(conditionUpdate(h, bad)).code).toBe('invalid-auth-condition')
    expect(h.refusal(conditionUpdate(h, conditionOf(carol), alice)).code).toBe('auth-unfulfilled')
    const committee: Condition = {
      type: 4,
      minimumSignatureCount: 2,
      unlockHashes: [addressOf(alice), addressOf(bob), addressOf(carol)],
    }
    // a time lock around a multisig reports the multisig's address: allowed
    expect(conditionUnlockHash({ type: 3, lockTime: 1n, condition: committee }).type).toBe(3)
    h.block(conditionUpdate(h, committee))
    expect(authConditionAt(h.state, 6)).toEqual(conditionOf(authority))
    expect(authConditionAt(h.state, 7)).toEqual(committee)
    expect(authConditionHistory(h.state).map((e) => e.height)).toEqual([0, 7])
    // the old authority no longer updates addresses; two of the committee do
    expect(h.refusal(addressUpdate(h, [], [addressOf(bob)])).code).toBe('auth-unfulfilled')
    const unsigned = addressUpdate(h, [], [addressOf(bob)])
    const once = signAuthFulfillment(h.registry, ed, unsigned, alice, 'multisig')
    expect(h.refusal(once).message).toMatch(/multisig needs 2 signatures, got 1/)
    h.block(signAuthFulfillment(h.registry, ed, once, carol, 'multisig'))
  })
})
