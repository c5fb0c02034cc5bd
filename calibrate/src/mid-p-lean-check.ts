/**
 * Where does the mid-P lean come from (docs/pricing.md "The mid-P lean")? On price-ingest's
 * simulator, where the true price is known, one seed's prints are checked against each suspect:
 *
 * - (a) discrete monitoring: how many prints each window really holds (the table assumes 51);
 * - (b) the window's near and far edges: P(max − true > c) and P(true − min > c) measured against
 *   the table's law (model Monte-Carlo with the table's noise shape) at the run's own noise ratio;
 * - (c) σ̂: its mean against the true σ and against a batch estimate over the whole run, and what
 *   pricing with constant σ, η (no wobble) or with the true σ does to each P bucket;
 * - (d) the decision-time state: S's error scaled by its print's venue count (a venue out).
 *
 * The P effects are noise-free (no outcomes): mean(P_variant − P̂) per bucket of P̂, the cells as the
 * calibration quotes them (every EVERY_MS, every placeable column, ±10 bands). Outcomes (realised −
 * P̂) are printed too, with the bucket's cell count, to be pooled across seeds. One JSON line per
 * seed on stdout. A measurement tool, not a test.
 *
 *   npx tsx calibrate/src/mid-p-lean-check.ts <seed> <noiseScale> <hours>
 *   env EVERY_MS=10000 (decisions), TRUTH_LAG_MS=100 (the window law from the true price that long
 *   before the first print), SKIP_P=1 (no P buckets: the estimates and the window law only)
 */
import {
  createSigmaEstimator,
  DEFAULT_PRICING_CONFIG,
  gridColumns,
  noisyTouchProbability,
  type PricingConfig,
  sigmaFromAnnualized,
} from '@tap/pricing';
import { simulatedPrints, windowRange } from './print-sources.js';

const VOL = 0.6;
const SIGMA_TRUE = sigmaFromAnnualized(VOL);
const WARMUP_MS = 3_600_000;
const EVERY_MS = Number(process.env.EVERY_MS ?? 10_000);
const BANDS = 10;
const STEPS = 50;
const c = DEFAULT_PRICING_CONFIG;
const DELTA_S = c.printIntervalMs / 1000;

const [seed, noiseScale, hours] = process.argv.slice(2).map(Number);
if (!(seed! >= 0 && noiseScale! > 0 && hours! > 1)) throw new Error('usage: <seed> <noiseScale> <hours>');
const sim = simulatedPrints({
  seed: seed!,
  durationS: hours! * 3_600,
  noiseScale: noiseScale!,
  volAnnual: VOL,
  outageMeanIntervalMs: 120_000,
});
const { prints, truePriceCents } = sim;
const from = prints.findIndex((p) => p.t >= prints[0]!.t + WARMUP_MS);

// (c) σ̂ and η̂ as printed, a batch estimate over the run, and the true path's own variance.
let sumSigma = 0;
let sumEta = 0;
for (let i = from; i < prints.length; i++) {
  sumSigma += prints[i]!.sigma;
  sumEta += prints[i]!.noise ?? 0;
}
const sigmaBar = sumSigma / (prints.length - from);
const etaBar = sumEta / (prints.length - from);
const batch = (lag: number, of: (i: number) => number) => {
  let s = 0;
  let n = 0;
  for (let i = from; i + lag < prints.length; i += lag) {
    if (prints[i + lag]!.t - prints[i]!.t !== lag * c.printIntervalMs) continue;
    s += (of(i + lag) - of(i)) ** 2;
    n++;
  }
  return s / n;
};
const logPrint = (i: number) => Math.log(prints[i]!.priceCents);
const logTrue = (i: number) => Math.log(truePriceCents[i]!);
const r1 = batch(10, logPrint);
const r5 = batch(50, logPrint);
const sigmaBatch = Math.sqrt((r5 - r1) / 4);
const etaBatch = Math.sqrt((r1 - sigmaBatch ** 2) / 2);
const etaGivenTrueSigma = Math.sqrt((r1 - SIGMA_TRUE ** 2) / 2);
const sigmaPath = Math.sqrt(batch(1, logTrue) / DELTA_S);
const noiseOf = (i: number) => logPrint(i) - logTrue(i);
const autocorrelation = [1, 2, 5, 10, 20, 50].map((lag) => {
  let s = 0;
  let s0 = 0;
  for (let i = from; i + lag < prints.length; i++) {
    s += noiseOf(i) * noiseOf(i + lag);
    s0 += noiseOf(i) ** 2;
  }
  return Number((s / s0).toFixed(4));
});
// Return variances at several lags in units of σ_true²·s, minus the lag: 2η²(1 − ρ) if the model holds.
const excessVariance = [1, 3, 10, 20, 50, 100, 300].map((lag) => {
  const v = batch(lag, logPrint) / SIGMA_TRUE ** 2 - lag * DELTA_S;
  return Number(v.toFixed(4));
});

// (a) prints per window, as the resolver counts them: the print in effect at t0 and those in [t0, t0 + W).
const perWindow = new Map<number, number>();
{
  let i = from;
  for (let t0 = Math.ceil(prints[from]!.t / c.windowMs) * c.windowMs + c.windowMs; ; t0 += c.windowMs) {
    while (i < prints.length && prints[i]!.t <= t0) i++;
    if (i >= prints.length) break;
    let n = 1;
    let j = i;
    while (j < prints.length && prints[j]!.t < t0 + c.windowMs) {
      n++;
      j++;
    }
    if (j >= prints.length) break;
    perWindow.set(n, (perWindow.get(n) ?? 0) + 1);
  }
}

// The prints follow the true price late (venue latency, quote age): rms(print − true price `lag` ms earlier).
const LAGS_MS = [0, 50, 100, 150, 200, 300];
const lagRms = LAGS_MS.map((lag) => {
  let s = 0;
  for (let i = from; i < prints.length; i++) s += (logPrint(i) - sim.trueLogCentsAt(prints[i]!.t - lag)) ** 2;
  return Number(((Math.sqrt(s / (prints.length - from)) * 1e4) as number).toFixed(4));
});
// (b) the window's maximum and minimum against the true price at its first print (TRUTH_LAG_MS
// earlier: the level the prints follow), in true steps.
const TRUTH_LAG_MS = Number(process.env.TRUTH_LAG_MS ?? 0);
const stepTrue = SIGMA_TRUE * Math.sqrt(DELTA_S);
const LEVELS = [0, 2, 4, 6, 8, 10, 12, 16];
const above = LEVELS.map(() => 0);
const below = LEVELS.map(() => 0);
let windows = 0;
for (let i = from; i + STEPS < prints.length; i += 3) {
  if (prints[i + STEPS]!.t - prints[i]!.t !== STEPS * c.printIntervalMs) continue;
  const base = TRUTH_LAG_MS === 0 ? logTrue(i) : sim.trueLogCentsAt(prints[i]!.t - TRUTH_LAG_MS);
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (let j = i; j <= i + STEPS; j++) {
    const y = (logPrint(j) - base) / stepTrue;
    if (y > max) max = y;
    if (y < min) min = y;
  }
  windows++;
  LEVELS.forEach((level, k) => {
    if (max > level) above[k]! += 1;
    if (-min > level) below[k]! += 1;
  });
}

// (c), (d): the P buckets of the cells the calibration quotes, priced several ways, and outcomes.
// The estimates other half-lives give over the same prints (η over 4 h; σ over 2 h and η over 4 h).
const reestimate = (overrides: Partial<PricingConfig>) => {
  const estimator = createSigmaEstimator({ ...c, ...overrides });
  const sigma = new Float64Array(prints.length);
  const eta = new Float64Array(prints.length);
  prints.forEach((p, i) => {
    sigma[i] = estimator.update(p.t, p.priceCents);
    eta[i] = estimator.noise();
  });
  return { sigma, eta };
};
const eta4h = reestimate({ noiseHalfLifeMs: 14_400_000 });
const slow2hEta4h = reestimate({ noiseHalfLifeMs: 14_400_000, sigmaSlowHalfLifeMs: 7_200_000 });
// (d) S's own error by how many venues made it (a venue out: the mean of two), relative to all prints'.
const byVenues = new Map<number, { s: number; n: number }>();
let allSquares = 0;
for (let i = from; i < prints.length; i++) {
  const e2 = (logPrint(i) - sim.trueLogCentsAt(prints[i]!.t - 100)) ** 2;
  const v = byVenues.get(prints[i]!.venues) ?? { s: 0, n: 0 };
  v.s += e2;
  v.n += 1;
  byVenues.set(prints[i]!.venues, v);
  allSquares += e2;
}
const allRms = Math.sqrt(allSquares / (prints.length - from));
const venueFactor = new Map([...byVenues].map(([v, x]) => [v, Math.sqrt(x.s / x.n) / allRms]));

interface Variant {
  name: string;
  price(i: number, lo: number, hi: number, tau1Ms: number, p: number): number;
}
const VARIANTS: Variant[] = [
  { name: 'constant', price: (_i, lo, hi, tau) => probability(lo, hi, tau, sigmaBar, etaBar) },
  {
    name: 'constSigma',
    price: (i, lo, hi, tau) => probability(lo, hi, tau, sigmaBar, prints[i]!.noise ?? 0),
  },
  { name: 'constEta', price: (i, lo, hi, tau) => probability(lo, hi, tau, prints[i]!.sigma, etaBar) },
  { name: 'eta4h', price: (i, lo, hi, tau) => probability(lo, hi, tau, prints[i]!.sigma, eta4h.eta[i]!) },
  {
    name: 'sigma2hEta4h',
    price: (i, lo, hi, tau) => probability(lo, hi, tau, slow2hEta4h.sigma[i]!, slow2hEta4h.eta[i]!),
  },
  { name: 'trueSigma', price: (_i, lo, hi, tau) => probability(lo, hi, tau, SIGMA_TRUE, etaGivenTrueSigma) },
  {
    name: 'venueS',
    price: (i, lo, hi, tau) => {
      const eta = prints[i]!.noise ?? 0;
      return probability(lo, hi, tau, prints[i]!.sigma, eta, eta * (venueFactor.get(prints[i]!.venues) ?? 1));
    },
  },
];
interface Bucket {
  n: number;
  p: number;
  won: number;
  [variant: string]: number;
}
const buckets: Bucket[] = Array.from({ length: 20 }, () => {
  const b: Bucket = { n: 0, p: 0, won: 0 };
  for (const v of VARIANTS) b[v.name] = 0;
  return b;
});
const probability = (
  lo: number,
  hi: number,
  tau1Ms: number,
  sigma: number,
  noise: number,
  indexNoise?: number,
) =>
  noisyTouchProbability({
    lowerLog: lo,
    upperLog: hi,
    tau1Ms,
    sigma: Math.max(sigma, c.sigmaFloor),
    noise,
    ...(indexNoise === undefined ? {} : { indexNoise }),
    printIntervalMs: c.printIntervalMs,
  });
let next = process.env.SKIP_P === '1' ? Number.POSITIVE_INFINITY : prints[from]!.t;
for (let i = from; i < prints.length; i++) {
  const print = prints[i]!;
  if (print.t < next) continue;
  next = print.t + EVERY_MS;
  const s = print.priceCents;
  const centre = Math.floor(s / c.bandCents) * c.bandCents;
  for (const t0 of gridColumns(print.t + 1, c)) {
    const window = windowRange(prints, t0, c.windowMs);
    if (window === null) continue;
    const tau1Ms = t0 - print.t;
    for (let k = -BANDS; k <= BANDS; k++) {
      const p0 = centre + k * c.bandCents;
      const lo = Math.log(p0 / s);
      const hi = Math.log((p0 + c.bandCents) / s);
      const p = probability(lo, hi, tau1Ms, print.sigma, print.noise ?? 0);
      const b = buckets[Math.min(19, Math.floor(p / 0.05))]!;
      b.n++;
      b.p += p;
      b.won += window.low <= p0 + c.bandCents && window.high >= p0 ? 1 : 0;
      for (const v of VARIANTS) b[v.name]! += v.price(i, lo, hi, tau1Ms, p) - p;
    }
  }
}

const line = {
  seed,
  noiseScale,
  hours,
  sigma: {
    true: SIGMA_TRUE,
    path: sigmaPath / SIGMA_TRUE,
    hatMean: sigmaBar / SIGMA_TRUE,
    batch: sigmaBatch / SIGMA_TRUE,
  },
  etaBp: { hatMean: etaBar * 1e4, batch: etaBatch * 1e4, givenTrueSigma: etaGivenTrueSigma * 1e4 },
  noiseAutocorrelation: { lags: [1, 2, 5, 10, 20, 50], values: autocorrelation },
  excessVariance: { lags: [1, 3, 10, 20, 50, 100, 300], values: excessVariance },
  printsPerWindow: Object.fromEntries(perWindow),
  lagRmsBp: { lagsMs: LAGS_MS, values: lagRms },
  venueFactor: Object.fromEntries(venueFactor),
  windowLaw: {
    levels: LEVELS,
    windows,
    rTrue: etaGivenTrueSigma / stepTrue,
    above: above.map((a) => a / windows),
    below: below.map((a) => a / windows),
  },
  buckets: buckets.map((b, k) => ({ bucket: k * 0.05, ...b })).filter((b) => b.n > 0),
};
process.stdout.write(`${JSON.stringify(line)}\n`);
