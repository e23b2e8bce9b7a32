import { writeFileSync } from 'node:fs'
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter'

// Counts the Playwright run the way scripts/closing-line-reporter.ts counts vitest's: writes
// `{ passed, failed, skipped }` to $WREN_TEST_SUMMARY (scripts/test.mjs sums the suites) or prints
// the plain closing line `N passed, N failed, N skipped`. A test is counted once, by its last result.
export default class PlaywrightSummary implements Reporter {
  private readonly last = new Map<TestCase, TestResult['status']>()
  private errors = 0

  onTestEnd(test: TestCase, result: TestResult): void {
    this.last.set(test, result.status)
  }

  onError(): void {
    this.errors++ // global setup/teardown or worker errors outside a test
  }

  onEnd(result: FullResult): void {
    let passed = 0, failed = 0, skipped = 0
    for (const status of this.last.values()) {
      if (status === 'passed') passed++
      else if (status === 'skipped') skipped++
      else failed++ // failed, timedOut, interrupted
    }
    failed += this.errors
    if (result.status !== 'passed' && failed === 0 && passed === 0) failed = 1 // the run itself failed
    const summary = { passed, failed, skipped }
    if (process.env.WREN_TEST_SUMMARY) writeFileSync(process.env.WREN_TEST_SUMMARY, JSON.stringify(summary))
    else process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }

  printsToStdio(): boolean {
    return !process.env.WREN_TEST_SUMMARY
  }
}
