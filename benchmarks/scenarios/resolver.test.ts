import { describe, expect, it } from 'vitest';
import { planOf, type ResolverReport, report } from './resolver.js';

function aReport(overrides: Partial<ResolverReport> = {}): ResolverReport {
  return {
    seconds: 45,
    betsOpenTarget: 100_000,
    openBetsAtEnd: 99_812,
    startupMs: 2_345,
    prints: 450,
    settlements: { won: 120, lost: 3_400 },
    cpuMsPerPrint: 3.12345,
    indexMsPerPrint: 0.26,
    winLatencyMs: { count: 120, p50: 4.04, p99: 18.25, max: 30 },
    lossAfterWindowEndMs: { count: 3_400, p50: 120.4, p99: 480.06, max: 700 },
    ...overrides,
  };
}

describe('resolver report', () => {
  it('runs the benchmark 45 s, 15 s with --quick', () => {
    expect(planOf({})).toEqual({ seconds: 45 });
    expect(planOf({ quick: true })).toEqual({ seconds: 15 });
  });

  it('reports CPU per print and the settlement latencies to a tenth of a millisecond against the targets', () => {
    const outcome = report(aReport());
    expect(outcome.ok).toBe(true);
    expect(outcome.tables[0]!.rows).toEqual([
      [99_812, 450, 3.1, 0.3, 'won 120, lost 3400', '4 / 18.3', '120.4 / 480.1', 2_345],
    ]);
    expect(outcome.headline).toEqual({
      resolver_cpu_ms_per_print: 3.1,
      win_settlement_p99_ms: 18.3,
      win_settlement_p99_ms_met: 'yes',
      loss_settlement_p99_ms: 480.1,
      loss_settlement_p99_ms_met: 'yes',
    });
  });

  it('leaves an unmeasured target unjudged and fails a run in which no bet won', () => {
    const outcome = report(aReport({ winLatencyMs: { count: 0, p50: null, p99: null, max: null } }));
    expect(outcome.headline.win_settlement_p99_ms_met).toBeNull();
    expect(outcome.failures).toEqual(['no print processed or no bet won']);
  });
});
