/** Typed fixture builders for the harness's unit tests (STYLE: builders with overrides). */
import type { AuditInput } from '../audit/audit.js';
import type { LoadRunResult } from '../load/open-loop.js';
import type { LatencySummary } from '../stats/histogram.js';

export function aLatency(overrides: Partial<LatencySummary> = {}): LatencySummary {
  return { count: 1_000, meanMs: 2, p50Ms: 1.5, p90Ms: 3, p99Ms: 4, p999Ms: 8, maxMs: 12, ...overrides };
}

export function aLoadRun(overrides: Partial<LoadRunResult> = {}): LoadRunResult {
  return {
    label: 'run',
    kind: 'bet',
    startedAtMs: 1_764_000_000_000,
    offeredPerS: 3_000,
    durationS: 10,
    warmupS: 2,
    rampS: 0,
    workers: 1,
    connections: 64,
    wallets: 1_000,
    wsWallets: 1_000,
    sent: 30_000,
    ok: 30_000,
    noAnswer: 0,
    achievedPerS: 3_000,
    errors: {},
    errorSamples: {},
    errorCount: 0,
    latency: aLatency(),
    accepted: aLatency({ p50Ms: 8, p99Ms: 20 }),
    sendLag: aLatency({ p99Ms: 1 }),
    ws: null,
    timeline: [],
    ...overrides,
  };
}

/** A consistent world: three bets, two accepted and one rejected, all delivered and drained. */
export function anAuditInput(overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    ackedBetIds: ['B1', 'B2', 'B3'],
    unanswered: 0,
    sqliteBets: [
      { id: 'B1', status: 'accepted', reason: null },
      { id: 'B2', status: 'accepted', reason: null },
      { id: 'B3', status: 'rejected', reason: 'insufficient_funds' },
    ],
    duplicateClientBetIds: 0,
    stakeRowsByBet: new Map([
      ['B1', 1],
      ['B2', 1],
    ]),
    users: [{ userId: '0xa', balance: 8, ledgerSum: 8 }],
    cacheBalances: new Map([['0xa', 8]]),
    groups: [
      { stream: 'tap:bets', group: 'batcher', pending: 0, idlePending: 0, lag: 0 },
      { stream: 'tap:prices', group: 'resolver', pending: 3, idlePending: 0, lag: 1 },
    ],
    drainedStreams: ['tap:bets'],
    ws: { tracked: 3, missing: 0, missingSample: [] },
    ...overrides,
  };
}
