#!/usr/bin/env node
// `npm test`: runs every suite (vitest: unit + outside-in; Playwright: console in Chromium when present)
// and ends with one plain line `N passed, N failed, N skipped` summing them all.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureInstalled } from './ensure-installed.mjs'

ensureInstalled()
const tmp = mkdtempSync(join(tmpdir(), 'wren-test-'))
const totals = { passed: 0, failed: 0, skipped: 0 }

function runSuite(name, cmd, args, env = {}) {
  const summary = join(tmp, `${name}.json`)
  console.log(`\n=== ${name} ===`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env, WREN_TEST_SUMMARY: summary } })
  if (existsSync(summary)) {
    const s = JSON.parse(readFileSync(summary, 'utf8'))
    totals.passed += s.passed; totals.failed += s.failed; totals.skipped += s.skipped
  } else if (r.status !== 0) {
    totals.failed += 1 // the runner itself failed before reporting
  }
}

const extra = process.argv.slice(2)
runSuite('vitest', 'npx', ['vitest', 'run', ...extra])
if (existsSync('e2e/console') && existsSync('playwright.config.ts') && !extra.length) {
  runSuite('playwright', 'npx', ['playwright', 'test'])
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(totals.failed > 0 ? 1 : 0)
