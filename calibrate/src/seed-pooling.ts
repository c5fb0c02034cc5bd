/**
 * Runs that differ only in `--seed` (and `--name`) on one model are one setting, judged over all
 * the seeds it was run on (`settingsOverSeeds`; the calibration's pooled judging,
 * pooled-calibration-section.ts, groups the same way). Issue 22 asks that an informed trader 150 ms
 * ahead earn ≤ 0 *on average*. One 12-hour run's return carries a standard error of 3–10 % and two
 * seeds of one setting have differed by 10 %, so its return per trader is the mean of the seeds'
 * returns with SE = √(Σ SEᵢ²) / n (the seeds' paths are independent; each seed weighs the same, as
 * each is one equally long path).
 */
import type { CalibrationReport, StrategyStats } from '@tap/calibration';
import type { CalibrateOptions } from './calibrate-command.js';

export type PooledRun = {
  file: string;
  options: CalibrateOptions;
  pricing?: string;
  report: CalibrationReport;
};

export interface PooledStrategy {
  strategy: StrategyStats['strategy'];
  sees: StrategyStats['sees'];
  leadMs: number | null;
  meanReturn: number;
  returnSe: number;
}

export interface PooledSetting {
  /** What the runs share: the command without seed and name, and the model. */
  key: string;
  runs: string[];
  seeds: number[];
  strategies: PooledStrategy[];
}

const strategyKey = (s: { strategy: string; sees: string | null; leadMs: number | null }) =>
  `${s.strategy}|${s.sees}|${s.leadMs}`;

/** Runs of one setting: the same command but for the seed, on the same model. */
export interface SeedSetting {
  /** The command without seed and name, and the model. */
  key: string;
  runs: PooledRun[];
}

/**
 * The simulator's runs grouped into settings run on at least two seeds: runs whose command differs
 * only in `--seed` and `--name` (and the informed traders' leads, which value cells without
 * changing the grid) and which priced with the same model.
 */
export function settingsOverSeeds(
  runs: readonly PooledRun[],
  settingOf: (o: CalibrateOptions) => string,
): SeedSetting[] {
  const groups = new Map<string, PooledRun[]>();
  for (const run of runs) {
    if (run.options.source !== 'sim') continue;
    const command = settingOf({ ...run.options, seed: 0, name: undefined, informedLeadsMs: [] });
    const key = `${command.replace(' --seed 0', '')} · ${run.pricing ?? 'model not recorded'}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups]
    .filter(([, group]) => new Set(group.map((r) => r.options.seed)).size >= 2)
    .map(([key, group]) => ({ key, runs: group }));
}

const seedsOf = (group: readonly PooledRun[]) => group.map((r) => r.options.seed ?? 0).sort((a, b) => a - b);

/** Settings run on at least two seeds, each trader pooled over the seeds that valued it in all runs. */
export function poolSeeds(
  runs: readonly PooledRun[],
  settingOf: (o: CalibrateOptions) => string,
): PooledSetting[] {
  const valued = runs.filter((r) => r.report.informed?.length);
  const settings: PooledSetting[] = [];
  for (const { key, runs: group } of settingsOverSeeds(valued, settingOf)) {
    const first = group[0]!.report.informed!;
    const strategies = first.flatMap((s): PooledStrategy[] => {
      const all = group.map((r) => r.report.informed!.find((x) => strategyKey(x) === strategyKey(s)));
      if (all.some((x) => x === undefined || x.bets === 0)) return [];
      const found = all as StrategyStats[];
      const n = found.length;
      return [
        {
          strategy: s.strategy,
          sees: s.sees,
          leadMs: s.leadMs,
          meanReturn: found.reduce((sum, x) => sum + x.meanReturn, 0) / n,
          returnSe: Math.sqrt(found.reduce((sum, x) => sum + x.returnSe ** 2, 0)) / n,
        },
      ];
    });
    settings.push({
      key,
      runs: group.map((r) => r.file.replace('.json', '')),
      seeds: seedsOf(group),
      strategies,
    });
  }
  return settings;
}

const cell = (s: PooledSetting, strategy: string, sees: string | null, leadMs: number | null) => {
  const found = s.strategies.find((x) => strategyKey(x) === strategyKey({ strategy, sees, leadMs }));
  return found ? `${(100 * found.meanReturn).toFixed(1)} ± ${(100 * found.returnSe).toFixed(1)}` : '—';
};

/** The CALIBRATION.md section: one row per setting run on ≥ 2 seeds. */
export function pooledSection(settings: readonly PooledSetting[]): string[] {
  if (settings.length === 0) return [];
  const leads = [50, 150, 250, 500];
  return [
    '## Informed traders pooled over seeds (issue 22; % return per unit stake ± SE, every cell / best cell)',
    '',
    'Runs that differ only in `--seed` (and `--name`) are one setting; each trader is the mean over the seeds with SE = √(Σ SEᵢ²) / n. The trader sees the true price L ms ahead of our print.',
    '',
    `| setting | seeds | random near | ${leads.map((l) => `${l} ms ahead`).join(' | ')} |`,
    `|---|---|---|${leads.map(() => '---').join('|')}|`,
    ...settings.map(
      (s) =>
        `| ${s.key.replace(/^pnpm --filter @tap\/calibrate calibrate run /, '')} | ${s.seeds.join(', ')} | ${cell(s, 'random_near', null, null)} | ${leads
          .map((l) => `${cell(s, 'all_positive', 'truth', l)} / ${cell(s, 'best_cell', 'truth', l)}`)
          .join(' | ')} |`,
    ),
    '',
  ];
}
