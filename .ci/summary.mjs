// Sums the test runners' JSON reports into one closing line: "N passed, N failed".
import { readdirSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const name of readdirSync('.test-output').filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(`.test-output/${name}`, 'utf8'));
  if (report.stats && 'expected' in report.stats) {
    passed += report.stats.expected;
    failed += report.stats.unexpected + (report.stats.flaky ?? 0);
    skipped += report.stats.skipped;
  } else {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  }
}
if (passed + failed === 0) {
  console.error('ci: no test ran');
  process.exit(1);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
