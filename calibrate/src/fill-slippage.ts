/**
 * How far a next-tick fill (ingest-api `BET_ENTRY=next_print`, issue 22) lands from the quote the
 * trader was shown, and how often it is refused `quote_moved` for each slippage tolerance the web
 * client offers (web/src/bets/slippage.ts: minMultiplierBp = floor(quote × (1 − tolerance)), at
 * least 1.05×) and for wider ones (15–25 %, to show what a wider default would buy): on price-ingest's simulator, a tap 50 ms after a print is quoted from that print
 * (what the page shows) and filled at the k-th print after it, as the batcher does (`betTermsOf` at
 * the filling print, refused below the minimum or above the 200 % reservation). Cells: the next
 * `columns` placeable columns, ±`bands` bands around the index.
 *
 * Two quotes per fill rule: `receipt`, the print's own quote (what the grid showed before issue
 * 22's "quote at the expected fill"), and `expected_fill`, `quoteExpectedFill` at the rule's fill
 * print (what the grid shows with a fill delay). Per case: fill/quote mean and standard deviation,
 * its quantiles, the share of fills below the quote by more than 0.5 / 1 / 2 %, `payoutRatio`
 * (Σ M_fill·P_fill / Σ M_quote·P_fill: 1 when the quote, paid on every win, pays what the fills
 * pay), and the refused share per tolerance. A measurement tool, not a test: docs/pricing.md
 * "Quote at the expected fill" and web/README.md "Slippage tolerance" quote its output.
 *
 *   npx tsx calibrate/src/fill-slippage.ts <seed> <hours> <bands> [columns] [case]   (~1 min per hour)
 *
 * `case` (optional) runs only the cases whose `<index> <fill>` contains it, e.g. `print adaptive`.
 */
import { withFilteredIndex } from '@tap/calibration';
import type { PrintEntry } from '@tap/domain';
import {
  ADAPTIVE_FILL_DELAY_DEFAULTS,
  betTermsOf,
  DEFAULT_PRICING_CONFIG,
  type FillDelay,
  fillPrintsOf,
  quoteExpectedFill,
} from '@tap/pricing';
import { simulatedPrints } from './print-sources.js';

const VOL_ANNUAL = 0.6;
const RECEIPT_AFTER_PRINT_MS = 50;
const TOLERANCES_BP = [0, 50, 100, 200, 500, 1_000, 1_500, 2_000, 2_500];
const BELOW_BP = [50, 100, 200];
/** ingest-api's BET_ENTRY_RESERVE_PCT default: a fill above 200 % of the quote is refused too. */
const RESERVE_PCT = 200;
const ADAPTIVE: FillDelay = { kind: 'adaptive', rule: ADAPTIVE_FILL_DELAY_DEFAULTS };
const CASES: { index: 'print' | 'filtered'; name: string; delay: FillDelay }[] = [
  { index: 'print', name: 'k=1', delay: { kind: 'fixed', prints: 1 } },
  { index: 'print', name: 'adaptive c=3', delay: ADAPTIVE },
  { index: 'filtered', name: 'k=1', delay: { kind: 'fixed', prints: 1 } },
  { index: 'filtered', name: 'k=7', delay: { kind: 'fixed', prints: 7 } },
  { index: 'filtered', name: 'adaptive c=3', delay: ADAPTIVE },
];

const cfg = DEFAULT_PRICING_CONFIG;
const [seed, hours, bands, columns] = [3, 1, 2, 2].map((fallback, i) =>
  Number(process.argv[2 + i] ?? fallback),
) as [number, number, number, number];

const sim = simulatedPrints({
  seed,
  durationS: hours * 3_600,
  noiseScale: 1,
  volAnnual: VOL_ANNUAL,
  outageMeanIntervalMs: 0,
});
const filtered = withFilteredIndex(sim.prints);
const only = process.argv[6];
for (const { index, name, delay } of CASES.filter((c) => !only || `${c.index} ${c.name}`.includes(only))) {
  for (const quote of ['receipt', 'expected_fill'] as const) {
    const prints = index === 'filtered' ? filtered : sim.prints;
    const row = { seed, hours, bands, columns, index, fill: name, quote, ...measure(prints, delay, quote) };
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
}

function measure(prints: readonly PrintEntry[], delay: FillDelay, quoteAt: 'receipt' | 'expected_fill') {
  const refused = TOLERANCES_BP.map(() => 0);
  const ratios: number[] = [];
  let [taps, fillPayout, quotePayout] = [0, 0, 0];
  // Every 10th print after the first minute (σ's estimator warmed up).
  for (let i = 600; i + 20 < prints.length; i += 10) {
    const print = prints[i] as PrintEntry;
    const receipt = print.t + RECEIPT_AFTER_PRINT_MS;
    const k = fillPrintsOf(delay, print, receipt, cfg.printIntervalMs);
    for (const cell of cellsAround(print)) {
      const at = { ...cell, nowMs: receipt };
      const shown = quoteExpectedFill(print, at, quoteAt === 'receipt' ? 0 : k, cfg);
      if (!shown.ok) continue;
      taps += 1;
      const fill = betTermsOf(cell, prints[i + k] as PrintEntry, receipt, cfg, 'next_print');
      const quoted = shown.multiplierBp;
      const filled = fill.ok ? fill.terms.multiplierBp : 0;
      if (fill.ok) {
        ratios.push(filled / quoted);
        fillPayout += filled * fill.terms.probability;
        quotePayout += quoted * fill.terms.probability;
      }
      TOLERANCES_BP.forEach((tol, j) => {
        const min = Math.min(
          quoted,
          Math.max(cfg.multiplierBpMin, Math.floor((quoted * (10_000 - tol)) / 10_000)),
        );
        if (!fill.ok || filled < min || filled > Math.ceil((quoted * RESERVE_PCT) / 100)) refused[j]! += 1;
      });
    }
  }
  return {
    taps,
    ...ratioStats(ratios),
    payoutRatio: +(fillPayout / quotePayout).toFixed(4),
    refusedPct: shares(refused, taps),
  };
}

function shares(refused: number[], taps: number) {
  return Object.fromEntries(
    TOLERANCES_BP.map((t, j) => [`${t / 100}%`, +((100 * refused[j]!) / taps).toFixed(1)]),
  );
}

/** fill/quote: mean, SD, quantiles, and the share of fills more than 0.5 / 1 / 2 % below the quote. */
function ratioStats(ratios: number[]) {
  const n = ratios.length;
  const mean = ratios.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
  const sorted = [...ratios].sort((a, b) => a - b);
  const q = (p: number) => +(sorted[Math.floor(p * (n - 1))] ?? 0).toFixed(4);
  const below = Object.fromEntries(
    BELOW_BP.map((b) => [
      `${b / 100}%`,
      +((100 * ratios.filter((r) => r < 1 - b / 10_000).length) / n).toFixed(1),
    ]),
  );
  return {
    fillOverQuote: { mean: +mean.toFixed(4), sd: +sd.toFixed(4), p10: q(0.1), p50: q(0.5), p90: q(0.9) },
    belowQuotePct: below,
  };
}

function cellsAround(print: PrintEntry): { t0: number; p0: number }[] {
  const receipt = print.t + RECEIPT_AFTER_PRINT_MS;
  const firstT0 = Math.ceil((receipt + cfg.leadMs) / cfg.windowMs) * cfg.windowMs;
  const base = Math.floor(print.priceCents / cfg.bandCents) * cfg.bandCents;
  const cells: { t0: number; p0: number }[] = [];
  for (let c = 0; c < columns; c++) {
    for (let b = -bands; b <= bands; b++)
      cells.push({ t0: firstT0 + c * cfg.windowMs, p0: base + b * cfg.bandCents });
  }
  return cells;
}
