import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { preset } from '../../../consensus/params/presets.js'
import { openDataDir } from '../../../node/datadir.js'

const dirs: string[] = []
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** The `sync` option of each LevelDB batch written while a new data dir is opened (its genesis). */
async function syncOfBatches(opts: { sync?: boolean } = {}): Promise<unknown[]> {
  const dir = mkdtempSync(join(tmpdir(), 'blockstake-datadir-'))
  dirs.push(dir)
  const batch = vi.spyOn(Level.prototype, 'batch')
  const chain = await openDataDir(dir, preset('devnet'), { create: true, ...opts })
  await chain.close()
  const options = batch.mock.calls.map((call) => ((call as unknown[])[1] as { sync?: boolean }).sync)
  batch.mockRestore()
  return options
}

describe('openDataDir: durability (docs/RELIABILITY.md)', () => {
  it('flushes every batch of a node data dir by default', async () => {
    const options = await syncOfBatches()
    expect(options.length).toBeGreaterThan(0)
    expect(new Set(options)).toEqual(new Set([true]))
  })

  it('does not with BLOCKSTAKE_DB_SYNC=0 or sync: false', async () => {
    expect(new Set(await syncOfBatches({ sync: false }))).toEqual(new Set([false]))
    vi.stubEnv('BLOCKSTAKE_DB_SYNC', '0')
    expect(new Set(await syncOfBatches())).toEqual(new Set([false]))
  })
})
