/**
 * Drives the pure simulation on the wall clock: every `tickMs` it advances the simulated market to
 * now, holds each quote until its simulated network latency has passed, then records it in the
 * quote book as if it had just arrived from a venue socket. {@link createSimulatedMarket} is the
 * same without the clock, for the calibration tool's simulated one.
 */

import { createSeededRandom } from '@tap/pricing';
import type { Logger } from '@tap/runtime';
import type { IngestMetrics } from '../ingest-metrics.js';
import type { QuoteBook } from '../quotes/quote-book.js';
import {
  advanceSimulation,
  initialSimState,
  type SimConfig,
  type SimOutage,
  type SimQuote,
} from './simulation.js';

/** Quotes in flight are a few per venue; this only guards against a runaway schedule. */
const IN_FLIGHT_MAX = 10_000;

export function startSimulatorFeed(options: {
  config: SimConfig;
  seed: number;
  tickMs: number;
  book: QuoteBook;
  metrics: Pick<IngestMetrics, 'simOutages'>;
  log: Logger;
}): { close(): void } {
  const { config, book, metrics, log } = options;
  const market = createSimulatedMarket(config, options.seed, Date.now());
  const tick = () => {
    for (const outage of market.advanceTo(Date.now(), book)) {
      metrics.simOutages.inc({ venue: outage.venue });
      log.info({ venue: outage.venue, durationMs: outage.untilMs - outage.fromMs }, 'simulator.outage');
    }
  };
  const timer = setInterval(tick, options.tickMs);
  log.info({ seed: options.seed, venues: config.venues.map((v) => v.name) }, 'simulator.started');
  return { close: () => clearInterval(timer) };
}

export interface SimulatedMarket {
  /**
   * Advances the market to `nowMs` and records in the book every quote whose simulated network
   * latency has passed by then, stamped with its arrival time. Returns the outages that began.
   */
  advanceTo(nowMs: number, book: Pick<QuoteBook, 'record'>): SimOutage[];
  /** The true (unobservable) price now, cents: what an informed trader would see. */
  truePriceCents(): number;
}

/** The simulation on any clock: the wall clock here, a simulated one in the calibration tool. */
export function createSimulatedMarket(config: SimConfig, seed: number, startMs: number): SimulatedMarket {
  const rng = createSeededRandom(seed);
  let state = initialSimState(config, startMs);
  let inFlight: SimQuote[] = [];
  return {
    advanceTo(nowMs, book) {
      const step = advanceSimulation(state, nowMs, config, rng);
      state = step.state;
      for (const q of step.quotes) inFlight.push(q);
      if (inFlight.length > IN_FLIGHT_MAX) inFlight = inFlight.slice(-IN_FLIGHT_MAX);
      const arrived = inFlight
        .filter((q) => q.arriveAtMs <= nowMs)
        .sort((a, b) => a.arriveAtMs - b.arriveAtMs);
      if (arrived.length > 0) inFlight = inFlight.filter((q) => q.arriveAtMs > nowMs);
      for (const q of arrived)
        book.record(q.venue, { bidCents: q.bidCents, askCents: q.askCents }, q.arriveAtMs);
      return step.outages;
    },
    truePriceCents: () => Math.exp(state.logPriceCents),
  };
}
