// `wallet mint definition|create|destroy` (DESIGN §4, spec/tfchain.md §2): a new mint condition (128),
// new coins (129), both signed by the holders of the mint condition in force; destroying the wallet's own
// coins (130) where the chain registers it.
import type { Command } from 'commander'
import { toHex } from '../../consensus/encoding/hex.js'
import { mintConditionKindError } from '../../consensus/extensions/minting/rules.js'
import { NodeClient } from '../../wallet/client/node-api.js'
import { buildCoinCreation, buildCoinDestruction, buildMinterDefinition } from '../../wallet/tx/extensions.js'
import type { TransactionFile } from '../../wallet/tx/file.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import {
  type AuthorityOptions,
  checkOut,
  currentAuthority,
  dataOption,
  extensionFees,
  finishAuthorityTransaction,
  mintingOf,
  parseNewCondition,
  withAuthorityOptions,
} from './authority.js'
import {
  missingSignatures,
  reportFile,
  summarize,
  withCommonOptions,
  writeTransactionFile,
} from './common.js'
import {
  changeFor,
  checkAmountSyntax,
  explainShortfall,
  gatherSpendable,
  parseCoinAmount,
  recipientCondition,
  signTransactionFile,
} from './spend.js'
import { OpenWallet } from './store.js'

export function registerMintCommands(wallet: Command): void {
  const mint = wallet
    .command('mint')
    .description('minting: new coins and the mint condition (chains with the minting extension)')

  withAuthorityOptions(
    withCommonOptions(
      mint
        .command('definition [address]')
        .description(
          'make ADDRESS (or --multisig M ADDRESS…) the mint condition; signed by the mint condition in force',
        )
        .option('--multisig <m-and-addresses...>', 'a multisig mint condition: M, then the member addresses'),
    ),
  ).action(async (address: string | undefined, opts: AuthorityOptions & { multisig?: string[] }) => {
    checkOut(opts)
    const w = OpenWallet.open(opts.wallet)
    const condition = parseNewCondition(address, opts.multisig, w, 'mint')
    const kindError = mintConditionKindError(condition)
    if (kindError) throw new UserError(`the new mint condition: ${kindError}`)
    const client = await NodeClient.connect(opts.node, w)
    const p = mintingOf(client)
    const tx = buildMinterDefinition(
      p.minterDefinitionVersion,
      condition,
      {
        minerFees: extensionFees(client, p.requireMinerFees, opts.fee),
        ...dataBytes(client, opts.data),
      },
      client.def.constants.arbitraryDataSizeLimit,
    )
    await finishAuthorityTransaction(w, client, tx, await currentAuthority(client, 'mint'), opts)
  })

  withAuthorityOptions(
    withCommonOptions(
      mint
        .command('create <amount> <address>')
        .description('create AMOUNT new coins paid to ADDRESS; signed by the mint condition in force'),
    ),
  ).action(async (amount: string, address: string, opts: AuthorityOptions) => {
    checkAmountSyntax(amount)
    checkOut(opts)
    const w = OpenWallet.open(opts.wallet)
    const to = recipientCondition(address, w)
    const client = await NodeClient.connect(opts.node, w)
    const p = mintingOf(client)
    const value = parseCoinAmount(amount, client.precision)
    const tx = buildCoinCreation(
      p.coinCreationVersion,
      [{ value, condition: to }],
      { minerFees: extensionFees(client, p.requireMinerFees, opts.fee), ...dataBytes(client, opts.data) },
      client.def.constants.arbitraryDataSizeLimit,
    )
    await finishAuthorityTransaction(w, client, tx, await currentAuthority(client, 'mint'), opts)
  })

  withAuthorityOptions(
    withCommonOptions(
      mint
        .command('destroy <amount>')
        .description(
          "destroy AMOUNT of this wallet's coins (chains that register coin destruction); the fee is paid on top",
        ),
    ),
  ).action(async (amount: string, opts: AuthorityOptions) => {
    checkAmountSyntax(amount)
    checkOut(opts)
    const w = OpenWallet.open(opts.wallet)
    const client = await NodeClient.connect(opts.node, w)
    const p = mintingOf(client)
    if (p.coinDestructionVersion === undefined)
      throw new UserError(
        `the chain "${client.def.name}" has no coin destruction: its minting extension registers no coinDestructionVersion`,
      )
    const value = parseCoinAmount(amount, client.precision)
    // spec §2.4: a destruction always carries a fee, whatever requireMinerFees says
    const [fee] = extensionFees(client, true, opts.fee)
    const data = dataOption(client, opts.data)
    const { coins, spent, held } = await gatherSpendable(client, w)
    const change = await changeFor(client, w, coins)
    let tx: ReturnType<typeof buildCoinDestruction>
    try {
      tx = buildCoinDestruction({
        version: p.coinDestructionVersion,
        available: coins,
        amount: value,
        fee: fee!,
        change: change.condition,
        maxArbitraryData: client.def.constants.arbitraryDataSizeLimit,
        ...(data ? { arbitraryData: data } : {}),
      })
    } catch (err) {
      throw explainShortfall(err, held, client.precision)
    }
    const usesChange = tx.coinOutputs.some((o) => o.condition === change.condition)
    if (change.key && usesChange) await w.takeNextKey()
    const unsigned: TransactionFile = {
      chain: client.chain,
      transaction: tx,
      spent: {
        coinInputs: tx.coinInputs.map((i) => spent.get(toHex(i.parentId))!),
        blockStakeInputs: [],
      },
    }
    const mine = new Set(w.file.keys.map((k) => k.address))
    if (opts.out !== undefined) {
      writeTransactionFile(opts.out, unsigned, client.registry)
      w.save()
      const inputs = tx.coinInputs.length
      reportFile(unsigned, opts.out, client.precision, mine, opts.json, { inputs }, 'input(s) to sign')
      return
    }
    const { file } = await signTransactionFile(w, unsigned, client.registry)
    const missing = missingSignatures(file)
    if (missing) throw new UserError(`this wallet cannot sign alone: ${missing}`)
    const transactionId = await client.submit(file.transaction)
    w.save()
    if (opts.json) println(JSON.stringify({ transactionId }))
    else {
      println(`sent: transaction ${transactionId}`)
      for (const line of summarize(file, client.precision, (a) => mine.has(a)).lines.slice(0, -1))
        println(line)
    }
  })
}

const dataBytes = (client: NodeClient, data: string | undefined) => {
  const bytes = dataOption(client, data)
  return bytes ? { arbitraryData: bytes } : {}
}
