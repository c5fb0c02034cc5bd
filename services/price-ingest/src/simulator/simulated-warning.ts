/**
 * The simulator is never silent (SPEC §9): a daemon quoting simulated prices warns at start and
 * then every `intervalMs` in its logs, sets `price_ingest_simulated` to 1 and says so in /healthz,
 * so nobody mistakes a demo feed for a market. The print itself carries `simulated: true` too.
 */
import type { Logger } from '@tap/runtime';
import type { IngestMetrics } from '../ingest-metrics.js';

export const SIMULATED_WARNING_INTERVAL_MS = 60_000;

export function announceFeedKind(options: {
  simulated: boolean;
  log: Logger;
  metrics: IngestMetrics;
  intervalMs?: number;
}): { stop(): void } {
  const { simulated, log, metrics } = options;
  metrics.simulated.set(simulated ? 1 : 0);
  if (!simulated) return { stop() {} };
  const warn = () =>
    log.warn(
      {
        simulated: true,
        warning:
          'the index comes from the seeded SIMULATOR, not from exchanges (VENUES=simulator); ingest-api refuses bets on it unless DEMO_MODE=1',
      },
      'prices.simulated',
    );
  warn();
  const timer = setInterval(warn, options.intervalMs ?? SIMULATED_WARNING_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
