/**
 * The standard error of a ratio estimate Σ value / Σ weight, by bootstrap over its groups (the
 * report's windows, the informed traders' decisions): the groups are resampled with replacement
 * `resamples` times with a seeded random source, so a report is the same on every run. With fewer
 * than two groups, or fewer than two resamples that carry any weight, there is no spread to measure
 * and the answer is 0.
 */
import { createSeededRandom } from '@tap/pricing';

const RESAMPLES = 200;

export function bootstrapRatioSe(
  weight: Float64Array,
  value: Float64Array,
  options: { seed: number; resamples?: number },
): number {
  const k = weight.length;
  if (k < 2) return 0;
  const random = createSeededRandom(options.seed);
  const estimates: number[] = [];
  for (let r = 0; r < (options.resamples ?? RESAMPLES); r++) {
    let sw = 0;
    let sv = 0;
    for (let j = 0; j < k; j++) {
      const pick = Math.floor(random.uniform() * k);
      sw += weight[pick]!;
      sv += value[pick]!;
    }
    if (sw > 0) estimates.push(sv / sw);
  }
  if (estimates.length < 2) return 0;
  const mean = estimates.reduce((s, x) => s + x, 0) / estimates.length;
  return Math.sqrt(estimates.reduce((s, x) => s + (x - mean) ** 2, 0) / (estimates.length - 1));
}
