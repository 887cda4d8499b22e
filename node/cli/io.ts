import { readFileSync } from 'node:fs'
import { UsageError } from './errors.js'

/** Reads FILE, or standard input for `-` / no argument. */
export function readInput(file: string | undefined, what: string): string {
  const path = file === undefined || file === '-' ? 0 : file
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (path === 0) throw new UsageError(`cannot read the ${what} from standard input (${code ?? 'error'})`)
    throw new UsageError(
      `cannot read ${what} file "${file}": ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`,
    )
  }
}

/** Writes one line of output. */
export const println = (line: string): void => {
  process.stdout.write(`${line}\n`)
}
