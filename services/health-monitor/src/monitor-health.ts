/**
 * health-monitor's GET /healthz: `ok` is the daemon's own health — its heartbeat was written within
 * the last 5 s (the age at which ingest-api stops trusting it) — never the breaker's. An open
 * breaker is the monitor doing its job; the body says which state, why and since when.
 */
import type { BreakerMachine } from '@tap/breaker';
import type { HealthReport } from '@tap/runtime';

export const HEARTBEAT_TRUSTED_MS = 5_000;

export function monitorHealth(
  machine: BreakerMachine | null,
  heartbeatAt: number | null,
  nowMs: number,
): HealthReport {
  return {
    ok: heartbeatAt !== null && nowMs - heartbeatAt <= HEARTBEAT_TRUSTED_MS,
    breaker: machine ? { state: machine.state, reason: machine.reason, since: machine.since } : null,
    heartbeatAt,
    lastPrintAgeMs: machine?.lastPrint ? nowMs - machine.lastPrint.t : null,
  };
}
