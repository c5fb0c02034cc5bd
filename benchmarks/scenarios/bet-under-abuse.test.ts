import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import { aLatency, aLoadRun, anAuditInput } from '../src/testing/fixtures.js';
import { type Condition, type Measured, planOf, type Run, report } from './bet-under-abuse.js';

const passed = audit(anAuditInput());

function aRun(condition: Condition, round: number, p99Ms: number, overrides: Partial<Run> = {}): Run {
  return {
    condition,
    round,
    bets: aLoadRun({
      label: `${condition} #${round}`,
      latency: aLatency({ p99Ms }),
      accepted: aLatency({ p99Ms: p99Ms + 10 }),
    }),
    loopDelay: { p99Ms: 11, maxMs: 20 + round },
    ...overrides,
  };
}

const history = aLoadRun({
  label: 'history flood',
  offeredPerS: 50,
  achievedPerS: 49,
  sent: 500,
  ok: 498,
  latency: aLatency({ p99Ms: 40 }),
});
const hostile = (attemptsPerS: number) => ({
  clients: 100,
  attempts: attemptsPerS * 25,
  attemptsPerS,
  outcomes: { replayed: 10, 'closed:4429 resume_rate': 30 },
});

/** Three rounds: history adds 0.5 ms to its round's baseline, hostile resumes 5 %. */
function measured(overrides: Partial<Measured> = {}): Measured {
  const baselines = [10, 12, 20];
  return {
    notes: ['Market source: price-ingest'],
    runs: baselines.flatMap((base, i) => [
      aRun('baseline', i + 1, base),
      aRun('history', i + 1, base + 0.5, { history }),
      aRun('hostile resumes', i + 1, base + base / 20, { hostile: hostile(100 + i * 30) }),
    ]),
    audit: passed,
    ...overrides,
  };
}

describe('bet-under-abuse report', () => {
  it('plans three rounds of 500 bets/s, one short round of 200/s with --quick', () => {
    expect(planOf({})).toEqual({
      wallets: 500,
      ratePerS: 500,
      rounds: 3,
      profile: { ratePerS: 500, durationMs: 25_000, warmupMs: 5_000 },
    });
    expect(planOf({ quick: true })).toMatchObject({ wallets: 100, ratePerS: 200, rounds: 1 });
  });

  it('compares each condition with its own round’s baseline, the median over rounds', () => {
    const outcome = report(measured(), planOf({}));
    expect(outcome.ok).toBe(true);
    expect(outcome.headline).toEqual({
      baseline_p99_ms: 12,
      history_p99_delta_ms: 0.5,
      history_p99_ratio: 1.04,
      hostile_p99_ratio: 1.05,
      hostile_resumes_per_s: 130,
    });
    expect(outcome.tables[0]!.title).toBe(
      'Bet p99 to 202 by condition (median of 3 rounds, each against its own baseline)',
    );
    expect(outcome.tables[0]!.rows).toEqual([
      ['baseline', 12, 22, null, null, '—', '—', '11 / 22'],
      ['history', 12.5, 22.5, 1.04, 0.5, 'Δ < 1 ms', 'yes', '11 / 22'],
      ['hostile resumes', 12.6, 22.6, 1.05, 0.6, 'ratio ≤ 1.10', 'yes', '11 / 22'],
    ]);
    expect(outcome.tables[1]!.title).toBe('Every run (500 bets/s, 500 wallets)');
    expect(outcome.tables[1]!.rows).toHaveLength(9);
    expect(outcome.tables[1]!.notes).toContain(
      'history #1: history 49/s of 50/s offered, p99 40 ms, 498 of 500 answered 200',
    );
    expect(outcome.tables[1]!.notes).toContain(
      'hostile resumes #1: 2500 resumes (100/s): 30 × closed:4429 resume_rate, 10 × replayed',
    );
    expect(outcome.loadRuns).toHaveLength(9);
    expect(outcome.notes).toEqual(['Market source: price-ingest']);
  });

  it('reads a condition far faster than its baseline as host drift, and fails only on the audit', () => {
    const runs = measured().runs.map((r) =>
      r.condition === 'history' ? { ...r, bets: { ...r.bets, latency: aLatency({ p99Ms: 5 }) } } : r,
    );
    const drift = report({ ...measured(), runs }, planOf({}));
    expect(drift.tables[0]!.rows[1]![6]).toBe('inconclusive (baseline slower: host drift)');
    expect(drift.ok).toBe(true);
    const failed = report(measured({ audit: { ...passed, ok: false } }), planOf({}));
    expect(failed.failures).toEqual(['audit failed']);
  });
});
