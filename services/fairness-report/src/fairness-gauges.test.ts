import type { CalibrationReport, GroupStats } from '@tap/calibration';
import { describe, expect, it } from 'vitest';
import { fairnessGauges } from './fairness-gauges.js';

const group = (overrides: Partial<GroupStats>): GroupStats => ({
  label: 'g',
  bets: 1_000,
  voids: 0,
  windows: 10,
  wins: 100,
  hitRate: 0.1,
  predicted: 0.1,
  hitSe: 0.01,
  z: 0,
  promisedEdge: 0.06,
  realisedEdge: 0.06,
  edgeSe: 0.01,
  ...overrides,
});

const report = (overrides: Partial<CalibrationReport>): CalibrationReport =>
  ({
    decisions: 5_000,
    hoursOfPrints: 24,
    buckets: [],
    distance: [],
    checks: { bucketsWithin3Se: true, edgeWithin1pp: true, edgeAboveFloor: true, pass: true },
    ...overrides,
  }) as CalibrationReport;

describe('fairnessGauges', () => {
  it('gives the verdict, the edge gap per band and the worst judged bucket', () => {
    const gauges = fairnessGauges(
      report({
        checks: { bucketsWithin3Se: false, edgeWithin1pp: true, edgeAboveFloor: true, pass: false },
        buckets: [group({ z: -3.6 }), group({ z: 9, bets: 10 }), group({ z: 1.2 })],
        distance: [
          group({ label: '0-1', realisedEdge: 0.0713, promisedEdge: 0.06 }),
          group({ label: '5+', bets: 0 }),
        ],
      }),
    );
    expect(gauges.passed).toBe(0);
    expect(gauges.bucketZMaxAbs).toBeCloseTo(3.6);
    expect([...gauges.edgeGapByBand]).toEqual([['0-1', expect.closeTo(0.0113, 6)]]);
    expect(gauges.decisions).toBe(5_000);
  });

  it('passes a report whose checks all held', () => {
    expect(fairnessGauges(report({})).passed).toBe(1);
  });
});
