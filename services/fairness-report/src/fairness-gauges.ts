/**
 * What a fairness report says, as the numbers the alert rule and the dashboard read (pure, so it
 * is unit-tested): whether every SPEC §3 check passed, the realised minus promised house edge per
 * distance band (positive: traders overcharged; negative: the house earns less than it promises),
 * and the worst |z| of a probability bucket with enough bets to count.
 */
import { BUCKET_BETS_MIN, type CalibrationReport } from '@tap/calibration';

export interface FairnessGauges {
  passed: 0 | 1;
  decisions: number;
  printHours: number;
  /** band label → realised − promised edge (a fraction: 0.01 = 1 percentage point). */
  edgeGapByBand: Map<string, number>;
  bucketZMaxAbs: number;
}

export function fairnessGauges(report: CalibrationReport): FairnessGauges {
  // A bucket with fewer bets is not judged by the checks either.
  const judged = report.buckets.filter((b) => b.bets >= BUCKET_BETS_MIN && Number.isFinite(b.z));
  return {
    passed: report.checks.pass ? 1 : 0,
    decisions: report.decisions,
    printHours: report.hoursOfPrints,
    edgeGapByBand: new Map(
      report.distance.filter((d) => d.bets > 0).map((d) => [d.label, d.realisedEdge - d.promisedEdge]),
    ),
    bucketZMaxAbs: judged.reduce((max, b) => Math.max(max, Math.abs(b.z)), 0),
  };
}
