// Runs the console's Playwright specs against a daemon + console that are ALREADY running (a
// developer's or the bench's), instead of starting one in global setup. Set WREN_E2E_CONSOLE_URL,
// WREN_E2E_ADMIN_PASSWORD, WREN_E2E_DOMAIN and WREN_E2E_DATA first, then:
//   npx playwright test -c bench/console/pw-attach.config.ts directory
import { defineConfig } from '@playwright/test'
import base from '../../playwright.config.js'

export default defineConfig({
  ...base,
  testDir: '../../e2e/console',
  outputDir: '../../test-results/playwright',
  globalSetup: undefined,
  reporter: [['list']],
})
