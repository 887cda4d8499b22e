// Options every wallet command takes, and how transaction files are read, written and shown.
import { existsSync, readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { DecodeError } from '../../consensus/encoding/errors.js'
import { type JsonValue, stringifyJson } from '../../consensus/encoding/json.js'
import type { ChainDefinition } from '../../consensus/params/chain.js'
import { conditionUnlockHash } from '../../consensus/types/conditions.js'
import { type Currency, formatCoinString } from '../../consensus/types/currency.js'
import type { TransactionRegistry } from '../../consensus/types/transaction.js'
import { unlockHashToString } from '../../consensus/types/unlockhash.js'
import { loadChainOption } from '../../node/datadir.js'
import { chainRefOf, DEFAULT_NODE } from '../../wallet/client/node-api.js'
import { type InputSignatures, signatureStatus } from '../../wallet/tx/build.js'
import {
  type ChainRef,
  parseTransactionFileText,
  spentConditions,
  type TransactionFile,
  transactionFileToText,
} from '../../wallet/tx/file.js'
import { describeLock } from '../../wallet/tx/lock.js'
import { UserError } from '../errors.js'
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

/** Reads a transaction file, naming the file and the field in any error. */
export function readTransactionFile(path: string, registry: TransactionRegistry): TransactionFile {
  if (!existsSync(path)) throw new UserError(`no transaction file at ${path}`)
  try {
    return parseTransactionFileText(readFileSync(path, 'utf8'), registry)
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

/** The first input still short of signatures, as a sentence; undefined when the transaction is complete. */
export function missingSignatures(file: TransactionFile): string | undefined {
  const short = signatureStatus(file.transaction, spentConditions(file)).find((s) => s.have < s.need)
  if (!short) return undefined
  const name = `${short.list === 'coinInputs' ? 'coin' : 'block stake'} input ${short.index}`
  return short.kind === 'multisig'
    ? `${name} (multisig) has ${short.have} of ${short.need} signatures`
    : `${name} is not signed`
}

/** What a transaction file does, for people (lines) and programs (JSON). */
export function summarize(
  file: TransactionFile,
  precision: number,
  mine: (address: string) => boolean,
): { lines: string[]; json: { [key: string]: JsonValue }; complete: boolean } {
  const tx = file.transaction
  const outputs = [
    ...tx.coinOutputs.map((o) => ({ o, asset: 'coins' as const })),
    ...tx.blockStakeOutputs.map((o) => ({ o, asset: 'blockStakes' as const })),
  ].map(({ o, asset }) => {
    const address = unlockHashToString(conditionUnlockHash(o.condition))
    const lock = o.condition.type === 3 ? o.condition.lockTime : undefined
    return { asset, value: o.value, address, lock, mine: mine(address) }
  })
  const fee = tx.minerFees.reduce((s, f) => s + f, 0n)
  const status: InputSignatures[] = signatureStatus(tx, spentConditions(file))
  const complete = status.every((s) => s.have >= s.need)
  const lines = [
    ...outputs.map(
      (o) =>
        `  pays ${amountText(o.value, o.asset, precision)} to ${o.address}${o.mine ? ' (this wallet)' : ''}${o.lock === undefined ? '' : `, locked until ${describeLock(o.lock)}`}`,
    ),
    `  fee ${amountText(fee, 'coins', precision)}`,
    ...(file.transaction.arbitraryData.length
      ? [`  data ${JSON.stringify(new TextDecoder().decode(file.transaction.arbitraryData))}`]
      : []),
    `  signatures: ${status.map((s) => `${s.have}/${s.need}`).join(', ')}${complete ? ' (complete)' : ''}`,
  ]
  return {
    lines,
    complete,
    json: {
      outputs: outputs.map((o) => ({
        asset: o.asset,
        value: o.value.toString(),
        address: o.address,
        lock: o.lock,
        mine: o.mine,
      })),
      fee: fee.toString(),
      signatures: status.map((s) => ({ input: `${s.list}[${s.index}]`, have: s.have, need: s.need })),
      complete,
    },
  }
}

export const jsonLine = (value: JsonValue): string => stringifyJson(value)

/** `--chain FILE|PRESET`: the chain a wallet belongs to, known without a node. */
export function chainOption(value: string | undefined): ChainRef | undefined {
  return value === undefined ? undefined : chainRefOf(loadChainOption(value) as ChainDefinition)
}
