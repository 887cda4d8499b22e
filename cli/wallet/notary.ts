// `wallet notarize FILE` and `wallet notary receipt FILE|HASH` (issue #14, docs/notary.md): a transaction
// whose arbitrary data is the file's record ("nty1" + blake2b-256, 36 bytes), paying only the miner fee; and
// the receipt of a registration, checked before it is saved.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { DecodeError } from '../../consensus/encoding/errors.js'
import { concatBytes, toHex, utf8 } from '../../consensus/encoding/hex.js'
import { stringifyJson } from '../../consensus/encoding/json.js'
import {
  notaryReceiptToJson,
  parseNotaryReceipt,
  verifyNotaryReceipt,
} from '../../consensus/extensions/notary/receipt.js'
import { notaryRecord, parseNotaryHash } from '../../consensus/extensions/notary/record.js'
import { NodeClient, NodeClientError } from '../../wallet/client/node-api.js'
import { buildTransaction } from '../../wallet/tx/build.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import { hashFile, registerVerifyCommand } from '../notary.js'
import {
  amountText,
  type CommonOptions,
  defaultNode,
  missingSignatures,
  withCommonOptions,
} from './common.js'
import {
  changeFor,
  explainShortfall,
  gatherSpendable,
  parseCoinAmount,
  signTransactionFile,
} from './spend.js'
import { OpenWallet, writeFileAtomic } from './store.js'

/** FILE|HASH: an existing file is hashed; otherwise 64 hex characters are the hash itself. */
async function hashOf(target: string): Promise<Uint8Array> {
  if (existsSync(target)) return hashFile(target)
  try {
    return parseNotaryHash(target)
  } catch {
    throw new UserError(`"${target}" is neither a file nor a notary hash (64 hex characters)`)
  }
}

export function registerNotaryWalletCommands(wallet: Command): void {
  withCommonOptions(
    wallet
      .command('notarize <file>')
      .description(
        'register FILE\'s blake2b-256 hash on the chain: a transaction whose arbitrary data is the record "nty1" + hash, paying the miner fee',
      )
      .option('--fee <amount>', 'miner fee in coins (default and minimum: the chain minimum)')
      .option(
        '--note <text>',
        'text stored after the record (the record and note share the chain limit, 83 bytes)',
      ),
  ).action(async (file: string, opts: CommonOptions & { fee?: string; note?: string }) => {
    const hash = await hashFile(file)
    const data = concatBytes(notaryRecord(hash), utf8(opts.note ?? ''))
    const w = OpenWallet.open(opts.wallet)
    const client = await NodeClient.connect(opts.node, w)
    const limit = client.def.constants.arbitraryDataSizeLimit
    if (data.length > limit)
      throw new UserError(
        `the record and --note take ${data.length} bytes, the chain allows ${limit} (the record is 36)`,
      )
    const minimum = client.def.constants.minimumTransactionFee
    const fee = opts.fee === undefined ? minimum : parseCoinAmount(opts.fee, client.precision, '--fee')
    if (fee < minimum)
      throw new UserError(
        `--fee must be at least the chain minimum of ${amountText(minimum, 'coins', client.precision)}`,
      )
    const { coins, spent, held } = await gatherSpendable(client, w)
    const change = await changeFor(client, w, coins)
    let tx: ReturnType<typeof buildTransaction>
    try {
      tx = buildTransaction({
        coins: { available: coins, outputs: [] },
        fee,
        change: change.condition,
        arbitraryData: data,
        maxArbitraryData: limit,
      })
    } catch (err) {
      throw explainShortfall(err, held, client.precision)
    }
    const usesChange = tx.coinOutputs.length > 0
    if (change.key && usesChange) await w.takeNextKey()
    const unsigned = {
      chain: client.chain,
      transaction: tx,
      spent: { coinInputs: tx.coinInputs.map((i) => spent.get(toHex(i.parentId))!), blockStakeInputs: [] },
    }
    const signed = await signTransactionFile(w, unsigned, client.registry)
    const missing = missingSignatures(signed.file)
    if (missing) throw new UserError(`this wallet cannot sign the notary transaction alone: ${missing}`)
    const transactionId = await client.submit(signed.file.transaction)
    try {
      w.save()
    } catch (err) {
      throw new UserError(
        `sent notary transaction ${transactionId}, but ${(err as Error).message}: the wallet file still lists the change address as unused`,
      )
    }
    if (opts.json) println(JSON.stringify({ transactionId, hash: toHex(hash) }))
    else {
      println(`notarized: ${file}`)
      println(`  hash (blake2b-256): ${toHex(hash)}`)
      println(`  transaction: ${transactionId}`)
      println(`  once it is in a block: blockstake wallet notary receipt ${file} --out receipt.json`)
    }
  })

  const notary = wallet.command('notary').description('notary receipts (docs/notary.md)')
  // the same as `blockstake notary verify` (DESIGN §6 lists it among the wallet's commands): no wallet needed
  registerVerifyCommand(notary)
  notary
    .command('receipt <target>')
    .description(
      'the receipt of FILE (or of a HASH of 64 hex characters): the oldest registration, or --transaction ID, checked before it is written',
    )
    .option('--out <file>', 'write the receipt here (default: print it)')
    .option(
      '--transaction <id>',
      'the registration of this transaction (when the hash is registered more than once)',
    )
    .option('--node <url>', 'node API (default: $BLOCKSTAKE_NODE)', defaultNode())
    .option('--wallet <file>', 'not used: a receipt needs no wallet')
    .option('--json', 'print one JSON object')
    .action(
      async (target: string, opts: { out?: string; transaction?: string; node: string; json?: boolean }) => {
        const hash = await hashOf(target)
        const wanted = opts.transaction?.trim().toLowerCase()
        if (wanted !== undefined && !/^[0-9a-f]{64}$/.test(wanted))
          throw new UserError(
            `--transaction must be a transaction ID of 64 hex characters, got "${opts.transaction}"`,
          )
        const client = await NodeClient.connect(opts.node)
        const found = await client.notary(toHex(hash))
        if ('none' in found) throw new UserError(`no receipt: ${found.none}`)
        const receipts = found.registrations.map((r, i) => {
          try {
            return parseNotaryReceipt(r)
          } catch (err) {
            if (err instanceof DecodeError)
              throw new NodeClientError(
                'bad-answer',
                `the node at ${client.url} sent a malformed receipt ${i}: ${err.message}`,
              )
            throw err
          }
        })
        const receipt =
          wanted === undefined ? receipts[0] : receipts.find((r) => toHex(r.transactionId) === wanted)
        if (!receipt)
          throw new UserError(
            wanted === undefined
              ? `the node lists no registration of ${toHex(hash)}`
              : `transaction ${wanted} is not among the registrations of ${toHex(hash)} (${receipts.map((r) => toHex(r.transactionId)).join(', ')})`,
          )
        // a node could send anything: what is saved has passed every offline check
        const verdict = verifyNotaryReceipt(receipt, hash, client.registry)
        if (!verdict.valid)
          throw new NodeClientError(
            'bad-answer',
            `the node at ${client.url} sent a receipt that fails: ${verdict.reason}`,
          )
        if (toHex(receipt.genesisId) !== client.chain.genesisId)
          throw new NodeClientError('bad-answer', `the node at ${client.url} sent a receipt of another chain`)
        const text = `${stringifyJson(notaryReceiptToJson(receipt))}\n`
        if (opts.out) writeFileAtomic(opts.out, text, 0o644)
        const summary = {
          hash: toHex(hash),
          transactionId: toHex(receipt.transactionId),
          blockId: toHex(receipt.blockId),
          height: receipt.height,
          confirmations: found.height - receipt.height + 1,
          registrations: receipts.length,
          ...(opts.out ? { out: opts.out } : {}),
        }
        if (!opts.out) process.stdout.write(text)
        else if (opts.json) println(JSON.stringify(summary))
        else {
          println(`receipt: ${opts.out}`)
          println(`  hash ${summary.hash}: transaction ${summary.transactionId}`)
          println(
            `  block ${summary.blockId} at height ${summary.height} (${summary.confirmations} confirmations)`,
          )
          if (receipts.length > 1)
            println(
              `  registered ${receipts.length} times: this is the oldest (pick another with --transaction ID)`,
            )
        }
      },
    )
}
