import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import { aLatency, aLoadRun, anAuditInput } from '../src/testing/fixtures.js';
import { type ModeRuns, planOf, report } from './redis-fsync.js';

const passed = audit(anAuditInput());

function aMode(label: string, p99Ms: number, overrides: Partial<ModeRuns> = {}): ModeRuns {
  return {
    label,
    notes: ['Market source: price-ingest.', 'Redis: infra/redis.conf (appendfsync everysec).'],
    runs: [1_500, 3_000].map((rate) =>
      aLoadRun({
        label: `${label}-${rate}`,
        offeredPerS: rate,
        latency: aLatency({ p99Ms: p99Ms * (rate / 1_500) }),
      }),
    ),
    audit: passed,
    ...overrides,
  };
}

describe('redis-fsync report', () => {
  it('plans both modes at 1,500 and 3,000 bets/s, 15 s each, 6 s with --quick', () => {
    const plan = planOf({});
    expect(plan.modes.map((m) => m.label)).toEqual(['everysec', 'always']);
    expect(plan).toMatchObject({ rates: [1_500, 3_000], durationMs: 15_000, workers: 1 });
    expect(planOf({ quick: true, workers: 2 })).toMatchObject({ durationMs: 6_000, workers: 2 });
  });

  it('puts the four runs in one table, then an audit per mode, and quotes the p99s at 3,000/s', () => {
    const outcome = report([aMode('everysec', 4), aMode('always', 7)]);
    expect(outcome.ok).toBe(true);
    expect(outcome.tables.map((t) => t.title)).toEqual([
      'Bets with appendfsync everysec vs always',
      'Audit (appendfsync everysec): PASSED',
      'Audit (appendfsync always): PASSED',
    ]);
    expect(outcome.tables[0]!.rows.map((r) => r[0])).toEqual([
      'everysec-1500',
      'everysec-3000',
      'always-1500',
      'always-3000',
    ]);
    expect(outcome.headline).toEqual({ p99_ms_everysec_3000: 8, p99_ms_always_3000: 14 });
    expect(outcome.notes).toEqual(['Market source: price-ingest.']);
  });

  it('fails the mode whose audit failed', () => {
    const outcome = report([aMode('everysec', 4), aMode('always', 7, { audit: { ...passed, ok: false } })]);
    expect(outcome.failures).toEqual(['audit failed with appendfsync always']);
  });
});
