/**
 * How often a next-tick fill (ingest-api `BET_ENTRY=next_print`, issue 22) is refused `quote_moved`
 * for each slippage tolerance the web client offers (web/src/bets/slippage.ts: minMultiplierBp =
 * floor(quote × (1 − tolerance)), at least 1.05×): on price-ingest's simulator, a tap 50 ms after a
 * print is quoted from that print (what the page shows) and filled at the k-th print after it, as
 * the batcher does (`betTermsOf` at the filling print, refused below the minimum or above the 200 %
 * reservation). Cells: the next two placeable columns, ±`bands` bands around the index. Also the
 * fill's slippage quantiles (1 − filled/quoted; positive: the fill is lower). A measurement tool,
 * not a test: the figures in web/README.md "Slippage tolerance" are its output.
 *
 *   npx tsx calibrate/src/fill-slippage.ts <seed> <hours> <bands>   (~30 s per hour)
 */
import { withFilteredIndex } from '@tap/calibration';
import type { PrintEntry } from '@tap/domain';
import { betTermsOf, DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { simulatedPrints } from './print-sources.js';

const VOL_ANNUAL = 0.6;
const RECEIPT_AFTER_PRINT_MS = 50;
const TOLERANCES_BP = [0, 50, 100, 200, 500, 1_000];
/** ingest-api's BET_ENTRY_RESERVE_PCT default: a fill above 200 % of the quote is refused too. */
const RESERVE_PCT = 200;
const CASES = [
  { index: 'print', k: 1 },
  { index: 'filtered', k: 1 },
  { index: 'filtered', k: 5 },
  { index: 'filtered', k: 7 },
] as const;

const cfg = DEFAULT_PRICING_CONFIG;
const [seed, hours, bands] = [3, 1, 2].map((fallback, i) => Number(process.argv[2 + i] ?? fallback)) as [
  number,
  number,
  number,
];

const sim = simulatedPrints({
  seed,
  durationS: hours * 3_600,
  noiseScale: 1,
  volAnnual: VOL_ANNUAL,
  outageMeanIntervalMs: 0,
});
for (const { index, k } of CASES) {
  const prints = index === 'filtered' ? withFilteredIndex(sim.prints) : sim.prints;
  process.stdout.write(`${JSON.stringify({ seed, hours, bands, index, k, ...measure(prints, k) })}\n`);
}

function measure(prints: readonly PrintEntry[], k: number) {
  const refused = TOLERANCES_BP.map(() => 0);
  const slips: number[] = [];
  let taps = 0;
  // Every 10th print after the first minute (σ's estimator warmed up).
  for (let i = 600; i + k < prints.length; i += 10) {
    for (const cell of cellsAround(prints[i] as PrintEntry)) {
      const receipt = (prints[i] as PrintEntry).t + RECEIPT_AFTER_PRINT_MS;
      const quote = betTermsOf(cell, prints[i] as PrintEntry, receipt, cfg);
      if (!quote.ok) continue;
      taps += 1;
      const fill = betTermsOf(cell, prints[i + k] as PrintEntry, receipt, cfg, 'next_print');
      const quoted = quote.terms.multiplierBp;
      const filled = fill.ok ? fill.terms.multiplierBp : 0;
      if (fill.ok) slips.push(1 - filled / quoted);
      TOLERANCES_BP.forEach((tol, j) => {
        const min = Math.min(
          quoted,
          Math.max(cfg.multiplierBpMin, Math.floor((quoted * (10_000 - tol)) / 10_000)),
        );
        if (!fill.ok || filled < min || filled > Math.ceil((quoted * RESERVE_PCT) / 100)) refused[j]! += 1;
      });
    }
  }
  slips.sort((a, b) => a - b);
  const pct = (q: number) => +(100 * (slips[Math.floor(q * (slips.length - 1))] ?? 0)).toFixed(2);
  return {
    taps,
    refusedPct: Object.fromEntries(
      TOLERANCES_BP.map((t, j) => [`${t / 100}%`, +((100 * refused[j]!) / taps).toFixed(1)]),
    ),
    slipPct: { p25: pct(0.25), p50: pct(0.5), p75: pct(0.75), p90: pct(0.9) },
  };
}

function cellsAround(print: PrintEntry): { t0: number; p0: number }[] {
  const receipt = print.t + RECEIPT_AFTER_PRINT_MS;
  const firstT0 = Math.ceil((receipt + cfg.leadMs) / cfg.windowMs) * cfg.windowMs;
  const base = Math.floor(print.priceCents / cfg.bandCents) * cfg.bandCents;
  const cells: { t0: number; p0: number }[] = [];
  for (const t0 of [firstT0, firstT0 + cfg.windowMs]) {
    for (let b = -bands; b <= bands; b++) cells.push({ t0, p0: base + b * cfg.bandCents });
  }
  return cells;
}
