// wallet/tx/extensions.ts: the extension transactions a wallet builds and signs go through the chain's own
// consensus rules (`chainConsensus(def)`) with the matching extension state, and the 2-of-3 multisig file
// flow: signed by two members (each from the file, as `multisig sign` does) validates, by one is refused.
import { describe, expect, it } from 'vitest'
import { nodeEd25519 } from '../../../../consensus/crypto/ed25519.node.js'
import { blake2b256 } from '../../../../consensus/crypto/hash.js'
import { toHex, utf8 } from '../../../../consensus/encoding/hex.js'
import { authStatus } from '../../../../consensus/extensions/authcointx/state.js'
import {
  chainConsensus,
  parseChainDefinitionWithExtensions,
} from '../../../../consensus/extensions/catalog.js'
import { mintConditionAt } from '../../../../consensus/extensions/minting/state.js'
import { type ChainDefinition, chainDefinitionToJson } from '../../../../consensus/params/chain.js'
import { preset } from '../../../../consensus/params/presets.js'
import { MemoryExtensionState } from '../../../../consensus/state/extensions.js'
import { hexKey, MapView } from '../../../../consensus/state/outputs.js'
import {
  type Condition,
  conditionToJson,
  publicKeyUnlockHash,
  unlockHashCondition,
} from '../../../../consensus/types/conditions.js'
import type { Transaction } from '../../../../consensus/types/transaction.js'
import { unlockHashToString } from '../../../../consensus/types/unlockhash.js'
import { ValidationError } from '../../../../consensus/validation/errors.js'
import { applyTransactions } from '../../../../consensus/validation/transaction.js'
import { chainRef } from '../../../../wallet/client/node-api.js'
import { keyring, signInputs, WalletError } from '../../../../wallet/tx/build.js'
import {
  authorityError,
  authoritySignatureStatus,
  buildAuthAddressUpdate,
  buildAuthConditionUpdate,
  buildCoinCreation,
  buildCoinDestruction,
  buildMinterDefinition,
  type ExtensionAuthority,
  extensionKindOf,
  randomNonce,
  signAuthority,
} from '../../../../wallet/tx/extensions.js'
import {
  parseTransactionFileText,
  type TransactionFile,
  transactionFileToText,
} from '../../../../wallet/tx/file.js'
import { devKey } from '../../../utils/devchain.js'

const COIN = 1_000_000_000n
const FEE = COIN / 10n
const [authority, alice, bob, m1, m2, m3] = [0, 1, 2, 3, 4, 5].map(devKey) as [
  ReturnType<typeof devKey>,
  ...ReturnType<typeof devKey>[],
]
const uh = (k: { publicKey: Parameters<typeof publicKeyUnlockHash>[0] }) => publicKeyUnlockHash(k.publicKey)
const to = (k: typeof authority): Condition => unlockHashCondition(uh(k))
const multisig: Condition = { type: 4, minimumSignatureCount: 2, unlockHashes: [m1!, m2!, m3!].map(uh) }

/** Our devnet with minting (rivbin, fees, coin destruction) and a whitelist naming alice at genesis. */
function extensionDevnet(): ChainDefinition {
  const json = chainDefinitionToJson(preset('devnet')) as Record<string, unknown>
  json.extensions = {
    minting: {
      genesisMintCondition: conditionToJson(to(authority)),
      coinDestructionVersion: 130,
      encoding: 'rivbin',
      requireMinerFees: true,
    },
    authcoin: {
      genesisAuthCondition: conditionToJson(to(authority)),
      authorizedByDefault: false,
      requireMinerFees: true,
      genesisAuthorizedAddresses: [alice!.address],
    },
  }
  return parseChainDefinitionWithExtensions(json)
}

/** A chain's rules and state in memory; `block(...)` applies transactions at the next height. */
class Chain {
  readonly consensus
  readonly state = new MemoryExtensionState()
  readonly outputs = new MapView()
  height = 1
  constructor(readonly def: ChainDefinition) {
    this.consensus = chainConsensus(def)
    this.state.apply(this.consensus.rules.genesisState)
  }
  get registry() {
    return this.consensus.registry
  }
  private ctx() {
    return {
      def: this.def,
      registry: this.registry,
      verifier: nodeEd25519,
      blockHeight: this.height,
      blockTime: this.def.genesis.timestamp + this.height * 2,
      rules: this.consensus.rules,
      state: this.state,
    }
  }
  block(...txs: Transaction[]) {
    const r = applyTransactions(txs, this.ctx(), this.outputs)
    for (const o of r.spentCoins) this.outputs.coins.delete(hexKey(o.id))
    for (const o of r.createdCoins) this.outputs.coins.set(hexKey(o.id), o)
    this.state.apply(r.extensionChanges)
    this.height++
    return r
  }
  refusal(...txs: Transaction[]): ValidationError {
    try {
      applyTransactions(txs, this.ctx(), this.outputs)
    } catch (err) {
      if (err instanceof ValidationError) return err
      throw err
    }
    throw new Error('accepted')
  }
  mintAuthority(): ExtensionAuthority {
    return { kind: 'mint', condition: mintConditionAt(this.state, this.height), height: this.height - 1 }
  }
}

const sign = (c: Chain, tx: Transaction, a: ExtensionAuthority, ...keys: (typeof authority)[]) =>
  signAuthority(c.registry, nodeEd25519, tx, a, keyring(keys))

describe('extension transactions built by the wallet', () => {
  it('a built and signed coin creation (129) validates under chainConsensus and pays new coins', () => {
    const c = new Chain(extensionDevnet())
    const a = c.mintAuthority()
    const tx = buildCoinCreation(129, [{ value: 5n * COIN, condition: to(alice!) }], {
      minerFees: [FEE],
      arbitraryData: utf8('capacity week 1'),
    })
    expect(extensionKindOf(tx)).toBe('coin-creation')
    expect(authoritySignatureStatus(tx, a)).toEqual({ kind: 'single', have: 0, need: 1 })
    // a key that is not the authority adds nothing
    expect(sign(c, tx, a, bob!).signed).toBe(0)
    const signed = sign(c, tx, a, authority)
    expect(signed.signed).toBe(1)
    expect(authoritySignatureStatus(signed.tx, a)).toEqual({ kind: 'single', have: 1, need: 1 })
    expect(
      authorityError(c.registry, signed.tx, a, { blockHeight: 1, blockTime: 0, verifier: nodeEd25519 }),
    ).toBeUndefined()
    const r = c.block(signed.tx)
    expect(r.createdCoins.map((o) => o.value)).toEqual([5n * COIN])
    // the whitelist applies to creations: bob is not authorized
    const toBob = sign(
      c,
      buildCoinCreation(129, [{ value: COIN, condition: to(bob!) }], { minerFees: [FEE] }),
      a,
      authority,
    )
    expect(c.refusal(toBob.tx)).toMatchObject({ code: 'unauthorized-address' })
  })

  it('minter definition to a 2-of-3 multisig, then the file flow: two co-signers mint, one is refused', () => {
    const c = new Chain(extensionDevnet())
    const definition = sign(
      c,
      buildMinterDefinition(128, multisig, { minerFees: [FEE] }),
      c.mintAuthority(),
      authority,
    )
    c.block(definition.tx)
    const a = c.mintAuthority()
    expect(a.condition).toEqual(multisig)

    const unsigned = buildCoinCreation(129, [{ value: 7n * COIN, condition: to(alice!) }], {
      minerFees: [FEE],
    })
    const chain = chainRef(c.def, toHex(blake2b256(utf8('genesis'))))
    const file: TransactionFile = {
      chain,
      transaction: unsigned,
      spent: { coinInputs: [], blockStakeInputs: [] },
      authority: a,
    }
    // what each co-signer does: read the file with the chain's own registry, add its pair, write it back
    const coSign = (text: string, key: typeof authority): string => {
      const read = parseTransactionFileText(text)
      expect(read.authority).toEqual(a)
      const { tx, signed } = signAuthority(
        c.registry,
        nodeEd25519,
        read.transaction,
        read.authority!,
        keyring([key]),
      )
      expect(signed).toBe(1)
      return transactionFileToText({ ...read, transaction: tx }, c.registry)
    }
    const once = coSign(transactionFileToText(file, c.registry), m1!)
    const oneSigned = parseTransactionFileText(once).transaction
    expect(authoritySignatureStatus(oneSigned, a)).toEqual({ kind: 'multisig', have: 1, need: 2 })
    expect(c.refusal(oneSigned)).toMatchObject({ code: 'mint-unfulfilled' })
    // signing again with the same key adds nothing
    expect(signAuthority(c.registry, nodeEd25519, oneSigned, a, keyring([m1!])).signed).toBe(0)

    const twoSigned = parseTransactionFileText(coSign(once, m3!)).transaction
    expect(authoritySignatureStatus(twoSigned, a)).toEqual({ kind: 'multisig', have: 2, need: 2 })
    expect(c.block(twoSigned).createdCoins).toHaveLength(1)
    // the old single authority no longer mints
    const old = sign(c, unsigned, { ...a, condition: to(authority) }, authority)
    expect(c.refusal(old.tx)).toMatchObject({ code: 'mint-unfulfilled' })
  })

  it('auth address update (176) and condition update (177) move the whitelist and the authority', () => {
    const c = new Chain(extensionDevnet())
    const auth = (): ExtensionAuthority => ({
      kind: 'auth',
      condition: to(authority),
      height: 0,
    })
    const update = sign(
      c,
      buildAuthAddressUpdate(176, { authorize: [uh(bob!)], deauthorize: [uh(alice!)] }, { minerFees: [FEE] }),
      auth(),
      authority,
    )
    expect(extensionKindOf(update.tx)).toBe('auth-address-update')
    c.block(update.tx)
    expect(authStatus(c.state, uh(bob!)).authorized).toBe(true)
    expect(authStatus(c.state, uh(alice!)).authorized).toBe(false)

    const handover = sign(c, buildAuthConditionUpdate(177, multisig, { minerFees: [FEE] }), auth(), authority)
    expect(extensionKindOf(handover.tx)).toBe('auth-condition-update')
    c.block(handover.tx)
    const again = sign(
      c,
      buildAuthAddressUpdate(176, { authorize: [uh(alice!)], deauthorize: [] }, { minerFees: [FEE] }),
      auth(),
      authority,
    )
    expect(c.refusal(again.tx)).toMatchObject({ code: 'auth-unfulfilled' })
    const byMembers = sign(c, again.tx, { kind: 'auth', condition: multisig, height: 2 }, m2!, m3!)
    expect(byMembers.signed).toBe(2)
    c.block(byMembers.tx)
    expect(authStatus(c.state, uh(alice!)).authorized).toBe(true)
  })

  it('coin destruction (130): inputs signed like v1, change back, the rest destroyed', () => {
    const c = new Chain(extensionDevnet())
    const coins = [3n, 10n].map((v, i) => {
      const o = { id: blake2b256(utf8(`alice ${i}`)), value: v * COIN, condition: to(alice!) }
      c.outputs.coins.set(hexKey(o.id), o)
      return o
    })
    const unsigned = buildCoinDestruction({
      version: 130,
      available: coins,
      amount: 4n * COIN,
      fee: FEE,
      change: to(alice!),
    })
    expect(extensionKindOf(unsigned)).toBe('coin-destruction')
    expect(unsigned.coinInputs.map((i) => toHex(i.parentId))).toEqual([toHex(coins[1]!.id)])
    expect(unsigned.coinOutputs).toEqual([{ value: 10n * COIN - 4n * COIN - FEE, condition: to(alice!) }])
    const { tx, signed } = signInputs(
      c.registry,
      nodeEd25519,
      unsigned,
      { coinInputs: [to(alice!)] },
      keyring([alice!]),
    )
    expect(signed).toBe(1)
    const r = c.block(tx)
    expect(r.spentCoins[0]!.value - r.createdCoins[0]!.value - FEE).toBe(4n * COIN)
    expect(() =>
      buildCoinDestruction({
        version: 130,
        available: coins.slice(0, 1),
        amount: 3n * COIN,
        fee: FEE,
        change: to(alice!),
      }),
    ).toThrow(WalletError)
  })

  it('tfchain-devnet (Sia minting bodies): the public devnet key mints', () => {
    const def = preset('tfchain-devnet')
    const c = new Chain(def)
    const a = c.mintAuthority()
    expect(unlockHashToString(publicKeyUnlockHash(devKey(25).publicKey))).toBe(
      unlockHashToString(
        (a.condition as { unlockHash: Parameters<typeof unlockHashToString>[0] }).unlockHash,
      ),
    )
    const { tx } = sign(
      c,
      buildCoinCreation(129, [{ value: COIN, condition: to(alice!) }], { minerFees: [COIN] }),
      a,
      devKey(25),
    )
    expect(c.block(tx).createdCoins).toHaveLength(1)
  })

  it('nonces are random and never zero; bad fields are refused before anything is signed', () => {
    expect(toHex(randomNonce())).not.toBe(toHex(randomNonce()))
    expect(randomNonce().some((b) => b !== 0)).toBe(true)
    expect(() => buildCoinCreation(129, [], { minerFees: [] })).toThrow(/needs an output/)
    expect(() => buildCoinCreation(129, [{ value: 0n, condition: to(alice!) }], { minerFees: [] })).toThrow(
      /positive/,
    )
    expect(() => buildAuthAddressUpdate(176, { authorize: [], deauthorize: [] }, { minerFees: [] })).toThrow(
      /address/,
    )
    expect(() =>
      buildMinterDefinition(128, to(alice!), { minerFees: [], arbitraryData: new Uint8Array(84) }),
    ).toThrow(/84 bytes/)
    expect(() => buildMinterDefinition(1, to(alice!), { minerFees: [] })).toThrow(/not an extension/)
  })
})
