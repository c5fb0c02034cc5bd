/**
 * Where the calibration tool's prints come from (issue 14): price-ingest's seeded simulator run on
 * a simulated clock (much faster than real time), a recorded file of prints (JSONL, one
 * `PrintEntry` a line, as `tap:prices` carries them), or a stored segment's `index_prints` table.
 *
 * Every source yields prints with σ and η as ingest-api would have read them. The simulator runs
 * price-ingest's own print step (`nextPrint`: median index, then the estimator), so its prints carry
 * them. Recorded prints are passed through the same estimator (`@tap/pricing`'s reducer, the one
 * price-ingest runs) in order, because stored prints predate η and their σ is the pricing-v1 one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { withEstimates } from '@tap/calibration';
import { migrate, type PrintEntry, printEntrySchema, SEGMENT_MIGRATIONS, WRITER_PRAGMAS } from '@tap/domain';
import {
  createQuoteBook,
  createSimulatedMarket,
  DEFAULT_SIM_VENUES,
  INDEX_DEFAULTS,
  nextPrint,
  type SimConfig,
  type SimVenueSpec,
} from '@tap/price-ingest/simulation';
import { createSigmaEstimator, DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import Database from 'better-sqlite3';

/** price-ingest's defaults (VENUE_STALE_MS, INDEX_OUTLIER_BP, PRINT_INTERVAL_MS). */
const INDEX_RULES = { staleMs: INDEX_DEFAULTS.staleMs, outlierBp: INDEX_DEFAULTS.outlierBp };
const PRINT_INTERVAL_MS = INDEX_DEFAULTS.printIntervalMs;
/** Prints never fall on a window boundary in production (the timer has its own phase); nor here. */
const PRINT_PHASE_MS = 37;
const SIM_START_MS = Date.UTC(2026, 0, 5);

export interface SimSourceOptions {
  seed: number;
  durationS: number;
  /** Multiplies every simulated venue's noise (1 = the simulator's default). */
  noiseScale: number;
  volAnnual: number;
  outageMeanIntervalMs: number;
}

export interface SimulatedPrints {
  prints: PrintEntry[];
  /** The true price (cents) at each print's time, same order. */
  truePriceCents: Float64Array;
  /** ln of the true price (cents) at any time of the run (held between 50 ms steps): what an informed trader sees. */
  trueLogCentsAt(tMs: number): number;
  /**
   * The fastest venue's latest quote as a trader co-located with it sees it at `tMs`: the last quote
   * that reached us by `tMs` + the venue's base latency, its mid (ln cents), its time (arrival −
   * base latency) and the venue's noise (log units).
   */
  venueAt(tMs: number): { logCents: number; t: number; noise: number };
}

const TRUTH_STEP_MS = 50;

/**
 * The prints a check tool (estimate-noise-check, se-spread-check) runs on: `<seed> <noiseScale>
 * <hours>` from its command line (more than `hoursMin` hours), at 60 %/yr with outages.
 */
export function checkToolPrints(argv: readonly string[], hoursMin = 0) {
  const [seed, noiseScale, hours] = argv.map(Number);
  if (!(seed! >= 0 && noiseScale! > 0 && hours! > hoursMin))
    throw new Error('usage: <seed> <noiseScale> <hours>');
  const { prints } = simulatedPrints({
    seed: seed!,
    durationS: hours! * 3_600,
    noiseScale: noiseScale!,
    volAnnual: 0.6,
    outageMeanIntervalMs: 120_000,
  });
  return { seed: seed!, noiseScale: noiseScale!, hours: hours!, prints };
}

/** price-ingest's simulator and print step over a simulated clock: `durationS` of prints in memory. */
export function simulatedPrints(options: SimSourceOptions): SimulatedPrints {
  const config: SimConfig = {
    startPriceCents: 9_500_000,
    volAnnual: options.volAnnual,
    outageMeanIntervalMs: options.outageMeanIntervalMs,
    outageMinMs: 3_000,
    outageMaxMs: 8_000,
    venues: DEFAULT_SIM_VENUES.map((v): SimVenueSpec => ({ ...v, noiseBp: v.noiseBp * options.noiseScale })),
  };
  const market = createSimulatedMarket(config, options.seed, SIM_START_MS);
  const quoteBook = createQuoteBook(config.venues.map((v) => v.name));
  const fastest = fastestVenue(config.venues);
  const venueQuotes = { t: [] as number[], logMid: [] as number[] };
  const book: Parameters<typeof market.advanceTo>[1] = {
    record(venue, quote, atMs) {
      quoteBook.record(venue, quote, atMs);
      if (venue !== fastest.name) return;
      venueQuotes.t.push(atMs);
      venueQuotes.logMid.push(Math.log((quote.bidCents + quote.askCents) / 2));
    },
  };
  const sigma = createSigmaEstimator(DEFAULT_PRICING_CONFIG);
  const prints: PrintEntry[] = [];
  const truth: number[] = [];
  const grid: number[] = [];
  let lastT = 0;
  const firstMs = SIM_START_MS + PRINT_PHASE_MS;
  const endMs = SIM_START_MS + options.durationS * 1_000;
  for (let now = firstMs; now < endMs; now += TRUTH_STEP_MS) {
    market.advanceTo(now, book);
    grid.push(Math.log(market.truePriceCents()));
    if ((now - firstMs) % PRINT_INTERVAL_MS !== 0) continue;
    const next = nextPrint(quoteBook, now, lastT, INDEX_RULES, sigma, true);
    if (!next.ok) continue;
    lastT = next.print.t;
    prints.push(next.print);
    truth.push(market.truePriceCents());
  }
  const logGrid = Float64Array.from(grid);
  const trueLogCentsAt = (tMs: number) =>
    logGrid[Math.min(logGrid.length - 1, Math.max(0, Math.floor((tMs - firstMs) / TRUTH_STEP_MS)))]!;
  const venueAt = (tMs: number) => {
    const i = Math.max(0, lastAtOrBefore(venueQuotes.t, tMs + fastest.latencyMs));
    return {
      logCents: venueQuotes.logMid[i]!,
      t: venueQuotes.t[i]! - fastest.latencyMs,
      noise: fastest.noiseBp / 10_000,
    };
  };
  return { prints, truePriceCents: Float64Array.from(truth), trueLogCentsAt, venueAt };
}

/** The venue with the lowest base latency (sim-a by default): the one a fast trader watches. */
function fastestVenue(venues: readonly SimVenueSpec[]): SimVenueSpec {
  return venues.reduce((best, v) => (v.latencyMs < best.latencyMs ? v : best));
}

/** Index of the last element ≤ x in an ascending array, −1 if none. */
function lastAtOrBefore(sorted: readonly number[], x: number): number {
  let lo = -1;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A JSONL file of prints (blank lines skipped); a malformed line stops the run naming it. */
export function fileOfPrints(path: string): PrintEntry[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const prints: PrintEntry[] = [];
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const parsed = printEntrySchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${path}:${i + 1}: not a print: ${parsed.error.message}`);
    prints.push(parsed.data);
  });
  return withEstimates(prints);
}

/** Every row of a segment's `index_prints`, in id order. */
export function segmentPrints(path: string): PrintEntry[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        'SELECT id, t, price_cents AS priceCents, venues, sigma, simulated FROM index_prints ORDER BY id',
      )
      .all() as (Omit<PrintEntry, 'simulated'> & { simulated: number | null })[];
    // Rows from before the column (schema v5) carry no flag: read as not simulated.
    return withEstimates(rows.map((row) => ({ ...row, simulated: row.simulated === 1 })));
  } finally {
    db.close();
  }
}

export function printsToJsonl(prints: readonly PrintEntry[]): string {
  return `${prints.map((p) => JSON.stringify(p)).join('\n')}\n`;
}

/**
 * Stores prints as a segment's `index_prints` (issue 14: a stored replay longer than the demo
 * stack's 54 minutes): a new file with the production schema (`SEGMENT_MIGRATIONS`), the writer's
 * pragmas and the batcher's own row (bet-store.ts `insertPrint`: id, t, price_cents, venues, sigma,
 * simulated), so `--source segment` reads it exactly as it reads a week the batcher wrote. An
 * existing file is refused, never appended to or overwritten.
 */
export function writeSegmentPrints(path: string, prints: readonly PrintEntry[]): void {
  if (existsSync(path)) throw new Error(`${path} exists: a segment is written once, to a new file`);
  const db = new Database(path);
  try {
    for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
    migrate(db, SEGMENT_MIGRATIONS);
    const insert = db.prepare(
      'INSERT OR IGNORE INTO index_prints (id, t, price_cents, venues, sigma, simulated) VALUES (?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const p of prints) insert.run(p.id, p.t, p.priceCents, p.venues, p.sigma, p.simulated ? 1 : 0);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Index of the print in effect at `tMs`: the last with t ≤ tMs (0 before any). */
export function printIndexAt(prints: readonly PrintEntry[], tMs: number): number {
  let lo = 0;
  let hi = prints.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (prints[mid]!.t <= tMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The lowest and highest print of the window [t0, t0 + windowMs) counting the print in effect at
 * t0 (the resolver's rule); null when the prints end before the window does (unsettled).
 */
export function windowRange(
  prints: readonly PrintEntry[],
  t0: number,
  windowMs: number,
): { low: number; high: number } | null {
  const first = printIndexAt(prints, t0);
  if (first + 1 >= prints.length || prints[prints.length - 1]!.t < t0 + windowMs) return null;
  let low = prints[first]!.priceCents;
  let high = low;
  for (let j = first + 1; j < prints.length && prints[j]!.t < t0 + windowMs; j++) {
    low = Math.min(low, prints[j]!.priceCents);
    high = Math.max(high, prints[j]!.priceCents);
  }
  return { low, high };
}
