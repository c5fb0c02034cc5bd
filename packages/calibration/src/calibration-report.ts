/**
 * Aggregates a calibration run (issue 14, SPEC §3 "Calibrated on what settles"): per bucket of
 * predicted P, per distance band (|band centre − S| in bands) and per horizon band (τ1), the unit
 * bets, realised hit rate, predicted mean, and the house edge realised (1 − payouts / stakes) and
 * promised (1 − Σ M·P / stakes: h plus the latency loading, by the model's own P). Voids are
 * refunded and counted apart.
 *
 * Standard errors come from resampling 2-minute blocks of windows (by t0; bootstrap, 200 resamples,
 * seeded): the cells of one window share one path, and so do neighbouring windows — the price sits
 * near a band for many seconds and one decision quotes windows up to a minute ahead — so their
 * outcomes are strongly correlated and a binomial error would be far too small. Resampling single
 * windows was not enough: on a clean random walk priced with its true σ (12 seeds × 4 h), the
 * per-window z-scores had a spread of 2.5 instead of 1 (−4.7 … +2.1 where the model is exact);
 * with 60 s or 300 s blocks the spread was 1.2, so the correlation ends within a minute.
 * On the real pricing path too (σ̂ and η̂ estimated on every print, whose 30-minute errors might
 * have needed longer blocks; 32 simulator seeds × 24 h at noise ×1, se-spread-check.ts): the same
 * run's SE is the same within 2 % with blocks of 2, 10, 30, 60 or 120 minutes, and the z spread
 * across seeds is 1.12 pooled (1.24 in P 0.20–0.65, most of it seeds 2 and 7; 12 other seeds ×
 * 48 h: 1.15) at 2 minutes and no smaller with longer blocks, which only leave fewer blocks and a
 * noisier SE (docs/pricing.md "Is the standard error honest?"). So the block stays 2 minutes.
 *
 * The checks: every P bucket with ≥ `bucketBetsMin` bets has its realised rate within 3 standard
 * errors of the prediction; in every distance band the realised edge is within 1 percentage point
 * of the promised one and never below h − 1 %.
 */
import { bootstrapRatioSe } from './bootstrap.js';
import { type Decisions, OUTCOME_VOID, OUTCOME_WON, type RunResult } from './calibration-run.js';
import type { CellValuer, StrategyStats } from './cell-valuer.js';

/** The bootstrap's unit: windows whose t0 falls in the same 2-minute block are resampled together. */
export const RESAMPLE_BLOCK_MS = 120_000;
/** Both standard errors resample the same blocks (one seed), as they always have. */
const BOOTSTRAP_SEED = 14;
const BUCKET_WIDTH = 0.05;
export const BUCKET_BETS_MIN = 500;
/** A bucket's realised rate may sit this many standard errors from its prediction. */
export const BUCKET_Z_MAX = 3;
/** A band's realised edge may sit this far from the promised one, and this far below h at most. */
export const EDGE_TOLERANCE = 0.01;
export const DISTANCE_BANDS: readonly [number, number][] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 5],
  [5, Number.POSITIVE_INFINITY],
];
export const HORIZON_BANDS_MS: readonly [number, number][] = [
  [2_000, 5_000],
  [5_000, 15_000],
  [15_000, 30_000],
  [30_000, 60_000],
];

export interface GroupStats {
  label: string;
  bets: number;
  voids: number;
  windows: number;
  wins: number;
  hitRate: number;
  predicted: number;
  /** Standard error of (hit rate − predicted), by resampling blocks of windows. */
  hitSe: number;
  /** (hit rate − predicted) / hitSe. */
  z: number;
  promisedEdge: number;
  realisedEdge: number;
  /** Standard error of (realised − promised edge). */
  edgeSe: number;
}

export interface CalibrationReport {
  decisions: number;
  quotes: number;
  decisionTimes: number;
  windows: number;
  hoursOfPrints: number;
  cpuS: number;
  decisionsPerCpuMinute: number;
  houseEdge: number;
  buckets: GroupStats[];
  distance: GroupStats[];
  horizon: GroupStats[];
  /** Bettors like the demo traders: cells within 6 bands of the index, multipliers 1.4–5.2×. */
  demo: GroupStats;
  /** Informed and random traders (issue 22), when the run valued cells for them. */
  informed?: StrategyStats[];
  /**
   * Under a fill delay (issue 22): from receipt to the print that filled, over the decision times —
   * the wait a bet's `accepted` cannot come before (the batcher adds its own few ms) — and the
   * print counts (1 = the next print).
   */
  fill?: FillDelayStats;
  checks: CalibrationChecks;
}

export interface CalibrationChecks {
  bucketsWithin3Se: boolean;
  edgeWithin1pp: boolean;
  edgeAboveFloor: boolean;
  pass: boolean;
}

export interface FillDelayStats {
  decisionTimes: number;
  waitMsMean: number;
  waitMsP50: number;
  waitMsP99: number;
  printsP50: number;
  printsP99: number;
  printsMax: number;
}

/** Quantile by the nearest rank of sorted values (0 for none). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function fillDelayStats(fills: RunResult['fills']): FillDelayStats | undefined {
  if (fills.waitMs.length === 0) return undefined;
  const waits = [...fills.waitMs].sort((a, b) => a - b);
  const prints = [...fills.prints].sort((a, b) => a - b);
  return {
    decisionTimes: waits.length,
    waitMsMean: waits.reduce((a, b) => a + b, 0) / waits.length,
    waitMsP50: quantile(waits, 0.5),
    waitMsP99: quantile(waits, 0.99),
    printsP50: quantile(prints, 0.5),
    printsP99: quantile(prints, 0.99),
    printsMax: prints.at(-1)!,
  };
}

export function buildReport(
  run: RunResult,
  houseEdge: number,
  informed?: CellValuer,
  options: { blockMs?: number } = {},
): CalibrationReport {
  const d = run.decisions;
  const blocks = blockIndexOf(d, options.blockMs ?? RESAMPLE_BLOCK_MS);
  const groupOf = (label: string, keep: (i: number) => boolean) => groupStats(label, d, blocks, keep);
  const buckets: GroupStats[] = [];
  for (let b = 0; b < 1 / BUCKET_WIDTH; b++) {
    const lo = b * BUCKET_WIDTH;
    const hi = lo + BUCKET_WIDTH;
    const g = groupOf(
      `P ${lo.toFixed(2)}–${hi.toFixed(2)}`,
      (i) => d.probability[i]! >= lo && d.probability[i]! < hi,
    );
    if (g.bets > 0) buckets.push(g);
  }
  const distance = DISTANCE_BANDS.map(([lo, hi]) =>
    groupOf(`${lo}–${hi === Number.POSITIVE_INFINITY ? '∞' : hi} bands`, (i) => {
      const x = Math.abs(d.distanceBands[i]!);
      return x >= lo && x < hi;
    }),
  ).filter((g) => g.bets > 0);
  const horizon = HORIZON_BANDS_MS.map(([lo, hi]) =>
    groupOf(`τ1 ${lo / 1000}–${hi / 1000} s`, (i) => d.tau1Ms[i]! >= lo && d.tau1Ms[i]! < hi),
  ).filter((g) => g.bets > 0);
  const demo = groupOf('demo-like bettors', (i) => {
    const m = d.multiplierBp[i]!;
    return Math.abs(d.distanceBands[i]!) <= 6.5 && m >= 14_000 && m <= 52_000;
  });
  const cpuS = run.cpuMs / 1000;
  const fill = fillDelayStats(run.fills);
  return {
    decisions: d.count,
    quotes: run.quotes,
    decisionTimes: run.decisionTimes,
    windows: new Set(d.windowT0).size,
    hoursOfPrints: (run.lastT - run.firstT) / 3_600_000,
    cpuS,
    decisionsPerCpuMinute: cpuS > 0 ? (d.count / cpuS) * 60 : 0,
    houseEdge,
    buckets,
    distance,
    horizon,
    demo,
    ...(informed ? { informed: informed.evaluate(d, blocks.of, blocks.count) } : {}),
    ...(fill ? { fill } : {}),
    checks: calibrationChecks(buckets, distance, houseEdge),
  };
}

/** A bucket the rule judges: enough bets for its standard error to mean something. */
export const isJudgedBucket = (g: GroupStats): boolean => g.bets >= BUCKET_BETS_MIN;
/** A bucket fails when it is judged and its realised rate lies beyond 3 standard errors. */
export const bucketFails = (g: GroupStats): boolean => isJudgedBucket(g) && Math.abs(g.z) > BUCKET_Z_MAX;
const edgeWithinTolerance = (g: GroupStats) => Math.abs(g.realisedEdge - g.promisedEdge) <= EDGE_TOLERANCE;
const edgeAboveFloor = (g: GroupStats, houseEdge: number) => g.realisedEdge >= houseEdge - EDGE_TOLERANCE;
/** A distance band fails when its edge is off the promise by more than 1 pp or below h − 1 %. */
export const edgeBandFails = (g: GroupStats, houseEdge: number): boolean =>
  !edgeWithinTolerance(g) || !edgeAboveFloor(g, houseEdge);

/** The rule of SPEC §3 on one run's groups, or on a setting's groups pooled over seeds. */
export function calibrationChecks(
  buckets: readonly GroupStats[],
  distance: readonly GroupStats[],
  houseEdge: number,
): CalibrationChecks {
  const bucketsWithin3Se = !buckets.some(bucketFails);
  const edgeWithin1pp = distance.every(edgeWithinTolerance);
  const bandsAboveFloor = distance.every((g) => edgeAboveFloor(g, houseEdge));
  return {
    bucketsWithin3Se,
    edgeWithin1pp,
    edgeAboveFloor: bandsAboveFloor,
    pass: bucketsWithin3Se && edgeWithin1pp && bandsAboveFloor,
  };
}

/** Each decision's resampling block (its window's t0 in `blockMs` units), numbered from 0. */
function blockIndexOf(d: Decisions, blockMs: number): { of: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const of = new Int32Array(d.count);
  for (let i = 0; i < d.count; i++) {
    const block = Math.floor(d.windowT0[i]! / blockMs);
    let id = ids.get(block);
    if (id === undefined) {
      id = ids.size;
      ids.set(block, id);
    }
    of[i] = id;
  }
  return { of, count: ids.size };
}

const SE_FLOOR = 1e-9;
/**
 * A difference in standard errors. A group inside one block has no spread to resample: its SE is
 * rounding (~1e-17), not a z of 1e14.
 */
export const zOf = (difference: number, se: number): number => (se > SE_FLOOR ? difference / se : 0);

/** Per-block sums of one group, then the bootstrap over blocks. */
function groupStats(
  label: string,
  d: Decisions,
  blocks: { of: Int32Array; count: number },
  keep: (i: number) => boolean,
): GroupStats {
  const n = new Float64Array(blocks.count);
  const hitMinusP = new Float64Array(blocks.count);
  const payoutMinusPromise = new Float64Array(blocks.count);
  let bets = 0;
  let voids = 0;
  let wins = 0;
  let sumP = 0;
  let sumPromise = 0;
  let sumPayout = 0;
  const windows = new Set<number>();
  for (let i = 0; i < d.count; i++) {
    if (!keep(i)) continue;
    if (d.outcome[i] === OUTCOME_VOID) {
      voids += 1;
      continue;
    }
    const w = blocks.of[i]!;
    windows.add(d.windowT0[i]!);
    const p = d.probability[i]!;
    const m = d.multiplierBp[i]! / 10_000;
    const won = d.outcome[i] === OUTCOME_WON ? 1 : 0;
    bets += 1;
    wins += won;
    sumP += p;
    sumPromise += m * p;
    sumPayout += m * won;
    n[w]! += 1;
    hitMinusP[w]! += won - p;
    payoutMinusPromise[w]! += m * won - m * p;
  }
  const hitSe = bootstrapRatioSe(n, hitMinusP, { seed: BOOTSTRAP_SEED });
  const edgeSe = bootstrapRatioSe(n, payoutMinusPromise, { seed: BOOTSTRAP_SEED });
  const hitRate = bets > 0 ? wins / bets : 0;
  const predicted = bets > 0 ? sumP / bets : 0;
  return {
    label,
    bets,
    voids,
    windows: windows.size,
    wins,
    hitRate,
    predicted,
    hitSe,
    z: zOf(hitRate - predicted, hitSe),
    promisedEdge: bets > 0 ? 1 - sumPromise / bets : 0,
    realisedEdge: bets > 0 ? 1 - sumPayout / bets : 0,
    edgeSe,
  };
}
