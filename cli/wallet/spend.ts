// What `send`, `stake send` and `tx build` share: reading amounts and recipients, gathering what the
// wallet (or a multisig wallet it follows) can spend, building the transaction with change to a fresh
// address, and signing a transaction file with the wallet's keys.
import type { Command } from 'commander'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { fromHex, toHex, utf8 } from '../../consensus/encoding/hex.js'
import { authCoinExtension } from '../../consensus/extensions/authcointx/extension.js'
import { extensionParams } from '../../consensus/extensions/catalog.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { type Condition, conditionUnlockHash, unlockHashCondition } from '../../consensus/types/conditions.js'
import {
  CoinStringError,
  type Currency,
  formatCoinString,
  parseCoinString,
} from '../../consensus/types/currency.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import { parseUnlockHash, UnlockType, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { NodeClient } from '../../wallet/client/node-api.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import type { PublicWalletKey } from '../../wallet/keys/public.js'
import {
  buildTransaction,
  conditionSigners,
  keyring,
  type SpendableOutput,
  signInputs,
  WalletError,
} from '../../wallet/tx/build.js'
import { farmerOf, signFarmerIfOwned } from '../../wallet/tx/capacity.js'
import { signAuthority } from '../../wallet/tx/extensions.js'
import { type SpentOutput, spentConditions, type TransactionFile } from '../../wallet/tx/file.js'
import { parseLockTime, timeLocked } from '../../wallet/tx/lock.js'
import { UserError } from '../errors.js'
import { amountText, type CommonOptions } from './common.js'
import { MAX_KEYS, type MultisigRecord, OpenWallet } from './store.js'

/** A coin amount such as `12.5`: positive, at most `precision` decimals. */
export function parseCoinAmount(text: string, precision: number, field = 'AMOUNT'): Currency {
  const s = text.trim()
  if (s.startsWith('-')) throw new UserError(`${field} cannot be negative, got "${text}"`)
  let value: Currency
  try {
    value = parseCoinString(s, precision)
  } catch (err) {
    if (err instanceof CoinStringError) throw new UserError(`${field}: ${err.message}`)
    throw err
  }
  if (value <= 0n) throw new UserError(`${field} must be positive, got "${text}"`)
  return value
}

/** A block stake amount: a positive whole number (block stakes have no decimals). */
export function parseStakeAmount(text: string, field = 'AMOUNT'): Currency {
  const s = text.trim()
  if (s.startsWith('-')) throw new UserError(`${field} cannot be negative, got "${text}"`)
  if (!/^[0-9]+$/.test(s))
    throw new UserError(`${field} must be a whole number of block stakes, got "${text}"`)
  const value = BigInt(s)
  if (value <= 0n) throw new UserError(`${field} must be positive, got "${text}"`)
  return value
}

/** The syntax of an amount, checked before anything else (the chain's precision is checked later). */
export function checkAmountSyntax(text: string, field = 'AMOUNT'): void {
  const s = text.trim()
  if (s.startsWith('-')) throw new UserError(`${field} cannot be negative, got "${text}"`)
  if (!/^[0-9][0-9,]*(\.[0-9]*)?$|^\.[0-9]+$/.test(s))
    throw new UserError(`${field} must be a positive coin amount like 12.5, got "${text}"`)
}

/**
 * The condition that pays ADDRESS: a wallet address as is, a multisig address through the members the
 * wallet follows (spec §3.4: an unlock-hash condition must be type 1 or 2, so paying a type-3 address needs
 * the full multisig condition).
 */
export function recipientCondition(
  text: string,
  wallet: OpenWallet | undefined,
  field = 'ADDRESS',
): Condition {
  const uh = parseUnlockHash(text.trim(), field)
  if (uh.type === UnlockType.PubKey || uh.type === UnlockType.AtomicSwap) return unlockHashCondition(uh)
  if (uh.type === UnlockType.MultiSig) {
    const known = wallet?.multisig(uh)
    if (known) return known.condition
    throw new UserError(
      `${field} is a multisig address this wallet does not follow: the chain needs its members to pay it; run "wallet multisig address M ADDRESS…" with its members first`,
    )
  }
  throw new UserError(`${field}: cannot pay an address of type ${uh.type}${uh.type === 0 ? ' (nil)' : ''}`)
}

export interface SpendRequest {
  readonly asset: 'coins' | 'blockStakes'
  readonly amount: Currency
  readonly to: Condition
  readonly lock?: bigint
  readonly fee: Currency
  readonly data?: Uint8Array
  /** Spend a followed multisig wallet's outputs (change goes back to it) instead of the wallet's own. */
  readonly fromMultisig?: MultisigRecord
  /** Narrows what the node lists as spendable (`send --light`: to the outputs a light client proved). */
  readonly restrict?: Restrict
}

/** Narrows the spendable outputs the node listed (before selection). */
export type Restrict = (client: NodeClient, spendable: Spendable) => Promise<Spendable>

/** What is not spendable now, for the message when funds are short. */
export interface Held {
  locked: Currency
  immature: Currency
  /** Spent by pool transactions. */
  pending: Currency
  /** Paid to the wallet by pool transactions (change included). */
  incoming: Currency
}

/** What a wallet (or a followed multisig wallet) can spend now, and what it holds that it cannot yet. */
export interface Spendable {
  readonly coins: SpendableOutput[]
  readonly stakes: SpendableOutput[]
  /** By output ID (hex): what a transaction file lists for an input spending it. */
  readonly spent: Map<string, SpentOutput>
  readonly held: { coins: Held; blockStakes: Held }
}

/** Reads the unspent outputs of the wallet's addresses (or of the multisig wallet) from the node. */
export async function gatherSpendable(
  client: NodeClient,
  wallet: OpenWallet,
  fromMultisig?: MultisigRecord,
): Promise<Spendable> {
  const sources: { address: string; keyIndex?: number }[] = fromMultisig
    ? [{ address: fromMultisig.address }]
    : (await wallet.addresses()).map((k) => ({ address: k.address, keyIndex: k.index }))
  const coins: SpendableOutput[] = []
  const stakes: SpendableOutput[] = []
  const spent = new Map<string, SpentOutput>()
  const held: { coins: Held; blockStakes: Held } = {
    coins: { locked: 0n, immature: 0n, pending: 0n, incoming: 0n },
    blockStakes: { locked: 0n, immature: 0n, pending: 0n, incoming: 0n },
  }
  for (const source of sources) {
    const listed = await client.outputs(source.address)
    held.coins.incoming += listed.balance.coins.unconfirmed
    held.blockStakes.incoming += listed.balance.blockStakes.unconfirmed
    for (const [list, into, h] of [
      [listed.coinOutputs, coins, held.coins],
      [listed.blockStakeOutputs, stakes, held.blockStakes],
    ] as const) {
      for (const o of list) {
        if (o.spendable) {
          into.push({ id: fromHex(o.id, 32), value: o.value, condition: o.condition })
          spent.set(o.id, {
            value: o.value,
            condition: o.condition,
            ...(source.keyIndex === undefined ? {} : { keyIndex: source.keyIndex }),
          })
        } else if (o.locked) h.locked += o.value
        else if (o.maturityHeight !== undefined) h.immature += o.value
        else if (o.unconfirmedSpender) h.pending += o.value
      }
    }
  }
  return { coins, stakes, spent, held }
}

/** Whether the node's chain is an auth-coin whitelist (`authorizedByDefault` false, DESIGN §4). */
export const isWhitelist = (def: ChainDefinition): boolean =>
  extensionParams(def, authCoinExtension)?.authorizedByDefault === false

/**
 * Where a spend's change goes: a fresh address of the wallet, except on a whitelist chain, where a fresh
 * address is not authorized (spec/tfchain.md §3.4: every address of the coin flow must be), so change goes
 * back to the address of the largest spendable coin output, the first input the selection takes (largest
 * first), whose address the chain must have authorized for the spend to be valid at all.
 */
export async function changeFor(
  client: NodeClient,
  wallet: OpenWallet,
  coins: readonly SpendableOutput[],
): Promise<{ condition: Condition; key?: PublicWalletKey }> {
  const largest = [...coins].sort((a, b) => (b.value > a.value ? 1 : b.value < a.value ? -1 : 0))[0]
  if (isWhitelist(client.def) && largest)
    return { condition: unlockHashCondition(conditionUnlockHash(largest.condition)) }
  const key = await wallet.nextKey()
  return { condition: unlockHashCondition(parseUnlockHash(key.address)), key }
}

/**
 * Builds the transaction file for a spend. The wallet's change key is handed out (its `addressCount` goes
 * up; the caller saves the wallet once the transaction is written or accepted).
 */
export async function buildSpend(
  client: NodeClient,
  wallet: OpenWallet,
  req: SpendRequest,
): Promise<{ file: TransactionFile; changeKey?: PublicWalletKey }> {
  const listed = await gatherSpendable(client, wallet, req.fromMultisig)
  const { coins, stakes, spent, held } = req.restrict ? await req.restrict(client, listed) : listed
  const fresh = req.fromMultisig ? undefined : await changeFor(client, wallet, coins)
  const changeKey = fresh?.key
  const change: Condition = req.fromMultisig ? req.fromMultisig.condition : fresh!.condition
  const paid = {
    value: req.amount,
    condition: req.lock === undefined ? req.to : timeLocked(req.to, req.lock),
  }
  let tx: ReturnType<typeof buildTransaction>
  try {
    tx = buildTransaction({
      coins: { available: coins, outputs: req.asset === 'coins' ? [paid] : [] },
      ...(req.asset === 'blockStakes' ? { blockStakes: { available: stakes, outputs: [paid] } } : {}),
      fee: req.fee,
      change,
      maxArbitraryData: client.def.constants.arbitraryDataSizeLimit,
      ...(req.data ? { arbitraryData: req.data } : {}),
    })
  } catch (err) {
    throw explainShortfall(err, held, client.precision, req.fromMultisig?.address)
  }
  const usesChange = [...tx.coinOutputs, ...tx.blockStakeOutputs].some((o) => o.condition === change)
  if (changeKey && usesChange) await wallet.takeNextKey()
  const spentOf = (parentId: Uint8Array) => spent.get(toHex(parentId))!
  return {
    file: {
      chain: client.chain,
      transaction: tx,
      spent: {
        coinInputs: tx.coinInputs.map((i) => spentOf(i.parentId)),
        blockStakeInputs: tx.blockStakeInputs.map((i) => spentOf(i.parentId)),
      },
    },
    ...(changeKey && usesChange ? { changeKey } : {}),
  }
}

export function explainShortfall(
  err: unknown,
  held: { coins: Held; blockStakes: Held },
  precision: number,
  from?: string,
) {
  if (!(err instanceof WalletError) || err.details.missing === undefined) return err
  const stakes = err.code === 'insufficient-block-stakes'
  const h = stakes ? held.blockStakes : held.coins
  const amount = (v: Currency) => (stakes ? `${v} block stakes` : `${formatCoinString(v, precision)} coins`)
  const notes = [
    h.locked > 0n ? `${amount(h.locked)} time-locked` : '',
    h.immature > 0n ? `${amount(h.immature)} immature` : '',
    h.pending > 0n ? `${amount(h.pending)} spent by unconfirmed transactions` : '',
    h.incoming > 0n ? `${amount(h.incoming)} unconfirmed` : '',
  ].filter(Boolean)
  const who = from ? `the multisig wallet ${from}` : 'the wallet'
  return new WalletError(
    err.code,
    `insufficient ${stakes ? 'block stakes' : 'funds'} in ${who}: ${amount(err.details.missing)} missing${notes.length ? ` (not spendable yet: ${notes.join(', ')})` : ''}`,
    err.details,
  )
}

/**
 * Adds the wallet's signatures to every input it can sign (single-signature inputs and its share of
 * multisig inputs) and to a mint/auth fulfillment whose condition holds its keys. Reads no node: the
 * spent outputs and the authority's condition come with the file.
 */
export async function signTransactionFile(
  wallet: OpenWallet,
  file: TransactionFile,
  registry: TransactionRegistry,
): Promise<{ file: TransactionFile; signed: number; multisig: Condition[] }> {
  const conditions = spentConditions(file)
  const all = [...file.spent.coinInputs, ...file.spent.blockStakeInputs]
  const seed = await wallet.seed()
  const limit = Math.max(wallet.file.keys.length, wallet.file.addressCount)
  const indexes: number[] = []
  // the mint/auth condition's keys sign its fulfillment (no hint: the authority is not the wallet's output)
  const owners = file.authority ? [{ condition: file.authority.condition, keyIndex: undefined }] : []
  // a capacity registration's farmer key signs its farmer signature
  const farmer = farmerOf(file.transaction)
  if (farmer) owners.push({ condition: unlockHashCondition(farmer), keyIndex: undefined })
  for (const s of [...all, ...owners])
    for (const signer of conditionSigners(s.condition)) {
      const address = unlockHashToString(signer)
      // a key index hint (keys beyond the wallet's own pool, used by a watch-only copy) is checked by
      // deriving that one key: nothing is derived up to it or stored
      const hint = s.keyIndex
      if (hint !== undefined && hint < MAX_KEYS && deriveKey(seed, hint, nodeEd25519).address === address) {
        indexes.push(hint)
        continue
      }
      const index = await wallet.indexOf(address, limit)
      if (index !== undefined) indexes.push(index)
    }
  const keys = await wallet.signingKeys(indexes)
  const inputs = signInputs(registry, nodeEd25519, file.transaction, conditions, keyring(keys))
  const authority = file.authority
    ? signAuthority(registry, nodeEd25519, inputs.tx, file.authority, keyring(keys))
    : { tx: inputs.tx, signed: 0 }
  const farmerSigned = signFarmerIfOwned(registry, nodeEd25519, authority.tx, keyring(keys))
  const tx = farmerSigned.tx
  const signed = inputs.signed + authority.signed + farmerSigned.signed
  const multisig = all
    .map((s) => (s.condition.type === 3 ? s.condition.condition : s.condition))
    .filter((c) => c.type === 4)
    .filter((c) => conditionSigners(c).some((m) => keys.some((k) => k.address === unlockHashToString(m))))
  return { file: { ...file, transaction: tx }, signed, multisig }
}

export interface SpendOptions extends CommonOptions {
  data?: string
  lock?: string
  fee?: string
  fromMultisig?: string
}

/** The spend options of `send`, `stake send` and `tx build`. */
export function withSpendOptions(c: Command): Command {
  return c
    .option('--data <text>', 'arbitrary data (at most the chain limit, 83 bytes by default)')
    .option(
      '--lock <height|date>',
      'time-lock the output: a block height (< 500000000), unix seconds or an ISO date',
    )
    .option('--fee <amount>', 'miner fee in coins (default and minimum: the chain minimum)')
    .option(
      '--from-multisig <address>',
      'spend from a multisig wallet this wallet follows (change goes back to it)',
    )
}

/**
 * Parses and builds a spend: syntax first (nothing read yet), then the wallet, the node and its chain,
 * then the amounts the chain's precision allows. Returns the built file and the node client.
 */
export async function prepareSpend(
  asset: 'coins' | 'blockStakes',
  amountText: string,
  address: string,
  opts: SpendOptions,
  restrict?: Restrict,
) {
  if (asset === 'coins') checkAmountSyntax(amountText)
  else parseStakeAmount(amountText)
  const lock = opts.lock === undefined ? undefined : parseLockTime(opts.lock)
  const wallet = OpenWallet.open(opts.wallet)
  const to = recipientCondition(address, wallet)
  const from = opts.fromMultisig === undefined ? undefined : followed(wallet, opts.fromMultisig)
  const client = await NodeClient.connect(opts.node, wallet)
  const amount =
    asset === 'coins' ? parseCoinAmount(amountText, client.precision) : parseStakeAmount(amountText)
  const minimum = client.def.constants.minimumTransactionFee
  const fee = opts.fee === undefined ? minimum : parseCoinAmount(opts.fee, client.precision, '--fee')
  if (fee < minimum)
    throw new UserError(
      `--fee must be at least the chain minimum of ${amountTextOf(minimum, client.precision)}`,
    )
  const data = opts.data === undefined ? undefined : utf8(opts.data)
  const limit = client.def.constants.arbitraryDataSizeLimit
  if (data && data.length > limit)
    throw new UserError(`--data is ${data.length} bytes, the chain allows ${limit}`)
  const built = await buildSpend(client, wallet, {
    asset,
    amount,
    to,
    fee,
    ...(lock === undefined ? {} : { lock }),
    ...(data ? { data } : {}),
    ...(from ? { fromMultisig: from } : {}),
    ...(restrict ? { restrict } : {}),
  })
  return { wallet, client, ...built }
}

const amountTextOf = (v: Currency, precision: number) => amountText(v, 'coins', precision)

/** A multisig wallet this wallet follows, by address. */
export function followed(wallet: OpenWallet, address: string) {
  const record = wallet.multisig(address.trim())
  if (!record)
    throw new UserError(
      `--from-multisig: this wallet does not follow ${address} (run "wallet multisig address M ADDRESS…" first)`,
    )
  return record
}
