// The `blockstake` command line: the program and its error handling (the bin entry is main.ts).
import { Command, CommanderError } from 'commander'
import { registerChainCommands } from './chain.js'
import { registerDevnetCommands } from './devnet.js'
import { describeError } from './errors.js'
import { BUILTIN_PROGRAM_EXTENSIONS, type ProgramExtensions } from './extensions.js'
import { registerInspectCommands } from './inspect.js'
import { registerKeyCommands } from './keys.js'
import { registerNodeCommands } from './node.js'
import { registerWalletCommands } from './wallet/wallet.js'

/** The program with the commands of `extensions` (a chain builder's program passes its own). */
export function buildProgram(extensions: ProgramExtensions = BUILTIN_PROGRAM_EXTENSIONS): Command {
  const program = new Command('blockstake')
    .description('Blockstake: Proof-of-BlockStake node, wallet and tools, byte-compatible with Rivine')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
  registerInspectCommands(program)
  registerKeyCommands(program)
  registerChainCommands(program)
  registerNodeCommands(program, extensions.catalog)
  registerDevnetCommands(program)
  const wallet = registerWalletCommands(program)
  for (const ext of extensions.cli) {
    ext.walletCommands?.(wallet)
    ext.commands?.(program)
  }
  for (const cmd of program.commands) cmd.exitOverride()
  return program
}

export async function main(
  argv: string[],
  extensions: ProgramExtensions = BUILTIN_PROGRAM_EXTENSIONS,
): Promise<number> {
  const program = buildProgram(extensions)
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) })
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage mistakes were already printed by commander
      return err.exitCode === 0 ? 0 : 2
    }
    const { line, exitCode } = describeError(err)
    process.stderr.write(`${line}\n`)
    return exitCode
  }
}
