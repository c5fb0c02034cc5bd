/**
 * How much the σ/η estimates' own wobble bends the P buckets (docs/pricing.md "η from 4-hour averages").
 * On price-ingest's simulator σ and the venue noise are constant, so the price a cell deserves is
 * the model's P at constant σ* and η* (the run's mean estimates); the price it gets is P at the
 * estimates of that moment. Bucketed by the price it gets (as the calibration buckets), the mean of
 * P* − P̂ is the bias the estimates' noise alone puts into each bucket (regression to the mean: a
 * cell lands in a high bucket partly because η̂ or σ̂ happened to be high). No outcomes needed, so
 * 8 h says what a 120 h calibration would. Estimators compared: what each `configs` entry gives.
 * A measurement tool, not a test.
 *
 *   npx tsx calibrate/src/estimate-noise-check.ts <seed> <noiseScale> <hours>
 */
import {
  createSigmaEstimator,
  DEFAULT_PRICING_CONFIG,
  noisyTouchProbability,
  type PricingConfig,
} from '@tap/pricing';
import { checkToolPrints } from './print-sources.js';

/** pricing-v2.4's estimator settings (η from the same 30-min averages as σ). */
const V24: Partial<PricingConfig> = { noiseHalfLifeMs: 1_800_000, sigmaSlowHalfLifeMs: 1_800_000 };
const WARMUP_MS = 3_600_000;
const EVERY_MS = 10_000;
const BANDS = 10;
const BUCKET = 0.05;

const variants: { name: string; config: PricingConfig }[] = [
  { name: 'pricing-v2.4 (η, σ: 30 min)', config: { ...DEFAULT_PRICING_CONFIG, ...V24 } },
  { name: 'η over 4 h', config: { ...DEFAULT_PRICING_CONFIG, noiseHalfLifeMs: 14_400_000 } },
  // NOISE_HALF_LIVES_H=1,12: more η half-lives to compare, in hours.
  ...(process.env.NOISE_HALF_LIVES_H ?? '')
    .split(',')
    .filter((h) => h !== '')
    .map((h) => ({
      name: `η half-life ${h} h`,
      config: { ...DEFAULT_PRICING_CONFIG, noiseHalfLifeMs: Number(h) * 3_600_000 },
    })),
  // SIGMA_HALF_LIVES_H=2: the slow σ's half-life too (with η over 4 h), in hours.
  ...(process.env.SIGMA_HALF_LIVES_H ?? '')
    .split(',')
    .filter((h) => h !== '')
    .map((h) => ({
      name: `σ half-life ${h} h`,
      config: {
        ...DEFAULT_PRICING_CONFIG,
        noiseHalfLifeMs: 14_400_000,
        sigmaSlowHalfLifeMs: Number(h) * 3_600_000,
      },
    })),
];

const { prints } = checkToolPrints(process.argv.slice(2));

for (const variant of variants) {
  const c = variant.config;
  const estimator = createSigmaEstimator(c);
  const sigma = new Float64Array(prints.length);
  const eta = new Float64Array(prints.length);
  prints.forEach((p, i) => {
    sigma[i] = estimator.update(p.t, p.priceCents);
    eta[i] = estimator.noise();
  });
  const from = prints.findIndex((p) => p.t >= prints[0]!.t + WARMUP_MS);
  const stats = (a: Float64Array) => {
    let s = 0;
    let s2 = 0;
    for (let i = from; i < a.length; i++) {
      s += a[i]!;
      s2 += a[i]! ** 2;
    }
    const n = a.length - from;
    return { mean: s / n, rsd: Math.sqrt(s2 / n - (s / n) ** 2) / (s / n) };
  };
  const sig = stats(sigma);
  const et = stats(eta);
  const buckets = new Map<number, { n: number; hat: number; diff: number }>();
  let next = prints[from]!.t;
  for (let i = from; i < prints.length; i++) {
    const p = prints[i]!;
    if (p.t < next) continue;
    next += EVERY_MS;
    const firstT0 = Math.ceil((p.t + c.leadMs) / c.windowMs) * c.windowMs;
    const base = Math.floor(p.priceCents / c.bandCents) * c.bandCents;
    for (let t0 = firstT0; t0 < p.t + c.horizonMs; t0 += c.windowMs) {
      for (let k = -BANDS; k <= BANDS; k++) {
        const p0 = base + k * c.bandCents;
        const cell = {
          lowerLog: Math.log(p0 / p.priceCents),
          upperLog: Math.log((p0 + c.bandCents) / p.priceCents),
          tau1Ms: t0 - p.t,
          printIntervalMs: c.printIntervalMs,
        };
        const hat = noisyTouchProbability({ ...cell, sigma: sigma[i]!, noise: eta[i]! });
        const star = noisyTouchProbability({ ...cell, sigma: sig.mean, noise: et.mean });
        const key = Math.min(19, Math.floor(hat / BUCKET));
        const b = buckets.get(key) ?? { n: 0, hat: 0, diff: 0 };
        b.n++;
        b.hat += hat;
        b.diff += star - hat;
        buckets.set(key, b);
      }
    }
  }
  const rows = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  process.stdout.write(
    `${variant.name}: σ̂ mean ${(sig.mean * 1e4).toFixed(4)}e-4 rsd ${(sig.rsd * 100).toFixed(2)} %, ` +
      `η̂ mean ${(et.mean * 1e4).toFixed(3)} bp rsd ${(et.rsd * 100).toFixed(2)} %\n`,
  );
  process.stdout.write(
    `  P̂ bucket: mean(P* − P̂) ×1000 ${rows
      .map(([k, b]) => `${(k * BUCKET).toFixed(2)}:${((b.diff / b.n) * 1000).toFixed(2)}`)
      .join(' ')}\n`,
  );
}
