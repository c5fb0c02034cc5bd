import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import type { SyncMode } from '../src/sqlite/bet-writer.js';
import { anAuditInput, aResourceReport } from '../src/testing/fixtures.js';
import { type AppliedRun, type Measured, planOf, report } from './batcher-apply.js';

const passed = audit(anAuditInput());

function aRun(round: number, synchronous: SyncMode, betsPerS: number): AppliedRun {
  return {
    round,
    synchronous,
    speedBefore: 400_000,
    timing: { firstAckMs: 900, applyMs: 2_000, betsPerS, window: [900, 2_900] },
    // The batcher at 80 % of a core: 8 µs per bet at 100,000 bets/s.
    resources: aResourceReport({ batcher: { cpuAvgPct: 80 }, redis: { cpuAvgPct: 10 } }),
    audit: passed,
  };
}

const micro = (['FULL', 'NORMAL'] as const).flatMap((sync, i) =>
  (['statements', 'batcher'] as const).map((work, j) => ({
    work,
    sync,
    bets: 200_000,
    batch: 1_000,
    elapsedMs: 1_000 + i * 500,
    betsPerS: 200_000 - i * 50_000 - j * 75_000,
    commitP99Ms: 4,
  })),
);

function measured(): Measured {
  const full = [90_000, 100_000, 110_000];
  const normal = [120_000, 130_000, 125_000];
  return {
    runs: [1, 2, 3].flatMap((round) => [
      aRun(round, 'FULL', full[round - 1]!),
      aRun(round, 'NORMAL', normal[round - 1]!),
    ]),
    micro,
  };
}

describe('batcher-apply report', () => {
  it('plans three rounds of FULL and NORMAL over 200,000 bets, 40,000 with --quick', () => {
    expect(planOf({})).toEqual({ rounds: 3, modes: ['FULL', 'NORMAL'], bets: 200_000 });
    expect(planOf({ quick: true }).bets).toBe(40_000);
  });

  it('reports every run, marks the median of each mode and takes the headline from the median FULL run', () => {
    const outcome = report(measured(), planOf({}));
    expect(outcome.ok).toBe(true);
    expect(outcome.tables[0]!.rows.slice(2, 4)).toEqual([
      ['#2 (median)', 'FULL (production, SPEC §6)', 200_000, 900, 2_000, 100_000, 8, 400_000],
      ['#2', 'NORMAL (benchmark hook only)', 200_000, 900, 2_000, 130_000, 6, 400_000],
    ]);
    expect(outcome.tables[0]!.rows[5]![0]).toBe('#3 (median)');
    expect(outcome.tables.map((t) => t.title).slice(1, 3)).toEqual([
      'Resources while applying (synchronous=FULL, median run #2)',
      'Micro-benchmark (direct better-sqlite3, no Redis): the SQLite floor',
    ]);
    expect(outcome.tables).toHaveLength(3 + 6);
    expect(outcome.headline).toEqual({
      batcher_bets_per_s: 100_000,
      batcher_bets_per_s_met: 'yes',
      batcher_normal_bets_per_s: 125_000,
      micro_full_bets_per_s: 200_000,
      micro_normal_bets_per_s: 150_000,
      micro_full_batcher_work_bets_per_s: 125_000,
      batcher_pct_of_floor: 50,
      batcher_pct_of_batcher_work_floor: 80,
    });
    expect(outcome.tables[2]!.rows.map((row) => [row[0], row[5], row[7]])).toEqual([
      ['FULL', 200_000, '50 %'],
      ['FULL', 125_000, '80 %'],
      ['NORMAL', 150_000, '83 %'],
      ['NORMAL', 75_000, '167 %'],
    ]);
    expect(outcome.audits.map((a) => a.label)).toContain('batcher-apply-NORMAL-3');
  });

  it('fails on a failed audit, not on the rate', () => {
    const runs = measured().runs.map((r, i) => (i === 3 ? { ...r, audit: { ...passed, ok: false } } : r));
    const outcome = report({ runs, micro }, planOf({}));
    expect(outcome.failures).toEqual(['audit failed (#2, synchronous=NORMAL)']);
    const slow = measured().runs.map((r) => ({ ...r, timing: { ...r.timing, betsPerS: 1_000 } }));
    expect(report({ runs: slow, micro }, planOf({})).ok).toBe(true);
  });
});
