// The offline flow (spec §7.3, docs/wallet.md): `export-keys` on the machine with the seed → a watch-only
// wallet (`import-keys`) that builds transaction files (`tx build`) → `tx sign` where the seed is, without
// any node → `tx send`.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { DecodeError } from '../../consensus/encoding/errors.js'
import { jsonObject, jsonPreview, jsonUint, parseJson, stringifyJson } from '../../consensus/encoding/json.js'
import type { Condition } from '../../consensus/types/conditions.js'
import { NodeClient } from '../../wallet/client/node-api.js'
import { type PublicWalletKey, parsePublicKeys, publicKeysToJson } from '../../wallet/keys/public.js'
import {
  assertSameChain,
  type ChainRef,
  chainRefToJson,
  chainRegistry,
  parseChainRef,
} from '../../wallet/tx/file.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import { assertAuthorityUnchanged } from './authority.js'
import {
  type CommonOptions,
  chainOption,
  missingSignatures,
  readTransactionFile,
  readTransactionFileChain,
  reportFile,
  withCommonOptions,
  writeTransactionFile,
} from './common.js'
import { prepareSpend, signTransactionFile, withSpendOptions } from './spend.js'
import { MAX_KEYS, OpenWallet, writeFileAtomic } from './store.js'

export const PUBLIC_KEYS_KIND = 'blockstake-public-keys'
const DEFAULT_EXPORT_MARGIN = 50

/**
 * The chain a wallet signs for offline: its pinned record, or `--chain`. Extension transactions also
 * need the chain's extension parameters (how they are encoded and signed); a record pinned before they
 * were kept takes them from `--chain`.
 */
function signingChain(w: OpenWallet, chainFlag: string | undefined): ChainRef {
  const given = chainOption(chainFlag)
  const pinned = w.file.chain
  if (given && pinned && given.genesisId !== pinned.genesisId)
    throw new UserError(`--chain is not the chain of the wallet ${w.path}`)
  const chain = pinned && !pinned.extensions && given?.extensions ? given : (pinned ?? given)
  if (!chain)
    throw new UserError(
      `the wallet ${w.path} does not know its chain yet: pass --chain FILE|PRESET (the chain definition it signs for)`,
    )
  return chain
}

/**
 * `tx sign` and `multisig sign`: the chain must be known offline (the wallet's, or `--chain`), the file
 * must be for it (genesis and extension parameters), and the wallet must add at least one signature, to
 * an input or to a mint/auth fulfillment. The file is read with the registry of the wallet's chain, never
 * one the file describes. Writes the file atomically.
 */
export async function signFileCommand(
  path: string,
  opts: CommonOptions & { out?: string; chain?: string },
  only: 'any' | 'multisig',
): Promise<void> {
  // signing rewrites the input file; any other file it would replace must not exist (the wallet itself)
  if (opts.out !== undefined && resolve(opts.out) !== resolve(path) && existsSync(opts.out))
    throw new UserError(`--out: ${opts.out} exists already`)
  const w = OpenWallet.open(opts.wallet)
  if (w.watchOnly)
    throw new UserError(`${opts.wallet} is a watch-only wallet: sign with the wallet that holds the seed`)
  const chain = signingChain(w, opts.chain)
  const fileChain = readTransactionFileChain(path)
  try {
    assertSameChain(fileChain, chain, `the transaction file ${path}`)
  } catch (err) {
    throw new UserError(`${(err as Error).message} (the chain of the wallet ${opts.wallet})`)
  }
  if (fileChain.extensions && !chain.extensions)
    throw new UserError(
      `the wallet ${opts.wallet} does not know the extension parameters of its chain (it learnt its chain before they were kept): pass --chain FILE|PRESET`,
    )
  const registry = chainRegistry(chain)
  const file = readTransactionFile(path, registry)
  const isMultisig = (c: Condition) => c.type === 4 || (c.type === 3 && c.condition.type === 4)
  const multisigInputs = [...file.spent.coinInputs, ...file.spent.blockStakeInputs].filter((s) =>
    isMultisig(s.condition),
  )
  if (
    only === 'multisig' &&
    multisigInputs.length === 0 &&
    !(file.authority && isMultisig(file.authority.condition))
  )
    throw new UserError(`${path} has no multisig input or fulfillment (sign it with "wallet tx sign")`)
  const result = await signTransactionFile(w, file, registry)
  if (result.signed === 0)
    throw new UserError(
      missingSignatures(file) === undefined
        ? `${path} is fully signed already`
        : `the wallet ${opts.wallet} holds no key that can still sign ${file.authority ? `the ${file.authority.kind} fulfillment or an input` : 'an input'} of ${path}`,
    )
  if (!w.file.chain || (!w.file.chain.extensions && chain.extensions)) w.update({ chain })
  for (const c of result.multisig) if (c.type === 4) w.follow(c)
  const out = opts.out ?? path
  writeTransactionFile(out, result.file, registry)
  w.save()
  const mine = new Set(w.file.keys.map((k) => k.address))
  reportFile(
    result.file,
    out,
    chain.precision,
    mine,
    opts.json,
    { signed: result.signed },
    'signature(s) added',
  )
}

/** More keys of the same wallet for an existing watch-only wallet (its addresses and multisig kept). */
function extendWatchOnly(
  w: OpenWallet,
  parsed: { chain?: ChainRef; addressCount: number; keys: readonly PublicWalletKey[] },
  path: string,
): OpenWallet {
  if (!w.watchOnly) throw new UserError(`${w.path} exists already and holds a seed (use another --wallet)`)
  const shared = Math.min(w.file.keys.length, parsed.keys.length)
  for (let i = 0; i < shared; i++)
    if (w.file.keys[i]!.address !== parsed.keys[i]!.address)
      throw new UserError(`${path} holds the keys of another wallet than ${w.path} (key ${i} differs)`)
  if (parsed.chain && w.file.chain && parsed.chain.genesisId !== w.file.chain.genesisId)
    throw new UserError(`${path} is for another chain than ${w.path}`)
  w.update({
    keys: parsed.keys.length > w.file.keys.length ? parsed.keys : w.file.keys,
    addressCount: Math.max(w.file.addressCount, parsed.addressCount),
    ...(w.file.chain || !parsed.chain ? {} : { chain: parsed.chain }),
  })
  return w
}

export function registerOfflineCommands(wallet: Command): void {
  withCommonOptions(
    wallet
      .command('export-keys')
      .description('write the public keys and addresses of this wallet (no secret) for a watch-only wallet')
      .option('--count <n>', `keys to export (default: the addresses in use + ${DEFAULT_EXPORT_MARGIN})`)
      .option('--out <file>', 'write to FILE (default: standard output)'),
    true,
  ).action(async (opts: CommonOptions & { count?: string; out?: string }) => {
    if (opts.out !== undefined && existsSync(opts.out))
      throw new UserError(`--out: ${opts.out} exists already`)
    const w = OpenWallet.open(opts.wallet)
    const inUse = w.file.addressCount
    let count = inUse + DEFAULT_EXPORT_MARGIN
    if (opts.count !== undefined) {
      if (!/^[0-9]+$/.test(opts.count))
        throw new UserError(`--count must be a whole number, got "${opts.count}"`)
      count = Number(opts.count)
      if (count < inUse || count > MAX_KEYS)
        throw new UserError(`--count must be between the ${inUse} address(es) in use and ${MAX_KEYS}`)
    }
    if (w.watchOnly && count > w.file.keys.length)
      throw new UserError(`this watch-only wallet holds ${w.file.keys.length} keys`)
    // keys come from the seed (the stored ones are checked against it): this file vouches for them
    if (!w.watchOnly) await w.seed()
    const keys = await w.keys(count)
    const text = `${stringifyJson({
      kind: PUBLIC_KEYS_KIND,
      version: 1,
      chain: w.file.chain && chainRefToJson(w.file.chain),
      addressCount: inUse,
      keys: publicKeysToJson(keys),
    })}\n`
    w.save()
    if (opts.out === undefined) {
      process.stdout.write(text)
      return
    }
    writeFileAtomic(opts.out, text, 0o644)
    println(
      opts.json
        ? JSON.stringify({ file: opts.out, keys: count })
        : `wrote ${count} public keys to ${opts.out}`,
    )
  })

  withCommonOptions(
    wallet
      .command('import-keys <file>')
      .description(
        'create a watch-only wallet (public keys only: no seed, no passphrase) from an export-keys file, or give an existing one more keys',
      ),
    true,
  ).action(async (path: string, opts: CommonOptions) => {
    if (!existsSync(path)) throw new UserError(`no public key file at ${path}`)
    let parsed: { chain?: ChainRef; addressCount: number; keys: ReturnType<typeof parsePublicKeys> }
    try {
      const o = jsonObject(parseJson(readFileSync(path, 'utf8')), 'file')
      if (o.kind !== PUBLIC_KEYS_KIND)
        throw new DecodeError('invalid-value', `expected "${PUBLIC_KEYS_KIND}"`, 'kind')
      if (o.version !== 1)
        throw new DecodeError(
          'invalid-value',
          `version ${jsonPreview(o.version)} is not supported`,
          'version',
        )
      const keys = parsePublicKeys(o.keys)
      const addressCount = jsonUint(o.addressCount, 'addressCount')
      if (addressCount < 1 || addressCount > keys.length)
        throw new DecodeError(
          'invalid-value',
          `must be between 1 and the ${keys.length} keys`,
          'addressCount',
        )
      parsed = { addressCount, keys, ...(o.chain === undefined ? {} : { chain: parseChainRef(o.chain) }) }
    } catch (err) {
      if (err instanceof DecodeError) throw new UserError(`public key file ${path}: ${err.message}`)
      throw err
    }
    const w = existsSync(opts.wallet)
      ? extendWatchOnly(OpenWallet.open(opts.wallet), parsed, path)
      : OpenWallet.create(opts.wallet, {
          version: 1,
          kind: 'blockstake-wallet',
          ...(parsed.chain ? { chain: parsed.chain } : {}),
          addressCount: parsed.addressCount,
          keys: parsed.keys,
          multisig: [],
        })
    w.save()
    const out = {
      address: w.file.keys[0]!.address,
      addresses: w.file.addressCount,
      keys: w.file.keys.length,
      watchOnly: true,
    }
    println(
      opts.json
        ? JSON.stringify(out)
        : `watch-only wallet ${opts.wallet}: ${out.addresses} address(es) in use, ${out.keys} public keys`,
    )
  })

  const tx = wallet
    .command('tx')
    .description('transaction files: build (needs no seed), sign (needs no node), send')

  withSpendOptions(
    withCommonOptions(
      tx
        .command('build <amount> <address>')
        .description(
          'build an unsigned transaction file paying AMOUNT to ADDRESS (works on watch-only wallets)',
        )
        .requiredOption('--out <file>', 'the transaction file to write')
        .option('--stake', 'AMOUNT is block stakes (the fee is still paid in coins)'),
    ),
  ).action(
    async (amount: string, address: string, opts: CommonOptions & { out: string; stake?: boolean }) => {
      if (existsSync(opts.out)) throw new UserError(`--out: ${opts.out} exists already`)
      const {
        wallet: w,
        client,
        file,
      } = await prepareSpend(opts.stake ? 'blockStakes' : 'coins', amount, address, opts)
      writeTransactionFile(opts.out, file, client.registry)
      w.save()
      const inputs = file.transaction.coinInputs.length + file.transaction.blockStakeInputs.length
      const mine = new Set(w.file.keys.map((k) => k.address))
      reportFile(file, opts.out, client.precision, mine, opts.json, { inputs }, 'input(s) to sign')
    },
  )

  withCommonOptions(
    tx
      .command('sign <file>')
      .description("add this wallet's signatures to a transaction file; contacts no node")
      .option('--out <file>', 'write the signed file here (default: FILE, replaced atomically)')
      .option(
        '--chain <file|preset>',
        'the chain this wallet signs for, when the wallet does not know it yet',
      ),
    true,
  ).action((path: string, opts: CommonOptions & { out?: string; chain?: string }) =>
    signFileCommand(path, opts, 'any'),
  )

  withCommonOptions(
    tx.command('send <file>').description('post a fully signed transaction file to the node'),
  ).action(async (path: string, opts: CommonOptions) => {
    const w = existsSync(opts.wallet) ? OpenWallet.open(opts.wallet) : undefined
    const client = await NodeClient.connect(opts.node, w)
    const file = readTransactionFile(path, client.registry)
    client.assertChain(file.chain, `the transaction file ${path}`)
    const missing = missingSignatures(file)
    if (missing) throw new UserError(`${path} is not fully signed: ${missing}`)
    if (file.authority) await assertAuthorityUnchanged(client, file.authority, path)
    const transactionId = await client.submit(file.transaction)
    w?.save()
    println(opts.json ? JSON.stringify({ transactionId }) : `sent: transaction ${transactionId}`)
  })
}
