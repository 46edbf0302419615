// Sums vitest JSON reports into the one plain closing line CI's log is read by:
// "N passed, N failed". A report that is missing (the run crashed before writing it) counts as a
// failure, so a broken run can never look green.
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`no test report at ${file}: that run did not finish`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  // Suites that failed to load hold no tests; count each as one failure.
  failed += (report.numFailedTests ?? 0) + (report.testResults ?? []).filter((r) => r.status === "failed" && r.assertionResults.length === 0).length;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
