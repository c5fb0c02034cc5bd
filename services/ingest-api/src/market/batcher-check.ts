/**
 * The batcher check of admission (SPEC §6.1, issue 20): new bets are refused `503 batcher_behind`
 * while the batcher is not applying them — its heartbeat (`tap:batcher:heartbeat`, written every
 * HEARTBEAT_INTERVAL_MS by the batcher) is missing or older than `heartbeatAgeMsMax`, or the age of
 * the oldest admitted-but-unapplied bet it reported passes `lagMsMax`. Without it a down or
 * crash-looping batcher let admission 202 bets without bound (43,636 in ~60 s in the run).
 *
 * Pure, over the market state's in-memory snapshot (refreshed with the breaker and the print), so
 * it costs no Redis round trip per bet. It fails closed like the breaker check: no heartbeat, no
 * bets. The heartbeat's `at` is the batcher's clock; the daemons share one host (SPEC §1).
 */

export interface BatcherHeartbeat {
  atMs: number;
  lagMs: number;
}

export interface BatcherRules {
  batcherHeartbeatAgeMsMax: number;
  batcherLagMsMax: number;
}

export type BatcherCheck = { ok: true } | { ok: false; code: 'batcher_behind'; reason: string };

export function checkBatcher(
  heartbeat: BatcherHeartbeat | null,
  nowMs: number,
  rules: BatcherRules,
): BatcherCheck {
  if (!heartbeat) return { ok: false, code: 'batcher_behind', reason: 'no batcher heartbeat' };
  const ageMs = nowMs - heartbeat.atMs;
  if (ageMs > rules.batcherHeartbeatAgeMsMax) {
    return { ok: false, code: 'batcher_behind', reason: `batcher heartbeat is ${ageMs} ms old` };
  }
  if (heartbeat.lagMs > rules.batcherLagMsMax) {
    return { ok: false, code: 'batcher_behind', reason: `oldest unapplied bet is ${heartbeat.lagMs} ms old` };
  }
  return { ok: true };
}

export function parseBatcherHeartbeat(fields: Record<string, string>): BatcherHeartbeat | null {
  const atMs = Number(fields.at);
  const lagMs = Number(fields.lagMs);
  if (!Number.isFinite(atMs) || !Number.isFinite(lagMs) || fields.at === undefined) return null;
  return { atMs, lagMs };
}
