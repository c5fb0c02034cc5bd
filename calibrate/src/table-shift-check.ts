/**
 * What a candidate window-maximum table does to the P buckets (docs/pricing.md "The mid-P lean"):
 * the cells the calibration quotes on one seed of price-ingest's simulator (every EVERY_MS, every
 * placeable column, ±10 bands, σ̂ and η̂ of the print), priced with the shipped table and with each
 * table file given (jitter-table.ts writes them), and per bucket of the shipped P the mean shift
 * of each (noise-free: no outcomes needed) and the outcomes. One JSON line; mid-p-lean-summary.ts
 * pools them. A measurement tool, not a test.
 *
 *   npx tsx calibrate/src/table-shift-check.ts <seed> <noiseScale> <hours> <table.json>...
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  createNoisyTouch,
  DEFAULT_PRICING_CONFIG,
  gridColumns,
  noisyTouchProbability,
  type WindowMaxTable,
} from '@tap/pricing';
import { checkToolPrints, windowRange } from './print-sources.js';

const WARMUP_MS = 3_600_000;
const EVERY_MS = Number(process.env.EVERY_MS ?? 10_000);
const BANDS = 10;
const c = DEFAULT_PRICING_CONFIG;
const argv = process.argv.slice(2);
const { seed, noiseScale, hours, prints } = checkToolPrints(argv.slice(0, 3), 1);
const candidates = argv.slice(3).map((path) => ({
  name: basename(path, '.json'),
  touch: createNoisyTouch(JSON.parse(readFileSync(path, 'utf8')) as WindowMaxTable),
}));
const buckets = Array.from({ length: 20 }, (_, k) => {
  const b: Record<string, number> = { bucket: k * 0.05, n: 0, p: 0, won: 0 };
  for (const t of candidates) b[t.name] = 0;
  return b;
});
const from = prints.findIndex((p) => p.t >= prints[0]!.t + WARMUP_MS);
let next = prints[from]!.t;
for (let i = from; i < prints.length; i++) {
  const print = prints[i]!;
  if (print.t < next) continue;
  next = print.t + EVERY_MS;
  const s = print.priceCents;
  const centre = Math.floor(s / c.bandCents) * c.bandCents;
  const market = {
    sigma: Math.max(print.sigma, c.sigmaFloor),
    noise: print.noise ?? 0,
    printIntervalMs: c.printIntervalMs,
  };
  for (const t0 of gridColumns(print.t + 1, c)) {
    const window = windowRange(prints, t0, c.windowMs);
    if (window === null) continue;
    for (let k = -BANDS; k <= BANDS; k++) {
      const p0 = centre + k * c.bandCents;
      const cell = {
        lowerLog: Math.log(p0 / s),
        upperLog: Math.log((p0 + c.bandCents) / s),
        tau1Ms: t0 - print.t,
        ...market,
      };
      const p = noisyTouchProbability(cell);
      const b = buckets[Math.min(19, Math.floor(p / 0.05))]!;
      b.n! += 1;
      b.p! += p;
      b.won! += window.low <= p0 + c.bandCents && window.high >= p0 ? 1 : 0;
      for (const t of candidates) b[t.name]! += t.touch(cell) - p;
    }
  }
}

process.stdout.write(
  `${JSON.stringify({ seed, noiseScale, hours, buckets: buckets.filter((b) => b.n! > 0) })}\n`,
);
