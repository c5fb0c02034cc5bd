/**
 * `calibrate run`: one calibration run (issue 14) from a print source, its report as JSON and an
 * SVG plot under calibrate/results/, a summary table on stdout; exit status 1 when a check fails.
 *
 *   calibrate run --source sim [--noise-scale 1] [--hours 3] [--seed 1] [--vol 0.6]
 *   calibrate run --source file --path prints.jsonl
 *   calibrate run --source segment --path /var/lib/tap/segments/2026-W49.db
 *   calibrate run --source sim --hours 168 --record-segment week.db   (a stored week to replay)
 *   calibrate run --source sim --informed 0,150,500 [--sees truth,venue] [--index filtered] [--fill-prints 1]
 *   calibrate run --source sim --informed 50,150 --index filtered --fill-delay adaptive [--delay-error-factor 2.5] [--quote receipt]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildReport,
  type CalibrationReport,
  type GroupStats,
  runCalibration,
  withFilteredIndex,
} from '@tap/calibration';
import type { PrintEntry } from '@tap/domain';
import {
  ADAPTIVE_FILL_DELAY_DEFAULTS,
  type AdaptiveFillDelayRule,
  adaptiveFillDelay,
  DEFAULT_PRICING_CONFIG,
  fillDelayRuleProblems,
} from '@tap/pricing';
import { renderCalibrationSvg } from './calibration-svg.js';
import { renderInformedSvg } from './informed-svg.js';
import { InformedValues, type Sees } from './informed-traders.js';
import {
  fileOfPrints,
  printIndexAt,
  printsToJsonl,
  segmentPrints,
  simulatedPrints,
  writeSegmentPrints,
} from './print-sources.js';

/** This package's folder (calibrate/): its results/ and CALIBRATION.md. */
export const CALIBRATE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CALIBRATE_RESULTS_DIR = join(CALIBRATE_ROOT, 'results');

export interface CalibrateOptions {
  source: 'sim' | 'file' | 'segment';
  path?: string;
  name?: string;
  seed: number;
  hours: number;
  noiseScale: number;
  vol: number;
  outageMeanMs: number;
  everyMs: number;
  bands: number;
  warmupS: number;
  recordPrints?: string;
  /** Also store the prints as a new segment's `index_prints` (the batcher's rows), for `--source segment`. */
  recordSegment?: string;
  /** [sim] informed traders L ms ahead (issue 22), e.g. [50, 100, 150, 250, 500]. */
  informedLeadsMs?: number[];
  /** Which `S` prices (issue 22): the print itself (default) or the filtered index. */
  index?: 'print' | 'filtered';
  /** Which print prices a bet (issue 22): 0, in effect at receipt (default); k, the k-th after receipt. */
  fillPrints?: number;
  /**
   * `fixed`: every bet filled at `fillPrints`; `adaptive`: each at the print `adaptiveFillDelay`
   * gives (ingest-api's BET_ENTRY_DELAY=adaptive) with the `delay*` rule below. Default fixed.
   */
  fillDelay?: 'fixed' | 'adaptive';
  /** The adaptive rule (defaults: `ADAPTIVE_FILL_DELAY_DEFAULTS`, as ingest-api's). */
  delayLeadMs?: number;
  delayErrorFactor?: number;
  delayPrintsMin?: number;
  delayPrintsMax?: number;
  /**
   * Under a fill delay, what the trader is shown (its break-even and the honest bettors' refused
   * share are measured against it): `expected_fill` as ingest-api and the web quote (the CLI's
   * default), `receipt` the print's own quote (every run before "quote at the expected fill").
   */
  quote?: 'receipt' | 'expected_fill';
  /** [sim] which informed traders (default truth and venue; `index` is the latency arbitrageur). */
  sees?: Sees[];
  /** Where the JSON and SVG go; default calibrate/results. */
  outDir?: string;
}

export function calibrate(options: CalibrateOptions): CalibrationReport {
  const loaded = loadPrints(options);
  const { trueLogCentsAt, venueAt } = loaded;
  const prints = options.index === 'filtered' ? withFilteredIndex(loaded.prints) : loaded.prints;
  if (trueLogCentsAt) process.stdout.write(`${indexErrorText(prints, trueLogCentsAt)}\n`);
  if (options.recordPrints) writeFileSync(options.recordPrints, printsToJsonl(prints));
  if (options.recordSegment) writeSegmentPrints(options.recordSegment, loaded.prints);
  const spanMs = (prints.at(-1)?.t ?? 0) - (prints[0]?.t ?? 0);
  const leadsMs = options.informedLeadsMs ?? [];
  if (leadsMs.length > 0 && !trueLogCentsAt)
    throw new Error('informed traders need --source sim (the true price)');
  const sees = options.sees ?? ['truth', 'venue'];
  const informed =
    leadsMs.length > 0 && trueLogCentsAt && venueAt
      ? new InformedValues(
          {
            leadsMs,
            trueLogCentsAt,
            venueAt,
            printAt: printAtOf(prints),
            sees,
          },
          DEFAULT_PRICING_CONFIG,
        )
      : undefined;
  const run = runCalibration(prints, {
    decisionEveryMs: options.everyMs,
    bandsEachSide: options.bands,
    warmupMs: Math.min(options.warmupS * 1000, spanMs / 2),
    fillPrints: options.fillPrints ?? 0,
    ...(options.fillDelay === 'adaptive'
      ? { fillDelayOf: adaptiveFillDelayOf(fillDelayRuleOf(options)) }
      : {}),
    ...(informed ? { informed } : {}),
    ...(options.quote ? { quote: options.quote } : {}),
  });
  const report = buildReport(run, DEFAULT_PRICING_CONFIG.houseEdge, informed);
  const name = options.name ?? defaultName(options);
  const dir = options.outDir ?? CALIBRATE_RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const pricing = DEFAULT_PRICING_CONFIG.configVersion;
  // The adaptive rule as it ran (defaults filled in): the report's command reproduces it even after a default changes.
  const recorded =
    options.fillDelay === 'adaptive' ? { ...options, ...delayOptionsOf(fillDelayRuleOf(options)) } : options;
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ options: recorded, pricing, report }, null, 2)}\n`,
  );
  writeFileSync(join(dir, `${name}.svg`), renderCalibrationSvg(report, `Calibration: ${name}`));
  if (report.informed?.length) {
    writeFileSync(join(dir, `${name}-informed.svg`), renderInformedSvg(report, `Informed traders: ${name}`));
  }
  process.stdout.write(`${summaryText(name, report)}\n`);
  return report;
}

/** The adaptive rule of a run: its options over ingest-api's defaults. */
export function fillDelayRuleOf(o: CalibrateOptions): AdaptiveFillDelayRule {
  const rule = {
    leadMs: o.delayLeadMs ?? ADAPTIVE_FILL_DELAY_DEFAULTS.leadMs,
    errorFactor: o.delayErrorFactor ?? ADAPTIVE_FILL_DELAY_DEFAULTS.errorFactor,
    printsMin: o.delayPrintsMin ?? ADAPTIVE_FILL_DELAY_DEFAULTS.printsMin,
    printsMax: o.delayPrintsMax ?? ADAPTIVE_FILL_DELAY_DEFAULTS.printsMax,
  };
  const problems = fillDelayRuleProblems(rule);
  if (problems.length > 0) throw new Error(`adaptive fill delay: ${problems.join('; ')}`);
  return rule;
}

function delayOptionsOf(rule: AdaptiveFillDelayRule) {
  return {
    delayLeadMs: rule.leadMs,
    delayErrorFactor: rule.errorFactor,
    delayPrintsMin: rule.printsMin,
    delayPrintsMax: rule.printsMax,
  };
}

/** The same function ingest-api calls at admission, on the print in effect at receipt. */
function adaptiveFillDelayOf(rule: AdaptiveFillDelayRule) {
  return (print: PrintEntry, nowMs: number) =>
    adaptiveFillDelay(print, nowMs, rule, DEFAULT_PRICING_CONFIG.printIntervalMs).prints;
}

function loadPrints(options: CalibrateOptions): {
  prints: PrintEntry[];
  trueLogCentsAt?: (tMs: number) => number;
  venueAt?: (tMs: number) => { logCents: number; t: number; noise: number };
} {
  if (options.source === 'sim') {
    return simulatedPrints({
      seed: options.seed,
      durationS: Math.round(options.hours * 3600),
      noiseScale: options.noiseScale,
      volAnnual: options.vol,
      outageMeanIntervalMs: options.outageMeanMs,
    });
  }
  if (!options.path) throw new Error(`--source ${options.source} needs --path`);
  return { prints: options.source === 'file' ? fileOfPrints(options.path) : segmentPrints(options.path) };
}

/**
 * How far `S` sits from the simulator's true price at the print's time, root mean square in bp, for
 * the print and (when present) the filtered index, next to the error the model assumes (η, or the
 * filter's √v): the filter is worth what it removes, and the price is right only if its assumed
 * error is the real one.
 */
function indexErrorText(prints: readonly PrintEntry[], trueLogCentsAt: (tMs: number) => number): string {
  const sums = { print: 0, filtered: 0, noise: 0, filteredNoise: 0, n: 0 };
  for (const p of prints.slice(Math.floor(prints.length / 4))) {
    const truth = trueLogCentsAt(p.t);
    sums.print += (Math.log(p.priceCents) - truth) ** 2;
    sums.noise += (p.noise ?? 0) ** 2;
    if (p.filteredCents !== undefined) sums.filtered += (Math.log(p.filteredCents) - truth) ** 2;
    sums.filteredNoise += (p.filteredNoise ?? 0) ** 2;
    sums.n += 1;
  }
  const bp = (x: number) => (1e4 * Math.sqrt(x / Math.max(1, sums.n))).toFixed(3);
  return `S − true price (rms, last 3/4 of the prints): print ${bp(sums.print)} bp (η says ${bp(sums.noise)}), filtered ${bp(sums.filtered)} bp (filter says ${bp(sums.filteredNoise)})`;
}

/** The print in effect at a time: the last with t ≤ tMs (the first before any). */
function printAtOf(prints: readonly PrintEntry[]): (tMs: number) => PrintEntry {
  return (tMs) => prints[printIndexAt(prints, tMs)]!;
}

function defaultName(o: CalibrateOptions): string {
  return o.source === 'sim' ? `sim-noise${o.noiseScale}-vol${o.vol}-seed${o.seed}` : o.source;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

function row(g: GroupStats): string {
  return [
    g.label.padEnd(16),
    String(g.bets).padStart(9),
    String(g.windows).padStart(6),
    g.hitRate.toFixed(4).padStart(8),
    g.predicted.toFixed(4).padStart(8),
    g.hitSe.toFixed(4).padStart(7),
    g.z.toFixed(2).padStart(6),
    pct(g.promisedEdge).padStart(9),
    pct(g.realisedEdge).padStart(9),
    pct(g.edgeSe).padStart(8),
  ].join(' ');
}

export function summaryText(name: string, r: CalibrationReport): string {
  const header = `${'group'.padEnd(16)} ${'bets'.padStart(9)} ${'windows'.padStart(6)} ${'hit'.padStart(8)} ${'pred'.padStart(8)} ${'SE'.padStart(7)} ${'z'.padStart(6)} ${'promised'.padStart(9)} ${'realised'.padStart(9)} ${'edge SE'.padStart(8)}`;
  return [
    `calibrate ${name}: ${r.decisions.toLocaleString('en-US')} cell-decisions (${r.quotes.toLocaleString('en-US')} quotes) at ${r.decisionTimes} decision times, ${r.windows} windows, ${r.hoursOfPrints.toFixed(2)} h of prints; ${r.cpuS.toFixed(1)} s CPU = ${Math.round(r.decisionsPerCpuMinute).toLocaleString('en-US')} decisions/CPU-min`,
    header,
    ...r.buckets.map(row),
    '',
    ...r.distance.map(row),
    '',
    ...r.horizon.map(row),
    '',
    row(r.demo),
    ...(r.informed ?? []).map(
      (s) =>
        `${s.strategy.padEnd(13)} ${(s.sees ?? '').padEnd(5)} ${s.leadMs === null ? '     ' : `${String(s.leadMs).padStart(3)} ms`} bets ${String(s.bets).padStart(9)} return ${pct(s.meanReturn).padStart(9)} ± ${pct(s.returnSe)} refused ${s.sent ? pct((s.refusedFills ?? 0) / s.sent) : '—'}`,
    ),
    ...(r.fill
      ? [
          `fill: receipt → fill print p50 ${r.fill.waitMsP50} ms, p99 ${r.fill.waitMsP99} ms (mean ${r.fill.waitMsMean.toFixed(0)}); prints p50 ${r.fill.printsP50}, p99 ${r.fill.printsP99}, max ${r.fill.printsMax}`,
        ]
      : []),
    `checks: buckets within 3 SE ${r.checks.bucketsWithin3Se}, edge within 1 pp ${r.checks.edgeWithin1pp}, edge ≥ h − 1 % ${r.checks.edgeAboveFloor} → ${r.checks.pass ? 'PASS' : 'FAIL'}`,
  ].join('\n');
}
