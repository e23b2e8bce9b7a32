// The console's end-to-end tests (issue 6): Debian's Chromium drives the console that the real
// daemon serves, started the way `npm start` starts it (e2e/console/global-setup.ts).
import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: './e2e/console',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/playwright',
  globalSetup: './e2e/console/global-setup.ts',
  // one daemon for the whole run: the specs run one after another against it
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./scripts/playwright-summary-reporter.ts']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'off',
    actionTimeout: 10_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
})
