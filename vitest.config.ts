import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/scenario/**', 'node_modules/**', 'dist/**'],
    setupFiles: ['./node/polyfill.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/utils/summary-reporter.ts'],
  },
})
