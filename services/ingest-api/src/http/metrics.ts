/**
 * ingest-api's HTTP metrics: latency per route, requests in flight, outcomes by error code,
 * requests Redis failed (unreachable or over REDIS_COMMAND_TIMEOUT_MS), whether the batcher
 * check lets bets in, the fill delay of next-tick bets, and the reader worker's queue and replacements.
 */
import { Counter, Gauge, Histogram, type Registry } from '@tap/runtime';

/**
 * Read at each scrape: `batcherAdmits`, whether the batcher check admits bets now; `readerQueued`,
 * the segment queries waiting for the reader worker.
 */
export function createHttpMetrics(
  registry: Registry,
  read: { batcherAdmits?: () => boolean; readerQueued?: () => number } = {},
) {
  const { batcherAdmits = () => true, readerQueued = () => 0 } = read;
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
    redisFailures: new Counter({
      name: 'tap_ingest_api_redis_failures_total',
      help: 'Requests answered 503 store_unavailable: Redis unreachable or slower than REDIS_COMMAND_TIMEOUT_MS',
      labelNames: ['route'],
      registers: [registry],
    }),
    batcherAdmission: new Gauge({
      name: 'tap_ingest_api_batcher_admission_open',
      help: '1 while the batcher check admits bets, 0 while it refuses them 503 batcher_behind',
      registers: [registry],
      collect() {
        this.set(batcherAdmits() ? 1 : 0);
      },
    }),
    readerQueued: new Gauge({
      name: 'tap_ingest_api_reader_queued_queries',
      help: 'Segment queries waiting for the reader worker thread (past READER_QUEUE_MAX: 503 service_busy)',
      registers: [registry],
      collect() {
        this.set(readerQueued());
      },
    }),
    /** BET_ENTRY=next_print: which print after receipt each admitted bet is filled at (the adaptive delay's choice). */
    fillDelay: new Histogram({
      name: 'tap_ingest_api_bet_fill_delay_prints',
      help: 'Next-tick bets admitted, by the print after receipt that fills them (1 = the next print)',
      buckets: [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 50],
      registers: [registry],
    }),
    readerRestarts: new Counter({
      name: 'tap_ingest_api_reader_restarts_total',
      help: 'Reader worker threads replaced, by reason (crash, wedged, start_timeout); their in-flight query got 503',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;
