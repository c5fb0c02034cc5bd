import { describe, expect, it } from 'vitest';
import { bootstrapRatioSe } from './bootstrap.js';

describe('bootstrapRatioSe', () => {
  const weight = Float64Array.from([1, 2, 1, 3, 1, 2]);
  const value = Float64Array.from([0.5, -1, 0.2, 2, -0.3, 0.1]);

  it('gives the same answer for the same seed, and a positive one when the groups disagree', () => {
    const se = bootstrapRatioSe(weight, value, { seed: 14 });
    expect(se).toBeGreaterThan(0);
    expect(bootstrapRatioSe(weight, value, { seed: 14 })).toBe(se);
    expect(bootstrapRatioSe(weight, value, { seed: 22 })).not.toBe(se);
  });

  it('is 0 when the groups agree, with fewer than two groups, and when no resample carries weight', () => {
    expect(
      bootstrapRatioSe(
        weight,
        Float64Array.from(weight, (w) => w * 0.25),
        { seed: 14 },
      ),
    ).toBeCloseTo(0, 12);
    expect(bootstrapRatioSe(Float64Array.from([2]), Float64Array.from([1]), { seed: 14 })).toBe(0);
    expect(bootstrapRatioSe(new Float64Array(4), Float64Array.from([1, 2, 3, 4]), { seed: 14 })).toBe(0);
  });
});
