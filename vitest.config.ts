import { defineConfig } from 'vitest/config'

// One run over every package's unit tests and the outside-in tests in e2e/.
// Browser tests (Playwright) run separately from scripts/test.mjs.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'e2e/console/**', '**/*.spec.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './scripts/closing-line-reporter.ts'],
  },
})
