/**
 * Pools the given calibration reports as one setting (`poolReports`, the rule of docs/pricing.md
 * "How the model is judged") and prints its verdict and pooled groups as CALIBRATION.md renders
 * them — for a set `calibrate report` does not group on its own, e.g. seeds run after a model was
 * chosen (out of sample). Exits 1 when the pooled checks fail, as `calibrate run` does.
 *   npx tsx src/pool-seeds.ts results/<a>.json results/<b>.json …
 */
import { readFileSync } from 'node:fs';
import { type CalibrationReport, poolReports } from '@tap/calibration';
import { pooledGroupTable, pooledVerdict } from './pooled-calibration-section.js';

const reports = process.argv
  .slice(2)
  .map((file) => (JSON.parse(readFileSync(file, 'utf8')) as { report: CalibrationReport }).report);
const pooled = poolReports(reports);
console.log(
  `${pooled.runs} runs, ${pooled.decisions.toLocaleString('en-US')} cell-decisions — ${pooledVerdict(pooled)}`,
);
console.log(pooledGroupTable(pooled).join('\n'));
process.exitCode = pooled.checks.pass ? 0 : 1;
