/**
 * price-ingest: publishes the BTC/USD index print every δ (100 ms) from venue quotes (SPEC §9).
 *
 * Quotes come from the Coinbase/Binance/Kraken WebSocket adapters or, only when VENUES=simulator,
 * the seeded simulator (loud in logs, /healthz and metrics; every print says simulated) — through
 * one quote book; the print loop takes the median of fresh, non-outlier mids,
 * updates σ and writes the print to `tap:prices`, `price:last` and the 1-second candles.
 * Healthy while at least MIN_VENUES venues are fresh. SIGTERM: close the venue sockets, stop the
 * print timer (waiting for the write in flight), close Redis and the ops endpoint.
 */
import { createChannels } from '@tap/channels';
import { createIndexFilter, createSigmaEstimator, DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { bootService, runDaemon, startDaemonBase } from '@tap/runtime';
import { isSimulator, loadConfig, SERVICE, venueNames } from './config.js';
import { startPrintLoop } from './index-price/print-loop.js';
import { createPrintStore } from './index-price/print-store.js';
import { ingestHealth } from './ingest-health.js';
import { createIngestMetrics } from './ingest-metrics.js';
import { createQuoteBook } from './quotes/quote-book.js';
import { type QuoteFeed, startQuoteFeed } from './quotes/quote-feed.js';
import { announceFeedKind } from './simulator/simulated-warning.js';

const { config, log, registry } = bootService(SERVICE, loadConfig(process.env));
const metrics = createIngestMetrics(registry);
const channels = createChannels(config.TAP_KEY_PREFIX);
const rules = { staleMs: config.VENUE_STALE_MS, outlierBp: config.INDEX_OUTLIER_BP };
const simulated = isSimulator(config);

void runDaemon({
  service: SERVICE,
  log,
  async start(stopper) {
    const warning = announceFeedKind({ simulated, log, metrics });
    stopper.add('simulated-warning', () => warning.stop());
    const book = createQuoteBook(venueNames(config));
    let feed: QuoteFeed | undefined;
    let lastPrintT: () => number | null = () => null;
    const { redis } = await startDaemonBase({
      service: SERVICE,
      config,
      log,
      registry,
      stopper,
      health: () =>
        ingestHealth({
          book,
          nowMs: Date.now(),
          staleMs: rules.staleMs,
          minVenues: config.MIN_VENUES,
          lastPrintT: lastPrintT(),
          simulated,
          ...(feed?.connected ? { connected: feed.connected } : {}),
        }),
    });
    const store = createPrintStore(redis, channels);
    // The quotes start after Redis answers: the simulator resumes from the last print (quote-feed.ts).
    const quotes = startQuoteFeed(config, book, metrics, log, (await store.lastPrint())?.priceCents ?? null);
    feed = quotes;
    stopper.add('venues', () => quotes.close());
    const prints = await startPrintLoop({
      store,
      book,
      rules,
      intervalMs: config.PRINT_INTERVAL_MS,
      sigma: createSigmaEstimator(DEFAULT_PRICING_CONFIG),
      ...(config.INDEX_FILTER === 'on' ? { filter: createIndexFilter() } : {}),
      metrics,
      log,
      simulated,
    });
    stopper.add('print-loop', () => prints.stop());
    lastPrintT = () => prints.lastPrint()?.t ?? null;
    log.info(
      {
        venues: venueNames(config),
        simulated,
        printIntervalMs: config.PRINT_INTERVAL_MS,
        indexFilter: config.INDEX_FILTER,
      },
      'prices.started',
    );
  },
});
