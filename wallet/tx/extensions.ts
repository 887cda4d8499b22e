// Building and signing the extension transactions of DESIGN §4 (spec/tfchain.md §2–3): minter
// definitions (128), coin creations (129), coin destructions (130, where a chain registers it), auth
// address updates (176) and auth condition updates (177). Their mint or auth fulfillment is signed like an
// input: a single signature for an address (or a time lock around one), one pair per member key for a
// multisig. Browser-safe.
import type { Ed25519 } from '../../consensus/crypto/ed25519.js'
import {
  type AuthAddressUpdateExtension,
  type AuthConditionUpdateExtension,
  authFulfillmentError,
  isAuthAddressUpdateExtension,
  isAuthConditionUpdateExtension,
  signAuthFulfillment,
} from '../../consensus/extensions/authcointx/types.js'
import {
  type CoinCreationExtension,
  isCoinCreationExtension,
  isMinterDefinitionExtension,
  type MinterDefinitionExtension,
  mintFulfillmentError,
  signMintFulfillment,
} from '../../consensus/extensions/minting/types.js'
import { type Condition, publicKeyUnlockHash } from '../../consensus/types/conditions.js'
import type { Currency } from '../../consensus/types/currency.js'
import { type Fulfillment, NIL_FULFILLMENT } from '../../consensus/types/fulfillments.js'
import type { SigningKey } from '../../consensus/types/sign.js'
import {
  type CoinOutput,
  emptyTransaction,
  type Transaction,
  type TransactionRegistry,
} from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { conditionSigners, type SpendableOutput, selectLargestFirst, WalletError } from './build.js'

/** Which condition an extension transaction's own fulfillment answers to. */
export type AuthorityKind = 'mint' | 'auth'

/**
 * The condition an extension transaction's fulfillment must fulfil: the mint or auth condition in force
 * when it was built (a definition or condition update takes effect for the transactions after it).
 */
export interface ExtensionAuthority {
  readonly kind: AuthorityKind
  readonly condition: Condition
  /** The height the node reported it in force from (for people, and to notice a change before sending). */
  readonly height: number
}

export type ExtensionTransactionKind =
  | 'minter-definition'
  | 'coin-creation'
  | 'coin-destruction'
  | 'auth-address-update'
  | 'auth-condition-update'

/**
 * What an extension transaction is, from the fields it carries (version numbers are a chain option);
 * `undefined` for v0/v1. A version above 1 without extension fields is a coin destruction, the one
 * built-in type with none.
 */
export function extensionKindOf(tx: Transaction): ExtensionTransactionKind | undefined {
  if (tx.version <= 1) return undefined
  const e = tx.extension
  if (isMinterDefinitionExtension(e)) return 'minter-definition'
  if (isCoinCreationExtension(e)) return 'coin-creation'
  if (isAuthAddressUpdateExtension(e)) return 'auth-address-update'
  if (isAuthConditionUpdateExtension(e)) return 'auth-condition-update'
  return e === undefined ? 'coin-destruction' : undefined
}

/** The authority an extension transaction kind answers to (coin destructions spend ordinary inputs). */
export function authorityKindOf(kind: ExtensionTransactionKind | undefined): AuthorityKind | undefined {
  if (kind === 'minter-definition' || kind === 'coin-creation') return 'mint'
  if (kind === 'auth-address-update' || kind === 'auth-condition-update') return 'auth'
  return undefined
}

/** 8 random bytes, never all zeros (spec §2.2 rule 2: a zero nonce is refused). */
export function randomNonce(): Uint8Array {
  const nonce = new Uint8Array(8)
  do globalThis.crypto.getRandomValues(nonce)
  while (nonce.every((b) => b === 0))
  return nonce
}

/** What every extension type carries besides its own fields. */
export interface ExtensionFields {
  /** The miner fees: the chain's minimum when its `requireMinerFees` says so, else none. */
  readonly minerFees: readonly Currency[]
  readonly arbitraryData?: Uint8Array
  /** Default: `randomNonce()`. */
  readonly nonce?: Uint8Array
}

/**
 * Checks the shared fields. These types have no coin inputs: their fees are not paid from anyone's coins
 * but created with the block, like the coins a creation mints (spec/tfchain.md §2.3: the supply grows
 * by outputs plus fees).
 */
function shared(version: number, f: ExtensionFields, maxArbitraryData = 83) {
  if (version <= 1 || version > 255)
    throw new WalletError('invalid-amount', `${version} is not an extension transaction version`)
  for (const fee of f.minerFees)
    if (fee <= 0n) throw new WalletError('invalid-amount', 'a miner fee must be positive')
  const arbitraryData = f.arbitraryData ?? new Uint8Array(0)
  if (arbitraryData.length > maxArbitraryData)
    throw new WalletError(
      'data-too-large',
      `arbitrary data of ${arbitraryData.length} bytes exceeds ${maxArbitraryData}`,
    )
  return {
    tx: { ...emptyTransaction(version), minerFees: [...f.minerFees], arbitraryData },
    nonce: f.nonce ?? randomNonce(),
  }
}

/** A minter definition (spec §2.2): `mintCondition` becomes the mint condition. Unsigned. */
export function buildMinterDefinition(
  version: number,
  mintCondition: Condition,
  fields: ExtensionFields,
  maxArbitraryData?: number,
): Transaction {
  const { tx, nonce } = shared(version, fields, maxArbitraryData)
  const extension: MinterDefinitionExtension = { nonce, mintFulfillment: NIL_FULFILLMENT, mintCondition }
  return { ...tx, extension }
}

/** A coin creation (spec §2.3) paying `outputs` with new coins. Unsigned. */
export function buildCoinCreation(
  version: number,
  outputs: readonly CoinOutput[],
  fields: ExtensionFields,
  maxArbitraryData?: number,
): Transaction {
  if (outputs.length === 0) throw new WalletError('invalid-amount', 'a coin creation needs an output')
  for (const o of outputs)
    if (o.value <= 0n) throw new WalletError('invalid-amount', 'every output needs a positive amount')
  const { tx, nonce } = shared(version, fields, maxArbitraryData)
  const extension: CoinCreationExtension = { nonce, mintFulfillment: NIL_FULFILLMENT }
  return { ...tx, coinOutputs: [...outputs], extension }
}

/** An auth address update (spec §3.2). Unsigned. */
export function buildAuthAddressUpdate(
  version: number,
  addresses: { readonly authorize: readonly UnlockHash[]; readonly deauthorize: readonly UnlockHash[] },
  fields: ExtensionFields,
  maxArbitraryData?: number,
): Transaction {
  if (addresses.authorize.length + addresses.deauthorize.length === 0)
    throw new WalletError('invalid-amount', 'an address update needs an address to (de)authorize')
  const { tx, nonce } = shared(version, fields, maxArbitraryData)
  const extension: AuthAddressUpdateExtension = {
    nonce,
    authAddresses: [...addresses.authorize],
    deauthAddresses: [...addresses.deauthorize],
    authFulfillment: NIL_FULFILLMENT,
  }
  return { ...tx, extension }
}

/** An auth condition update (spec §3.3): `authCondition` becomes the auth condition. Unsigned. */
export function buildAuthConditionUpdate(
  version: number,
  authCondition: Condition,
  fields: ExtensionFields,
  maxArbitraryData?: number,
): Transaction {
  const { tx, nonce } = shared(version, fields, maxArbitraryData)
  const extension: AuthConditionUpdateExtension = { nonce, authCondition, authFulfillment: NIL_FULFILLMENT }
  return { ...tx, extension }
}

export interface CoinDestructionRequest {
  readonly version: number
  /** What the wallet can spend (unlocked, confirmed and not pending). */
  readonly available: readonly SpendableOutput[]
  /** Coins destroyed: inputs − outputs − fee (spec §2.4, strictly positive). */
  readonly amount: Currency
  /** The one miner fee (spec §2.4: at least one is required). */
  readonly fee: Currency
  /** Where change goes. */
  readonly change: Condition
  readonly arbitraryData?: Uint8Array
  readonly maxArbitraryData?: number
}

/**
 * A coin destruction (spec §2.4): coin inputs (largest first) covering the amount and the fee, change
 * back to the wallet; what the outputs and the fee do not take is destroyed. Inputs left unsigned (they
 * are signed like v1 inputs, `signInputs`).
 */
export function buildCoinDestruction(req: CoinDestructionRequest): Transaction {
  if (req.amount <= 0n) throw new WalletError('invalid-amount', 'the amount to destroy must be positive')
  if (req.fee <= 0n) throw new WalletError('invalid-amount', 'a coin destruction needs a miner fee')
  const { tx } = shared(
    req.version,
    { minerFees: [req.fee], ...(req.arbitraryData ? { arbitraryData: req.arbitraryData } : {}) },
    req.maxArbitraryData,
  )
  const needed = req.amount + req.fee
  const { chosen, sum } = selectLargestFirst(req.available, needed)
  if (sum < needed)
    throw new WalletError('insufficient-funds', `insufficient funds: ${needed - sum} base units missing`, {
      missing: needed - sum,
    })
  return {
    ...tx,
    coinInputs: chosen.map((o) => ({ parentId: o.id, fulfillment: NIL_FULFILLMENT })),
    coinOutputs: sum > needed ? [{ value: sum - needed, condition: req.change }] : [],
  }
}

// ---- the mint and auth fulfillments ----------------------------------------------------------------

/** The mint or auth fulfillment of `tx`. */
export function authorityFulfillment(tx: Transaction, kind: AuthorityKind): Fulfillment {
  const e = tx.extension as { mintFulfillment?: Fulfillment; authFulfillment?: Fulfillment } | undefined
  const f = kind === 'mint' ? e?.mintFulfillment : e?.authFulfillment
  if (!f) throw new TypeError(`transaction version ${tx.version} has no ${kind} fulfillment`)
  return f
}

/** A multisig condition, seen through a time lock; `undefined` for anything else. */
function multisigOf(c: Condition) {
  const inner = c.type === 3 ? c.condition : c
  return inner.type === 4 ? inner : undefined
}

/**
 * Adds the signatures `keys` can give to the mint or auth fulfillment: a single signature when the
 * condition is an address (or a time lock around one) and the key is its owner, one pair per owned
 * member key not yet present when it is a multisig. Returns the transaction and how many were added.
 */
export function signAuthority(
  registry: TransactionRegistry,
  ed: Ed25519,
  tx: Transaction,
  authority: ExtensionAuthority,
  keys: ReadonlyMap<string, SigningKey>,
): { tx: Transaction; signed: number } {
  const sign = authority.kind === 'mint' ? signMintFulfillment : signAuthFulfillment
  const multisig = multisigOf(authority.condition)
  if (!multisig) {
    const owner = conditionSigners(authority.condition)[0]
    const key = owner && keys.get(unlockHashToString(owner))
    return key ? { tx: sign(registry, ed, tx, key, 'single'), signed: 1 } : { tx, signed: 0 }
  }
  let out = tx
  let signed = 0
  const current = authorityFulfillment(tx, authority.kind)
  const present = new Set(
    current.type === 3 ? current.pairs.map((p) => unlockHashToString(publicKeyUnlockHash(p.publicKey))) : [],
  )
  for (const member of multisig.unlockHashes) {
    const address = unlockHashToString(member)
    const key = keys.get(address)
    if (!key || present.has(address)) continue
    out = sign(registry, ed, out, key, 'multisig')
    present.add(address)
    signed++
  }
  return { tx: out, signed }
}

/** How many signatures the mint or auth fulfillment has and needs. */
export interface AuthoritySignatures {
  readonly kind: 'single' | 'multisig'
  readonly have: number
  readonly need: number
}

export function authoritySignatureStatus(
  tx: Transaction,
  authority: ExtensionAuthority,
): AuthoritySignatures {
  const f = authorityFulfillment(tx, authority.kind)
  const multisig = multisigOf(authority.condition)
  if (multisig)
    return { kind: 'multisig', have: f.type === 3 ? f.pairs.length : 0, need: multisig.minimumSignatureCount }
  return { kind: 'single', have: f.type === 0 ? 0 : 1, need: 1 }
}

/**
 * Why the mint or auth fulfillment of `tx` does not fulfil the authority's condition at the given block
 * height and time (signatures, members, time locks), or `undefined`: the consensus check itself.
 */
export function authorityError(
  registry: TransactionRegistry,
  tx: Transaction,
  authority: ExtensionAuthority,
  ctx: { readonly blockHeight: number; readonly blockTime: number; readonly verifier: Ed25519 },
): string | undefined {
  const check = authority.kind === 'mint' ? mintFulfillmentError : authFulfillmentError
  return check(registry, tx, authority.condition, ctx)
}
