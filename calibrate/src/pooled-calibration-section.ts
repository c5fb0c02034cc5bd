/**
 * CALIBRATION.md's judging over seeds (issue 14; docs/pricing.md "How the model is judged"): every
 * simulator setting run on at least two seeds, its P buckets and distance bands pooled over the
 * seeds (`poolReports`: counts added, SE = √Σ(nᵢ·SEᵢ)² / Σnᵢ) and judged by the single run's rule;
 * beside it, how many of the runs' own checks failed against what chance predicts, and the spread
 * of the runs' z across seeds.
 */
import { BUCKET_BETS_MIN, type GroupStats, type PooledCalibration, poolReports } from '@tap/calibration';
import type { CalibrateOptions } from './calibrate-command.js';
import { groupRow, groupTableHeader } from './group-row.js';
import { type PooledRun, type SeedSetting, settingsOverSeeds } from './seed-pooling.js';

type Judged = SeedSetting & { pooled: PooledCalibration };

const settingText = (key: string) => key.replace(/^pnpm --filter @tap\/calibrate calibrate run /, '');
const judgedBuckets = (p: PooledCalibration) => p.buckets.filter((g) => g.bets >= BUCKET_BETS_MIN);
const seedsText = (s: SeedSetting) =>
  s.runs
    .map((r) => r.options.seed)
    .sort((a, b) => a - b)
    .join(', ');
const edgeGap = (g: GroupStats) =>
  `${(100 * (g.realisedEdge - g.promisedEdge)).toFixed(2)} ± ${(100 * g.edgeSe).toFixed(2)}`;
const spread = (x: number | null) => (x === null ? '—' : x.toFixed(2));

/** A pooled setting's verdict: `pass`, or which checks failed. */
export function pooledVerdict(p: PooledCalibration): string {
  if (p.checks.pass) return 'pass';
  const failed = [
    p.checks.bucketsWithin3Se ? [] : ['buckets'],
    p.checks.edgeWithin1pp ? [] : ['edge ±1 pp'],
    p.checks.edgeAboveFloor ? [] : ['edge floor'],
  ].flat();
  return `**FAIL** (${failed.join(', ')})`;
}

function summaryRow(s: Judged): string {
  const p = s.pooled;
  const worst = judgedBuckets(p).reduce((m, g) => (Math.abs(g.z) > Math.abs(m.z) ? g : m));
  const t = p.singleRuns;
  return `| ${settingText(s.key)} | ${seedsText(s)} | ${p.decisions.toLocaleString('en-US')} | ${worst.z.toFixed(2)} (${worst.label}) | ${p.distance.map(edgeGap).join(' / ')} | ${pooledVerdict(p)} | ${t.bucketFails} of ${t.bucketTests} (${t.bucketFailsByChance.toFixed(2)}) | ${t.bandFails} of ${t.bandTests} (${t.bandFailsByChance.toFixed(2)}) | ${spread(p.zSpread.buckets)} / ${spread(p.zSpread.bands)} |`;
}

function detail(s: Judged): string[] {
  const p = s.pooled;
  return [
    `### Pooled: ${settingText(s.key)}`,
    '',
    `Seeds ${seedsText(s)} (${s.runs.map((r) => r.file.replace('.json', '')).join(', ')}): ${p.decisions.toLocaleString('en-US')} cell-decisions — ${pooledVerdict(p)}.`,
    '',
    ...pooledGroupTable(p),
    '',
  ];
}

/** A pooled setting's judged P buckets, distance bands and demo-like bettors, as a table. */
export function pooledGroupTable(p: PooledCalibration): string[] {
  return [...groupTableHeader('pooled group'), ...[...judgedBuckets(p), ...p.distance, p.demo].map(groupRow)];
}

/** The section: one summary row per setting run on ≥ 2 seeds, then each setting's pooled groups. */
export function pooledCalibrationSection(
  runs: readonly PooledRun[],
  settingOf: (o: CalibrateOptions) => string,
): string[] {
  const settings: Judged[] = settingsOverSeeds(runs, settingOf).map((s) => ({
    ...s,
    pooled: poolReports(s.runs.map((r) => r.report)),
  }));
  if (settings.length === 0) return [];
  return [
    '## Calibration judged over seeds (issue 14; docs/pricing.md "How the model is judged")',
    '',
    `Runs that differ only in \`--seed\` (and \`--name\`) on one model are one setting. Per P bucket and per distance band their counts are pooled (bets, wins, Σ P, Σ M·P, Σ M·won); the pooled difference's SE keeps each run's block-resampling error, SE = √Σ(nᵢ·SEᵢ)² / Σnᵢ (the seeds' paths are independent). The pooled setting is judged by the single run's rule: every bucket with ≥ ${BUCKET_BETS_MIN} bets within 3 SE, every band's realised edge within 1 pp of the promise and ≥ h − 1 %. "Single runs" counts the runs' own checks that failed against what chance predicts for an exact model with honest SEs (buckets: tests × 0.0027; bands: Σ P(|N(0, SEᵢ)| > 1 pp)). "SD of z" is the spread of the runs' z across seeds (≈ 1 when the SE is honest; 32 seeds × 24 h at ×1 gave 1.12).`,
    '',
    '| setting | seeds | cell-decisions | worst pooled bucket z | realised − promised edge, pp ± SE: 0–1 / 1–2 / 2–3 / 3–5 / ≥ 5 bands | pooled checks | single runs: buckets beyond 3 SE (chance) | single runs: bands failing (chance) | SD of z across seeds: buckets / bands |',
    '|---|---|---|---|---|---|---|---|---|',
    ...settings.map(summaryRow),
    '',
    ...settings.flatMap(detail),
  ];
}
