// The slice of the fuzz run that `npm test` runs: a few thousand seeded inputs per target (the same inputs
// every run), failing on any crash, failed round trip or hang. `npm run fuzz` runs a million per target.
import { describe, expect, it } from 'vitest'
import { fuzzTarget } from './engine.js'
import { createTarget } from './targets/index.js'

/** Inputs per target (FUZZ_SLICE_INPUTS to change it). */
export const SLICE_INPUTS = Number(process.env.FUZZ_SLICE_INPUTS ?? 2000)
/** Generous, as test files run in parallel on shared cores; the full run's limit is 200 ms. */
const SLICE_HANG_MS = 1000

/** One test per target: no failure (stack overflows on deeply nested time locks are counted apart). */
export function fuzzSlice(names: readonly string[]): void {
  describe(`fuzz slice (${SLICE_INPUTS} inputs per target, seed 1)`, () => {
    it.each(names)('%s', async (name) => {
      const target = await createTarget(name)
      try {
        const report = await fuzzTarget(target, { inputs: SLICE_INPUTS, seed: 1, hangMs: SLICE_HANG_MS })
        expect(report.distinct, `${name}: reproduce with npm run fuzz -- ${name} --only <index>`).toEqual([])
        expect(report.inputs).toBe(SLICE_INPUTS)
        expect(report.accepted).toBeGreaterThan(0)
        expect(report.rejected).toBeGreaterThan(0)
      } finally {
        await target.close?.()
      }
    })
  })
}
