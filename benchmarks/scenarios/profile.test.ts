import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import {
  aDaemonProfile,
  aLatency,
  aLoadRun,
  anAuditInput,
  aResourceReport,
} from '../src/testing/fixtures.js';
import { type Measured, planOf, report } from './profile.js';

const passed = audit(anAuditInput());

function measured(overrides: Partial<Measured> = {}): Measured {
  return {
    notes: ['Market source: price-ingest.', 'Logins: 1000 wallets.'],
    result: aLoadRun({ label: '2000-per-s-profiled', offeredPerS: 2_000, achievedPerS: 1_998, ok: 40_000 }),
    resources: aResourceReport({ 'ingest-api': {}, batcher: {}, 'ws-gateway': {}, redis: {} }),
    audit: passed,
    profiles: [
      { daemon: 'ingest-api', summary: aDaemonProfile({ daemon: 'ingest-api', busyPct: 61.2 }) },
      { daemon: 'batcher', summary: aDaemonProfile() },
      { daemon: 'ws-gateway', summary: aDaemonProfile({ daemon: 'ws-gateway', busyPct: 20 }) },
    ],
    ...overrides,
  };
}

describe('profile report', () => {
  it('runs 28 s with 8 s of warm-up, 11 s with 3 s with --quick', () => {
    expect(planOf({})).toEqual({ warmupMs: 8_000, durationMs: 28_000 });
    expect(planOf({ quick: true })).toEqual({ warmupMs: 3_000, durationMs: 11_000 });
  });

  it('shows the run, its audit and resources, then two tables a daemon, busy shares in the headline', () => {
    const outcome = report(measured());
    expect(outcome.ok).toBe(true);
    expect(outcome.tables.map((t) => t.title)).toEqual([
      'Bets at 2000/s, profiled',
      'Audit: PASSED',
      'Resources at 2000/s, profiled',
      'Redis commands per bet',
      'ingest-api: main thread by category',
      'ingest-api: top 1 functions by self time',
      'batcher: main thread by category',
      'batcher: top 1 functions by self time',
      'ws-gateway: main thread by category',
      'ws-gateway: top 1 functions by self time',
    ]);
    expect(outcome.headline).toEqual({
      achieved_per_s: 1_998,
      p99_202_ms: aLatency().p99Ms,
      p99_accepted_ms: 20,
      ingest_api_busy_pct: 61.2,
      batcher_busy_pct: 43.5,
      ws_gateway_busy_pct: 20,
    });
    expect(outcome.profiles?.map((p) => p.daemon)).toEqual(['ingest-api', 'batcher', 'ws-gateway']);
    expect(outcome.notes).toHaveLength(2);
  });

  it('fails a failed audit and a daemon without a usable profile, and reports the others', () => {
    const profiles = measured().profiles;
    const outcome = report(
      measured({
        audit: { ...passed, ok: false },
        profiles: [
          { daemon: 'ingest-api', missing: 'no profile' },
          profiles[1]!,
          { daemon: 'ws-gateway', missing: 'window not covered' },
        ],
      }),
    );
    expect(outcome.failures).toEqual([
      'audit failed',
      'ingest-api wrote no CPU profile (killed before it could exit?)',
      "ws-gateway's CPU profile does not cover the measured window",
    ]);
    expect(outcome.profiles?.map((p) => p.daemon)).toEqual(['batcher']);
    expect(Object.keys(outcome.headline)).toContain('batcher_busy_pct');
    expect(Object.keys(outcome.headline)).not.toContain('ingest_api_busy_pct');
  });
});
