/**
 * How late the index follows the true price (docs/pricing.md "The mid-P lean"): on price-ingest's
 * simulator, the print's deviation from the true price at its own time regressed on the true
 * price's recent 50-ms increments. For a print that is the true price `a` ms ago plus independent
 * noise, the coefficient of the increment (t − 50j, t − 50(j−1)] is −P(a > 50(j−1) + …): the lag's
 * survival function, so its mean and spread in time. Increments are independent, so each
 * coefficient is a separate covariance. Also the rms of (print − true price L ms earlier).
 * A measurement tool, not a test.
 *
 *   npx tsx calibrate/src/print-lag-check.ts <seed> <noiseScale> <hours>
 */
import { simulatedPrints } from './print-sources.js';

const SLOT_MS = 50;
const SLOTS = 10;
const [seed, noiseScale, hours] = process.argv.slice(2).map(Number);
if (!(seed! >= 0 && noiseScale! > 0 && hours! > 1)) throw new Error('usage: <seed> <noiseScale> <hours>');
const { prints, trueLogCentsAt } = simulatedPrints({
  seed: seed!,
  durationS: hours! * 3_600,
  noiseScale: noiseScale!,
  volAnnual: 0.6,
  outageMeanIntervalMs: 120_000,
});
const from = Math.floor(prints.length / hours!);
const cov = new Float64Array(SLOTS);
const variance = new Float64Array(SLOTS);
let n = 0;
for (let i = from; i < prints.length; i++) {
  const t = prints[i]!.t;
  const deviation = Math.log(prints[i]!.priceCents) - trueLogCentsAt(t);
  for (let j = 1; j <= SLOTS; j++) {
    const d = trueLogCentsAt(t - (j - 1) * SLOT_MS) - trueLogCentsAt(t - j * SLOT_MS);
    cov[j - 1]! += deviation * d;
    variance[j - 1]! += d * d;
  }
  n++;
}
const survival = [...cov].map((x, k) => -x / variance[k]!);
// Mean lag = Σ survival × slot; the lag's variance from the survival function: E[a²] = Σ (2j − 1)·slot²·S_j.
const meanMs = survival.reduce((a, s) => a + s * SLOT_MS, 0);
const second = survival.reduce((a, s, k) => a + (2 * k + 1) * SLOT_MS * SLOT_MS * s, 0);
process.stdout.write(
  `${JSON.stringify({
    seed,
    noiseScale,
    hours,
    prints: n,
    slotMs: SLOT_MS,
    survival: survival.map((s) => Number(s.toFixed(4))),
    meanLagMs: Number(meanMs.toFixed(1)),
    lagSdMs: Number(Math.sqrt(Math.max(0, second - meanMs * meanMs)).toFixed(1)),
  })}\n`,
);
