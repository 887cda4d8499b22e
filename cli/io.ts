import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { UserError } from './errors.js'

/** Reads FILE, or standard input for `-` / no argument. */
export function readInput(file: string | undefined, what: string): string {
  const path = file === undefined || file === '-' ? 0 : file
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (path === 0) throw new UserError(`cannot read the ${what} from standard input (${code ?? 'error'})`)
    throw new UserError(
      `cannot read ${what} file "${file}": ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`,
    )
  }
}

/** Writes one line of output. */
export const println = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

/** The passphrase: BLOCKSTAKE_PASSPHRASE, else a hidden prompt on a TTY, else an error. */
export async function readPassphrase(what: string): Promise<string> {
  const env = process.env.BLOCKSTAKE_PASSPHRASE
  if (env !== undefined) return env
  if (!process.stdin.isTTY)
    throw new UserError(`no passphrase for ${what}: set BLOCKSTAKE_PASSPHRASE (no terminal to ask on)`)
  return readHidden(`passphrase for ${what}: `)
}

/** One line typed on the terminal without echo (the caller checks that there is a terminal). */
export async function readHidden(prompt: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, done) => done() })
  process.stderr.write(prompt)
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true })
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve))
  } finally {
    rl.close()
    process.stderr.write('\n')
  }
}
