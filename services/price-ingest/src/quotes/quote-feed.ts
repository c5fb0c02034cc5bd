/**
 * Where quotes come from, per VENUES: the simulator (offline default) or one WebSocket connection
 * per configured venue. Either way they land in the same quote book, so the index, the health
 * check and the breaker see the same thing in a demo as in production.
 */
import type { Logger } from '@tap/runtime';
import { type Config, isSimulator, realVenues } from '../config.js';
import type { IngestMetrics } from '../ingest-metrics.js';
import { DEFAULT_SIM_VENUES } from '../simulator/simulation.js';
import { startSimulatorFeed } from '../simulator/simulator-feed.js';
import { createBinanceAdapter } from '../venues/binance/binance-adapter.js';
import { createCoinbaseAdapter } from '../venues/coinbase/coinbase-adapter.js';
import { createKrakenAdapter } from '../venues/kraken/kraken-adapter.js';
import { startVenueConnection } from '../venues/venue-connection.js';
import type { VenueAdapter, VenueName } from '../venues/venue-frame.js';
import type { QuoteBook } from './quote-book.js';

export interface QuoteFeed {
  /** Whether a venue's socket is open; absent for the simulator. */
  connected?: (venue: string) => boolean;
  close(): Promise<void>;
}

const SIM_TICK_MS = 10;

/**
 * `lastPrintCents`, the last print a previous run published: the simulator resumes from it instead
 * of SIM_START_PRICE_CENTS, so a restart does not jump the index back (a jump of $100s touches every
 * band in between at once and spikes σ for the next half hour).
 */
export function startQuoteFeed(
  config: Config,
  book: QuoteBook,
  metrics: IngestMetrics,
  log: Logger,
  lastPrintCents: number | null = null,
): QuoteFeed {
  if (isSimulator(config)) {
    const simulator = startSimulatorFeed({
      config: {
        startPriceCents: lastPrintCents ?? config.SIM_START_PRICE_CENTS,
        volAnnual: config.SIM_VOL_ANNUAL,
        outageMeanIntervalMs: config.SIM_OUTAGE_MEAN_INTERVAL_MS,
        outageMinMs: 3_000,
        outageMaxMs: 8_000,
        venues: DEFAULT_SIM_VENUES,
      },
      seed: config.SIM_SEED,
      tickMs: SIM_TICK_MS,
      book,
      metrics,
      log,
    });
    return { close: async () => simulator.close() };
  }
  const connections = new Map(
    realVenues(config).map((venue) => [
      venue,
      startVenueConnection({
        adapter: adapterFor(venue, config),
        backoff: { baseMs: config.VENUE_BACKOFF_BASE_MS, maxMs: config.VENUE_BACKOFF_MAX_MS },
        silenceMs: config.VENUE_SILENCE_MS,
        handshakeTimeoutMs: config.VENUE_HANDSHAKE_TIMEOUT_MS,
        onQuote: (name, quote, receivedAtMs) => book.record(name, quote, receivedAtMs),
        metrics,
        log,
      }),
    ]),
  );
  return {
    connected: (venue) => connections.get(venue as VenueName)?.connected() ?? false,
    close: async () => {
      await Promise.all([...connections.values()].map((c) => c.close()));
    },
  };
}

function adapterFor(venue: VenueName, config: Config): VenueAdapter {
  switch (venue) {
    case 'coinbase':
      return createCoinbaseAdapter({ url: config.COINBASE_WS_URL, productId: config.COINBASE_PRODUCT_ID });
    case 'binance':
      return createBinanceAdapter({ url: config.BINANCE_WS_URL, symbol: config.BINANCE_SYMBOL });
    case 'kraken':
      return createKrakenAdapter({ url: config.KRAKEN_WS_URL, symbol: config.KRAKEN_SYMBOL });
  }
}
