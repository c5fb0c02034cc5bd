import { describe, expect, it } from 'vitest';
import { type Measured, planOf, report } from './web-client.js';

function measured(overrides: Partial<Measured> = {}): Measured {
  return {
    stats: {
      frames: Array.from({ length: 100 }, (_, i) => (i < 95 ? 16.7 : 33.4)),
      work: Array.from({ length: 100 }, (_, i) => 2 + (i % 10) / 10),
      longTasks: [12],
      heap: [10 * 1_048_576, 11 * 1_048_576],
    },
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
  it('measures ten minutes, one with --quick', () => {
    expect(planOf({}).measureMs).toBe(600_000);
    expect(planOf({ quick: true }).measureMs).toBe(60_000);
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
    });
    expect(outcome.tables[0]!.rows).toHaveLength(11);
    expect(outcome.notes[0]).toContain('40 bets admitted');
  });

  it('fails on each target missed, and when nothing was measured or placed', () => {
    const slow = measured({
      stats: { frames: [], work: [], longTasks: [80], heap: [] },
      bundleKb: 300,
      placed: 0,
    });
    expect(report(slow, planOf({})).failures).toEqual([
      'no frame was measured',
      'a long task of 80 ms',
      'bundle 300 KB > 250 KB',
      'no bet was admitted: nothing open on screen',
    ]);
  });
});
