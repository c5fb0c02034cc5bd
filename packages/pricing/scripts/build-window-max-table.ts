/**
 * Builds src/window-max-table.ts: the distribution of the highest print of one window under the
 * two-part model (SPEC §3 "Calibrated on what settles"), by Monte-Carlo.
 *
 * Model, in units of one print step u = σ·√δ: the true log price is a random walk with N(0, 1)
 * steps; the window's prints are the print in effect at t0 and the W/δ prints after it (51 for the
 * defaults: prints rarely fall exactly on t0), each the true price plus its own micro-noise of
 * standard deviation r = η/u, persistent and heavy-tailed (noiseLag1, MIX_SHARE below). The table holds F(c; r) = P(max_k (X_k + r·Z_k) < c) with X_0 = 0, for every r of
 * NOISE_RATIOS and c on a uniform grid of c/L, L = √(steps + r²) (the spread of the maximum).
 * Common random numbers across r keep F smooth in r, so linear interpolation between rows is
 * accurate. Seeded: the same command always writes the same file.
 *
 *   npx tsx packages/pricing/scripts/build-window-max-table.ts [paths]   (default 2,000,000; ~1 min)
 *
 * Measurements (docs/pricing.md "The mid-P lean"), with OUT=<file>.json: `RATIOS='[…]'` other rows
 * (finer ones measure the linear interpolation in r); `SAMPLING_LAG=sim` (measured, not adopted) builds
 * the same table with each print sampling the walk a lag earlier (SAMPLING_LAG_HALF_STEPS below),
 * as JSON for `calibrate/src/table-shift-check.ts`; the main stream is drawn exactly as
 * without it (the lag's draws come from a stream of their own), so the two tables differ by the
 * lag alone, not by two builds' Monte-Carlo error (±0.35 ‰ per level, the size of the effect).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeededRandom } from '../src/seeded-random.js';

if ((process.env.RATIOS || process.env.SAMPLING_LAG) && !process.env.OUT) {
  // A measurement's table is never written over the shipped one.
  throw new Error('RATIOS and SAMPLING_LAG build candidates: give OUT=<file>.json');
}
const STEPS = 50;
// RATIOS='[…]' (with OUT=…json only): other rows, e.g. finer ones to measure the interpolation in r;
// the rows both have are the same to the digit (common random numbers).
const NOISE_RATIOS: readonly number[] = process.env.RATIOS
  ? JSON.parse(process.env.RATIOS)
  : [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 14, 16];
const X_MIN = -4;
const X_MAX = 6;
const X_STEP = 0.025;
const SEED = 20_261_206;

/**
 * The print noise's shape (pricing-v2.7). Measured and fitted facts:
 * - Persistent: consecutive prints share venue quotes (a venue updates every 50–250 ms, prints
 *   every 100 ms), so the noise is AR(1) from print to print. Its lag-1 autocorrelation measured on
 *   (print − true price) is 0.25 at every noise setting and seed (0.24–0.26), and pricing-v2.4 used
 *   that at every r. But part of the print's deviation is latency — the index is the median
 *   venue's quote of the true price 0–500 ms ago, ≈ 0.6 print steps² that do not scale with the
 *   venues' noise and that η̂ does not see — so its share, and the persistence that reproduces the
 *   window maxima at the run's own r = η̂/(σ√δ), grow as r falls (calibrate/src/window-max-check.ts
 *   with the true price one mean lag, 78 ms, before the window; docs/pricing.md "pricing-v2.6 and
 *   v2.7"): noiseLag1(r) below — 0.45 up to r = 1 (halved noise), linearly down to 0.3 at r = 1.5
 *   and above. An effective persistence, fitted (and checked by the pooled calibration at ×0.5, ×1,
 *   ×2), not the measured lag-1. pricing-v2.6 had 0.6 at r ≤ 1 to 0.25 at r ≥ 2 (fitted against the
 *   true price at the window's first print): it overcorrected ×0.5.
 * - Heavy-tailed: the median of venues with unequal noise, switching between them and losing one
 *   when a venue is out, has kurtosis 4.3–4.7 (same settings). Modelled as a normal scale mixture
 *   of unit variance: MIX_SHARE of prints have a variance ratio V to the rest.
 * - V depends on r (fitted, docs/pricing.md "pricing-v2.4"): 2.5 where r ≤ 2.5, 3.25 where r ≥ 3.5
 *   (twice the noise: there the venues' own noise dominates the print), linear between.
 * pricing-v2.3 had iid noise with V = 2.5 everywhere: at the default noise its window maxima were
 * 1–4 % (relative) too frequent at 2–5 bands, and traders were overcharged up to 1.06 pp (seed 7).
 */
const noiseLag1 = (r: number) => 0.3 + 0.15 * Math.min(1, Math.max(0, (1.5 - r) / 0.5));
/**
 * The index's sampling lag as measured on the simulator (calibrate/src/print-lag-check.ts,
 * the survival function of the lag from the print's deviation regressed on the true price's 50-ms
 * increments; seeds 1–3 at ×1, seed 1 at ×0.5 and ×2, averaged): in 50-ms half-steps with their
 * probabilities — 0 (the fastest venue is the median), 100 ms (the second), 150–500 ms (the
 * slowest); mean 78 ms. Off by default: it moved no P bucket by more than 0.2 ‰.
 */
const SAMPLING_LAG_HALF_STEPS: readonly (readonly [number, number])[] = [
  [0, 0.436],
  [2, 0.4025],
  [3, 0.0355],
  [4, 0.0466],
  [5, 0.0222],
  [6, 0.0327],
  [7, 0.003],
  [8, 0.013],
  [9, 0.008],
  [10, 0.004],
];
const LAG_SEED = 20_261_207;
const MIX_SHARE = 0.1;
const mixVarianceRatio = (r: number) => 2.5 + 0.75 * Math.min(1, Math.max(0, r - 2.5));
const paths = Number(process.argv[2] ?? 2_000_000);
const VARIANCE_RATIOS = NOISE_RATIOS.map(mixVarianceRatio);
// Rounded so the rows carry the decimal values the rule names (0.3 + 0.15 is 0.44999999999999996).
const LAG1S = NOISE_RATIOS.map((r) => Math.round(noiseLag1(r) * 1e6) / 1e6);
const MIX_LOW_SD = VARIANCE_RATIOS.map((v) => 1 / Math.sqrt(1 - MIX_SHARE + MIX_SHARE * v));
const MIX_HIGH_SD = VARIANCE_RATIOS.map((v, i) => MIX_LOW_SD[i]! * Math.sqrt(v));
const INNOVATION_SDS = LAG1S.map((lag1) => Math.sqrt(1 - lag1 * lag1));
const cells = Math.round((X_MAX - X_MIN) / X_STEP) + 1;
const counts = NOISE_RATIOS.map(() => new Float64Array(cells + 1));
const scales = NOISE_RATIOS.map((r) => Math.sqrt(STEPS + r * r));
const random = createSeededRandom(SEED);
const walk = new Float64Array(STEPS + 1);
// One path's standard normal draws for the noise (the first print's, then the innovations):
// every row's AR(1) noise is made from the same draws, in the order pricing-v2.4 drew them, so rows
// of the same shape are the shipped table's to the digit and the others differ by the shape alone.
const draws = new Float64Array(STEPS + 1);
const noise = new Float64Array(STEPS + 1);
const high = new Uint8Array(STEPS + 1);
const lagged = process.env.SAMPLING_LAG === 'sim' ? createLaggedSampler() : null;

for (let path = 0; path < paths; path++) {
  // The first print's noise is drawn from the stationary law: a window starts anywhere in the feed.
  walk[0] = 0;
  draws[0] = random.normal();
  high[0] = random.uniform() < MIX_SHARE ? 1 : 0;
  for (let k = 1; k <= STEPS; k++) {
    walk[k] = walk[k - 1]! + random.normal();
    draws[k] = random.normal();
    high[k] = random.uniform() < MIX_SHARE ? 1 : 0;
  }
  const sample = lagged ? lagged(walk) : walk;
  for (let i = 0; i < NOISE_RATIOS.length; i++) {
    if (i === 0 || LAG1S[i] !== LAG1S[i - 1]) {
      noise[0] = draws[0]!;
      for (let k = 1; k <= STEPS; k++) noise[k] = LAG1S[i]! * noise[k - 1]! + INNOVATION_SDS[i]! * draws[k]!;
    }
    const r = NOISE_RATIOS[i]!;
    const low = r * MIX_LOW_SD[i]!;
    const highSd = r * MIX_HIGH_SD[i]!;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k <= STEPS; k++) {
      const y = sample[k]! + (high[k] ? highSd : low) * noise[k]!;
      if (y > max) max = y;
    }
    // F(x) counts maxima strictly below grid point x: bin j holds maxima in [x_{j-1}, x_j).
    const j = Math.ceil((max / scales[i]! - X_MIN) / X_STEP);
    counts[i]![Math.min(cells, Math.max(0, j))]! += 1;
  }
}

const rows = counts.map((bins) => {
  const row: number[] = [];
  let below = 0;
  for (let j = 0; j < cells; j++) {
    // Bin j holds the maxima in (x_{j−1}, x_j]: F(x_j) sums bins 0…j (ties have probability 0).
    below += bins[j]!;
    row.push(Number((below / paths).toFixed(7)));
  }
  return row;
});

/**
 * The prints when each samples the walk a lag earlier, against the walk the mean lag before the
 * first print (the level they follow): the walk's half-steps between the prints are Brownian-bridge
 * midpoints, those before the first print a walk back, the reference a bridge point.
 */
function createLaggedSampler(): (steps: Float64Array) => Float64Array {
  const lagRandom = createSeededRandom(LAG_SEED);
  const total = SAMPLING_LAG_HALF_STEPS.reduce((sum, [, p]) => sum + p, 0);
  const lagMax = Math.max(...SAMPLING_LAG_HALF_STEPS.map(([a]) => a));
  const mean = SAMPLING_LAG_HALF_STEPS.reduce((sum, [a, p]) => sum + a * p, 0) / total;
  const half = new Float64Array(2 * STEPS + lagMax + 1);
  const out = new Float64Array(STEPS + 1);
  const refAt = lagMax - mean;
  const refFloor = Math.floor(refAt);
  const w = refAt - refFloor;
  const lagAt = (u: number): number => {
    let v = u * total;
    for (const [a, p] of SAMPLING_LAG_HALF_STEPS) {
      v -= p;
      if (v < 0) return a;
    }
    return lagMax;
  };
  return (steps) => {
    for (let k = 0; k <= STEPS; k++) half[lagMax + 2 * k] = steps[k]!;
    for (let k = 1; k <= STEPS; k++) {
      const h = lagMax + 2 * k - 1;
      half[h] = 0.5 * (half[h - 1]! + half[h + 1]!) + 0.5 * lagRandom.normal();
    }
    for (let h = lagMax - 1; h >= 0; h--) half[h] = half[h + 1]! - Math.sqrt(0.5) * lagRandom.normal();
    const reference =
      half[refFloor]! +
      w * (half[refFloor + 1]! - half[refFloor]!) +
      Math.sqrt(0.5 * w * (1 - w)) * lagRandom.normal();
    for (let k = 0; k <= STEPS; k++) out[k] = half[lagMax + 2 * k - lagAt(lagRandom.uniform())]! - reference;
    return out;
  };
}

if (process.env.OUT) {
  writeFileSync(
    process.env.OUT,
    JSON.stringify({ steps: STEPS, xMin: X_MIN, xStep: X_STEP, noiseRatios: NOISE_RATIOS, cdf: rows }),
  );
  process.stdout.write(
    `wrote ${process.env.OUT} (JSON, SAMPLING_LAG=${process.env.SAMPLING_LAG ?? 'none'})\n`,
  );
  process.exit(0);
}
const out = join(dirname(fileURLToPath(import.meta.url)), '../src/window-max-table.ts');
const body = rows.map((row) => `    [${row.join(',')}],`).join('\n');
writeFileSync(
  out,
  `/**
 * GENERATED by scripts/build-window-max-table.ts (${paths.toLocaleString('en-US')} paths, seed ${SEED}) — do not edit.
 * F(c; r) = P(highest of the window's ${STEPS + 1} prints − the true price at the first one < c), in
 * units of one print step σ·√δ, r = η/(σ·√δ), the noise AR(1) from print to print (row i's lag-1
 * autocorrelation noiseShape.lag1s[i]) and a normal scale mixture (${MIX_SHARE} of prints with noiseShape.varianceRatios[i]×
 * the variance of the rest); row i is NOISE_RATIOS[i], column j is
 * c/√(${STEPS} + r²) = ${X_MIN} + j·${X_STEP}. Monte-Carlo standard error ≤ ${(0.5 / Math.sqrt(paths)).toFixed(5)}.
 * Committed, not built at build time on purpose: the table IS the price (every multiplier reads
 * it), so a change must show in review and be calibrated (docs/pricing.md) — and 2,000,000 paths
 * would add a minute to every build. Its repeated-looking rows are data, not logic.
 */
export const WINDOW_MAX_TABLE = {
  steps: ${STEPS},
  /**
   * The print noise's shape at row i's noise ratio: AR(1) with lag-1 autocorrelation lag1s[i]; a
   * share of prints has variance ratio varianceRatios[i] to the rest (unit variance overall).
   */
  noiseShape: { lag1s: [${LAG1S.join(', ')}], share: ${MIX_SHARE}, varianceRatios: [${VARIANCE_RATIOS.join(', ')}] },
  xMin: ${X_MIN},
  xStep: ${X_STEP},
  noiseRatios: [${NOISE_RATIOS.join(', ')}],
  cdf: [
${body}
  ],
} as const;
`,
);
process.stdout.write(`wrote ${out}: ${NOISE_RATIOS.length} × ${cells}\n`);
