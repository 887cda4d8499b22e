// The command-line part of the extension hook: a chain builder's program adds its extension's commands
// (under `wallet` or at the top) and runs nodes with its catalog; the built-in program has minting's and
// auth-coin's.
import { describe, expect, it } from 'vitest'
import { BUILTIN_PROGRAM_EXTENSIONS } from '../../../cli/extensions.js'
import { buildProgram } from '../../../cli/program.js'
import { nametagExtension } from '../../utils/nametag.js'

const names = (cmd: { commands: readonly { name(): string }[] }) => cmd.commands.map((c) => c.name())

describe('cli extensions', () => {
  it('the built-in program has the mint and auth wallet commands', () => {
    const wallet = buildProgram().commands.find((c) => c.name() === 'wallet')!
    expect(names(wallet)).toEqual(expect.arrayContaining(['mint', 'auth', 'send']))
  })

  it("a chain builder's program adds its own commands", () => {
    let registered = false
    const program = buildProgram({
      catalog: [...BUILTIN_PROGRAM_EXTENSIONS.catalog, nametagExtension],
      cli: [
        ...BUILTIN_PROGRAM_EXTENSIONS.cli,
        {
          name: 'nametag',
          walletCommands: (wallet) => {
            registered = true
            wallet.command('register-name <name>').description('register a name')
          },
          commands: (p) => {
            p.command('names').description('list registered names')
          },
        },
      ],
    })
    expect(registered).toBe(true)
    expect(names(program)).toContain('names')
    expect(names(program.commands.find((c) => c.name() === 'wallet')!)).toContain('register-name')
  })
})
