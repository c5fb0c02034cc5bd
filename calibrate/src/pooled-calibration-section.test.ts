import type { CalibrationReport, GroupStats } from '@tap/calibration';
import { describe, expect, it } from 'vitest';
import type { CalibrateOptions } from './calibrate-command.js';
import { pooledCalibrationSection } from './pooled-calibration-section.js';
import type { PooledRun } from './seed-pooling.js';

const group = (label: string, hitRate: number, realisedEdge = 0.06): GroupStats => ({
  label,
  bets: 100_000,
  voids: 0,
  windows: 5_000,
  wins: hitRate * 100_000,
  hitRate,
  predicted: 0.5,
  hitSe: 0.004,
  z: (hitRate - 0.5) / 0.004,
  promisedEdge: 0.06,
  realisedEdge,
  edgeSe: 0.004,
});
const run = (seed: number, hitRate: number, hours = 36): PooledRun => ({
  file: `sim-seed${seed}.json`,
  options: { source: 'sim', seed, hours, noiseScale: 1, name: `sim-seed${seed}` } as CalibrateOptions,
  pricing: 'pricing-v2.4',
  report: {
    decisions: 1_000_000,
    houseEdge: 0.05,
    buckets: [group('P 0.50–0.55', hitRate)],
    distance: [group('0–1 bands', hitRate, 0.065)],
    demo: group('demo-like bettors', hitRate),
  } as CalibrationReport,
});
const settingOf = (o: CalibrateOptions) =>
  `pnpm --filter @tap/calibrate calibrate run --source sim --hours ${o.hours} --seed ${o.seed}${o.name ? ` --name ${o.name}` : ''}`;

describe('pooledCalibrationSection', () => {
  it('pools the seeds of one setting and judges them: 2.5 SE on each of three seeds fails pooled', () => {
    const text = pooledCalibrationSection(
      [run(1, 0.49), run(2, 0.49), run(3, 0.49), run(4, 0.3, 12)],
      settingOf,
    );
    const rows = text.filter((l) => l.startsWith('| --source sim'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('| --source sim --hours 36 · pricing-v2.4 | 1, 2, 3 | 3,000,000 |');
    expect(rows[0]).toContain(`${(-2.5 * Math.sqrt(3)).toFixed(2)} (P 0.50–0.55)`);
    expect(rows[0]).toContain('0.50 ± 0.23');
    expect(rows[0]).toContain('**FAIL** (buckets)');
    expect(rows[0]).toContain('| 0 of 3 (0.01) | 0 of 3 (');
    expect(text).toContain('### Pooled: --source sim --hours 36 · pricing-v2.4');
  });

  it('is empty without a setting run on two seeds', () => {
    expect(pooledCalibrationSection([run(1, 0.5), run(1, 0.5, 12)], settingOf)).toEqual([]);
  });
});
