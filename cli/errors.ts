// How the `blockstake` program reports failures: a user mistake is one line and exit code 2; anything else
// is one line starting `error:` and exit code 1. Nobody sees a stack trace.
import { DecodeError } from '../consensus/encoding/errors.js'
import { CoinStringError } from '../consensus/types/currency.js'
import { DataDirError } from '../node/datadir.js'
import { NodeClientError } from '../wallet/client/node-api.js'
import { KeystoreError } from '../wallet/keys/keystore.js'
import { KeyError } from '../wallet/keys/seed.js'
import { WalletError } from '../wallet/tx/build.js'

/** A mistake in what the user gave a command (an argument, a file, a choice): printed as is, exit code 2. */
export class UserError extends Error {
  override readonly name: string = 'UserError'
}

/** A command that found what it was asked to check wrong (a notary receipt): one line, exit code 1. */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed'
}

/**
 * Errors of the layers below whose message is written for the user and whose cause is the user's input
 * (a malformed file, a bad key or passphrase, too few funds, a node on another chain): exit code 2 too.
 */
const USER_MISTAKES = [
  CoinStringError,
  DataDirError,
  KeyError,
  KeystoreError,
  NodeClientError,
  WalletError,
] as const

/** Maps any error to the one line a user sees and the exit code (2 = bad input, 1 = failure). */
export function describeError(err: unknown): { line: string; exitCode: number } {
  if (err instanceof CheckFailed) return { line: err.message, exitCode: 1 }
  if (err instanceof DecodeError) return { line: `invalid input: ${err.message}`, exitCode: 2 }
  if (err instanceof UserError || USER_MISTAKES.some((type) => err instanceof type))
    return { line: (err as Error).message, exitCode: 2 }
  if (err instanceof Error) return { line: `error: ${err.message}`, exitCode: 1 }
  return { line: `error: ${String(err)}`, exitCode: 1 }
}
