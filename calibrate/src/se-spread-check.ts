/**
 * Is the calibration's standard error honest (docs/pricing.md "How long the resampling blocks must
 * be")? One seed of price-ingest's simulator, calibrated exactly as `calibrate run --source sim`
 * does (estimated σ̂ and η̂ on every print, the resolver settling), then the P-bucket and
 * distance-band statistics with the bootstrap resampling blocks of each length in `BLOCKS_MIN`.
 * One JSON line per seed × block length × group on stdout; `se-spread-summary.ts` reads many
 * seeds' lines and reports, per block length, the spread of the z-scores across seeds (≈ 1 when
 * the SE is honest) and the seeds' own spread of (realised − predicted) against the mean SE.
 * A measurement tool, not a test.
 *
 *   npx tsx calibrate/src/se-spread-check.ts <seed> <noiseScale> <hours> >> lines.jsonl
 *   env BLOCKS_MIN=2,10,30,60,120 (default), EVERY_MS=10000 (default, as the 120 h runs)
 */
import { buildReport, OUTCOME_VOID, OUTCOME_WON, runCalibration } from '@tap/calibration';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { checkToolPrints } from './print-sources.js';

const WARMUP_MS = 3_600_000;
const BANDS = 10;

const { seed, noiseScale, hours, prints } = checkToolPrints(process.argv.slice(2), 1);
const blocksMin = (process.env.BLOCKS_MIN ?? '2,10,30,60,120').split(',').map(Number);
const everyMs = Number(process.env.EVERY_MS ?? 10_000);
const run = runCalibration(prints, { decisionEveryMs: everyMs, bandsEachSide: BANDS, warmupMs: WARMUP_MS });
for (const minutes of blocksMin) {
  const report = buildReport(run, DEFAULT_PRICING_CONFIG.houseEdge, undefined, { blockMs: minutes * 60_000 });
  const common = {
    seed,
    noiseScale,
    hours,
    everyMs,
    blockMin: minutes,
    pricing: DEFAULT_PRICING_CONFIG.configVersion,
  };
  for (const g of report.buckets) {
    const line = {
      ...common,
      kind: 'bucket',
      label: g.label,
      bets: g.bets,
      diff: g.hitRate - g.predicted,
      se: g.hitSe,
      z: g.z,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  for (const g of report.distance) {
    const diff = g.realisedEdge - g.promisedEdge;
    const z = g.edgeSe > 1e-9 ? diff / g.edgeSe : 0;
    const line = { ...common, kind: 'edge', label: g.label, bets: g.bets, diff, se: g.edgeSe, z };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
// Per P bucket and SEGMENT_H-hour segment of the run (by t0): bets and Σ (won − P), to tell an effect
// that lasts the whole run (the segments of one seed agree) from one that a longer block would catch.
const segmentMs = Number(process.env.SEGMENT_H ?? 6) * 3_600_000;
const d = run.decisions;
const sums = new Map<string, { bets: number; excess: number }>();
const firstT0 = d.windowT0[0] ?? 0;
for (let i = 0; i < d.count; i++) {
  if (d.outcome[i] === OUTCOME_VOID) continue;
  const bucket = Math.min(19, Math.floor(d.probability[i]! / 0.05));
  const key = `${bucket}|${Math.floor((d.windowT0[i]! - firstT0) / segmentMs)}`;
  const s = sums.get(key) ?? { bets: 0, excess: 0 };
  s.bets += 1;
  s.excess += (d.outcome[i] === OUTCOME_WON ? 1 : 0) - d.probability[i]!;
  sums.set(key, s);
}
for (const [key, s] of sums) {
  const [bucket, segment] = key.split('|').map(Number);
  const line = {
    seed,
    noiseScale,
    hours,
    everyMs,
    kind: 'segment',
    bucket,
    segment,
    segmentH: segmentMs / 3_600_000,
    ...s,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
process.stderr.write(
  `seed ${seed}: ${run.decisions.count} decisions, ${(run.cpuMs / 1000).toFixed(1)} s calibration CPU\n`,
);
