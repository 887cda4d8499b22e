// The CLI run in-process for tests: `main()` with the process's stdout and stderr captured.
import { vi } from 'vitest'
import { main } from '../../cli/program.js'

/** Runs `blockstake ...args` in-process and returns its exit code and what it wrote to stdout and stderr. */
export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s)
    return true
  })
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s)
    return true
  })
  try {
    const code = await main(['node', 'blockstake', ...args])
    return { code, out, err }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}
