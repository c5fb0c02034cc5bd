/** ingest-api's HTTP metrics: latency per route and outcomes by error code. */
import { Counter, Gauge, Histogram, type Registry } from '@tap/runtime';

export function createHttpMetrics(registry: Registry) {
  return {
    duration: new Histogram({
      name: 'tap_ingest_api_request_duration_seconds',
      help: 'Time from request to answer, by route',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    /** Handlers not yet finished: an aborted upload that left its handler pending would stay here. */
    inFlight: new Gauge({
      name: 'tap_ingest_api_requests_in_flight',
      help: 'API requests whose handler has not finished yet',
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'tap_ingest_api_outcomes_total',
      help: 'Logins and bets by outcome (ok/accepted or the error code)',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;
