import { normalCdf } from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import type { CalibrationReport, GroupStats } from './calibration-report.js';
import { poolGroups, poolReports, singleRunTally, zSpread } from './seed-pooled-report.js';

/** A group whose z and counts agree with its rates (wins = hitRate · bets). */
function group(over: Partial<GroupStats> = {}): GroupStats {
  const g = {
    label: 'P 0.45–0.50',
    bets: 10_000,
    voids: 0,
    windows: 1_000,
    hitRate: 0.475,
    predicted: 0.475,
    hitSe: 0.005,
    promisedEdge: 0.06,
    realisedEdge: 0.06,
    edgeSe: 0.005,
    ...over,
  };
  return { ...g, wins: Math.round(g.hitRate * g.bets), z: (g.hitRate - g.predicted) / g.hitSe, ...over };
}

function report(buckets: GroupStats[], distance: GroupStats[] = [group({ label: '0–1 bands' })]) {
  return {
    decisions: 1_000_000,
    houseEdge: 0.05,
    buckets,
    distance,
    demo: group({ label: 'demo-like bettors' }),
  } as CalibrationReport;
}

describe('poolGroups', () => {
  it('adds the counts and keeps each run’s resampling error: SE = √Σ(nᵢ·SEᵢ)² / Σnᵢ', () => {
    const pooled = poolGroups([
      group({ bets: 1_000, hitRate: 0.52, predicted: 0.5, hitSe: 0.02, realisedEdge: 0.05, edgeSe: 0.01 }),
      group({ bets: 3_000, hitRate: 0.48, predicted: 0.5, hitSe: 0.01, realisedEdge: 0.07, edgeSe: 0.005 }),
    ]);
    expect(pooled.bets).toBe(4_000);
    expect(pooled.wins).toBe(520 + 1_440);
    expect(pooled.hitRate).toBeCloseTo(0.49, 12);
    expect(pooled.predicted).toBeCloseTo(0.5, 12);
    expect(pooled.hitSe).toBeCloseTo(Math.sqrt(20 ** 2 + 30 ** 2) / 4_000, 12);
    expect(pooled.z).toBeCloseTo(-0.01 / (Math.sqrt(1_300) / 4_000), 9);
    expect(pooled.promisedEdge).toBeCloseTo(0.06, 12);
    expect(pooled.realisedEdge).toBeCloseTo((1_000 * 0.05 + 3_000 * 0.07) / 4_000, 12);
    expect(pooled.edgeSe).toBeCloseTo(Math.sqrt(10 ** 2 + 15 ** 2) / 4_000, 12);
  });

  it('shrinks the error of k equal runs by √k', () => {
    const one = group({ hitRate: 0.465, hitSe: 0.005 });
    const pooled = poolGroups([one, one, one, one]);
    expect(pooled.hitSe).toBeCloseTo(0.005 / 2, 12);
    expect(pooled.z).toBeCloseTo(2 * one.z, 9);
  });
});

describe('poolReports', () => {
  it('fails a lean every seed shows though no single run fails it (2 SE on each of 4 seeds is 4 SE pooled)', () => {
    const leaning = report([group({ hitRate: 0.465, hitSe: 0.005 })]);
    expect(leaning.buckets[0]!.z).toBeCloseTo(-2, 9);
    const pooled = poolReports([leaning, leaning, leaning, leaning]);
    expect(pooled.buckets[0]!.z).toBeCloseTo(-4, 9);
    expect(pooled.checks.bucketsWithin3Se).toBe(false);
    expect(pooled.checks.pass).toBe(false);
    expect(pooled.singleRuns.bucketTests).toBe(4);
    expect(pooled.singleRuns.bucketFails).toBe(0);
  });

  it('passes one seed’s 3.5 SE excursion that the others do not repeat, and counts it against chance', () => {
    const calm = report([group()]);
    const pooled = poolReports([report([group({ hitRate: 0.4925 })]), calm, calm, calm, calm, calm]);
    expect(pooled.buckets[0]!.z).toBeCloseTo(3.5 / Math.sqrt(6), 9);
    expect(pooled.checks.pass).toBe(true);
    expect(pooled.singleRuns).toMatchObject({ bucketTests: 6, bucketFails: 1 });
    expect(pooled.singleRuns.bucketFailsByChance).toBeCloseTo(6 * 0.0026998, 6);
  });

  it('judges a bucket by its pooled bets: two runs of 300 are one bucket of 600', () => {
    const thin = report([group({ bets: 300, hitRate: 0.425, hitSe: 0.01 })]);
    expect(poolReports([thin]).checks.bucketsWithin3Se).toBe(true);
    expect(poolReports([thin, thin]).checks.bucketsWithin3Se).toBe(false);
  });

  it('judges each distance band’s pooled edge: within 1 pp of the promise and above h − 1 %', () => {
    const band = (realisedEdge: number) => [group({ label: '0–1 bands', realisedEdge, edgeSe: 0.006 })];
    const within = poolReports([report([group()], band(0.068)), report([group()], band(0.05))]);
    expect(within.distance[0]!.realisedEdge).toBeCloseTo(0.059, 12);
    expect(within.checks.edgeWithin1pp).toBe(true);
    const over = poolReports([report([group()], band(0.075)), report([group()], band(0.072))]);
    expect(over.checks.edgeWithin1pp).toBe(false);
    expect(over.checks.edgeAboveFloor).toBe(true);
  });

  it('keeps the buckets and bands in order of their lower edge, whichever run has them', () => {
    const a = report([group({ label: 'P 0.50–0.55' })]);
    const b = report([group({ label: 'P 0.05–0.10' }), group({ label: 'P 0.50–0.55' })]);
    expect(poolReports([a, b]).buckets.map((g) => g.label)).toEqual(['P 0.05–0.10', 'P 0.50–0.55']);
  });

  it('refuses runs priced with different house edges (they are not one setting)', () => {
    expect(() => poolReports([report([group()]), { ...report([group()]), houseEdge: 0.04 }])).toThrow(
      /one h/,
    );
  });
});

describe('singleRunTally', () => {
  it('predicts a band’s failures from its SE: P(|N(0, SE)| > 1 pp), the floor adding its own tail', () => {
    const band = group({ label: '0–1 bands', edgeSe: 0.01 });
    const tally = singleRunTally([report([group()], [band])]);
    expect(tally.bandFailsByChance).toBeCloseTo(2 * normalCdf(-1), 9);
    // Promised 4.5 %, under h: the floor 4 % is 0.5 pp below it, nearer than the 1 pp tolerance.
    const underH = singleRunTally([
      report([group()], [{ ...band, promisedEdge: 0.045, realisedEdge: 0.045 }]),
    ]);
    expect(underH.bandFailsByChance).toBeCloseTo(normalCdf(-1) + normalCdf(-0.5), 9);
    expect(tally.bandFails).toBe(0);
    const failing = singleRunTally([report([group()], [{ ...band, realisedEdge: 0.035 }])]);
    expect(failing.bandFails).toBe(1);
  });
});

describe('zSpread', () => {
  it('is the root mean of the groups’ variances across seeds, null without two seeds', () => {
    expect(
      zSpread([
        [1, -1],
        [2, 0],
      ]),
    ).toBeCloseTo(Math.sqrt(2), 12);
    expect(zSpread([[1]])).toBeNull();
  });
});
