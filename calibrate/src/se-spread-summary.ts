/**
 * Reads `se-spread-check.ts` lines (many seeds) and reports, per block length, whether the bootstrap
 * SE is honest: for each P bucket (≥ 500 bets on every seed) the standard deviation of its z across
 * seeds (≈ 1 when the SE is honest; a model bias moves the mean, not the spread), and the seeds'
 * own standard deviation of (realised − predicted) over the root mean square of the SEs (the SE's
 * understatement factor, less noisy with few blocks per run than the z's spread). Pooled over
 * buckets: √(mean of the buckets' variances), and the share of |z| > 3. Same for the distance
 * bands' edge (realised − promised).
 *
 *   npx tsx calibrate/src/se-spread-summary.ts lines.jsonl [more.jsonl …]
 */
import { readFileSync } from 'node:fs';
import { zSpread } from '@tap/calibration';

interface Line {
  seed: number;
  blockMin: number;
  kind: 'bucket' | 'edge';
  label: string;
  bets: number;
  diff: number;
  se: number;
  z: number;
}

interface Segment {
  seed: number;
  kind: 'segment';
  bucket: number;
  segment: number;
  segmentH: number;
  bets: number;
  excess: number;
}

const BETS_MIN = 500;
const all = process.argv
  .slice(2)
  .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Line | Segment);
const lines = all.filter((l): l is Line => l.kind !== 'segment');
const segments = all.filter((l): l is Segment => l.kind === 'segment');
const seeds = new Set(lines.map((l) => l.seed)).size;
const seByKey = new Map(lines.map((l) => [`${l.seed}|${l.kind}|${l.label}|${l.blockMin}`, l.se]));
const seOf = (l: Line, blockMin: number) => seByKey.get(`${l.seed}|${l.kind}|${l.label}|${blockMin}`);

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/**
 * A 90 % interval of the pooled SD of z by resampling whole seeds (the buckets of one seed are
 * correlated, the seeds are not): `zs[group][seed]`, the same seed order in every group.
 */
function seedInterval(zs: number[][]): string {
  const k = zs[0]!.length;
  let state = 14;
  const uniform = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  const pooled: number[] = [];
  for (let r = 0; r < 2_000; r++) {
    const picks = Array.from({ length: k }, () => Math.floor(uniform() * k));
    if (new Set(picks).size < 2) continue;
    pooled.push(zSpread(zs.map((g) => picks.map((j) => g[j]!)))!);
  }
  pooled.sort((a, b) => a - b);
  const at = (q: number) => pooled[Math.floor(q * (pooled.length - 1))]!.toFixed(2);
  return `${at(0.05)} … ${at(0.95)}`;
}

for (const kind of ['bucket', 'edge'] as const) {
  process.stdout.write(
    `\n${kind === 'bucket' ? 'P buckets: hit − predicted' : 'distance bands: realised − promised edge'} (${seeds} seeds)\n`,
  );
  process.stdout.write(
    'block | groups | SD of z (pooled) | SD(diff)/rms(SE) median [range] | |z|>3 share | mean |z| | SE / 2-min SE\n',
  );
  for (const blockMin of [...new Set(lines.map((l) => l.blockMin))].sort((a, b) => a - b)) {
    const groups = new Map<string, Line[]>();
    for (const l of lines) {
      if (l.kind !== kind || l.blockMin !== blockMin) continue;
      groups.set(l.label, [...(groups.get(l.label) ?? []), l]);
    }
    const judged = [...groups.values()].filter(
      (g) => g.length === seeds && g.every((l) => l.bets >= BETS_MIN),
    );
    if (judged.length === 0) continue;
    const interval = seedInterval(judged.map((g) => g.map((l) => l.z)));
    const ratios = judged
      .map((g) => Math.sqrt(variance(g.map((l) => l.diff))) / Math.sqrt(mean(g.map((l) => l.se ** 2))))
      .sort((a, b) => a - b);
    const zs = judged.flatMap((g) => g.map((l) => l.z));
    // How the same run's SE grows with the block length: mean over seeds × groups of SE(L) / SE(2 min).
    const growth = mean(judged.flatMap((g) => g.map((l) => l.se / (seOf(l, 2) ?? l.se))));
    process.stdout.write(
      `${String(blockMin).padStart(4)} min | ${String(judged.length).padStart(2)} | ${zSpread(judged.map((g) => g.map((l) => l.z)))!.toFixed(2)} [${interval}] | ` +
        `${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)} [${ratios[0]!.toFixed(2)} … ${ratios.at(-1)!.toFixed(2)}] | ` +
        `${((100 * zs.filter((z) => Math.abs(z) > 3).length) / zs.length).toFixed(1)} % | ${mean(zs.map(Math.abs)).toFixed(2)} | ${growth.toFixed(2)}\n`,
    );
  }
}
if (process.env.PER_BUCKET) {
  for (const blockMin of [...new Set(lines.map((l) => l.blockMin))].sort((a, b) => a - b)) {
    process.stdout.write(`\nblock ${blockMin} min, per bucket: mean z, SD z, SD(diff), rms SE\n`);
    const groups = new Map<string, Line[]>();
    for (const l of lines) {
      if (l.kind === 'bucket' && l.blockMin === blockMin)
        groups.set(l.label, [...(groups.get(l.label) ?? []), l]);
    }
    for (const [label, g] of groups) {
      if (g.length !== seeds || !g.every((l) => l.bets >= BETS_MIN)) continue;
      const z = g.map((l) => l.z);
      process.stdout.write(
        `${label.padEnd(12)} ${mean(z).toFixed(2).padStart(6)} ${Math.sqrt(variance(z)).toFixed(2)} ` +
          `${(1000 * Math.sqrt(variance(g.map((l) => l.diff)))).toFixed(2)} ‰ ${(1000 * Math.sqrt(mean(g.map((l) => l.se ** 2)))).toFixed(2)} ‰\n`,
      );
    }
  }
}

/**
 * Does an effect last the whole run? Per P bucket, each seed's first SEGMENTS segments (equal
 * length): F = variance across seeds of the seed's mean over its segments ÷ (mean within-seed
 * variance of the segments / SEGMENTS). ≈ 1 when segments of one seed are independent; above 1 when
 * one seed's segments lean together (a persistent per-path effect no block shorter than a segment sees).
 */
const SEGMENTS = Number(process.env.SEGMENTS ?? 3);
const segSeeds = [...new Set(segments.map((l) => l.seed))];
if (segSeeds.length >= 3) {
  process.stdout.write(
    `\nsegments (${segSeeds.length} seeds × ${SEGMENTS} segments of ${segments[0]!.segmentH} h): bucket F\n`,
  );
  const fs: number[] = [];
  for (let bucket = 0; bucket < 20; bucket++) {
    const perSeed = segSeeds.map((seed) =>
      Array.from({ length: SEGMENTS }, (_, k) =>
        segments.find((l) => l.seed === seed && l.bucket === bucket && l.segment === k),
      ),
    );
    if (!perSeed.every((ss) => ss.every((l) => l !== undefined && l.bets >= BETS_MIN / SEGMENTS))) continue;
    const rates = perSeed.map((ss) => ss.map((l) => l!.excess / l!.bets));
    const within = mean(rates.map(variance));
    const between = variance(rates.map(mean));
    const f = between / (within / SEGMENTS);
    fs.push(f);
    process.stdout.write(`P ${(bucket * 0.05).toFixed(2)}: F ${f.toFixed(2)}\n`);
  }
  process.stdout.write(`mean F over ${fs.length} buckets: ${mean(fs).toFixed(2)}\n`);
}
