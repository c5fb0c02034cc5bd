import type { CalibrationReport, StrategyStats } from '@tap/calibration';
import { describe, expect, it } from 'vitest';
import type { CalibrateOptions } from './calibrate-command.js';
import { type PooledRun, pooledSection, poolSeeds } from './seed-pooling.js';

const trader = (meanReturn: number, returnSe: number, bets = 100): StrategyStats =>
  ({ strategy: 'all_positive', sees: 'truth', leadMs: 150, bets, meanReturn, returnSe }) as StrategyStats;
const run = (file: string, options: Partial<CalibrateOptions>, informed: StrategyStats[]): PooledRun => ({
  file: `${file}.json`,
  options: { source: 'sim', hours: 12, ...options } as CalibrateOptions,
  pricing: 'pricing-v2.4',
  report: { informed } as CalibrationReport,
});
const settingOf = (o: CalibrateOptions) =>
  `run --hours ${o.hours} --seed ${o.seed}${o.name ? ` --name ${o.name}` : ''}`;

describe('poolSeeds', () => {
  it('pools runs that differ only in seed and name: mean of the seeds, SE = √(Σ SE²) / n', () => {
    const settings = poolSeeds(
      [
        run('a', { seed: 1, name: 'a' }, [trader(-0.1, 0.03)]),
        run('b', { seed: 2, name: 'b' }, [trader(0.02, 0.04)]),
        run('other-hours', { seed: 3, hours: 6 }, [trader(0.5, 0.01)]),
      ],
      settingOf,
    );
    expect(settings).toHaveLength(1);
    expect(settings[0]!.seeds).toEqual([1, 2]);
    expect(settings[0]!.strategies[0]!.meanReturn).toBeCloseTo(-0.04, 12);
    expect(settings[0]!.strategies[0]!.returnSe).toBeCloseTo(0.025, 12);
    expect(pooledSection(settings).join('\n')).toContain('-4.0 ± 2.5');
  });

  it('leaves out a setting run on one seed and a trader missing from, or silent in, any run', () => {
    expect(
      poolSeeds(
        [run('a', { seed: 1 }, [trader(0.1, 0.01)]), run('b', { seed: 1 }, [trader(0.2, 0.01)])],
        settingOf,
      ),
    ).toEqual([]);
    const [setting] = poolSeeds(
      [run('a', { seed: 1 }, [trader(0.1, 0.01)]), run('b', { seed: 2 }, [trader(0.2, 0.01, 0)])],
      settingOf,
    );
    expect(setting!.strategies).toEqual([]);
  });
});
