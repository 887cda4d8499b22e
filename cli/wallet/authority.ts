// What the mint and auth commands share (DESIGN §4, docs/wallet.md): the chain's extension parameters,
// the fees of types without coin inputs, the new condition a definition or condition update sets, and
// the last step: sign the mint/auth fulfillment with the keys this wallet holds, then send the
// transaction or write it as a file for the other owners of a multisig authority.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { utf8 } from '../../consensus/encoding/hex.js'
import { stringifyJson } from '../../consensus/encoding/json.js'
import { type AuthCoinParams, authCoinExtension } from '../../consensus/extensions/authcointx/index.js'
import { extensionParams } from '../../consensus/extensions/catalog.js'
import { type MintingParams, mintingExtension } from '../../consensus/extensions/minting/index.js'
import { type Condition, conditionToJson, unlockHashCondition } from '../../consensus/types/conditions.js'
import type { Currency } from '../../consensus/types/currency.js'
import type { Transaction } from '../../consensus/types/transaction.js'
import { parseUnlockHash, UnlockType, unlockHashToString } from '../../consensus/types/unlockhash.js'
import type { NodeClient } from '../../wallet/client/node-api.js'
import { conditionSigners, keyring } from '../../wallet/tx/build.js'
import {
  type AuthorityKind,
  authoritySignatureStatus,
  type ExtensionAuthority,
  signAuthority,
} from '../../wallet/tx/extensions.js'
import type { TransactionFile } from '../../wallet/tx/file.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import {
  amountText,
  type CommonOptions,
  describeCondition,
  reportFile,
  summarize,
  writeTransactionFile,
} from './common.js'
import { parseMultisig } from './multisig.js'
import { parseCoinAmount } from './spend.js'
import type { OpenWallet } from './store.js'

export interface AuthorityOptions extends CommonOptions {
  out?: string
  data?: string
  fee?: string
}

/** `--out`, `--data` and `--fee` of the mint and auth commands. */
export function withAuthorityOptions(c: Command): Command {
  return c
    .option(
      '--out <file>',
      'write the transaction file instead of sending it (for the other owners of a multisig condition, or to sign offline)',
    )
    .option(
      '--data <text>',
      'arbitrary data, e.g. a description (at most the chain limit, 83 bytes by default)',
    )
    .option(
      '--fee <amount>',
      'miner fee in coins, where the chain wants one (default and minimum: the chain minimum)',
    )
}

/** `--out` never replaces a file: checked before anything else. */
export function checkOut(opts: { out?: string }): void {
  if (opts.out !== undefined && existsSync(opts.out)) throw new UserError(`--out: ${opts.out} exists already`)
}

const chainName = (client: NodeClient) => `the chain "${client.def.name}" (network ${client.def.network})`

/** The chain's minting parameters, or the error that it has none. */
export function mintingOf(client: NodeClient): MintingParams {
  const p = extensionParams(client.def, mintingExtension)
  if (!p) throw new UserError(`${chainName(client)} has no minting: it enables no "minting" extension`)
  return p
}

/** The chain's auth-coin parameters, or the error that it has none. */
export function authCoinOf(client: NodeClient): AuthCoinParams {
  const p = extensionParams(client.def, authCoinExtension)
  if (!p)
    throw new UserError(
      `${chainName(client)} has no authorized addresses: it enables no "authcoin" extension`,
    )
  return p
}

/**
 * The miner fees of a type whose `requireMinerFees` option is `require`: one fee of the chain minimum (or
 * `--fee`, not below it), or none. These types spend no coins: the fee is created with the block, as
 * the coins of a creation are (spec/tfchain.md §2.3), so nobody's balance pays it.
 */
export function extensionFees(client: NodeClient, require: boolean, fee: string | undefined): Currency[] {
  const minimum = client.def.constants.minimumTransactionFee
  if (!require) {
    if (fee !== undefined)
      throw new UserError(`--fee: ${chainName(client)} takes no miner fee on this transaction type`)
    return []
  }
  const value = fee === undefined ? minimum : parseCoinAmount(fee, client.precision, '--fee')
  if (value < minimum)
    throw new UserError(
      `--fee must be at least the chain minimum of ${amountText(minimum, 'coins', client.precision)}`,
    )
  return [value]
}

/** `--data` as bytes, within the chain's limit. */
export function dataOption(client: NodeClient, data: string | undefined): Uint8Array | undefined {
  if (data === undefined) return undefined
  const bytes = utf8(data)
  const limit = client.def.constants.arbitraryDataSizeLimit
  if (bytes.length > limit) throw new UserError(`--data is ${bytes.length} bytes, the chain allows ${limit}`)
  return bytes
}

/**
 * The condition a minter definition or auth condition update sets: `ADDRESS` (a wallet address, or a
 * multisig address the wallet follows) or `--multisig M ADDRESS…`, exactly one of them.
 */
export function parseNewCondition(
  address: string | undefined,
  multisig: readonly string[] | undefined,
  wallet: OpenWallet,
  what: string,
): Condition {
  if ((address === undefined) === (multisig === undefined))
    throw new UserError(`give the new ${what} condition: an ADDRESS, or --multisig M ADDRESS…`)
  if (multisig) {
    const [m, ...members] = multisig
    return parseMultisig(m ?? '', members)
  }
  const uh = parseUnlockHash(address!.trim(), 'ADDRESS')
  if (uh.type === UnlockType.PubKey) return unlockHashCondition(uh)
  if (uh.type === UnlockType.MultiSig) {
    const known = wallet.multisig(uh)
    if (known) return known.condition
    throw new UserError(
      `ADDRESS is a multisig address this wallet does not follow: give its members with --multisig M ADDRESS…`,
    )
  }
  throw new UserError(
    `ADDRESS: the ${what} condition must be a wallet (type 1) or multisig address, got type ${uh.type}`,
  )
}

/** The condition in force at the node's tip, as the authority a new transaction answers to. */
export async function currentAuthority(client: NodeClient, kind: AuthorityKind): Promise<ExtensionAuthority> {
  const { height, condition } = await client.authorityCondition(kind)
  return { kind, condition, height }
}

const sameCondition = (a: Condition, b: Condition) =>
  stringifyJson(conditionToJson(a)) === stringifyJson(conditionToJson(b))

/** `tx send`: the signatures of a mint/auth file count only while its condition is still in force. */
export async function assertAuthorityUnchanged(
  client: NodeClient,
  authority: ExtensionAuthority,
  path: string,
): Promise<void> {
  const now = await client.authorityCondition(authority.kind)
  if (!sameCondition(now.condition, authority.condition))
    throw new UserError(
      `the ${authority.kind} condition changed since ${path} was built (now ${describeCondition(now.condition)}): its signatures no longer fulfil it; build the transaction again`,
    )
}

/** The wallet key indexes among the signers of `condition`. */
async function ownKeys(wallet: OpenWallet, condition: Condition): Promise<number[]> {
  const limit = Math.max(wallet.file.keys.length, wallet.file.addressCount)
  const out: number[] = []
  for (const signer of conditionSigners(condition)) {
    const index = await wallet.indexOf(unlockHashToString(signer), limit)
    if (index !== undefined) out.push(index)
  }
  return out
}

const AUTHORITY = { mint: 'mint', auth: 'auth' } as const

/**
 * Signs the mint/auth fulfillment of `unsigned` with the keys of the condition in force this wallet
 * holds, then writes the transaction file (`--out`: `{"file", …}`) or sends it (`{"transactionId"}`).
 * A wallet with none of its keys is not the authority; one that cannot fulfil it alone (a multisig) is
 * told to write a file for the other owners. Nothing is written or sent on an error.
 */
export async function finishAuthorityTransaction(
  wallet: OpenWallet,
  client: NodeClient,
  unsigned: Transaction,
  authority: ExtensionAuthority,
  opts: AuthorityOptions,
): Promise<void> {
  const name = AUTHORITY[authority.kind]
  const inForce = `the ${name} condition in force (height ${authority.height}) is ${describeCondition(authority.condition)}`
  const indexes = await ownKeys(wallet, authority.condition)
  if (indexes.length === 0)
    throw new UserError(
      `the wallet ${wallet.path} is not the ${name} authority: it holds no key of it; ${inForce}`,
    )
  if (opts.out === undefined && wallet.watchOnly)
    throw new UserError(
      `${wallet.path} is a watch-only wallet: write the transaction with --out FILE and sign it with "wallet tx sign" where the seed is`,
    )
  let tx = unsigned
  let signed = 0
  if (!wallet.watchOnly) {
    const keys = await wallet.signingKeys(indexes)
    ;({ tx, signed } = signAuthority(client.registry, nodeEd25519, unsigned, authority, keyring(keys)))
  }
  const file: TransactionFile = {
    chain: client.chain,
    transaction: tx,
    spent: { coinInputs: [], blockStakeInputs: [] },
    authority,
  }
  const mine = new Set(wallet.file.keys.map((k) => k.address))
  if (opts.out !== undefined) {
    writeTransactionFile(opts.out, file, client.registry)
    wallet.save()
    reportFile(file, opts.out, client.precision, mine, opts.json, { signed }, 'signature(s) added')
    return
  }
  const status = authoritySignatureStatus(tx, authority)
  if (status.have < status.need)
    throw new UserError(
      `this wallet cannot fulfil the ${name} condition alone: ${inForce}, and the wallet holds ${indexes.length} of its keys (${status.need} signatures needed); write the transaction with --out FILE, have the other owners add theirs with "wallet multisig sign FILE", then "wallet tx send FILE"`,
    )
  const transactionId = await client.submit(tx)
  wallet.save()
  if (opts.json) println(JSON.stringify({ transactionId }))
  else {
    println(`sent: transaction ${transactionId}`)
    for (const line of summarize(file, client.precision, (a) => mine.has(a)).lines.slice(0, -1)) println(line)
  }
}
