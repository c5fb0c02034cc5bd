import { describe, expect, it } from 'vitest';
import { heapVerdict, type Measured, planOf, report } from './web-client.js';

const MB = 1_048_576;
/** Heap samples every 10 s over a minute: `mb(atMs)` MB each. */
const heapOf = (mb: (atMs: number) => number) =>
  Array.from({ length: 7 }, (_, i) => ({
    atMs: i * 10_000,
    bytes: Math.round(mb(i * 10_000) * MB),
    gcFrom: 1_000 + i * 10_000,
    gcTo: 1_030 + i * 10_000,
  }));

function measured(overrides: Partial<Measured> = {}): Measured {
  return {
    stats: {
      frames: Array.from({ length: 100 }, (_, i) => (i < 95 ? 16.7 : 33.4)),
      work: Array.from({ length: 100 }, (_, i) => 2 + (i % 10) / 10),
      longTasks: [{ start: 5_000, duration: 12 }],
    },
    // Warm-up growth (8 → 12 MB in the first 20 s), then flat within noise.
    heap: heapOf((t) => (t < 20_000 ? 8 + t / 5_000 : 12 + ((t / 10_000) % 2) * 0.1)),
    bundleKb: 120,
    fcpMs: 300,
    liveMs: 700,
    placed: 40,
    refusals: { multiplier_moved: 2 },
    openOnScreen: 12,
    ...overrides,
  };
}

describe('web-client report', () => {
  it('measures ten minutes, one with --quick, judging the heap after warm-up', () => {
    expect(planOf({})).toEqual({ measureMs: 600_000, warmupMs: 240_000, heapEveryMs: 30_000 });
    expect(planOf({ quick: true }).measureMs).toBe(60_000);
  });

  it('judges the heap by its trend after warm-up, not by first against last', () => {
    const plan = planOf({ quick: true });
    const warm = heapVerdict(measured().heap, plan);
    expect(warm).toMatchObject({ judged: 5, stable: true });
    // 12 → 14 MB over the judged 40 s: a leak, though small against the warm-up's growth.
    const leaking = heapVerdict(
      heapOf((t) => 12 + Math.max(0, t - 20_000) / 20_000),
      plan,
    );
    expect(leaking.stable).toBe(false);
    expect(leaking.growthBytes! / MB).toBeCloseTo(2, 5);
    expect(heapVerdict(heapOf(() => 10).slice(0, 3), plan)).toMatchObject({ judged: 1, stable: false });
  });

  it('passes a page within every target and says what was placed', () => {
    const outcome = report(measured(), planOf({ quick: true }));
    expect(outcome.ok).toBe(true);
    expect(outcome.headline).toEqual({
      web_frame_p95_ms: 2.9,
      web_frame_p95_ms_met: 'yes',
      web_long_task_max_ms: 12,
      web_bundle_gzip_kb: 120,
      web_live_chart_ms: 700,
      web_heap_growth_mb: 0,
    });
    expect(outcome.tables[0]!.rows).toHaveLength(12);
    expect(outcome.notes[0]).toContain('40 bets admitted');
  });

  it("counts a long task during the benchmark's forced collection apart from the client's", () => {
    const outcome = report(
      measured({
        stats: {
          ...measured().stats,
          longTasks: [
            { start: 10_990, duration: 70 },
            { start: 5_000, duration: 12 },
          ],
        },
      }),
      planOf({ quick: true }),
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.headline.web_long_task_max_ms).toBe(12);
    expect(outcome.tables[0]!.notes![0]).toContain('70 ms');
  });

  it('fails on each target missed, and when nothing was measured or placed', () => {
    const slow = measured({
      stats: { frames: [], work: [], longTasks: [{ start: 5_000, duration: 80 }] },
      heap: [],
      bundleKb: 300,
      placed: 0,
    });
    expect(report(slow, planOf({})).failures).toEqual([
      'no frame was measured',
      'a long task of 80 ms',
      'too few heap samples after warm-up (0)',
      'bundle 300 KB > 250 KB',
      'no bet was admitted: nothing open on screen',
    ]);
  });
});
