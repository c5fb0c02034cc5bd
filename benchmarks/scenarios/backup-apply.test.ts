import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import { anAuditInput } from '../src/testing/fixtures.js';
import { type Mode, planOf, type Run, report } from './backup-apply.js';

const passed = audit(anAuditInput());

function aRun(round: number, mode: Mode, betsPerS: number, overrides: Partial<Run> = {}): Run {
  return {
    round,
    mode,
    speedBefore: 100_000,
    segmentMb: 300,
    betsPerS,
    applyMs: 1_000,
    coveredPct: mode === 'alone' ? 0 : 90,
    backups: mode === 'alone' ? 0 : 2,
    backupFailures: 0,
    audit: passed,
    ...overrides,
  };
}

const rates: Record<Mode, number[]> = {
  alone: [10_000, 12_000, 11_000],
  backup: [9_000, 10_500, 9_900],
  'backup-unniced': [8_000, 7_000, 7_700],
};
const runs = [1, 2, 3].flatMap((round) =>
  (Object.keys(rates) as Mode[]).map((mode) => aRun(round, mode, rates[mode][round - 1]!)),
);

describe('backup-apply report', () => {
  it('plans three rounds of the three modes, smaller with --quick', () => {
    expect(planOf({})).toMatchObject({ rounds: 3, bets: 120_000, padMb: 300 });
    expect(planOf({ quick: true })).toMatchObject({ bets: 40_000, padMb: 48 });
    expect(planOf({}).modes).toEqual(['alone', 'backup', 'backup-unniced']);
  });

  it('compares the median backup run with the median run alone, one row a run', () => {
    const outcome = report(runs);
    expect(outcome.ok).toBe(true);
    expect(outcome.headline).toEqual({
      apply_alone_bets_per_s: 11_000,
      apply_backup_bets_per_s: 9_900,
      apply_backup_ratio: 0.9,
      apply_backup_unniced_ratio: 0.7,
      apply_backup_ratio_met: 'yes',
    });
    expect(outcome.tables[0]!.rows).toHaveLength(9);
    expect(outcome.tables).toHaveLength(1 + 9);
  });

  it('fails on a failed audit or a backup run that started no backup, not on the ratio', () => {
    const slow = runs.map((r) => (r.mode === 'backup' ? { ...r, betsPerS: r.betsPerS / 2 } : r));
    expect(report(slow).ok).toBe(true);
    expect(report(slow).headline.apply_backup_ratio_met).toBe('no');
    const failedAudit = { ...passed, ok: false };
    const broken = runs.map((r, i) =>
      i === 0 ? { ...r, audit: failedAudit } : i === 1 ? { ...r, backups: 0 } : r,
    );
    expect(report(broken).failures).toEqual(['audit failed (#1, alone)', 'a backup run started no backup']);
  });
});
