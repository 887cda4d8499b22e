// Prints one plain closing line, "N passed, N failed, N skipped", after vitest's own summary (CI reads it).
// With CI set, a skipped or todo test fails the run (exit code 1): everything the suite needs is in the
// project, so a skip means a test did not run. Filtering with -t marks the other tests skipped too.
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node'

const isCI = (value = process.env.CI): boolean => value !== undefined && !['', '0', 'false'].includes(value)

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason): void {
    const counts = { passed: 0, failed: 0, skipped: 0 }
    const skipped: string[] = []
    for (const m of modules) {
      for (const test of m.children.allTests()) {
        const result = test.result()
        if (result.state === 'passed') counts.passed++
        else if (result.state === 'failed') counts.failed++
        else {
          counts.skipped++
          const note = result.state === 'skipped' && result.note ? ` (${result.note})` : ''
          skipped.push(`${m.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}${note}`)
        }
      }
    }
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`)
    if (counts.skipped > 0 && isCI() && reason !== 'interrupted') {
      const shown = skipped.slice(0, 20).map((s) => `  ${s}\n`)
      const more = skipped.length > shown.length ? `  … and ${skipped.length - shown.length} more\n` : ''
      process.stdout.write(
        `CI: ${counts.skipped} skipped or todo tests fail the run:\n${shown.join('')}${more}`,
      )
      process.exitCode = 1
    }
  }
}
