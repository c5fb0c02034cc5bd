/**
 * The estimates' share of the mid-P lean (docs/pricing.md "The mid-P lean"), for a lower-noise
 * estimator before anyone builds it: on price-ingest's simulator (σ and the venue noise constant),
 * each estimator's σ̂, η̂ on every print, the cells the calibration quotes priced with them (P̂) and
 * with that estimator's own run means (P̄), and per bucket of its own P̂ the mean of P̄ − P̂ — the bias
 * its wobble puts into the buckets (regression to the mean), no outcomes needed. Estimators: the
 * shipped one (the print's σ and η: 1-s and 5-s returns taken every 1 s and 5 s, 30-min averages,
 * the fast guard) and the same ratio from overlapping returns (every print's 1-s and 5-s return,
 * the same 30-min half-life, no fast guard). One JSON line per seed and estimator;
 * `ESTIMATOR=overlapping npx tsx …/mid-p-lean-summary.ts lines.jsonl` pools one. A measurement tool,
 * not a test.
 *
 *   npx tsx calibrate/src/estimator-wobble-check.ts <seed> <noiseScale> <hours>
 */
import { DEFAULT_PRICING_CONFIG, gridColumns, noisyTouchProbability } from '@tap/pricing';
import { checkToolPrints } from './print-sources.js';

const WARMUP_MS = 3_600_000;
const EVERY_MS = 10_000;
const BANDS = 10;
const c = DEFAULT_PRICING_CONFIG;
const { seed, noiseScale, hours, prints } = checkToolPrints(process.argv.slice(2), 1);
const n = prints.length;
const from = prints.findIndex((p) => p.t >= prints[0]!.t + WARMUP_MS);

/** σ̂, η̂ from every print's 1-s and 5-s returns (prints 10 and 50 back, when exactly that far). */
function overlapping(): { sigma: Float64Array; eta: Float64Array } {
  const sigma = new Float64Array(n);
  const eta = new Float64Array(n);
  const w = 1 - 2 ** (-c.printIntervalMs / c.sigmaSlowHalfLifeMs);
  let r1 = 0;
  let r5 = 0;
  let n1 = 0;
  let n5 = 0;
  const back = (i: number, k: number) =>
    i >= k && prints[i]!.t - prints[i - k]!.t === k * c.printIntervalMs
      ? Math.log(prints[i]!.priceCents / prints[i - k]!.priceCents)
      : null;
  for (let i = 0; i < n; i++) {
    const one = back(i, 10);
    const five = back(i, 50);
    if (one !== null) r1 += Math.max(w, 1 / ++n1) * (one * one - r1);
    if (five !== null) r5 += Math.max(w, 1 / ++n5) * (five * five - r5);
    const s2 = n5 > 0 ? Math.max(0, (r5 - r1) / 4) : r1;
    sigma[i] = Math.sqrt(s2);
    eta[i] = n5 > 0 ? Math.sqrt(Math.max(0, (r1 - s2) / 2)) : 0;
  }
  return { sigma, eta };
}

const shipped = {
  sigma: Float64Array.from(prints, (p) => p.sigma),
  eta: Float64Array.from(prints, (p) => p.noise ?? 0),
};
const estimators = { shipped, overlapping: overlapping() };
for (const [name, e] of Object.entries(estimators)) {
  const stats = (a: Float64Array) => {
    let s = 0;
    let s2 = 0;
    for (let i = from; i < n; i++) {
      s += a[i]!;
      s2 += a[i]! ** 2;
    }
    const m = s / (n - from);
    return { mean: m, rsd: Math.sqrt(s2 / (n - from) - m * m) / m };
  };
  const sigma = stats(e.sigma);
  const eta = stats(e.eta);
  const buckets = Array.from({ length: 20 }, (_, k) => ({ bucket: k * 0.05, n: 0, p: 0, wobble: 0 }));
  let next = prints[from]!.t;
  for (let i = from; i < n; i++) {
    const print = prints[i]!;
    if (print.t < next) continue;
    next = print.t + EVERY_MS;
    const centre = Math.floor(print.priceCents / c.bandCents) * c.bandCents;
    for (const t0 of gridColumns(print.t + 1, c)) {
      for (let k = -BANDS; k <= BANDS; k++) {
        const p0 = centre + k * c.bandCents;
        const cell = {
          lowerLog: Math.log(p0 / print.priceCents),
          upperLog: Math.log((p0 + c.bandCents) / print.priceCents),
          tau1Ms: t0 - print.t,
          printIntervalMs: c.printIntervalMs,
        };
        const p = noisyTouchProbability({
          ...cell,
          sigma: Math.max(e.sigma[i]!, c.sigmaFloor),
          noise: e.eta[i]!,
        });
        const pBar = noisyTouchProbability({
          ...cell,
          sigma: Math.max(sigma.mean, c.sigmaFloor),
          noise: eta.mean,
        });
        const b = buckets[Math.min(19, Math.floor(p / 0.05))]!;
        b.n++;
        b.p += p;
        b.wobble += pBar - p;
      }
    }
  }
  const line = {
    seed,
    noiseScale,
    hours,
    estimator: name,
    sigmaMean: sigma.mean,
    sigmaRsd: sigma.rsd,
    etaMeanBp: eta.mean * 1e4,
    etaRsd: eta.rsd,
    buckets: buckets.filter((b) => b.n > 0),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
