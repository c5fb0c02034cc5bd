/**
 * The resolver's Prometheus metrics and its periodic summary line (STYLE: count in the hot path,
 * log one summary per interval). Latency is print → settlement: from the index time of the print
 * whose processing decided a bet to the moment its settlement was written.
 */
import { Counter, Gauge, Histogram, type Logger, type Registry } from '@tap/runtime';
import type { Accepted, OpenBetIndex, Verdict } from '@tap/settlement';

export type ResolverMetrics = ReturnType<typeof createResolverMetrics>;

export function createResolverMetrics(
  registry: Registry,
  log: Logger,
  index: OpenBetIndex,
  summaryIntervalMs = 10_000,
) {
  const registers = [registry];
  new Gauge({
    name: 'tap_resolver_open_bets',
    help: 'Bets in the open-bet index',
    registers,
    collect() {
      this.set(index.openBets);
    },
  });
  new Gauge({
    name: 'tap_resolver_last_print_age_seconds',
    help: 'Wall clock minus the index time of the last print processed (-1 before the first)',
    registers,
    collect() {
      const last = index.history.last;
      this.set(last ? (Date.now() - last.t) / 1_000 : -1);
    },
  });
  new Gauge({
    name: 'tap_resolver_breaker_open_by_prints',
    help: "1 while the breaker judged from the prints is open, else 0 (should follow health-monitor's)",
    registers,
    collect() {
      this.set(index.breaker.openByPrints ? 1 : 0);
    },
  });
  const settlements = new Counter({
    name: 'tap_resolver_settlements_total',
    help: 'Settlements written to tap:settlements, by outcome and reason (the void reason, else the outcome)',
    labelNames: ['outcome', 'reason'],
    registers,
  });
  const latency = new Histogram({
    name: 'tap_resolver_settlement_latency_seconds',
    help: 'Index time of the deciding print to the settlement written, by outcome',
    labelNames: ['outcome'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers,
  });
  const printDuration = new Histogram({
    name: 'tap_resolver_print_processing_seconds',
    help: 'CPU time to apply one print to the open-bet index (touch detection and its wins, no I/O)',
    buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    registers,
  });
  const prints = new Counter({
    name: 'tap_resolver_prints_total',
    help: 'Prints read from tap:prices, by result (accepted, duplicate, out_of_order, malformed)',
    labelNames: ['result'],
    registers,
  });
  const events = new Counter({
    name: 'tap_resolver_events_total',
    help: 'tap:events entries read, by effect on the index (open, closed, ignored, malformed, unknown_cell)',
    labelNames: ['effect'],
    registers,
  });

  let window = emptyWindow();
  return {
    observePrint(result: Accepted | 'malformed', durationMs: number) {
      prints.inc({ result });
      if (result !== 'accepted') return;
      printDuration.observe(durationMs / 1_000);
      window.prints += 1;
      window.maxPrintMs = Math.max(window.maxPrintMs, durationMs);
    },
    observeEmitted(verdicts: readonly Verdict[], nowMs: number) {
      for (const { decision, printT } of verdicts) {
        const reason = decision.outcome === 'void' ? decision.evidence.reason : decision.outcome;
        settlements.inc({ outcome: decision.outcome, reason });
        if (printT !== null)
          latency.observe({ outcome: decision.outcome }, Math.max(0, nowMs - printT) / 1_000);
        window.settlements[decision.outcome] += 1;
      }
    },
    countEvent(effect: string) {
      events.inc({ effect });
    },
    /** Logs `prints.summary` once per interval. */
    maybeLogSummary(nowMs = Date.now()) {
      if (nowMs - window.startedAtMs < summaryIntervalMs) return;
      const { startedAtMs, ...counts } = window;
      log.info({ ...counts, openBets: index.openBets, intervalMs: nowMs - startedAtMs }, 'prints.summary');
      window = emptyWindow(nowMs);
    },
  };
}

function emptyWindow(nowMs = Date.now()) {
  return { startedAtMs: nowMs, prints: 0, maxPrintMs: 0, settlements: { won: 0, lost: 0, void: 0 } };
}
