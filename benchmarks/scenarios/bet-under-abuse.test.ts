import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import { createHistogram, encodeHistogram, recordMs } from '../src/stats/histogram.js';
import { aLatency, aLoadRun, anAuditInput, aResourceReport } from '../src/testing/fixtures.js';
import { type BlockResult, type Condition, type Measured, planOf, report } from './bet-under-abuse.js';

const passed = audit(anAuditInput());

/** 1,000 bets: 985 at 1 ms and 15 at `p99Ms` (so the block's p99 is p99Ms), encoded. */
function latencies(p99Ms: number): string {
  const histogram = createHistogram();
  for (let i = 0; i < 985; i += 1) recordMs(histogram, 1);
  for (let i = 0; i < 15; i += 1) recordMs(histogram, p99Ms);
  return encodeHistogram(histogram);
}

const flood = aLoadRun({
  label: 'history flood',
  achievedPerS: 50,
  offeredPerS: 50,
  sent: 200,
  ok: 199,
  latency: aLatency({ p99Ms: 40 }),
});
const hostile = {
  clients: 100,
  attempts: 4_000,
  attemptsPerS: 1_000,
  outcomes: { replayed: 10, 'closed:4429 resume_rate': 30 },
};

function aBlock(round: number, index: number, condition: Condition, p99Ms: number): BlockResult {
  return {
    round,
    index,
    condition,
    latency: latencies(p99Ms),
    accepted: latencies(p99Ms + 10),
    sendLag: latencies(condition === 'hostile resumes' ? 3 : 1),
    loopDelay: { p99Ms: 11, maxMs: 20 + index },
    resources: aResourceReport({
      'ingest-api': { cpuAvgPct: condition === 'history' ? 40 : 20 },
      'ws-gateway': { cpuAvgPct: condition === 'hostile resumes' ? 17 : 7 },
      // The attacker's own process: 1 % of a core a page at 50/s, 30 % at 1,000 attempts/s.
      'attacker (client side)': { cpuAvgPct: { baseline: 0, history: 1, 'hostile resumes': 30 }[condition] },
    }),
    threads: [{ name: 'ingest-api', cpuPct: 20, waitPct: 10 }],
    ...(condition === 'history' ? { history: flood } : {}),
    ...(condition === 'hostile resumes' ? { hostile } : {}),
  };
}

/** Two rounds of one cycle each: history adds 0.5 ms in round 1 and 1.5 in round 2; hostile 10 %. */
function measured(overrides: Partial<Measured> = {}): Measured {
  const round = (n: number, base: number, historyAdds: number): BlockResult[] => [
    aBlock(n, 0, 'baseline', base),
    aBlock(n, 1, 'history', base + historyAdds),
    aBlock(n, 2, 'baseline', base),
    aBlock(n, 3, 'hostile resumes', base * 1.1),
  ];
  return {
    notes: ['Market source: price-ingest'],
    runs: [aLoadRun({ label: 'round #1' }), aLoadRun({ label: 'round #2' })],
    blocks: [...round(1, 10, 0.5), ...round(2, 10, 1.5)],
    audit: passed,
    ...overrides,
  };
}

describe('bet-under-abuse report', () => {
  it('plans three rounds of interleaved 5 s blocks at 500 bets/s, one short round of 200/s with --quick', () => {
    expect(planOf({})).toEqual({
      wallets: 500,
      ratePerS: 500,
      rounds: 3,
      repeats: 3,
      warmupS: 5,
      blockS: 5,
      settleS: 1,
    });
    expect(planOf({ quick: true })).toMatchObject({ wallets: 100, ratePerS: 200, rounds: 1, blockS: 4 });
  });

  it('compares each condition’s pooled blocks with the pooled baseline blocks, and shows each round’s Δ', () => {
    const outcome = report(measured(), planOf({}));
    expect(outcome.ok).toBe(true);
    const [summary] = outcome.tables;
    expect(summary!.title).toBe(
      'Bet p99 to 202 by condition (interleaved blocks of 5 s, pooled over 3 rounds)',
    );
    // History: 2,000 bets, 30 of them slow (10.5 and 11.5): the pooled p99 is the lower of the two.
    // p99s are HDR values (3 significant digits): 10 ms reads 10.007.
    const p99s = summary!.rows.map((row) => [row[2], row[3]].map((v) => Math.round(Number(v) * 10) / 10));
    expect(p99s).toEqual([
      [10, 20],
      [10.5, 20.5],
      [11, 21],
    ]);
    // The generator's send lag, pooled like the latencies: the hostile blocks sent their bets later.
    expect(summary!.rows.map((row) => Math.round(Number(row[10])))).toEqual([1, 1, 3]);
    expect(summary!.rows.map((row) => [row[0], row[1], ...row.slice(4, 10)])).toEqual([
      ['baseline', 4000, null, null, '—', '—', '—', '11 / 21'],
      ['history', 2000, 1.05, 0.5, '0.5 / 1.5', 'Δ < 1 ms', 'yes', '11 / 21'],
      ['hostile resumes', 2000, 1.1, 1, '1 / 1', 'ratio ≤ 1.10', 'yes', '11 / 23'],
    ]);
    expect(outcome.headline).toEqual({
      baseline_p99_ms: summary!.rows[0]![2],
      history_p99_delta_ms: 0.5,
      history_p99_ratio: 1.05,
      hostile_p99_ratio: 1.1,
      hostile_resumes_per_s: 1000,
    });
    const runs = outcome.tables[1]!;
    expect(runs.rows).toHaveLength(2);
    expect(runs.notes).toContain(
      'round #1 history blocks: 199 of 200 pages answered 200 (offered 50/s), page p99 40 ms (median over blocks)',
    );
    expect(runs.notes).toContain(
      'round #2 hostile blocks: 4000 resumes (1000/s while on): 30 × closed:4429 resume_rate, 10 × replayed',
    );
    const costs = outcome.tables[2]!;
    expect(costs.title).toBe('Where the CPU went, by condition (median over blocks)');
    expect(costs.rows.map((row) => row[1])).toEqual([20, 40, 20]);
    // 20 % of a core more at 50 pages/s: 4,000 µs a page; 10 % more at 1,000 attempts/s: 100 µs each.
    const units = outcome.tables[3]!;
    const column = (name: string) => units.columns.indexOf(name);
    const shown = [
      'attack',
      'ingest-api',
      'ingest-api main thread',
      'ws-gateway',
      'attacker’s own client (not the stack)',
    ];
    expect(shown.map(column).every((i) => i >= 0)).toBe(true);
    expect(units.rows.map((row) => shown.map((name) => row[column(name)]))).toEqual([
      ['history (µs per page)', 4000, 0, 0, 200],
      ['hostile resumes (µs per resume attempt)', 0, 0, 100, 300],
    ]);
    // A round whose blocks kept the machine saturated says nothing: “—”.
    const busy = measured().blocks.map((b) => ({
      ...b,
      resources: { ...b.resources, machine: { ...b.resources.machine, cpuAvgPct: 199 } },
    }));
    expect(report(measured({ blocks: busy }), planOf({})).tables[3]!.rows[0]![1]).toBeNull();
    expect(outcome.loadRuns).toHaveLength(2);
  });

  it('fails the target when the pooled Δ is not under 1 ms, gives no verdict on a saturated host or noise, and fails the outcome only on the audit', () => {
    const blocks = measured().blocks.map((b) =>
      b.condition === 'history' ? { ...b, latency: latencies(12) } : b,
    );
    const slow = report(measured({ blocks }), planOf({}));
    expect(slow.tables[0]!.rows[1]!.slice(4, 9)).toEqual([1.2, 2, '2 / 2', 'Δ < 1 ms', 'no']);
    expect(slow.ok).toBe(true);
    const saturated = measured().blocks.map((b) => ({
      ...b,
      latency: latencies(b.condition === 'history' ? 60 : 55),
    }));
    expect(report(measured({ blocks: saturated }), planOf({})).tables[0]!.rows[1]![8]).toBe(
      'inconclusive (host saturated: baseline p99 > 50 ms)',
    );
    const faster = measured().blocks.map((b) =>
      b.condition === 'history' ? { ...b, latency: latencies(8) } : b,
    );
    expect(report(measured({ blocks: faster }), planOf({})).tables[0]!.rows[1]![8]).toBe(
      'inconclusive (faster than its baseline by > 10 %: noise)',
    );
    const failed = report(measured({ audit: { ...passed, ok: false } }), planOf({}));
    expect(failed.failures).toEqual(['audit failed']);
  });
});
