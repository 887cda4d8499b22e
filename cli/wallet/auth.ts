// `wallet auth update|condition` (DESIGN §4, spec/tfchain.md §3): (de)authorizing addresses (176) and a
// new auth condition (177), both signed by the holders of the auth condition in force.
import type { Command } from 'commander'
import { stringifyJson } from '../../consensus/encoding/json.js'
import { conditionToJson } from '../../consensus/types/conditions.js'
import {
  parseUnlockHash,
  type UnlockHash,
  UnlockType,
  unlockHashEquals,
  unlockHashToString,
} from '../../consensus/types/unlockhash.js'
import { NodeClient } from '../../wallet/client/node-api.js'
import { buildAuthAddressUpdate, buildAuthConditionUpdate } from '../../wallet/tx/extensions.js'
import { UserError } from '../errors.js'
import {
  type AuthorityOptions,
  authCoinOf,
  checkOut,
  currentAuthority,
  dataOption,
  extensionFees,
  finishAuthorityTransaction,
  parseNewCondition,
  withAuthorityOptions,
} from './authority.js'
import { withCommonOptions } from './common.js'
import { OpenWallet } from './store.js'

/** The addresses of `--authorize` and `--deauthorize`: valid, subject to authorization, each once. */
function parseAddressLists(
  authorize: readonly string[],
  deauthorize: readonly string[],
): { authorize: UnlockHash[]; deauthorize: UnlockHash[] } {
  if (authorize.length + deauthorize.length === 0)
    throw new UserError('give the addresses to change: --authorize ADDRESS… and/or --deauthorize ADDRESS…')
  const seen: { uh: UnlockHash; field: string }[] = []
  const parse = (list: readonly string[], option: string) =>
    list.map((text, i) => {
      const field = `${option}[${i}]`
      const uh = parseUnlockHash(text.trim(), field)
      if (uh.type === UnlockType.Nil || uh.type === UnlockType.AtomicSwap)
        throw new UserError(
          `${field}: nil and atomic swap addresses are never checked: they need no authorization`,
        )
      const first = seen.find((s) => unlockHashEquals(s.uh, uh))
      if (first) throw new UserError(`${field} repeats ${first.field}: each address once`)
      seen.push({ uh, field })
      return uh
    })
  return { authorize: parse(authorize, '--authorize'), deauthorize: parse(deauthorize, '--deauthorize') }
}

export function registerAuthCommands(wallet: Command): void {
  const auth = wallet
    .command('auth')
    .description('authorized addresses: who may send and receive coins (chains with the authcoin extension)')

  withAuthorityOptions(
    withCommonOptions(
      auth
        .command('update')
        .description('authorize and/or deauthorize addresses; signed by the auth condition in force')
        .option('--authorize <addresses...>', 'addresses to authorize')
        .option('--deauthorize <addresses...>', 'addresses to deauthorize'),
    ),
  ).action(async (opts: AuthorityOptions & { authorize?: string[]; deauthorize?: string[] }) => {
    const lists = parseAddressLists(opts.authorize ?? [], opts.deauthorize ?? [])
    checkOut(opts)
    const w = OpenWallet.open(opts.wallet)
    const client = await NodeClient.connect(opts.node, w)
    const p = authCoinOf(client)
    // what the chain would refuse (spec §3.2 rule 5), said before anything is signed or written
    for (const [option, list, wanted] of [
      ['--authorize', lists.authorize, false],
      ['--deauthorize', lists.deauthorize, true],
    ] as const) {
      for (const uh of list) {
        const address = unlockHashToString(uh)
        const status = await client.authStatus(address)
        if (status.authorized !== wanted) {
          const since = status.since === undefined ? 'by default' : `since height ${status.since}`
          throw new UserError(
            wanted
              ? `${option}: ${address} is not authorized (${since})`
              : `${option}: ${address} is already authorized (${since})`,
          )
        }
      }
    }
    const data = dataOption(client, opts.data)
    const tx = buildAuthAddressUpdate(
      p.addressUpdateVersion,
      lists,
      {
        minerFees: extensionFees(client, p.requireMinerFees, opts.fee),
        ...(data ? { arbitraryData: data } : {}),
      },
      client.def.constants.arbitraryDataSizeLimit,
    )
    await finishAuthorityTransaction(w, client, tx, await currentAuthority(client, 'auth'), opts)
  })

  withAuthorityOptions(
    withCommonOptions(
      auth
        .command('condition [address]')
        .description(
          'make ADDRESS (or --multisig M ADDRESS…) the auth condition; signed by the auth condition in force',
        )
        .option('--multisig <m-and-addresses...>', 'a multisig auth condition: M, then the member addresses'),
    ),
  ).action(async (address: string | undefined, opts: AuthorityOptions & { multisig?: string[] }) => {
    checkOut(opts)
    const w = OpenWallet.open(opts.wallet)
    const condition = parseNewCondition(address, opts.multisig, w, 'auth')
    const client = await NodeClient.connect(opts.node, w)
    const p = authCoinOf(client)
    const authority = await currentAuthority(client, 'auth')
    // spec §3.3: an update to the condition in force is refused
    if (stringifyJson(conditionToJson(condition)) === stringifyJson(conditionToJson(authority.condition)))
      throw new UserError('the new auth condition is the one in force already')
    const data = dataOption(client, opts.data)
    const tx = buildAuthConditionUpdate(
      p.conditionUpdateVersion,
      condition,
      {
        minerFees: extensionFees(client, p.requireMinerFees, opts.fee),
        ...(data ? { arbitraryData: data } : {}),
      },
      client.def.constants.arbitraryDataSizeLimit,
    )
    await finishAuthorityTransaction(w, client, tx, authority, opts)
  })
}
