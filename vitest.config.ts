import { defineConfig } from 'vitest/config'

// Two groups, one after the other (`sequence.groupOrder`): every test file in parallel, then the devnet
// scenario alone. It runs four node processes on real 2 s block time, so it does not share the cores with
// other test files (the block times it prints would measure the machine's load, not the devnet, and its
// bounded waits would come closer to their limits).
const DEVNET_SCENARIO = 'test/sim/devnet.test.ts'

export default defineConfig({
  test: {
    setupFiles: ['./node/polyfill.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/utils/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'tests',
          include: ['test/**/*.test.ts'],
          exclude: [DEVNET_SCENARIO, 'node_modules/**', 'dist/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          // `npm run test:devnet` runs only this one
          name: 'devnet',
          include: [DEVNET_SCENARIO],
          testTimeout: 300_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
