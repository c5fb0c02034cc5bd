/**
 * Pools the given calibration reports as one setting (`poolReports`, the rule of docs/pricing.md
 * "How the model is judged") and prints its checks — for a subset `calibrate report` does not
 * render on its own, e.g. seeds run after a model was chosen (out of sample).
 *   npx tsx src/pool-seeds.ts results/<a>.json results/<b>.json …
 */
import { readFileSync } from 'node:fs';
import { type CalibrationReport, poolReports } from '@tap/calibration';

const reports = process.argv
  .slice(2)
  .map((file) => (JSON.parse(readFileSync(file, 'utf8')) as { report: CalibrationReport }).report);
const pooled = poolReports(reports);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
console.log(`${pooled.runs} runs, ${pooled.decisions} cell-decisions`);
for (const band of pooled.distance) {
  const gapPp = 100 * (band.realisedEdge - band.promisedEdge);
  console.log(
    `${band.label.padEnd(12)} realised ${pct(band.realisedEdge)} promised ${pct(band.promisedEdge)} gap ${gapPp.toFixed(2)} ± ${(100 * band.edgeSe).toFixed(2)} pp`,
  );
}
const worst = [...pooled.buckets]
  .filter((b) => b.bets >= 500)
  .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))[0];
if (worst) console.log(`worst bucket ${worst.label}: z ${worst.z.toFixed(2)}`);
console.log(
  `demo-like bettors: realised ${pct(pooled.demo.realisedEdge)} promised ${pct(pooled.demo.promisedEdge)}`,
);
console.log(JSON.stringify(pooled.checks));
