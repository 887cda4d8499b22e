// DESIGN §3, the command-line part of the node-level hook: what an extension adds to the `blockstake`
// program. The consensus extension (`consensus/extensions/<name>/`) says what the chain enforces; its CLI
// extension adds the commands that build its transactions. A chain builder's own program passes its
// extensions to `main` (cli/program.ts) with the catalog its nodes validate with.
import type { Command } from 'commander'
import { BUILTIN_EXTENSIONS, type ExtensionCatalog } from '../consensus/extensions/catalog.js'
import { registerNotaryCommands } from './notary.js'
import { registerAuthCommands } from './wallet/auth.js'
import { registerCapacityCommands } from './wallet/capacity.js'
import { registerMintCommands } from './wallet/mint.js'
import { registerNotaryWalletCommands } from './wallet/notary.js'

export interface CliExtension {
  /** The consensus extension it serves (its name in a chain definition). */
  readonly name: string
  /** Adds commands under `blockstake wallet`. */
  readonly walletCommands?: (wallet: Command) => void
  /** Adds top-level commands. */
  readonly commands?: (program: Command) => void
}

/** What a `blockstake` program knows: the extensions its nodes validate and the commands they add. */
export interface ProgramExtensions {
  readonly catalog: ExtensionCatalog
  readonly cli: readonly CliExtension[]
}

export const BUILTIN_PROGRAM_EXTENSIONS: ProgramExtensions = {
  catalog: BUILTIN_EXTENSIONS,
  cli: [
    { name: 'minting', walletCommands: registerMintCommands },
    { name: 'authcoin', walletCommands: registerAuthCommands },
    { name: 'capacity', walletCommands: registerCapacityCommands },
    // ordinary arbitrary data: no chain rule, every node indexes it (node/extensions.ts)
    { name: 'notary', walletCommands: registerNotaryWalletCommands, commands: registerNotaryCommands },
  ],
}
