/**
 * Pools mid-p-lean-check.ts lines (one per seed): the estimates against the truth, the excess
 * variance of returns, the window law against the table's noise shape, and per P bucket the mean
 * P effect of each variant (‰, with the seeds' spread as its error) and realised − predicted.
 *
 *   npx tsx calibrate/src/mid-p-lean-summary.ts lines.jsonl...
 */
import { readFileSync } from 'node:fs';
import { createSeededRandom } from '@tap/pricing';

interface Bucket {
  bucket: number;
  n: number;
  p: number;
  won: number;
  [variant: string]: number;
}
interface Line {
  seed: number;
  estimator?: string;
  sigmaRsd?: number;
  etaRsd?: number;
  sigma?: { path: number; hatMean: number; batch: number };
  etaBp: { hatMean: number; batch: number; givenTrueSigma: number };
  noiseAutocorrelation: { lags: number[]; values: number[] };
  excessVariance: { lags: number[]; values: number[] };
  printsPerWindow: Record<string, number>;
  windowLaw: { levels: number[]; windows: number; rTrue: number; above: number[]; below: number[] };
  buckets: Bucket[];
}

const lines: Line[] = process.argv
  .slice(2)
  .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Line)
  // ESTIMATOR=…: one estimator's lines of estimator-wobble-check.ts.
  .filter((l) => !process.env.ESTIMATOR || l.estimator === process.env.ESTIMATOR);
const meanSd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { m, se: sd / Math.sqrt(xs.length) };
};
const fmt = (x: { m: number; se: number }, d = 3) => `${x.m.toFixed(d)} ± ${x.se.toFixed(d)}`;
const out = (s: string) => process.stdout.write(`${s}\n`);

out(`seeds: ${lines.map((l) => l.seed).join(' ')}`);
const first = lines[0]!;
if (first.sigma !== undefined) estimatesAndWindowLaw();
if (first.sigmaRsd !== undefined) {
  out(
    `σ̂ rsd ${fmt(meanSd(lines.map((l) => 100 * l.sigmaRsd!)), 2)} %, η̂ rsd ${fmt(meanSd(lines.map((l) => 100 * l.etaRsd!)), 2)} %`,
  );
}
const variants = Object.keys(first.buckets[0]!).filter((k) => !['bucket', 'n', 'p', 'won'].includes(k));
const withOutcomes = first.buckets[0]!.won !== undefined;
out(`per P bucket, ‰ (mean over seeds of the seed's bucket mean; ± the seeds' spread):`);
out(
  `bucket | cells |${withOutcomes ? ' realised − P̂ |' : ''} ${variants.map((v) => `${v} − P̂`).join(' | ')}`,
);
for (let k = 0; k < 20; k++) {
  const rows = lines
    .map((l) => l.buckets.find((b) => Math.abs(b.bucket - k * 0.05) < 1e-9))
    .filter((b) => b && b.n >= 50) as Bucket[];
  if (rows.length < 2) continue;
  const n = rows.reduce((a, b) => a + b.n, 0);
  const per = (f: (b: Bucket) => number) => fmt(meanSd(rows.map((b) => (1000 * f(b)) / b.n)), 2);
  out(
    `${(k * 0.05).toFixed(2)} | ${n} |${withOutcomes ? ` ${per((b) => b.won - b.p)} |` : ''} ${variants.map((v) => per((b) => b[v]!)).join(' | ')}`,
  );
}

/** P(max > c) of the table's window law (AR(1) 0.25, 10 % of prints at V(r)) at noise ratio r. */
function modelLaw(ratio: number, levels: number[]): number[] {
  const random = createSeededRandom(11);
  const v = 2.5 + 0.75 * Math.min(1, Math.max(0, ratio - 2.5));
  const lowSd = 1 / Math.sqrt(0.9 + 0.1 * v);
  const highSd = lowSd * Math.sqrt(v);
  const innovation = Math.sqrt(1 - 0.25 ** 2);
  const paths = 200_000;
  const above = levels.map(() => 0);
  for (let path = 0; path < paths; path++) {
    let walk = 0;
    let z = random.normal();
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k <= 50; k++) {
      if (k > 0) {
        walk += random.normal();
        z = 0.25 * z + innovation * random.normal();
      }
      max = Math.max(max, walk + ratio * (random.uniform() < 0.1 ? highSd : lowSd) * z);
    }
    levels.forEach((c, i) => {
      if (max > c) above[i]! += 1;
    });
  }
  return above.map((a) => a / paths);
}

function estimatesAndWindowLaw(): void {
  out(`σ path/true ${fmt(meanSd(lines.map((l) => l.sigma!.path)))}`);
  out(`σ̂ mean/true ${fmt(meanSd(lines.map((l) => l.sigma!.hatMean)))}`);
  out(`σ batch/true ${fmt(meanSd(lines.map((l) => l.sigma!.batch)))}`);
  out(
    `η bp: η̂ mean ${fmt(meanSd(lines.map((l) => l.etaBp.hatMean)))}, batch ${fmt(meanSd(lines.map((l) => l.etaBp.batch)))}, given true σ ${fmt(meanSd(lines.map((l) => l.etaBp.givenTrueSigma)))}`,
  );
  out(
    `noise autocorrelation (lags ${first.noiseAutocorrelation.lags.join(', ')} prints): ${first.noiseAutocorrelation.lags
      .map((_, k) => fmt(meanSd(lines.map((l) => l.noiseAutocorrelation.values[k]!))))
      .join(' | ')}`,
  );
  out(
    `excess variance V(Δ)/σ² − Δ, σ²·s (Δ = ${first.excessVariance.lags.join(', ')} prints): ${first.excessVariance.lags
      .map((_, k) => fmt(meanSd(lines.map((l) => l.excessVariance.values[k]!))))
      .join(' | ')}`,
  );
  const perWindow: Record<string, number> = {};
  for (const l of lines)
    for (const [k, v] of Object.entries(l.printsPerWindow)) perWindow[k] = (perWindow[k] ?? 0) + v;
  out(`prints per window: ${JSON.stringify(perWindow)}`);

  const r = meanSd(lines.map((l) => l.windowLaw.rTrue)).m;
  const model = modelLaw(r, first.windowLaw.levels);
  out(`window law at r = ${r.toFixed(3)} (true steps), levels ${first.windowLaw.levels.join(', ')}`);
  out(
    `  max:   ${first.windowLaw.levels.map((_, k) => fmt(meanSd(lines.map((l) => l.windowLaw.above[k]!)), 4)).join(' | ')}`,
  );
  out(
    `  min:   ${first.windowLaw.levels.map((_, k) => fmt(meanSd(lines.map((l) => l.windowLaw.below[k]!)), 4)).join(' | ')}`,
  );
  out(`  table: ${model.map((x) => x.toFixed(4)).join(' | ')}`);
}
