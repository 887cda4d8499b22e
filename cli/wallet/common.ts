// Options every wallet command takes, and how transaction files are read, written and shown.
import { existsSync, readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { DecodeError } from '../../consensus/encoding/errors.js'
import { type JsonValue, parseJson, stringifyJson } from '../../consensus/encoding/json.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { type Condition, conditionToJson, conditionUnlockHash } from '../../consensus/types/conditions.js'
import { type Currency, formatCoinString } from '../../consensus/types/currency.js'
import { coinOutputSum, type TransactionRegistry } from '../../consensus/types/transaction.js'
import { type UnlockHash, unlockHashToString } from '../../consensus/types/unlockhash.js'
import { loadChainOption } from '../../node/datadir.js'
import { chainRefOf, DEFAULT_NODE } from '../../wallet/client/node-api.js'
import { signatureStatus } from '../../wallet/tx/build.js'
import { farmerUnsigned } from '../../wallet/tx/capacity.js'
import { authoritySignatureStatus, extensionKindOf } from '../../wallet/tx/extensions.js'
import {
  type ChainRef,
  parseTransactionFileText,
  spentConditions,
  type TransactionFile,
  transactionFileChain,
  transactionFileToText,
} from '../../wallet/tx/file.js'
import { describeLock } from '../../wallet/tx/lock.js'
import { UserError } from '../errors.js'
import { println } from '../io.js'
import { defaultWalletPath, writeFileAtomic } from './store.js'

/** `--node` default: BLOCKSTAKE_NODE, else the local node. */
export const defaultNode = (): string => process.env.BLOCKSTAKE_NODE ?? DEFAULT_NODE

export interface CommonOptions {
  wallet: string
  node: string
  json?: boolean
}

/** `--wallet`, `--node` and `--json`; `offline` commands take `--node` but never use it. */
export function withCommonOptions(c: Command, offline = false): Command {
  return c
    .option('--wallet <file>', 'wallet file', defaultWalletPath())
    .option(
      '--node <url>',
      offline ? 'node API (not used: this command works offline)' : 'node API (default: $BLOCKSTAKE_NODE)',
      defaultNode(),
    )
    .option('--json', 'print one JSON object')
}

/** `12.5 coins` with the chain's precision, or block stakes as whole numbers. */
export const amountText = (v: Currency, asset: 'coins' | 'blockStakes', precision: number): string =>
  asset === 'coins' ? `${formatCoinString(v, precision)} coins` : `${v} block stakes`

/**
 * Reads a transaction file, naming the file and the field in any error. `registry` reads its
 * transaction (default: the one the file's own chain record describes).
 */
export function readTransactionFile(path: string, registry?: TransactionRegistry): TransactionFile {
  return parseFileWith(path, (text) => parseTransactionFileText(text, registry))
}

/** The chain record of a transaction file (read first: it says how to read the transaction). */
export function readTransactionFileChain(path: string): ChainRef {
  return parseFileWith(path, (text) => transactionFileChain(parseJson(text)))
}

function parseFileWith<T>(path: string, parse: (text: string) => T): T {
  if (!existsSync(path)) throw new UserError(`no transaction file at ${path}`)
  try {
    return parse(readFileSync(path, 'utf8'))
  } catch (err) {
    if (err instanceof DecodeError) throw new UserError(`transaction file ${path}: ${err.message}`)
    throw err
  }
}

export function writeTransactionFile(
  path: string,
  file: TransactionFile,
  registry: TransactionRegistry,
): void {
  writeFileAtomic(path, transactionFileToText(file, registry))
}

const AUTHORITY_NAME = { mint: 'the mint fulfillment', auth: 'the auth fulfillment' } as const

/** The first input (or mint/auth fulfillment) still short of signatures, as a sentence; undefined when complete. */
export function missingSignatures(file: TransactionFile): string | undefined {
  const short = signatureStatus(file.transaction, spentConditions(file)).find((s) => s.have < s.need)
  if (short) {
    const name = `${short.list === 'coinInputs' ? 'coin' : 'block stake'} input ${short.index}`
    return short.kind === 'multisig'
      ? `${name} (multisig) has ${short.have} of ${short.need} signatures`
      : `${name} is not signed`
  }
  if (farmerUnsigned(file.transaction)) return 'the farmer signature is not signed'
  if (!file.authority) return undefined
  const a = authoritySignatureStatus(file.transaction, file.authority)
  if (a.have >= a.need) return undefined
  const name = AUTHORITY_NAME[file.authority.kind]
  return a.kind === 'multisig'
    ? `${name} (multisig) has ${a.have} of ${a.need} signatures`
    : `${name} is not signed`
}

/** A condition for people: an address, `M-of-N multisig ADDRESS (members …)`, with its time lock. */
export function describeCondition(c: Condition): string {
  if (c.type === 3) return `${describeCondition(c.condition)}, time-locked until ${describeLock(c.lockTime)}`
  const address = unlockHashToString(conditionUnlockHash(c))
  if (c.type === 4)
    return `${c.minimumSignatureCount}-of-${c.unlockHashes.length} multisig ${address} (members ${c.unlockHashes.map(unlockHashToString).join(', ')})`
  return address
}

/** What an extension transaction does besides paying outputs, for people and programs. */
function extensionSummary(file: TransactionFile): { lines: string[]; json: { [key: string]: JsonValue } } {
  const tx = file.transaction
  const kind = extensionKindOf(tx)
  const e = tx.extension as Record<string, unknown> | undefined
  switch (kind) {
    case 'minter-definition': {
      const c = (e as { mintCondition: Condition }).mintCondition
      return {
        lines: [`  makes the mint condition ${describeCondition(c)}`],
        json: { kind, mintCondition: conditionToJson(c) },
      }
    }
    case 'auth-condition-update': {
      const c = (e as { authCondition: Condition }).authCondition
      return {
        lines: [`  makes the auth condition ${describeCondition(c)}`],
        json: { kind, authCondition: conditionToJson(c) },
      }
    }
    case 'auth-address-update': {
      const u = e as { authAddresses: UnlockHash[]; deauthAddresses: UnlockHash[] }
      const authorize = u.authAddresses.map(unlockHashToString)
      const deauthorize = u.deauthAddresses.map(unlockHashToString)
      return {
        lines: [
          ...authorize.map((a) => `  authorizes ${a}`),
          ...deauthorize.map((a) => `  deauthorizes ${a}`),
        ],
        json: { kind, authorize, deauthorize },
      }
    }
    case 'coin-destruction': {
      const spent = file.spent.coinInputs.reduce((s, o) => s + o.value, 0n)
      const destroyed = spent - coinOutputSum(tx)
      return {
        lines: [`  destroys ${amountText(destroyed, 'coins', file.chain.precision)}`],
        json: { kind, destroyed: destroyed.toString() },
      }
    }
    case 'coin-creation':
      return { lines: [], json: { kind } }
    default:
      return { lines: [], json: {} }
  }
}

/** What a transaction file does, for people (lines) and programs (JSON). */
export function summarize(
  file: TransactionFile,
  precision: number,
  mine: (address: string) => boolean,
): { lines: string[]; json: { [key: string]: JsonValue }; complete: boolean } {
  const tx = file.transaction
  const verb = extensionKindOf(tx) === 'coin-creation' ? 'mints' : 'pays'
  const outputs = [
    ...tx.coinOutputs.map((o) => ({ o, asset: 'coins' as const })),
    ...tx.blockStakeOutputs.map((o) => ({ o, asset: 'blockStakes' as const })),
  ].map(({ o, asset }) => {
    const address = unlockHashToString(conditionUnlockHash(o.condition))
    const lock = o.condition.type === 3 ? o.condition.lockTime : undefined
    return { asset, value: o.value, address, lock, mine: mine(address) }
  })
  const fee = tx.minerFees.reduce((s, f) => s + f, 0n)
  const status: { name: string; have: number; need: number }[] = signatureStatus(
    tx,
    spentConditions(file),
  ).map((s) => ({ name: `${s.list}[${s.index}]`, have: s.have, need: s.need }))
  if (file.authority)
    status.push({
      name: `${file.authority.kind}Fulfillment`,
      ...authoritySignatureStatus(tx, file.authority),
    })
  const complete = status.every((s) => s.have >= s.need)
  const extension = extensionSummary(file)
  const lines = [
    ...extension.lines,
    ...outputs.map(
      (o) =>
        `  ${verb} ${amountText(o.value, o.asset, precision)} to ${o.address}${o.mine ? ' (this wallet)' : ''}${o.lock === undefined ? '' : `, locked until ${describeLock(o.lock)}`}`,
    ),
    `  fee ${amountText(fee, 'coins', precision)}`,
    ...(file.transaction.arbitraryData.length
      ? [`  data ${JSON.stringify(new TextDecoder().decode(file.transaction.arbitraryData))}`]
      : []),
    ...(file.authority
      ? [
          `  answers to the ${file.authority.kind} condition in force at height ${file.authority.height}: ${describeCondition(file.authority.condition)}`,
        ]
      : []),
    `  signatures: ${status.map((s) => `${s.have}/${s.need}`).join(', ')}${complete ? ' (complete)' : ''}`,
  ]
  return {
    lines,
    complete,
    json: {
      ...extension.json,
      outputs: outputs.map((o) => ({
        asset: o.asset,
        value: o.value.toString(),
        address: o.address,
        lock: o.lock,
        mine: o.mine,
      })),
      fee: fee.toString(),
      signatures: status.map((s) => ({ input: s.name, have: s.have, need: s.need })),
      complete,
    },
  }
}

/**
 * Prints what a command did with a transaction file: `{"file", …counts, …summary}` with `--json`, else
 * a line and the summary.
 */
export function reportFile(
  file: TransactionFile,
  path: string,
  precision: number,
  mine: ReadonlySet<string>,
  json: boolean | undefined,
  extra: Record<string, number>,
  what: string,
): void {
  const s = summarize(file, precision, (a) => mine.has(a))
  if (json) {
    println(stringifyJson({ file: path, ...extra, ...s.json }))
    return
  }
  const count = Object.values(extra)[0]
  println(
    `${path}: ${count} ${what}${s.complete ? '; complete, send it with "wallet tx send"' : '; more signatures needed'}`,
  )
  for (const line of s.lines) println(line)
}

export const jsonLine = (value: JsonValue): string => stringifyJson(value)

/** `--chain FILE|PRESET`: the chain a wallet belongs to, known without a node. */
export function chainOption(value: string | undefined): ChainRef | undefined {
  return value === undefined ? undefined : chainRefOf(loadChainOption(value) as ChainDefinition)
}
