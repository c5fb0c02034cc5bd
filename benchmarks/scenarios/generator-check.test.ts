import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import type { GeneratorRun, WrkCount } from '../src/generator-runs.js';
import { aLoadRun, anAuditInput, aResourceReport } from '../src/testing/fixtures.js';
import { type Measured, planOf, report } from './generator-check.js';

function aRun(
  generator: GeneratorRun['generator'],
  round: number,
  overrides: Partial<GeneratorRun> = {},
): GeneratorRun {
  return {
    generator,
    round,
    offeredPerS: 3_000,
    achievedPerS: 3_000,
    errors: 0,
    p50Ms: 1,
    p99Ms: 10,
    p999Ms: 20,
    generatorUsPerRequest: generator === 'wrk' ? 30 : 40,
    generatorCpuPct: 12,
    server: {
      route: 'place_bet',
      count: 90_000,
      p50Ms: 0.6,
      p90Ms: 1.5,
      p99Ms: 4,
      buckets: [
        { leMs: 0.5, count: 30_000 },
        { leMs: 1, count: 60_000 },
        { leMs: Number.POSITIVE_INFINITY, count: 90_000 },
      ],
    },
    resources: aResourceReport(),
    ...overrides,
  };
}

const aCount = (overrides: Partial<WrkCount> = {}): WrkCount => ({
  round: 1,
  answered2xx: 90_000,
  stored: 90_000,
  unanswered: 64,
  repeated: 0,
  ...overrides,
});

function measured(overrides: Partial<Measured> = {}): Measured {
  return {
    notes: ['Market source: price-ingest.'],
    runs: [aRun('harness', 1), aRun('wrk', 1)],
    harnessRuns: [aLoadRun({ label: 'harness-1' })],
    wrkCounts: [aCount()],
    audit: audit(anAuditInput()),
    ...overrides,
  };
}

describe('generator-check report', () => {
  it('plans 3 rounds of 30 s at 3,000/s, and one round of 12 s at 1,000/s with --quick', () => {
    expect(planOf({})).toMatchObject({ ratePerS: 3_000, durationS: 30, rounds: 3, connections: 64 });
    expect(planOf({ quick: true })).toMatchObject({ ratePerS: 1_000, durationS: 12, rounds: 1 });
    expect(planOf({ rate: 2_000 }).ratePerS).toBe(2_000);
  });

  it('sets the generators side by side with the server’s quantiles and its share of answers per bucket', () => {
    const outcome = report(measured());
    expect(outcome.ok).toBe(true);
    const [comparison, buckets] = outcome.tables;
    expect(comparison!.rows.map((r) => [r[0], r[8], r[11]])).toEqual([
      ['harness', 40, '0.6 / 1.5 / 4'],
      ['wrk', 30, '0.6 / 1.5 / 4'],
    ]);
    expect(buckets!.rows).toEqual([
      ['0 – 0.5', 33.3, 33.3],
      ['0.5 – 1', 33.3, 33.3],
      ['1 – ∞', 33.3, 33.3],
    ]);
  });

  it('heads with the median CPU per request of each generator and whether the harness is within 30 µs', () => {
    const runs = [
      aRun('harness', 1),
      aRun('wrk', 1),
      aRun('harness', 2, { generatorUsPerRequest: 25 }),
      aRun('wrk', 2),
    ];
    expect(report(measured({ runs })).headline).toMatchObject({
      harness_us_per_request: 25,
      wrk_us_per_request: 30,
      harness_us_per_request_met: 'yes',
    });
    expect(report(measured()).headline.harness_us_per_request_met).toBe('no');
  });

  it('fails when a wrk 2xx was not stored, or more wrk bets were stored than it could have sent', () => {
    expect(report(measured({ wrkCounts: [aCount({ stored: 89_999 })] })).failures).toEqual([
      'round 1: wrk got 90000 2xx but only 89999 bets are stored',
    ]);
    expect(report(measured({ wrkCounts: [aCount({ stored: 90_065 })] })).ok).toBe(false);
    expect(report(measured({ wrkCounts: [aCount({ stored: 90_064 })] })).ok).toBe(true);
  });

  it('fails on a failed audit', () => {
    const failed = audit(anAuditInput({ ackedBetIds: ['missing-bet'] }));
    expect(report(measured({ audit: failed })).ok).toBe(false);
  });
});
