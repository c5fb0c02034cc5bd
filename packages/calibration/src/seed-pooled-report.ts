/**
 * One simulator setting judged over its seeds (issue 14; docs/pricing.md "How the model is judged").
 * A 36-hour run tests ~17 P buckets and 5 distance bands; over three noise settings and several
 * seeds that is a few hundred tests, some of which fail at 3 SE by chance alone, while a lean of
 * the model shows on every seed. So a setting — runs that differ only in their seed — is judged on
 * its seeds pooled: per P bucket and per distance band the counts add up (bets, wins, Σ P, Σ M·P,
 * Σ M·won), and the standard error of the pooled difference keeps each run's window-resampling
 * error: the seeds' paths are independent, so the pooled sum's variance is the sum of theirs,
 * SE = √Σ(nᵢ·SEᵢ)² / Σnᵢ. The single run's rule (`calibrationChecks`) then judges the pooled
 * groups. Alongside: how many single-run checks failed against how many chance predicts for an
 * exact model with honest errors, and the spread of the runs' z across seeds (≈ 1 when the SE is
 * honest).
 */
import assert from 'node:assert/strict';
import { normalCdf } from '@tap/pricing';
import {
  BUCKET_Z_MAX,
  bucketFails,
  type CalibrationChecks,
  type CalibrationReport,
  calibrationChecks,
  EDGE_TOLERANCE,
  edgeBandFails,
  type GroupStats,
  isJudgedBucket,
  zOf,
} from './calibration-report.js';

export interface SingleRunTally {
  /** P buckets with enough bets, over every run. */
  bucketTests: number;
  bucketFails: number;
  /** What chance alone gives: bucketTests × P(|z| > 3) = bucketTests × 0.0027. */
  bucketFailsByChance: number;
  /** Distance bands' edge checks, over every run. */
  bandTests: number;
  bandFails: number;
  /** Σ over the bands of P(the check fails) if the realised edge were the promised one ± its SE. */
  bandFailsByChance: number;
}

export interface PooledCalibration {
  runs: number;
  decisions: number;
  houseEdge: number;
  buckets: GroupStats[];
  distance: GroupStats[];
  demo: GroupStats;
  checks: CalibrationChecks;
  singleRuns: SingleRunTally;
  /** SD across seeds of the runs' z, pooled over groups (`zSpread`); null with fewer than two runs. */
  zSpread: { buckets: number | null; bands: number | null };
}

/** One group of several independent runs as one: counts added, SE = √Σ(nᵢ·SEᵢ)² / Σnᵢ. */
export function poolGroups(groups: readonly GroupStats[]): GroupStats {
  let bets = 0;
  let voids = 0;
  let windows = 0;
  let wins = 0;
  let sumP = 0;
  let promised = 0;
  let paid = 0;
  let hitVariance = 0;
  let edgeVariance = 0;
  for (const g of groups) {
    bets += g.bets;
    voids += g.voids;
    windows += g.windows;
    wins += g.wins;
    sumP += g.predicted * g.bets;
    promised += (1 - g.promisedEdge) * g.bets;
    paid += (1 - g.realisedEdge) * g.bets;
    hitVariance += (g.bets * g.hitSe) ** 2;
    edgeVariance += (g.bets * g.edgeSe) ** 2;
  }
  const per = (x: number) => (bets > 0 ? x / bets : 0);
  const hitSe = per(Math.sqrt(hitVariance));
  return {
    label: groups[0]?.label ?? '',
    bets,
    voids,
    windows,
    wins,
    hitRate: per(wins),
    predicted: per(sumP),
    hitSe,
    z: zOf(per(wins) - per(sumP), hitSe),
    promisedEdge: bets > 0 ? 1 - per(promised) : 0,
    realisedEdge: bets > 0 ? 1 - per(paid) : 0,
    edgeSe: per(Math.sqrt(edgeVariance)),
  };
}

/** The groups of the same label across runs, in the order of their lower edge (P, or bands). */
function poolByLabel(lists: readonly (readonly GroupStats[])[]): GroupStats[] {
  const byLabel = new Map<string, GroupStats[]>();
  for (const g of lists.flat()) byLabel.set(g.label, [...(byLabel.get(g.label) ?? []), g]);
  const lowerEdge = (label: string) => Number.parseFloat(label.replace(/^P /, ''));
  return [...byLabel.values()].map(poolGroups).sort((a, b) => lowerEdge(a.label) - lowerEdge(b.label));
}

/** The chance that a band's edge check fails if its realised edge is the promise plus N(0, edgeSe). */
function bandFailChance(g: GroupStats, houseEdge: number): number {
  if (g.edgeSe <= 0) return 0;
  // Below the promise it fails at −1 pp, or sooner if the floor h − 1 % is nearer (a promise under h).
  const below = Math.max(-EDGE_TOLERANCE, houseEdge - EDGE_TOLERANCE - g.promisedEdge);
  return normalCdf(-EDGE_TOLERANCE / g.edgeSe) + normalCdf(below / g.edgeSe);
}

/** Every run's own checks counted: failures seen against failures chance predicts. */
export function singleRunTally(reports: readonly CalibrationReport[]): SingleRunTally {
  const judged = reports.flatMap((r) => r.buckets.filter(isJudgedBucket));
  const bands = reports.flatMap((r) => r.distance.map((g) => ({ g, houseEdge: r.houseEdge })));
  return {
    bucketTests: judged.length,
    bucketFails: judged.filter(bucketFails).length,
    bucketFailsByChance: judged.length * 2 * normalCdf(-BUCKET_Z_MAX),
    bandTests: bands.length,
    bandFails: bands.filter(({ g, houseEdge }) => edgeBandFails(g, houseEdge)).length,
    bandFailsByChance: bands.reduce((sum, { g, houseEdge }) => sum + bandFailChance(g, houseEdge), 0),
  };
}

/**
 * The spread of z across seeds: `zs[group][seed]`, √(mean over groups of the seeds' sample
 * variance). ≈ 1 when the SE is honest; a lean of the model moves the mean, not the spread.
 */
export function zSpread(zs: readonly (readonly number[])[]): number | null {
  const usable = zs.filter((g) => g.length >= 2);
  if (usable.length === 0) return null;
  const variance = (xs: readonly number[]) => {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    return xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  };
  return Math.sqrt(usable.reduce((s, g) => s + variance(g), 0) / usable.length);
}

/** The groups judged in every run, as zs[group][run]. */
function zsAcrossRuns(
  reports: readonly CalibrationReport[],
  groupsOf: (r: CalibrationReport) => readonly GroupStats[],
  zOfGroup: (g: GroupStats) => number,
): number[][] {
  const labels = groupsOf(reports[0]!).map((g) => g.label);
  return labels.flatMap((label) => {
    const found = reports.map((r) => groupsOf(r).find((g) => g.label === label));
    return found.every((g) => g !== undefined) ? [found.map((g) => zOfGroup(g!))] : [];
  });
}
const bucketZs = (reports: readonly CalibrationReport[]) =>
  zsAcrossRuns(
    reports,
    (r) => r.buckets.filter(isJudgedBucket),
    (g) => g.z,
  );
const bandEdgeZs = (reports: readonly CalibrationReport[]) =>
  zsAcrossRuns(
    reports,
    (r) => r.distance,
    (g) => zOf(g.realisedEdge - g.promisedEdge, g.edgeSe),
  );

/** A setting's runs (one per seed, the same model and options) pooled and judged. */
export function poolReports(reports: readonly CalibrationReport[]): PooledCalibration {
  assert(reports.length > 0, 'poolReports needs at least one report');
  const houseEdge = reports[0]!.houseEdge;
  assert(
    reports.every((r) => r.houseEdge === houseEdge),
    'a setting is one model: its runs price with one h',
  );
  const buckets = poolByLabel(reports.map((r) => r.buckets));
  const distance = poolByLabel(reports.map((r) => r.distance));
  return {
    runs: reports.length,
    decisions: reports.reduce((s, r) => s + r.decisions, 0),
    houseEdge,
    buckets,
    distance,
    demo: poolGroups(reports.map((r) => r.demo)),
    checks: calibrationChecks(buckets, distance, houseEdge),
    singleRuns: singleRunTally(reports),
    zSpread: {
      buckets: zSpread(bucketZs(reports)),
      bands: zSpread(bandEdgeZs(reports)),
    },
  };
}
