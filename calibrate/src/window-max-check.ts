/**
 * The window-maximum check behind pricing-v2.4 and v2.7 (docs/pricing.md "pricing-v2.4", "pricing-v2.7"): on price-ingest's
 * simulator, where the true price is known, how often the highest print of a window rises more
 * than c print steps above the true price at its first print — P(M > c), the law the pricing table
 * holds — against the same probability under a table's noise shape at the run's own noise ratio
 * r = η̂/(σ√δ) (η̂ as the estimator printed it). Also the print noise's measured shape: its
 * kurtosis, its lag-1 autocorrelation, and the kurtosis a 1-s-return fourth moment would estimate.
 * A measurement tool, not a test: the figures in docs/pricing.md are its output.
 *
 *   npx tsx calibrate/src/window-max-check.ts <seed> <noiseScale> <hours>   (~20 s per 8 h)
 */
import { createSeededRandom, noiseShapeAt } from '@tap/pricing';
import { simulatedPrints } from './print-sources.js';

const VOL_ANNUAL = 0.6;
const STEPS = 50;
// LEVELS=0,2,4: other levels c (print steps); TRUTH_LAG_MS=80: measure M from the true price that
// long before the window's first print (the prints lag the true price by the venues' latency).
const LEVELS = (process.env.LEVELS ?? '4,8,12,16,20').split(',').map(Number);
const TRUTH_LAG_MS = Number(process.env.TRUTH_LAG_MS ?? 0);
const MODEL_PATHS = 200_000;
// SHAPES='0.25:2.5,0.4' (lag1:V pairs, mixture share 0.1; a lag1 alone takes the tables' V(r)):
// candidate shapes, printed after the built-in ones at the same r and with the same random numbers,
// to fit the shape to the measured maxima (docs/pricing.md "pricing-v2.5").
const CANDIDATES = (process.env.SHAPES ?? '')
  .split(',')
  .filter(Boolean)
  .map((pair) => pair.split(':').map(Number) as [number, number?]);
// V(r) as the shipped table holds it (unchanged since pricing-v2.4: only the persistence moved).
const tableVarianceRatio = (r: number) => noiseShapeAt(r).varianceRatio;

interface NoiseShape {
  name: string;
  lag1: number | ((r: number) => number);
  share: number;
  varianceRatio: (r: number) => number;
}

const SHAPES: NoiseShape[] = [
  { name: 'normal iid', lag1: 0, share: 0, varianceRatio: () => 1 },
  { name: 'pricing-v2.3 (iid, V 2.5)', lag1: 0, share: 0.1, varianceRatio: () => 2.5 },
  {
    name: 'pricing-v2.4 (AR 0.25, V(r))',
    lag1: 0.25,
    share: 0.1,
    varianceRatio: tableVarianceRatio,
  },
  {
    name: 'shipped table',
    lag1: (r) => noiseShapeAt(r).lag1,
    share: 0.1,
    varianceRatio: (r) => noiseShapeAt(r).varianceRatio,
  },
  ...CANDIDATES.map(([lag1, v]) => ({
    name: `AR ${lag1}, V ${v ?? '(r)'}`,
    lag1,
    share: 0.1,
    varianceRatio: v === undefined ? tableVarianceRatio : () => v,
  })),
];

const [seed, noiseScale, hours] = process.argv.slice(2).map(Number);
if (!(seed! >= 0 && noiseScale! > 0 && hours! > 0)) throw new Error('usage: <seed> <noiseScale> <hours>');
const { prints, truePriceCents, trueLogCentsAt } = simulatedPrints({
  seed: seed!,
  durationS: hours! * 3_600,
  noiseScale: noiseScale!,
  volAnnual: VOL_ANNUAL,
  outageMeanIntervalMs: 120_000,
});
const step = (VOL_ANNUAL / Math.sqrt(365.25 * 86_400)) * Math.sqrt(0.1);
const from = Math.floor(prints.length / 8); // the estimator's warm-up
const noise = prints.map((p, i) => Math.log(p.priceCents / truePriceCents[i]!));
const mean = (f: (i: number) => number, to = prints.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += f(i);
  return s / (to - from);
};
const m2 = mean((i) => noise[i]! ** 2);
const etaHat = mean((i) => prints[i]!.noise ?? 0);
const r = etaHat / step;
const measured = {
  seed,
  noiseScale,
  hours,
  sigmaHatOverTrue: mean((i) => prints[i]!.sigma) / (step / Math.sqrt(0.1)),
  etaHatBp: etaHat * 1e4,
  noiseRmsBp: Math.sqrt(m2) * 1e4,
  noiseKurtosis: mean((i) => noise[i]! ** 4) / m2 ** 2,
  noiseLag1: mean((i) => (i > from ? noise[i]! * noise[i - 1]! : 0)) / m2,
  noiseLag2: mean((i) => (i > from + 1 ? noise[i]! * noise[i - 2]! : 0)) / m2,
  noiseLag5: mean((i) => (i > from + 4 ? noise[i]! * noise[i - 5]! : 0)) / m2,
  kurtosisFrom1sReturns: kurtosisFromReturns(),
  r,
};
process.stdout.write(`${JSON.stringify(measured)}\n`);
process.stdout.write(`P(M > c), c = ${LEVELS.join(', ')} print steps\n`);
process.stdout.write(`measured                      ${format(empiricalExceedance())}\n`);
for (const shape of SHAPES)
  process.stdout.write(`${shape.name.padEnd(30)}${format(modelExceedance(shape))}\n`);

/** κ of the print noise from E[r⁴] = 3s⁴ + 12s²η² + (2κ + 6)η⁴ of 1-s returns, s² and η² from 1-s and 5-s returns. */
function kurtosisFromReturns(): number {
  const moments = (lag: number) => {
    let r2 = 0;
    let r4 = 0;
    let n = 0;
    for (let i = from; i + lag < prints.length; i += 10) {
      const x = Math.log(prints[i + lag]!.priceCents / prints[i]!.priceCents);
      r2 += x * x;
      r4 += x ** 4;
      n++;
    }
    return { r2: r2 / n, r4: r4 / n };
  };
  const one = moments(10);
  const five = moments(50);
  const s2 = (five.r2 - one.r2) / 4;
  const eta2 = (one.r2 - s2) / 2;
  return (one.r4 - 3 * s2 * s2 - 12 * s2 * eta2 - 6 * eta2 * eta2) / (2 * eta2 * eta2);
}

/** Windows of 51 prints starting every 3rd print (a gap over 100 ms skips the window). */
function empiricalExceedance(): number[] {
  const above = LEVELS.map(() => 0);
  let windows = 0;
  for (let i = from; i + STEPS < prints.length; i += 3) {
    if (prints[i + STEPS]!.t - prints[i]!.t > STEPS * 100 + 100) continue;
    const base =
      TRUTH_LAG_MS === 0 ? Math.log(truePriceCents[i]!) : trueLogCentsAt(prints[i]!.t - TRUTH_LAG_MS);
    let max = Number.NEGATIVE_INFINITY;
    for (let j = i; j <= i + STEPS; j++) max = Math.max(max, Math.log(prints[j]!.priceCents) - base);
    windows++;
    LEVELS.forEach((c, k) => {
      if (max / step > c) above[k]! += 1;
    });
  }
  return above.map((a) => a / windows);
}

function modelExceedance(shape: NoiseShape): number[] {
  const random = createSeededRandom(11);
  const ratio = shape.varianceRatio(r);
  const lag1 = typeof shape.lag1 === 'number' ? shape.lag1 : shape.lag1(r);
  const lowSd = 1 / Math.sqrt(1 - shape.share + shape.share * ratio);
  const highSd = lowSd * Math.sqrt(ratio);
  const innovation = Math.sqrt(1 - lag1 ** 2);
  const above = LEVELS.map(() => 0);
  for (let path = 0; path < MODEL_PATHS; path++) {
    let walk = 0;
    let z = random.normal();
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k <= STEPS; k++) {
      if (k > 0) {
        walk += random.normal();
        z = lag1 * z + innovation * random.normal();
      }
      max = Math.max(max, walk + r * (random.uniform() < shape.share ? highSd : lowSd) * z);
    }
    LEVELS.forEach((c, k) => {
      if (max > c) above[k]! += 1;
    });
  }
  return above.map((a) => a / MODEL_PATHS);
}

function format(xs: readonly number[]): string {
  return xs.map((x) => x.toFixed(4)).join('  ');
}
