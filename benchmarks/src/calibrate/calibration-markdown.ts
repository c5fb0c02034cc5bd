/**
 * The calibration section of RESULTS.md (issue 14, 22), rendered from the reports `bench calibrate`
 * wrote to results/calibration/*.json: per run the command that reproduces it, the checks, the
 * distance bands (promised vs realised edge), the worst P bucket, the demo-like bettors, the
 * informed traders when measured, and the plot. `bench report` appends it, so regenerating the
 * file keeps it; `bench calibration-section` rewrites only this section.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CalibrationReport, GroupStats, StrategyStats } from '@tap/calibration';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import type { CalibrateOptions } from './calibrate-command.js';
import { type ComparedRun, renderInformedComparisonSvg } from './informed-comparison-svg.js';

const START = '<!-- calibration:start -->';
const END = '<!-- calibration:end -->';
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const SEES_TEXT = {
  truth: 'the true price',
  index: 'our next prints',
  venue: "the fastest venue's quote",
} as const;

function loadRuns(dir: string): Run[] {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  return files.map((f) => ({
    file: f,
    ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Run, 'file'>),
  }));
}

/** The comparison plot's runs: informed traders valued on the current pricing. */
function comparedRuns(runs: readonly Run[]): ComparedRun[] {
  return runs
    .filter((r) => r.pricing === DEFAULT_PRICING_CONFIG.configVersion && r.report.informed?.length)
    .map((r) => ({ name: r.file.replace('.json', ''), vol: r.options.vol ?? 0.6, report: r.report }));
}

const COMPARISON_SVG = 'informed-defenses.svg';

export function calibrationSection(dir: string): string {
  const runs = loadRuns(dir);
  const lines = [
    START,
    '## Calibration: fair prices on the prints that settle (`bench calibrate`, issue 14)',
    '',
    "Each run prices a dense grid (every placeable column × 21 bands, every 5 s of prints) with `quoteCell` exactly as ingest-api would, settles it with the resolver's `OpenBetIndex`, and checks: every P bucket with ≥ 500 bets within 3 standard errors (resampled by window), every distance band's realised house edge within 1 pp of the promised one (h plus the latency loading) and never below h − 1 %. Method and model: docs/pricing.md. Runs named `*-v2.4-*` price with the current model (pricing-v2.4); `*-v2.5-*` are a candidate not adopted (η averaged over 4 h instead of 30 min, the same price function; reproduced with `noiseHalfLifeMs: 14_400_000` and `configVersion: 'pricing-v2.5'` in DEFAULT_PRICING_CONFIG, docs/pricing.md \"η from 4-hour averages\"); the others are the history docs/pricing.md tells (pricing-v2 without a version in the name, v2.2, v2.3), kept as measured.",
    '',
    '| run | cell-decisions | windows | decisions / CPU-min | worst bucket z | edge within 1 pp | edge ≥ h − 1 % | checks |',
    '|---|---|---|---|---|---|---|---|',
    ...runs.map(({ file, report: r }) => {
      const worst = r.buckets
        .filter((b) => b.bets >= 500)
        .reduce((m, b) => (Math.abs(b.z) > Math.abs(m) ? b.z : m), 0);
      return `| ${file.replace('.json', '')} | ${r.decisions.toLocaleString('en-US')} | ${r.windows.toLocaleString('en-US')} | ${Math.round(r.decisionsPerCpuMinute).toLocaleString('en-US')} | ${worst.toFixed(2)} | ${r.checks.edgeWithin1pp ? 'yes' : 'no'} | ${r.checks.edgeAboveFloor ? 'yes' : 'no'} | ${r.checks.pass ? 'pass' : 'FAIL'} |`;
    }),
    '',
  ];
  lines.push(...informedSummary(runs));
  if (comparedRuns(runs).length > 0) {
    lines.push(
      `The informed traders on ${DEFAULT_PRICING_CONFIG.configVersion}, every run side by side (every-cell traders; the per-run plots below add the best-cell traders and the refused fills):`,
      '',
      `![informed traders, every defense on ${DEFAULT_PRICING_CONFIG.configVersion}](results/calibration/${COMPARISON_SVG})`,
      '',
    );
  }
  for (const run of runs)
    lines.push(...runSection(run.file.replace('.json', ''), run.options, run.report, dir));
  lines.push(END);
  return lines.join('\n');
}

function runSection(name: string, o: CalibrateOptions, r: CalibrationReport, dir: string): string[] {
  return [
    `### ${name}`,
    '',
    `\`${commandOf(o)}\` — ${r.hoursOfPrints.toFixed(1)} h of prints, ${r.decisions.toLocaleString('en-US')} cell-decisions, ${r.cpuS.toFixed(0)} s CPU.`,
    '',
    '| distance | bets | hit rate | predicted | z | promised edge | realised edge | ± SE | realised − promised |',
    '|---|---|---|---|---|---|---|---|---|',
    ...[...r.distance, r.demo].map(groupRow),
    '',
    `P buckets (≥ 500 bets): z from ${Math.min(...r.buckets.filter((b) => b.bets >= 500).map((b) => b.z)).toFixed(2)} to ${Math.max(...r.buckets.filter((b) => b.bets >= 500).map((b) => b.z)).toFixed(2)}.`,
    '',
    ...informedRows(r),
    ...fillLine(r),
    `![${name}](results/calibration/${name}.svg)`,
    '',
    ...(r.informed?.length && existsSync(join(dir, `${name}-informed.svg`))
      ? [`![${name}: informed traders](results/calibration/${name}-informed.svg)`, '']
      : []),
  ];
}

/** `pricing`: the config version the run priced with (absent in reports written before it was recorded). */
type Run = { file: string; options: CalibrateOptions; pricing?: string; report: CalibrationReport };

/**
 * Issue 22 at a glance: every run that valued informed traders, one row — which S and which fill
 * print priced the bets, what honest bettors got, and each informed trader 150 ms ahead.
 */
function informedSummary(runs: readonly Run[]): string[] {
  const measured = runs.filter((r) => r.report.informed?.length);
  if (measured.length === 0) return [];
  const at = (r: Run, strategy: string, sees: string | null, leadMs: number | null) => {
    // The first reports (before `sees`) valued the true-price trader only.
    const seesOf = (x: StrategyStats) => x.sees ?? (x.strategy.startsWith('random') ? null : 'truth');
    const s = r.report.informed!.find(
      (x) => x.strategy === strategy && seesOf(x) === sees && x.leadMs === leadMs,
    );
    if (!s) return '—';
    return s.bets === 0 ? 'no bet' : `${(100 * s.meanReturn).toFixed(1)} ± ${(100 * s.returnSe).toFixed(1)}`;
  };
  const pair = (r: Run, sees: string) =>
    `${at(r, 'all_positive', sees, 150)} / ${at(r, 'best_cell', sees, 150)}`;
  const fillOf = (o: CalibrateOptions) =>
    o.fillDelay === 'adaptive'
      ? 'adaptive'
      : (o.fillPrints ?? ((o as { entry?: string }).entry === 'next_print' ? 1 : 0));
  const wait = (r: Run) => (r.report.fill ? `${r.report.fill.waitMsP50} / ${r.report.fill.waitMsP99}` : '—');
  const refused = (r: Run, sees: string) => {
    const s = r.report.informed!.find(
      (x) => x.strategy === 'all_positive' && x.sees === sees && x.leadMs === 150,
    );
    return s?.sent ? `${((100 * (s.refusedFills ?? 0)) / s.sent).toFixed(0)} %` : '—';
  };
  return [
    '### Informed traders 150 ms ahead, every run (issue 22; % return per unit stake ± SE, every cell / best cell)',
    '',
    '| run | pricing | σ %/yr | S | fill print after receipt | receipt → fill ms p50 / p99 | random | random near | sees the true price | sees the fastest venue | sees our next prints | refused fills, true price / venue (every cell) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...measured.map(
      (r) =>
        `| ${r.file.replace('.json', '')} | ${r.pricing ?? 'not recorded'} | ${Math.round(100 * (r.options.vol ?? 0.6))} | ${r.options.index ?? 'print'} | ${fillOf(r.options) || 'receipt'} | ${wait(r)} | ${at(r, 'random', null, null)} | ${at(r, 'random_near', null, null)} | ${pair(r, 'truth')} | ${pair(r, 'venue')} | ${pair(r, 'index')} | ${refused(r, 'truth')} / ${refused(r, 'venue')} |`,
    ),
    '',
  ];
}

function groupRow(g: GroupStats): string {
  return `| ${g.label} | ${g.bets.toLocaleString('en-US')} | ${g.hitRate.toFixed(4)} | ${g.predicted.toFixed(4)} | ${g.z.toFixed(2)} | ${pct(g.promisedEdge)} | ${pct(g.realisedEdge)} | ${pct(g.edgeSe)} | ${((g.realisedEdge - g.promisedEdge) * 100).toFixed(2)} pp |`;
}

function informedRows(r: CalibrationReport): string[] {
  if (!r.informed) return [];
  return [
    '| trader | what it sees, when | bets | decisions with a bet | trader return per unit stake | ± SE | house P&L per 1,000 staked | refused fills |',
    '|---|---|---|---|---|---|---|---|',
    ...r.informed.map(
      (s) =>
        `| ${s.strategy.replace('_', ' ')}${s.sees ? ` (sees ${SEES_TEXT[s.sees]})` : ''} | ${s.leadMs === null ? '—' : `${s.leadMs} ms after our print`} | ${s.bets.toLocaleString('en-US')} | ${s.decisionsWithBet.toLocaleString('en-US')} | ${pct(s.meanReturn)} | ${pct(s.returnSe)} | ${s.housePnlPer1000.toFixed(0)} | ${refusedText(s)} |`,
    ),
    '',
  ];
}

/** Of the bets sent, refused by the trader's minimum at the fill (honest bettors: by a 5 % tolerance). */
function refusedText(s: StrategyStats): string {
  if (!s.sent) return '—';
  const share = `${((100 * (s.refusedFills ?? 0)) / s.sent).toFixed(1)} %`;
  return s.sees === null ? `${share} at a 5 % tolerance` : share;
}

function fillLine(r: CalibrationReport): string[] {
  const f = r.fill;
  if (!f) return [];
  return [
    `Receipt → fill print over ${f.decisionTimes.toLocaleString('en-US')} decision times: p50 ${f.waitMsP50} ms, p99 ${f.waitMsP99} ms, mean ${f.waitMsMean.toFixed(0)} ms; the fill's print after receipt p50 ${f.printsP50}, p99 ${f.printsP99}, at most ${f.printsMax}.`,
    '',
  ];
}

function commandOf(o: CalibrateOptions): string {
  const parts = ['pnpm --filter @tap/benchmarks bench calibrate', `--source ${o.source}`];
  if (o.source === 'sim') {
    parts.push(`--noise-scale ${o.noiseScale}`, `--hours ${o.hours}`, `--seed ${o.seed}`);
    if (o.vol !== 0.6) parts.push(`--vol ${o.vol}`);
  } else parts.push(`--path ${o.path}`);
  parts.push(`--every-ms ${o.everyMs}`);
  if (o.warmupS !== 3600) parts.push(`--warmup-s ${o.warmupS}`);
  if (o.informedLeadsMs?.length) parts.push(`--informed ${o.informedLeadsMs.join(',')}`);
  if (o.index && o.index !== 'print') parts.push(`--index ${o.index}`);
  // Reports written before --fill-prints said `entry: 'next_print'` (one print after receipt).
  const legacyEntry = (o as { entry?: string }).entry === 'next_print' ? 1 : 0;
  const fillPrints = o.fillPrints ?? legacyEntry;
  if (o.fillDelay === 'adaptive') {
    parts.push('--fill-delay adaptive');
    if (o.delayLeadMs !== undefined) parts.push(`--delay-lead-ms ${o.delayLeadMs}`);
    if (o.delayErrorFactor !== undefined) parts.push(`--delay-error-factor ${o.delayErrorFactor}`);
    if (o.delayPrintsMin !== undefined) parts.push(`--delay-prints-min ${o.delayPrintsMin}`);
    if (o.delayPrintsMax !== undefined) parts.push(`--delay-prints-max ${o.delayPrintsMax}`);
  } else if (fillPrints) parts.push(`--fill-prints ${fillPrints}`);
  if (o.sees) parts.push(`--sees ${o.sees.join(',')}`);
  if (o.name) parts.push(`--name ${o.name}`);
  return parts.join(' ');
}

/** Replaces the calibration section of `markdownPath` (or appends it), leaving the rest as it is. */
export function writeCalibrationSection(markdownPath: string, dir: string): void {
  const compared = comparedRuns(loadRuns(dir));
  if (compared.length > 0) {
    const title = `Informed traders on ${DEFAULT_PRICING_CONFIG.configVersion}: every defense measured`;
    writeFileSync(join(dir, COMPARISON_SVG), renderInformedComparisonSvg(compared, title));
  }
  const current = existsSync(markdownPath) ? readFileSync(markdownPath, 'utf8') : '';
  const section = calibrationSection(dir);
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${section}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(markdownPath, next);
}
