import { DecodeError } from '../../consensus/encoding/errors.js'
import { CoinStringError } from '../../consensus/types/currency.js'

/** A user mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** Maps any error to the one line a user sees and the exit code (2 = bad input, 1 = failure). */
export function describeError(err: unknown): { line: string; exitCode: number } {
  if (err instanceof DecodeError) return { line: `invalid input: ${err.message}`, exitCode: 2 }
  if (err instanceof UsageError || err instanceof CoinStringError) return { line: err.message, exitCode: 2 }
  // user mistakes from the wallet side: bad keys/mnemonics, keystores (wrong passphrase), funds
  if (
    err instanceof Error &&
    ['KeyError', 'KeystoreError', 'WalletError', 'TransferError', 'DataDirError'].includes(err.name)
  ) {
    return { line: err.message, exitCode: 2 }
  }
  if (err instanceof Error) return { line: `error: ${err.message}`, exitCode: 1 }
  return { line: `error: ${String(err)}`, exitCode: 1 }
}
