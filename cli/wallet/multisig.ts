// `wallet multisig address|sign` (spec §3.2, §7.4): the type-3 address of M-of-N members, which the wallet
// then follows (balance, paying to it, spending from it), and co-signing a transaction file.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import type { MultiSignatureCondition } from '../../consensus/types/conditions.js'
import {
  parseUnlockHash,
  type UnlockHash,
  UnlockType,
  unlockHashEquals,
  unlockHashToString,
} from '../../consensus/types/unlockhash.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import { type CommonOptions, withCommonOptions } from './common.js'
import { signFileCommand } from './offline.js'
import { multisigRecord, OpenWallet } from './store.js'

/** Most members of a multisig wallet this CLI builds (its transactions must stay within size limits). */
const MAX_MEMBERS = 64

/** `M ADDRESS…` as a standard multisig condition (spec §3.4: 1 ≤ M ≤ N, N ≥ 2, type-1 addresses). */
export function parseMultisig(m: string, addresses: readonly string[]): MultiSignatureCondition {
  if (addresses.length < 2) throw new UserError('a multisig wallet needs at least 2 ADDRESSes')
  if (addresses.length > MAX_MEMBERS)
    throw new UserError(`a multisig wallet has at most ${MAX_MEMBERS} members`)
  if (!/^[0-9]+$/.test(m) || Number(m) < 1 || Number(m) > addresses.length)
    throw new UserError(
      `M must be a whole number from 1 to ${addresses.length} (the number of ADDRESSes), got "${m}"`,
    )
  const unlockHashes: UnlockHash[] = []
  for (const [i, a] of addresses.entries()) {
    const field = `ADDRESS ${i + 1}`
    const uh = parseUnlockHash(a.trim(), field)
    if (uh.type !== UnlockType.PubKey)
      throw new UserError(`${field}: multisig members must be wallet (type 1) addresses, got type ${uh.type}`)
    // compared as unlock hashes: the same address in upper and lower case is one member
    const first = unlockHashes.findIndex((b) => unlockHashEquals(b, uh))
    if (first >= 0) throw new UserError(`${field} repeats ADDRESS ${first + 1}`)
    unlockHashes.push(uh)
  }
  return { type: 4, minimumSignatureCount: Number(m), unlockHashes }
}

export function registerMultisigCommands(wallet: Command): void {
  const multisig = wallet.command('multisig').description('multisig wallets: M of N addresses must sign')

  withCommonOptions(
    multisig
      .command('address <m> <addresses...>')
      .description(
        'print the multisig address of M-of-ADDRESSES; the wallet (if --wallet exists) follows it from then on',
      ),
    true,
  ).action((m: string, addresses: string[], opts: CommonOptions) => {
    const condition = parseMultisig(m, addresses)
    const record = multisigRecord(condition)
    let followed = false
    if (existsSync(opts.wallet)) {
      const w = OpenWallet.open(opts.wallet)
      w.follow(condition)
      w.save()
      followed = true
    }
    if (opts.json)
      println(
        JSON.stringify({
          address: record.address,
          minimumSignatureCount: condition.minimumSignatureCount,
          unlockHashes: condition.unlockHashes.map(unlockHashToString),
          followed,
        }),
      )
    else println(record.address)
  })

  withCommonOptions(
    multisig
      .command('sign <file>')
      .description(
        "add this wallet's signatures to the multisig inputs of a transaction file; contacts no node",
      )
      .option('--out <file>', 'write the signed file here (default: FILE, replaced atomically)')
      .option(
        '--chain <file|preset>',
        'the chain this wallet signs for, when the wallet does not know it yet',
      ),
    true,
  ).action((path: string, opts: CommonOptions & { out?: string; chain?: string }) => {
    if (!existsSync(opts.wallet)) throw new UserError(`no wallet at ${opts.wallet}`)
    return signFileCommand(path, opts, 'multisig')
  })
}
