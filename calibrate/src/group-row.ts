/** A report group (P bucket, distance band, demo bettors) as a CALIBRATION.md table row, one run's or pooled. */
import type { GroupStats } from '@tap/calibration';

export const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

export const groupTableHeader = (first: string) => [
  `| ${first} | bets | hit rate | predicted | z | promised edge | realised edge | ± SE | realised − promised |`,
  '|---|---|---|---|---|---|---|---|---|',
];

export function groupRow(g: GroupStats): string {
  return `| ${g.label} | ${g.bets.toLocaleString('en-US')} | ${g.hitRate.toFixed(4)} | ${g.predicted.toFixed(4)} | ${g.z.toFixed(2)} | ${pct(g.promisedEdge)} | ${pct(g.realisedEdge)} | ${pct(g.edgeSe)} | ${((g.realisedEdge - g.promisedEdge) * 100).toFixed(2)} pp |`;
}
