/**
 * The resolver's /healthz details: healthy once the index is rebuilt and while the price loop keeps
 * completing steps (an idle step ends every BLOCK_MS, so a stall means a stuck loop). The age of
 * the last print processed is reported, not judged: a silent feed is the breaker's business.
 */
import type { HealthReport } from '@tap/runtime';
import type { OpenBetIndex } from '@tap/settlement';

/** A loop that has not completed a step for this long is stuck. */
export const LOOP_STALL_MS = 5_000;

export function createResolverHealth(index: OpenBetIndex) {
  let ready = false;
  let stepAt = 0;
  return {
    markReady(nowMs: number) {
      ready = true;
      stepAt = nowMs;
    },
    stepDone(nowMs: number) {
      stepAt = nowMs;
    },
    report(nowMs = Date.now()): HealthReport {
      const last = index.history.last;
      const stepAgeMs = nowMs - stepAt;
      return {
        ok: ready && stepAgeMs < LOOP_STALL_MS,
        ready,
        openBets: index.openBets,
        lastPrintId: last?.id ?? null,
        lastPrintAgeMs: last ? nowMs - last.t : null,
        loopStepAgeMs: ready ? stepAgeMs : null,
      };
    },
  };
}
