import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const MAIN = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url))

it('ends quietly with status 0 when its output pipe closes early (| head)', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'keys', 'derive', '--seed', 'ab'.repeat(32), '--count', '3000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr += d
  })
  child.stdout.once('data', () => child.stdout.destroy())
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  expect(stderr).toBe('')
  expect(code).toBe(0)
}, 30_000)
