import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { MALLOC_ENV, NODE_FLAGS, withMallocEnv } from '../../../node/launch.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const LAUNCHER = join(ROOT, 'bin/blockstake')
const BUILT = existsSync(join(ROOT, 'dist/cli/main.js'))
if (!BUILT) console.warn('bin/blockstake: dist/ is not built (npm run build), the launcher run is skipped')
const run = promisify(execFile)

describe('bin/blockstake', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('starts Node with the flags and malloc tunables of node/launch.ts', () => {
    const script = readFileSync(LAUNCHER, 'utf8')
    const set = Object.fromEntries(
      [...script.matchAll(/^: "\$\{(\w+):=([^}]*)\}"$/gm)].map((m) => [m[1], m[2]]),
    )
    expect(set).toEqual(MALLOC_ENV)
    expect(/^exec node (.*?) ?"/m.exec(script)?.[1]?.split(' ')).toEqual(NODE_FLAGS)
  })

  it.skipIf(!BUILT)(
    'runs the CLI through a chain of links, as npm installs it',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'blockstake-bin-'))
      dirs.push(dir)
      symlinkSync(LAUNCHER, join(dir, 'first'))
      symlinkSync('first', join(dir, 'blockstake')) // relative link
      const { stdout } = await run(join(dir, 'blockstake'), ['--version'], { timeout: 20_000 })
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
      expect(stdout.trim()).toBe(version)
    },
    30_000,
  )
})

describe('withMallocEnv', () => {
  it('adds the tunables and keeps values the environment already has', () => {
    const env = withMallocEnv({ PATH: '/bin', MALLOC_ARENA_MAX: '4' })
    expect(env).toEqual({ ...MALLOC_ENV, PATH: '/bin', MALLOC_ARENA_MAX: '4' })
  })
})
