/**
 * Drives the pure simulation on the wall clock: every `tickMs` it advances the simulated market to
 * now, holds each quote until its simulated network latency has passed, then records it in the
 * quote book as if it had just arrived from a venue socket.
 */

import { createSeededRandom } from '@tap/pricing';
import type { Logger } from '@tap/runtime';
import type { IngestMetrics } from '../ingest-metrics.js';
import type { QuoteBook } from '../quotes/quote-book.js';
import { advanceSimulation, initialSimState, type SimConfig, type SimQuote } from './simulation.js';

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
  const rng = createSeededRandom(options.seed);
  let state = initialSimState(config, Date.now());
  let inFlight: SimQuote[] = [];

  const tick = () => {
    const nowMs = Date.now();
    const step = advanceSimulation(state, nowMs, config, rng);
    state = step.state;
    for (const outage of step.outages) {
      metrics.simOutages.inc({ venue: outage.venue });
      log.info({ venue: outage.venue, durationMs: outage.untilMs - outage.fromMs }, 'simulator.outage');
    }
    inFlight.push(...step.quotes);
    if (inFlight.length > IN_FLIGHT_MAX) inFlight = inFlight.slice(-IN_FLIGHT_MAX);
    const arrived = inFlight.filter((q) => q.arriveAtMs <= nowMs).sort((a, b) => a.arriveAtMs - b.arriveAtMs);
    inFlight = inFlight.filter((q) => q.arriveAtMs > nowMs);
    for (const q of arrived)
      book.record(q.venue, { bidCents: q.bidCents, askCents: q.askCents }, q.arriveAtMs);
  };

  const timer = setInterval(tick, options.tickMs);
  log.info({ seed: options.seed, venues: config.venues.map((v) => v.name) }, 'simulator.started');
  return { close: () => clearInterval(timer) };
}
