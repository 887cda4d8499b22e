// `blockstake wallet …` (DESIGN §6, docs/wallet.md): a deterministic wallet whose seed lives in an
// encrypted keystore and whose public keys are kept beside it, talking to a node's HTTP API. This file:
// init, recover, address, addresses, balance, send, stake send, transactions. The offline flow is in
// offline.ts, multisig in multisig.ts, minting in mint.ts, authorized addresses in auth.ts.
import type { Command } from 'commander'
import { nodeEd25519 } from '../../consensus/crypto/ed25519.node.js'
import { type Currency, formatCoinString } from '../../consensus/types/currency.js'
import { unlockHashToString } from '../../consensus/types/unlockhash.js'
import { type AddressOutputs, NodeClient, NodeClientError } from '../../wallet/client/node-api.js'
import { deriveKey } from '../../wallet/keys/derive.js'
import { encryptSeed } from '../../wallet/keys/keystore.js'
import { nodeScrypt } from '../../wallet/keys/keystore.node.js'
import { generateSeed, mnemonicToSeed, seedToMnemonic } from '../../wallet/keys/seed.js'
import type { ChainRef } from '../../wallet/tx/file.js'
import { walletHistory } from '../../wallet/tx/history.js'
import { UserError } from '../errors.js'
import { println, readHidden, readPassphrase } from '../io.js'
import { type CommonOptions, chainOption, missingSignatures, summarize, withCommonOptions } from './common.js'
import { lightBalance, lightSpender, lightTransactions } from './light.js'
import { registerMultisigCommands } from './multisig.js'
import { registerOfflineCommands } from './offline.js'
import { prepareSpend, type SpendOptions, signTransactionFile, withSpendOptions } from './spend.js'
import { OpenWallet } from './store.js'
import { registerSwapCommands } from './swap.js'

export const GAP_LIMIT = 50

/**
 * `send` and `stake send`: build, sign with this wallet's keys, post, then save the wallet. With `--light`,
 * only outputs a light client proved are spent, and it posts the transaction (cli/wallet/light.ts).
 */
async function send(
  asset: 'coins' | 'blockStakes',
  amount: string,
  address: string,
  opts: SpendOptions & { light?: boolean },
) {
  const viaLight = opts.light ? lightSpender() : undefined
  let prepared: Awaited<ReturnType<typeof prepareSpend>>
  try {
    prepared = await prepareSpend(asset, amount, address, opts, viaLight?.restrict)
  } catch (err) {
    viaLight?.close()
    throw viaLight ? viaLight.explain(err) : err
  }
  const { wallet, client } = prepared
  const { file } = await signTransactionFile(wallet, prepared.file, client.registry)
  const missing = missingSignatures(file)
  if (missing) {
    viaLight?.close()
    throw new UserError(
      `this wallet cannot sign alone: ${missing}; build the transaction with "wallet tx build" and collect the signatures with "wallet multisig sign"`,
    )
  }
  viaLight?.built(file.transaction)
  const transactionId = viaLight
    ? await viaLight.submit(file.transaction)
    : await client.submit(file.transaction)
  try {
    wallet.save()
  } catch (err) {
    // the payment is made: say so, or a retry would pay again
    throw new UserError(
      `sent transaction ${transactionId}, but ${(err as Error).message}: the wallet file still lists the change address as unused`,
    )
  }
  const change = prepared.changeKey?.address
  const light = viaLight?.summary()
  if (opts.json) println(JSON.stringify({ transactionId, ...(change ? { change } : {}), ...(light ?? {}) }))
  else {
    const mine = new Set((await wallet.keys(wallet.file.keys.length)).map((k) => k.address))
    println(`sent: transaction ${transactionId}`)
    for (const line of summarize(file, client.precision, (a) => mine.has(a)).lines.slice(0, -1)) println(line)
    if (light)
      println(
        `light: ${light.provenInputs} input(s) proven in headers verified up to ${light.tip.height} (${light.signatures} signatures); that they were unspent is the node's word`,
      )
  }
}

/**
 * The mnemonic, typed on the terminal without echo. Not from BLOCKSTAKE_PASSPHRASE (that is the wallet
 * file's passphrase), and without a terminal `--mnemonic` is the only way.
 */
async function readMnemonic(): Promise<string> {
  if (!process.stdin.isTTY)
    throw new UserError('no mnemonic: pass --mnemonic "WORDS" (no terminal to ask on)')
  return readHidden('mnemonic (24 words): ')
}

/** A new wallet file at `path` for `seed` (encrypted with a passphrase asked for here), saved. */
async function createWallet(
  path: string,
  seed: Uint8Array,
  chain: ChainRef | undefined,
  addressCount: number,
): Promise<OpenWallet> {
  const passphrase = await readPassphrase(path)
  const w = OpenWallet.create(
    path,
    {
      version: 1,
      kind: 'blockstake-wallet',
      keystore: await encryptSeed(seed, passphrase, { kdf: nodeScrypt }),
      ...(chain ? { chain } : {}),
      addressCount,
      keys: [],
      multisig: [],
    },
    seed,
  )
  w.save()
  return w
}

/** The node at `url`, or undefined when it does not answer (commands that also work offline). */
async function reachableNode(url: string): Promise<NodeClient | undefined> {
  try {
    return await NodeClient.connect(url)
  } catch (err) {
    if (err instanceof NodeClientError && (err.code === 'unreachable' || err.code === 'bad-answer'))
      return undefined
    throw err
  }
}

const reachableChain = async (url: string) => (await reachableNode(url))?.chain

type Sums = Record<string, Currency>
const addInto = (into: Sums, from: Sums) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0n) + v
}
const decimal = (o: Sums) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.toString()]))

/** `blockstake wallet` and its core commands; returns it for extensions to add theirs (cli/extensions.ts). */
export function registerWalletCommands(program: Command): Command {
  const wallet = program
    .command('wallet')
    .description('a deterministic wallet: keys in an encrypted keystore, a node for the chain')

  withCommonOptions(
    wallet
      .command('init')
      .description(
        'create a wallet with a fresh seed (prints its 24-word mnemonic once); works offline (give --chain there)',
      )
      .option(
        '--chain <file|preset>',
        'the chain this wallet is for (else learnt from --node if it answers, or at the first contact)',
      ),
  ).action(async (opts: CommonOptions & { chain?: string }) => {
    const chain = chainOption(opts.chain) ?? (await reachableChain(opts.node))
    const seed = generateSeed()
    const w = await createWallet(opts.wallet, seed, chain, 1)
    const address = (await w.addresses())[0]!.address
    if (opts.json) println(JSON.stringify({ mnemonic: seedToMnemonic(seed), address }))
    else println(`mnemonic (write it down, it is shown once): ${seedToMnemonic(seed)}\naddress: ${address}`)
  })

  withCommonOptions(
    wallet
      .command('recover')
      .description('restore a wallet from its mnemonic; scans addresses with a gap limit of 50 on the node')
      .option('--mnemonic <words>', '24-word mnemonic (default: read from the terminal)')
      .option('--chain <file|preset>', 'the chain this wallet is for (else learnt from the node)'),
  ).action(async (opts: CommonOptions & { mnemonic?: string; chain?: string }) => {
    const words = opts.mnemonic ?? (await readMnemonic())
    const seed = mnemonicToSeed(words)
    let chain = chainOption(opts.chain)
    // the highest used index within a gap of GAP_LIMIT unused ones (Rivine's first address is index 25)
    let used = -1
    let scanned = false
    const client = await reachableNode(opts.node)
    if (client) {
      if (chain) client.assertChain(chain, `--chain`)
      chain = client.chain
      for (let i = 0; i <= used + GAP_LIMIT; i++) {
        const body = await client.explorer(deriveKey(seed, i, nodeEd25519).address, 1)
        if (body.transactions?.length || body.blocks?.length || body.unconfirmed?.length) used = i
      }
      scanned = true
    }
    const w = await createWallet(opts.wallet, seed, chain, Math.max(1, used + 1))
    const out = { address: (await w.addresses())[0]!.address, addresses: w.file.addressCount, scanned }
    println(
      opts.json
        ? JSON.stringify(out)
        : `recovered: ${out.addresses} address(es) in use${scanned ? '' : ' (node not reachable: no scan)'}`,
    )
  })

  withCommonOptions(
    wallet.command('address').description('hand out a new address of the wallet'),
    true,
  ).action(async (opts: CommonOptions) => {
    const w = OpenWallet.open(opts.wallet)
    const { address } = await w.takeNextKey()
    w.save()
    println(opts.json ? JSON.stringify({ address }) : address)
  })

  withCommonOptions(
    wallet.command('addresses').description('the addresses in use (receiving and change)'),
    true,
  ).action(async (opts: CommonOptions) => {
    const w = OpenWallet.open(opts.wallet)
    const list = (await w.addresses()).map((k) => k.address)
    w.save()
    println(opts.json ? JSON.stringify({ addresses: list }) : list.join('\n'))
  })

  withCommonOptions(
    wallet
      .command('balance')
      .description(
        'coins and block stakes: unlocked, locked (time lock not reached), immature, unconfirmed; and of the multisig wallets it follows',
      )
      .option(
        '--light',
        'verify instead of trusting the node: headers, and each output by its inclusion proof',
      ),
  ).action(async (opts: CommonOptions & { light?: boolean }) => {
    const w = OpenWallet.open(opts.wallet)
    const client = await NodeClient.connect(opts.node, w)
    if (opts.light) {
      await lightBalance(
        client,
        (await w.addresses()).map((k) => k.address),
        opts.json === true,
      )
      w.save()
      return
    }
    const sum = async (addresses: readonly string[]) => {
      const coins: Sums = { unlocked: 0n, locked: 0n, immature: 0n, unconfirmed: 0n }
      const blockStakes: Sums = { unlocked: 0n, locked: 0n, unconfirmed: 0n }
      let more = false
      for (const a of addresses) {
        const o: AddressOutputs = await client.outputs(a)
        addInto(coins, o.balance.coins)
        addInto(blockStakes, o.balance.blockStakes)
        more ||= o.more
      }
      return { coins, blockStakes, more }
    }
    const own = await sum((await w.addresses()).map((k) => k.address))
    const mine = new Set((await w.addresses()).map((k) => k.address))
    const multisig = []
    for (const m of w.file.multisig) {
      const s = await sum([m.address])
      const members = m.condition.unlockHashes.map(unlockHashToString)
      multisig.push({ record: m, members, ownKeys: members.filter((a) => mine.has(a)).length, ...s })
    }
    w.save()
    if (opts.json) {
      println(
        JSON.stringify({
          coins: decimal(own.coins),
          blockStakes: decimal(own.blockStakes),
          multisig: multisig.map((m) => ({
            address: m.record.address,
            minimumSignatureCount: m.record.condition.minimumSignatureCount,
            unlockHashes: m.members,
            ownKeys: m.ownKeys,
            coins: decimal(m.coins),
            blockStakes: decimal(m.blockStakes),
          })),
          ...(own.more || multisig.some((m) => m.more) ? { incomplete: true } : {}),
        }),
      )
      return
    }
    const coin = (v: Currency | undefined) => formatCoinString(v ?? 0n, client.precision)
    const line = (c: Sums, b: Sums) => [
      `coins: ${coin(c.unlocked)} unlocked, ${coin(c.locked)} locked, ${coin(c.immature)} immature, ${coin(c.unconfirmed)} unconfirmed`,
      `block stakes: ${b.unlocked} unlocked, ${b.locked} locked, ${b.unconfirmed} unconfirmed`,
    ]
    for (const l of line(own.coins, own.blockStakes)) println(l)
    for (const m of multisig) {
      println(
        `multisig ${m.record.address} (${m.record.condition.minimumSignatureCount} of ${m.members.length}, ${m.ownKeys} key(s) here):`,
      )
      for (const l of line(m.coins, m.blockStakes)) println(`  ${l}`)
    }
    if (own.more || multisig.some((m) => m.more))
      println('(an address has more history than the node lists at once: older outputs may be missing)')
  })

  withSpendOptions(
    withCommonOptions(
      wallet
        .command('send <amount> <address>')
        .description(
          'send AMOUNT coins (e.g. 12.5) to ADDRESS (a wallet address, or a multisig address this wallet follows); change goes to a fresh address',
        )
        .option(
          '--light',
          'spend only outputs a light client proved in verified headers, and submit through it',
        ),
    ),
  ).action((amount: string, address: string, opts: SpendOptions & { light?: boolean }) =>
    send('coins', amount, address, opts),
  )

  const stake = wallet.command('stake').description('block stakes')
  withSpendOptions(
    withCommonOptions(
      stake
        .command('send <amount> <address>')
        .description('send AMOUNT block stakes to ADDRESS; the miner fee is paid in coins')
        .option(
          '--light',
          'spend only outputs a light client proved in verified headers, and submit through it',
        ),
    ),
  ).action((amount: string, address: string, opts: SpendOptions & { light?: boolean }) =>
    send('blockStakes', amount, address, opts),
  )

  withCommonOptions(
    wallet
      .command('transactions')
      .description("the wallet's transactions and miner payouts, newest first, with what each moved")
      .option('--limit <n>', 'entries read per address (at most 1000)', '100')
      .option(
        '--light',
        'verify instead of trusting the node: headers, and each confirmed transaction by its inclusion proof',
      ),
  ).action(async (opts: CommonOptions & { limit: string; light?: boolean }) => {
    if (!/^[0-9]+$/.test(opts.limit) || Number(opts.limit) < 1 || Number(opts.limit) > 1000)
      throw new UserError(`--limit must be a whole number from 1 to 1000, got "${opts.limit}"`)
    const w = OpenWallet.open(opts.wallet)
    const client = await NodeClient.connect(opts.node, w)
    const addresses = (await w.addresses()).map((k) => k.address)
    if (opts.light) {
      await lightTransactions(client, addresses, Number(opts.limit), opts.json === true)
      w.save()
      return
    }
    const mine = new Set(addresses)
    const transactions = []
    const payouts = []
    let more = false
    for (const address of addresses) {
      const body = await client.explorer(address, Number(opts.limit))
      more ||= body.more === true
      for (const view of [...(body.transactions ?? []), ...(body.unconfirmed ?? [])])
        transactions.push({
          id: view.id,
          ...(view.unconfirmed || view.height === undefined
            ? {}
            : { height: view.height, index: view.index ?? 0 }),
          transaction: client.registry.fromJson(view.transaction),
          coinOutputIds: view.coinOutputIds,
          blockStakeOutputIds: view.blockStakeOutputIds,
        })
      for (const b of body.blocks ?? [])
        payouts.push({
          blockId: b.id,
          height: b.height,
          payouts: b.minerPayouts.map((p) => ({
            id: p.id,
            value: BigInt(p.value),
          })),
        })
    }
    const entries = walletHistory(transactions, payouts, (uh) => mine.has(unlockHashToString(uh)))
    w.save()
    if (opts.json) {
      println(
        JSON.stringify({
          transactions: entries.map((e) => ({
            kind: e.kind,
            id: e.id,
            height: e.height ?? null,
            confirmed: e.height !== undefined,
            coins: e.coins.toString(),
            blockStakes: e.blockStakes.toString(),
            fee: e.fee.toString(),
          })),
          more,
        }),
      )
      return
    }
    const signed = (v: bigint) =>
      v < 0n ? `-${formatCoinString(-v, client.precision)}` : `+${formatCoinString(v, client.precision)}`
    for (const e of entries) {
      const parts = [
        e.height === undefined ? 'unconfirmed' : `height ${e.height}`,
        e.kind === 'payout' ? `block ${e.id}` : `tx ${e.id}`,
        `${signed(e.coins)} coins`,
        ...(e.blockStakes !== 0n ? [`${e.blockStakes > 0n ? '+' : ''}${e.blockStakes} block stakes`] : []),
        ...(e.fee > 0n ? [`fee ${formatCoinString(e.fee, client.precision)}`] : []),
      ]
      println(parts.join('  '))
    }
    if (entries.length === 0) println('no transactions yet')
    if (more) println(`(more history exists: raise --limit)`)
  })

  registerMultisigCommands(wallet)
  registerOfflineCommands(wallet)
  registerSwapCommands(wallet)
  return wallet
}
