import { defineConfig } from 'vitest/config'

// Long-running devnet scenarios (minutes of real block time): `npm run test:scenario`.
export default defineConfig({
  test: {
    include: ['test/scenario/**/*.test.ts'],
    setupFiles: ['./node/polyfill.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/utils/summary-reporter.ts'],
  },
})
