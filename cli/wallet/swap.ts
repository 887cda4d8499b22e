// `blockstake wallet swap …` (issue #14, spec/rivine.md §8): cross-chain atomic swaps with contracts
// byte-compatible with Rivine/tfchain. initiate and participate fund a contract (condition type 2) from
// the wallet; audit reads one from the node; redeem claims it with the secret, refund takes it back after
// its time lock; extractsecret reads the secret from the redeeming transaction. Every check that can fail
// runs before anything is signed or sent.
import type { Command } from 'commander'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { fromHex, toHex } from '../../consensus/encoding/hex.js'
import { type AtomicSwapCondition, unlockHashCondition } from '../../consensus/types/conditions.js'
import { type Currency, formatCoinString } from '../../consensus/types/currency.js'
import { parseUnlockHash, UnlockType, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { type CoinOutputStatus, NodeClient } from '../../wallet/client/node-api.js'
import {
  buildSwapSpend,
  contractOf,
  extractSwapSecret,
  formatDuration,
  hashSwapSecret,
  newSwapSecret,
  parseDuration,
  SWAP_SECRET_SIZE,
  secretMatches,
  signSwapSpend,
  swapCondition,
  swapContractAddress,
} from '../../wallet/tx/swap.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import { type CommonOptions, missingSignatures, withCommonOptions } from './common.js'
import { buildSpend, checkAmountSyntax, parseCoinAmount, signTransactionFile } from './spend.js'
import { OpenWallet } from './store.js'

interface SwapOptions extends CommonOptions {
  duration?: string
  fee?: string
}

/** A 64-hex argument (an ID, a secret, a hashed secret), lower-cased. */
function hexArg(text: string, what: string): string {
  const s = text.trim().toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(s))
    throw new UserError(`${what} must be 64 hex characters (32 bytes), got "${text}"`)
  return s
}

/** The receiver of a contract: a wallet (public key) address, as consensus requires (spec §3.4). */
function partyAddress(text: string) {
  const uh = parseUnlockHash(text.trim(), 'ADDRESS')
  if (uh.type !== UnlockType.PubKey)
    throw new UserError(
      `ADDRESS must be a wallet (public key) address, type 01: a swap contract cannot name a type ${uh.type} address`,
    )
  return uh
}

/** The miner fee: `--fee` or the chain minimum. */
function feeOf(client: NodeClient, text: string | undefined): Currency {
  const minimum = client.def.constants.minimumTransactionFee
  const fee = text === undefined ? minimum : parseCoinAmount(text, client.precision, '--fee')
  if (fee < minimum)
    throw new UserError(
      `--fee must be at least the chain minimum of ${formatCoinString(minimum, client.precision)} coins`,
    )
  return fee
}

/** The wallet file when there is one (audit and extractsecret work without). */
const walletIfAny = (path: string): OpenWallet | undefined => {
  try {
    return OpenWallet.open(path)
  } catch (err) {
    if (err instanceof UserError && err.message.startsWith('no wallet at')) return undefined
    throw err
  }
}

const seconds = (): number => Math.floor(Date.now() / 1000)
const isoTime = (t: bigint): string => new Date(Number(t) * 1000).toISOString().replace('.000Z', 'Z')

/** The earliest timestamp the next block can have, as the node's pool judges a refund (spec §8.2). */
const nextBlockTime = (tip: { timestamp: number }): number => Math.max(tip.timestamp + 1, seconds())

/**
 * `initiate` and `participate`: funds a contract from the wallet (sender = the wallet's first address,
 * where a refund goes back), signs, sends, and for `initiate` keeps the secret encrypted in the wallet file.
 */
async function fundContract(
  receiverText: string,
  amountText: string,
  hashedSecretText: string | undefined,
  opts: SwapOptions,
  defaultDuration: string,
): Promise<void> {
  checkAmountSyntax(amountText)
  const receiver = partyAddress(receiverText)
  const duration = parseDuration(opts.duration ?? defaultDuration)
  const given = hashedSecretText === undefined ? undefined : fromHex(hexArg(hashedSecretText, 'HASHEDSECRET'))
  const wallet = OpenWallet.open(opts.wallet)
  const client = await NodeClient.connect(opts.node, wallet)
  const amount = parseCoinAmount(amountText, client.precision)
  const fee = feeOf(client, opts.fee)
  const sender = parseUnlockHash((await wallet.keys(1))[0]!.address)
  const fresh = given ? undefined : newSwapSecret()
  const hashedSecret = given ?? fresh!.hashedSecret
  const timeLock = BigInt(seconds() + duration)
  const condition = swapCondition({ sender, receiver, hashedSecret, timeLock })
  const contractAddress = unlockHashToString(swapContractAddress(condition))
  const built = await buildSpend(client, wallet, { asset: 'coins', amount, to: condition, fee })
  const { file } = await signTransactionFile(wallet, built.file, client.registry)
  const missing = missingSignatures(file)
  if (missing) throw new UserError(`this wallet cannot sign alone: ${missing}`)
  const ids = client.registry.outputIds(file.transaction)
  const at = file.transaction.coinOutputs.findIndex((o) => o.condition === condition)
  const outputId = toHex(ids.coinOutputIds[at]!)
  // the secret is in the wallet (encrypted) before the contract exists: a failed save then costs nothing
  if (fresh) await wallet.keepSwapSecret({ outputId, contractAddress }, fresh.secret, fresh.hashedSecret)
  wallet.save()
  const transactionId = await client.submit(file.transaction)
  const out = {
    outputId,
    contractAddress,
    hashedSecret: toHex(hashedSecret),
    timeLock: Number(timeLock),
    ...(fresh ? { secret: toHex(fresh.secret) } : {}),
    transactionId,
  }
  if (opts.json) {
    println(JSON.stringify(out))
    return
  }
  println(`${fresh ? 'initiated' : 'participated'}: contract ${contractAddress}`)
  println(`  output ID       ${outputId}`)
  println(
    `  amount          ${formatCoinString(amount, client.precision)} coins to ${unlockHashToString(receiver)}`,
  )
  println(
    `  refund to       ${unlockHashToString(sender)} after ${isoTime(timeLock)} (${formatDuration(duration)})`,
  )
  println(`  hashed secret   ${out.hashedSecret}`)
  if (fresh)
    println(
      `  secret          ${out.secret}  (kept encrypted in ${wallet.path}; reveal it only by redeeming)`,
    )
  println(`  transaction     ${transactionId}`)
}

/** The contract at `outputId` on the node, or a UserError saying why there is none. */
async function findContract(
  client: NodeClient,
  outputId: string,
): Promise<{ status: CoinOutputStatus; contract: AtomicSwapCondition }> {
  const status = await client.coinOutput(outputId)
  if (!status) throw new UserError(`the node at ${client.url} knows no coin output ${outputId}`)
  const contract = contractOf(status.condition)
  if (typeof contract === 'string')
    throw new UserError(`output ${outputId} is not an atomic swap contract: ${contract}`)
  return { status, contract }
}

/** A contract output that can be spent now (unspent, no pool transaction spending it). */
function assertSpendable(status: CoinOutputStatus, outputId: string): void {
  if (status.state === 'spent')
    throw new UserError(
      `contract ${outputId} is spent already, by transaction ${status.spentBy.transactionId} at height ${status.spentBy.height}`,
    )
  if (status.unconfirmedSpender)
    throw new UserError(
      `contract ${outputId} is being spent already, by pool transaction ${status.unconfirmedSpender}`,
    )
}

/** `redeem` (with the secret, by the receiver) and `refund` (after the time lock, by the sender). */
async function spendContract(outputIdText: string, secretText: string | undefined, opts: SwapOptions) {
  const outputId = hexArg(outputIdText, 'OUTPUTID')
  const secret =
    secretText === undefined ? undefined : fromHex(hexArg(secretText, 'SECRET'), SWAP_SECRET_SIZE)
  const wallet = OpenWallet.open(opts.wallet)
  const client = await NodeClient.connect(opts.node, wallet)
  const fee = feeOf(client, opts.fee)
  const { status, contract } = await findContract(client, outputId)
  assertSpendable(status, outputId)
  // a redeem publishes the secret: while the contract is only in the pool its funding can still be replaced
  // by a double spend, and the other side would take the initiator's coins with the secret for nothing
  if (secret && status.state === 'unconfirmed')
    throw new UserError(
      `contract ${outputId} is not in a block yet: redeeming it now would reveal the secret while its funding can still be double spent; wait for it to be confirmed`,
    )
  const side = secret ? contract.receiver : contract.sender
  const sideName = secret ? 'receiver' : 'sender'
  if (secret && !secretMatches(secret, contract.hashedSecret))
    throw new UserError(
      `wrong secret: its SHA-256 is ${toHex(hashSwapSecret(secret))}, the contract's hashed secret is ${toHex(contract.hashedSecret)}`,
    )
  const address = unlockHashToString(side)
  const index = await wallet.indexOf(address, Math.max(wallet.file.keys.length, wallet.file.addressCount))
  if (index === undefined)
    throw new UserError(`the contract's ${sideName} ${address} is not an address of ${wallet.path}`)
  if (!secret) {
    const tip = await client.tip()
    const at = nextBlockTime(tip)
    if (BigInt(at) <= contract.timeLock) {
      const left = Number(contract.timeLock - BigInt(at)) + 1
      throw new UserError(
        `too early to refund: the time lock ends at ${isoTime(contract.timeLock)}, ${formatDuration(left)} from now (a refund needs a block after it)`,
      )
    }
  }
  const [key] = await wallet.signingKeys([index])
  const unsigned = buildSwapSpend(
    { id: fromHex(outputId, 32), value: status.value, contract },
    unlockHashCondition(side),
    fee,
  )
  const tx = signSwapSpend(client.registry, nodeEd25519, unsigned, 0, contract, key!, secret)
  wallet.save()
  const transactionId = await client.submit(tx)
  if (opts.json) println(JSON.stringify({ transactionId }))
  else
    println(
      `${secret ? 'redeemed' : 'refunded'}: ${formatCoinString(status.value - fee, client.precision)} coins to ${address} (fee ${formatCoinString(fee, client.precision)}), transaction ${transactionId}`,
    )
}

interface AuditOptions extends CommonOptions {
  amount?: string
  hashedSecret?: string
  receiver?: string
}

async function audit(outputIdText: string, opts: AuditOptions): Promise<void> {
  const outputId = hexArg(outputIdText, 'OUTPUTID')
  if (opts.amount !== undefined) checkAmountSyntax(opts.amount, '--amount')
  const expectedHash =
    opts.hashedSecret === undefined ? undefined : hexArg(opts.hashedSecret, '--hashed-secret')
  const expectedReceiver =
    opts.receiver === undefined ? undefined : unlockHashToString(partyAddress(opts.receiver))
  const wallet = walletIfAny(opts.wallet)
  const client = await NodeClient.connect(opts.node, wallet)
  const expectedAmount =
    opts.amount === undefined ? undefined : parseCoinAmount(opts.amount, client.precision, '--amount')
  const { status, contract } = await findContract(client, outputId)
  const tip = await client.tip()
  const timeLeft = Math.max(0, Number(contract.timeLock) - tip.timestamp)
  const sender = unlockHashToString(contract.sender)
  const receiver = unlockHashToString(contract.receiver)
  const hashedSecret = toHex(contract.hashedSecret)
  const mine = new Set(wallet ? wallet.file.keys.map((k) => k.address) : [])
  const amount = (v: Currency) => `${formatCoinString(v, client.precision)} coins`
  const problems: string[] = []
  if (status.state === 'spent') problems.push(`it is spent (by transaction ${status.spentBy.transactionId})`)
  else if (status.state === 'unconfirmed')
    problems.push('it is not in a block yet: its funding transaction can still be replaced')
  if (status.state !== 'spent' && status.unconfirmedSpender)
    problems.push(`a pool transaction spends it (${status.unconfirmedSpender})`)
  if (timeLeft === 0) problems.push('its time lock has passed: the sender can refund it at any moment')
  if (expectedAmount !== undefined && expectedAmount !== status.value)
    problems.push(`it holds ${amount(status.value)}, not the ${amount(expectedAmount)} expected`)
  if (expectedHash !== undefined && expectedHash !== hashedSecret)
    problems.push(`its hashed secret is ${hashedSecret}, not the ${expectedHash} expected`)
  if (expectedReceiver !== undefined && expectedReceiver !== receiver)
    problems.push(`it pays ${receiver}, not the ${expectedReceiver} expected`)
  // with a wallet and no --receiver, the contract must pay this wallet (unless it is this wallet's own):
  // a contract paying another address of the initiator matches amount and hashed secret just as well
  if (expectedReceiver === undefined && wallet && !mine.has(sender) && !mine.has(receiver))
    problems.push(`it pays ${receiver}, which is not an address of ${wallet.path}`)
  const spent = status.state === 'spent' || status.unconfirmedSpender !== undefined
  if (opts.json) {
    println(
      JSON.stringify({
        amount: status.value.toString(),
        sender,
        receiver,
        hashedSecret,
        timeLock: Number(contract.timeLock),
        spent,
        timeLeft,
        contractAddress: unlockHashToString(swapContractAddress(contract)),
        confirmed: status.state !== 'unconfirmed',
        ...(status.state === 'spent' ? { spentBy: status.spentBy.transactionId } : {}),
        matches: problems.length === 0,
        problems,
      }),
    )
    return
  }
  println(`atomic swap contract ${unlockHashToString(swapContractAddress(contract))}`)
  println(
    `  amount          ${amount(status.value)}${status.state === 'unconfirmed' ? ' (unconfirmed: not in a block yet)' : ''}`,
  )
  println(
    `  sender          ${sender} (${mine.has(sender) ? 'this wallet; ' : ''}refunds after the time lock)`,
  )
  println(
    `  receiver        ${receiver} (${mine.has(receiver) ? 'this wallet; ' : ''}redeems with the secret)`,
  )
  println(`  hashed secret   ${hashedSecret}`)
  println(
    `  time lock       ${isoTime(contract.timeLock)}: ${timeLeft > 0 ? `${formatDuration(timeLeft)} left` : 'passed'} (chain time ${isoTime(BigInt(tip.timestamp))})`,
  )
  println(
    `  spent           ${status.state === 'spent' ? `yes, by ${status.spentBy.transactionId}` : status.unconfirmedSpender ? `by pool transaction ${status.unconfirmedSpender}` : 'no'}`,
  )
  const checked = [expectedAmount, expectedHash, expectedReceiver].some((v) => v !== undefined)
  if (problems.length) println(`DOES NOT MATCH: ${problems.join('; ')}`)
  else println(checked ? 'matches what was expected' : 'unspent and before its time lock')
}

async function extractSecret(idText: string, opts: CommonOptions): Promise<void> {
  const id = hexArg(idText, 'TXID|OUTPUTID')
  const wallet = walletIfAny(opts.wallet)
  const client = await NodeClient.connect(opts.node, wallet)
  let found: { secret: Uint8Array; transactionId: string; unconfirmed: boolean } | undefined
  const direct = await client.transaction(id)
  if (direct) {
    const secret = extractSwapSecret(direct.transaction)
    if (!secret)
      throw new UserError(`transaction ${id} redeems no atomic swap contract: it reveals no secret`)
    found = { secret, transactionId: id, unconfirmed: direct.height === undefined }
  } else {
    const { status, contract } = await findContract(client, id)
    const spender = status.state === 'spent' ? status.spentBy.transactionId : status.unconfirmedSpender
    if (!spender)
      throw new UserError(`contract ${id} is not redeemed yet: no transaction has revealed its secret`)
    const tx = await client.transaction(spender)
    if (!tx)
      throw new UserError(`the node lists ${spender} as spending ${id} but does not serve that transaction`)
    const secret = extractSwapSecret(tx.transaction, fromHex(id, 32))
    if (!secret)
      throw new UserError(
        `contract ${id} was refunded (transaction ${spender}), not redeemed: there is no secret`,
      )
    if (!secretMatches(secret, contract.hashedSecret))
      throw new UserError(`transaction ${spender} carries a secret that does not open contract ${id}`)
    found = { secret, transactionId: spender, unconfirmed: tx.height === undefined }
  }
  if (opts.json)
    println(
      JSON.stringify({
        secret: toHex(found.secret),
        transactionId: found.transactionId,
        ...(found.unconfirmed ? { unconfirmed: true } : {}),
      }),
    )
  else
    println(
      `secret ${toHex(found.secret)} (from transaction ${found.transactionId}${found.unconfirmed ? ', unconfirmed: still in the pool' : ''})`,
    )
}

const withFee = (c: Command) =>
  c.option('--fee <amount>', 'miner fee in coins (default and minimum: the chain minimum)')

export function registerSwapCommands(wallet: Command): void {
  const swap = wallet
    .command('swap')
    .description('cross-chain atomic swaps (contracts compatible with Rivine/tfchain wallets)')

  withFee(
    withCommonOptions(
      swap
        .command('initiate <address> <amount>')
        .description(
          'create a secret and lock AMOUNT coins in a contract ADDRESS can redeem with it; you can refund after --duration',
        )
        .option('--duration <time>', 'time lock from now: 90s, 10m, 48h, 2d', '48h'),
    ),
  ).action((address: string, amount: string, opts: SwapOptions) =>
    fundContract(address, amount, undefined, opts, '48h'),
  )

  withFee(
    withCommonOptions(
      swap
        .command('participate <address> <amount> <hashedsecret>')
        .description(
          "lock AMOUNT coins in a contract ADDRESS redeems with the initiator's secret; keep --duration clearly below the initiator's",
        )
        .option('--duration <time>', 'time lock from now: 90s, 10m, 48h, 2d', '24h'),
    ),
  ).action((address: string, amount: string, hashed: string, opts: SwapOptions) =>
    fundContract(address, amount, hashed, opts, '24h'),
  )

  withCommonOptions(
    swap
      .command('audit <outputid>')
      .description(
        'show a contract: amount, parties, time lock and time left, spent or not; checks what you expect',
      )
      .option('--amount <amount>', 'the amount you expect it to hold')
      .option('--hashed-secret <hex>', 'the hashed secret you expect')
      .option('--receiver <address>', 'the receiver you expect (your address)'),
  ).action((outputId: string, opts: AuditOptions) => audit(outputId, opts))

  withFee(
    withCommonOptions(
      swap
        .command('redeem <outputid> <secret>')
        .description('claim a contract paying this wallet, revealing SECRET'),
    ),
  ).action((outputId: string, secret: string, opts: SwapOptions) => spendContract(outputId, secret, opts))

  withFee(
    withCommonOptions(
      swap
        .command('refund <outputid>')
        .description('take back a contract this wallet funded, once its time lock has passed'),
    ),
  ).action((outputId: string, opts: SwapOptions) => spendContract(outputId, undefined, opts))

  withCommonOptions(
    swap
      .command('extractsecret <id>')
      .description(
        'the secret revealed by a redeeming transaction (TXID) or by the redeem of a contract (OUTPUTID)',
      ),
  ).action((id: string, opts: CommonOptions) => extractSecret(id, opts))
}
