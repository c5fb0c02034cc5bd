/**
 * The calibration run and report on a feed we know: a seeded random walk of prints every 100 ms
 * (no venue noise), priced with quoteCell and settled with the resolver's rule. The full runs on
 * price-ingest's simulator are `calibrate run` (calibrate/src, its smoke in CI).
 */
import type { PrintEntry } from '@tap/domain';
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  OUTCOME_LOST,
  OUTCOME_VOID,
  OUTCOME_WON,
  RESAMPLE_BLOCK_MS,
  runCalibration,
  withEstimates,
  withFilteredIndex,
} from './index.js';

const START_MS = Date.UTC(2026, 0, 5);
const PRINT_MS = 100;
const YEAR_MS = 365.25 * 24 * 3_600_000;

/** A geometric random walk at `volAnnual`, from a seeded PRNG (mulberry32), as stored prints. */
function randomWalkPrints(minutes: number, volAnnual: number, seed: number): PrintEntry[] {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const step = volAnnual * Math.sqrt(PRINT_MS / YEAR_MS);
  const prints: PrintEntry[] = [];
  let logPrice = Math.log(9_500_000);
  for (let i = 0; i < (minutes * 60_000) / PRINT_MS; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    logPrice += step * normal;
    prints.push({
      id: i + 1,
      t: START_MS + i * PRINT_MS + 37,
      priceCents: Math.round(Math.exp(logPrice)),
      venues: 3,
      sigma: 0,
      simulated: true,
    } as PrintEntry);
  }
  return prints;
}

describe('calibration', () => {
  const prints = withEstimates(randomWalkPrints(40, 0.6, 7));

  it('gives stored prices the estimator’s σ and η, leaving the prices as they were', () => {
    const last = prints.at(-1)!;
    // σ is per √s: the walk's 60 %/yr, measured within a factor of two.
    const annual = last.sigma * Math.sqrt(YEAR_MS / 1_000);
    expect(annual).toBeGreaterThan(0.3);
    expect(annual).toBeLessThan(1.2);
    expect(last.noise).toBeGreaterThanOrEqual(0);
    expect(prints.map((p) => p.priceCents)).toEqual(randomWalkPrints(40, 0.6, 7).map((p) => p.priceCents));
  });

  it('prices and settles every offered cell of a dense grid once', () => {
    const run = runCalibration(prints, { decisionEveryMs: 5_000, bandsEachSide: 4, warmupMs: 300_000 });
    const { count, outcome, probability } = run.decisions;
    expect(count).toBeGreaterThan(5_000);
    for (let i = 0; i < count; i++) {
      expect([OUTCOME_LOST, OUTCOME_WON, OUTCOME_VOID]).toContain(outcome[i]);
      expect(probability[i]).toBeGreaterThan(0);
      expect(probability[i]).toBeLessThan(1);
    }
    // A feed with no gaps: few voids (the resolver's rule still voids some), some wins, some losses.
    const wins = outcome.filter((o) => o === OUTCOME_WON).length;
    expect(outcome.filter((o) => o === OUTCOME_VOID).length).toBeLessThan(count * 0.05);
    expect(wins).toBeGreaterThan(0);
    expect(wins).toBeLessThan(count);
  });

  it('reports every settled decision in one bucket, and checks that agree with the buckets', () => {
    const run = runCalibration(prints, { decisionEveryMs: 5_000, bandsEachSide: 4, warmupMs: 300_000 });
    const report = buildReport(run, 0.05);
    expect(report.decisions).toBe(run.decisions.count);
    // Buckets hold every settled decision; voids are counted apart.
    const voids = run.decisions.outcome.filter((o) => o === OUTCOME_VOID).length;
    expect(report.buckets.reduce((sum, b) => sum + b.bets, 0)).toBe(run.decisions.count - voids);
    for (const bucket of report.buckets.filter((b) => b.bets >= 500)) {
      expect(bucket.hitRate).toBeGreaterThanOrEqual(0);
      expect(bucket.hitRate).toBeLessThanOrEqual(1);
      expect(bucket.predicted).toBeGreaterThan(0);
      expect(bucket.hitSe).toBeGreaterThan(0);
    }
    const { bucketsWithin3Se, edgeWithin1pp, edgeAboveFloor, pass } = report.checks;
    expect(pass).toBe(bucketsWithin3Se && edgeWithin1pp && edgeAboveFloor);
  });

  it('prices from the filtered index the prints carry, and from the k-th print after receipt under a fill delay', () => {
    // With η > 0 on the prints (this walk has no noise of its own), the filter departs from them.
    const noisy = prints.slice(0, 4_000).map((p) => ({ ...p, noise: 0.5e-4 }));
    const filtered = withFilteredIndex(noisy);
    expect(filtered.every((p) => p.filteredCents !== undefined && p.filteredNoise !== undefined)).toBe(true);
    const options = { decisionEveryMs: 5_000, bandsEachSide: 2, warmupMs: 300_000 };
    const atReceipt = runCalibration(filtered, options);
    const fromNext = runCalibration(filtered, { ...options, fillPrints: 1 });
    const fromThird = runCalibration(filtered, { ...options, fillPrints: 3 });
    const unfiltered = runCalibration(noisy, options);
    expect(fromNext.decisionTimes).toBe(atReceipt.decisionTimes);
    const differs = (a: Float64Array, b: Float64Array) => a.some((x, i) => x !== b[i]);
    expect(differs(atReceipt.decisions.probability, fromNext.decisions.probability)).toBe(true);
    expect(differs(atReceipt.decisions.probability, unfiltered.decisions.probability)).toBe(true);
    // Next-tick entry prices τ1 from the later print: never a longer τ1 than at receipt.
    expect(fromNext.decisions.tau1Ms[0]!).toBeLessThan(atReceipt.decisions.tau1Ms[0]!);
    // The third print after receipt is two print steps after the first.
    expect(fromNext.decisions.tau1Ms[0]! - fromThird.decisions.tau1Ms[0]!).toBe(
      filtered[1]!.t - filtered[0]!.t + (filtered[2]!.t - filtered[1]!.t),
    );
  });

  it('does not flag an exact model: a walk priced with its true σ and no noise has every P bucket within 3 SE', () => {
    // 4 h of the same walk, priced with the σ it was drawn with: the model is exact here (its own
    // Monte-Carlo test in @tap/pricing agrees within 0.003), so a bucket outside 3 standard errors
    // would be the instrument's error. Resampling single windows did flag this feed (z −4.7):
    // neighbouring windows share the path; the report resamples 2-minute blocks.
    const trueSigma = 0.6 / Math.sqrt(YEAR_MS / 1_000);
    const exact = randomWalkPrints(240, 0.6, 7).map((p) => ({ ...p, sigma: trueSigma, noise: 0 }));
    const run = runCalibration(exact, { decisionEveryMs: 5_000, bandsEachSide: 4, warmupMs: 300_000 });
    const report = buildReport(run, 0.05);
    const judged = report.buckets.filter((b) => b.bets >= 500);
    expect(judged.length).toBeGreaterThanOrEqual(5);
    expect(judged.map((b) => ({ bucket: b.label, within3Se: Math.abs(b.z) <= 3 }))).toEqual(
      judged.map((b) => ({ bucket: b.label, within3Se: true })),
    );
    // The block length is the report's RESAMPLE_BLOCK_MS unless a measurement asks for another
    // (calibrate/src/se-spread-check.ts); resampling single windows (5 s) understates the
    // error of the same run — the neighbouring windows' correlation the 2-minute blocks keep.
    expect(buildReport(run, 0.05, undefined, { blockMs: RESAMPLE_BLOCK_MS }).buckets).toEqual(report.buckets);
    const single = buildReport(run, 0.05, undefined, { blockMs: 5_000 }).buckets.filter((b) => b.bets >= 500);
    const meanSe = (bs: typeof judged) => bs.reduce((s, b) => s + b.hitSe, 0) / bs.length;
    expect(meanSe(single)).toBeLessThan(0.9 * meanSe(judged));
  }, 180_000);
});
