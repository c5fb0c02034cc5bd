/**
 * The print timer: every `intervalMs` (δ, SPEC §3) compute the index from the quote book, update σ and η,
 * fold the print into its 1-second candle and publish. No fresh venue → no print (the breaker opens
 * on staleness). At most one publish is in flight; a tick that finds one still running is skipped
 * and counted rather than queued. A print Redis refuses is counted, logged and reported to
 * health-monitor, which opens the breaker (`price_write_failed`): never a silent gap.
 *
 * Print ids: `id = t`, the print time in ms, made strictly increasing (t = max(now, last t + 1)),
 * seeded at start from the last print in Redis, so ids survive restarts and are unique at any
 * cadence ≥ 1 ms. σ is warmed from the last hour of prints so a restart does not reset it; so is
 * the filtered index when INDEX_FILTER is on (it would settle within a second anyway).
 */
import type { Candle1s, PrintEntry } from '@tap/domain';
import type { IndexFilter, SigmaEstimator } from '@tap/pricing';
import type { Logger } from '@tap/runtime';
import type { IngestMetrics } from '../ingest-metrics.js';
import type { QuoteBook } from '../quotes/quote-book.js';
import { createRateLimiter } from '../venues/rate-limited-log.js';
import { mergeCandle } from './candle.js';
import { computeIndex, type IndexFailure, type IndexRules } from './compute-index.js';
import { PRINTS_RETENTION_MS, type PrintStore } from './print-store.js';

export interface PrintLoopOptions {
  store: PrintStore;
  book: QuoteBook;
  rules: IndexRules;
  intervalMs: number;
  sigma: SigmaEstimator;
  /** The filtered index (INDEX_FILTER=on, issue 22): every print carries it and bets are priced from it. */
  filter?: IndexFilter;
  metrics: IngestMetrics;
  log: Logger;
  /** The quotes come from the simulator: every print says so (SPEC §9). */
  simulated: boolean;
}

export async function startPrintLoop(options: PrintLoopOptions): Promise<PrintLoop> {
  const { store, sigma, filter, log } = options;
  const lastPrint = await store.lastPrint();
  const candle = (await store.lastCandle()) ?? undefined;
  let warmed = 0;
  await store.forEachPrintSince(Date.now() - PRINTS_RETENTION_MS, (print) => {
    sigma.update(print.t, print.priceCents);
    filter?.update(print.t, print.priceCents, print.sigma, print.noise ?? 0);
    warmed += 1;
  });
  log.info(
    { lastPrintId: lastPrint?.id ?? null, warmedPrints: warmed, sigma: sigma.sigma() },
    'prints.restored',
  );
  return new PrintLoop(options, lastPrint, candle);
}

/**
 * The print at `nowMs` from the quote book, σ and η updated with it: one step of the loop, without
 * a clock or I/O, so the calibration tool runs exactly this over a simulated clock.
 */
export function nextPrint(
  book: Pick<QuoteBook, 'quotes'>,
  nowMs: number,
  lastT: number,
  rules: IndexRules,
  sigma: SigmaEstimator,
  simulated: boolean,
  filter?: IndexFilter,
): { ok: true; print: PrintEntry } | { ok: false; reason: IndexFailure; freshVenues: number } {
  const index = computeIndex(book.quotes(), nowMs, rules);
  if (!index.ok) return index;
  const t = Math.max(nowMs, lastT + 1);
  const sigmaNow = sigma.update(t, index.priceCents);
  const noise = sigma.noise();
  const filtered = filter?.update(t, index.priceCents, sigmaNow, noise);
  return {
    ok: true,
    print: {
      id: t,
      t,
      priceCents: index.priceCents,
      venues: index.venues,
      sigma: sigmaNow,
      noise,
      ...(filtered ? filtered : {}),
      simulated,
    },
  };
}

export class PrintLoop {
  private readonly limiter = createRateLimiter(10_000);
  private readonly timer: NodeJS.Timeout;
  private lastT: number;
  private publishing: Promise<void> | undefined;

  constructor(
    private readonly options: PrintLoopOptions,
    private lastPublished: PrintEntry | null,
    private candle: Candle1s | undefined,
  ) {
    this.lastT = lastPublished?.t ?? 0;
    this.timer = setInterval(() => this.tick(), options.intervalMs);
  }

  lastPrint(): PrintEntry | null {
    return this.lastPublished;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.publishing;
  }

  private tick(): void {
    const { book, rules, sigma, metrics, log } = this.options;
    const nowMs = Date.now();
    this.updateAgeGauges(nowMs);
    if (this.publishing) {
      metrics.printsSkipped.inc({ reason: 'publish_busy' });
      return;
    }
    const next = nextPrint(
      book,
      nowMs,
      this.lastT,
      rules,
      sigma,
      this.options.simulated,
      this.options.filter,
    );
    if (!next.ok) {
      metrics.printsSkipped.inc({ reason: next.reason });
      if (this.limiter.admit(next.reason))
        log.warn({ reason: next.reason, freshVenues: next.freshVenues }, 'print.skipped');
      return;
    }
    this.lastT = next.print.t;
    this.publish(next.print);
  }

  private publish(print: PrintEntry): void {
    const { store, metrics, log } = this.options;
    const candle = mergeCandle(this.candle, print);
    this.publishing = store
      .publish(print, candle, candle.t !== this.candle?.t)
      .then(() => {
        this.candle = candle;
        this.lastPublished = print;
        metrics.printsPublished.inc();
        metrics.indexVenues.set(print.venues);
      })
      .catch(async (err: unknown) => {
        metrics.publishErrors.inc();
        const reported = await store.reportWriteFailure(print.t, err);
        if (this.limiter.admit('publish'))
          log.error({ err, printT: print.t, reported }, 'print.publish_failed');
      })
      .finally(() => {
        this.publishing = undefined;
      });
  }

  private updateAgeGauges(nowMs: number): void {
    const { book, rules, metrics } = this.options;
    if (this.lastPublished) metrics.printAge.set((nowMs - this.lastPublished.t) / 1_000);
    for (const status of book.statuses(nowMs, rules.staleMs)) {
      if (status.quoteAgeMs !== null)
        metrics.quoteAge.set({ venue: status.venue }, status.quoteAgeMs / 1_000);
    }
  }
}
