import { writeFileSync } from 'node:fs'
import type { Reporter, TestModule } from 'vitest/node'

// Prints the plain closing line CI reads (`N passed, N failed, N skipped`) and, when
// WREN_TEST_SUMMARY names a file, writes the counts there so scripts/test.mjs can sum suites.
export default class ClosingLine implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>) {
    let passed = 0, failed = 0, skipped = 0
    for (const m of modules) {
      let failedHere = 0
      for (const t of m.children.allTests()) {
        const s = t.result().state
        if (s === 'passed') passed++
        else if (s === 'failed') failedHere++
        else skipped++
      }
      // A file that failed with no failed test: it did not load, or a beforeAll/afterAll hook threw
      // (its tests then count as skipped) — one failure, never a silent pass.
      if (m.state() === 'failed' && failedHere === 0) failedHere = 1
      failed += failedHere
    }
    failed += errors.length
    if (process.env.WREN_TEST_SUMMARY) writeFileSync(process.env.WREN_TEST_SUMMARY, JSON.stringify({ passed, failed, skipped }))
    else process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
