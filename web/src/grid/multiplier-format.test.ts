import { describe, expect, it } from 'vitest';
import { formatMultiplier, formatPrice, formatUsd } from './multiplier-format.js';

describe('formatMultiplier', () => {
  it.each([
    [10_500, '1.05×'],
    [23_500, '2.35×'],
    [23_599, '2.35×'],
    [99_999, '9.99×'],
    [11_500, '1.15×'], // 1.15 × 100 is 114.99… in floating point
    [22_800, '2.28×'],
    [114_000, '11.4×'],
    [123_456, '12.3×'],
    [200_000, '20×'],
    [500_000, '50×'],
  ])('%i bp shows as %s (truncated: never more than the bet gets)', (bp, shown) => {
    expect(formatMultiplier(bp)).toBe(shown);
  });
});

describe('formatMultiplier over the offered range', () => {
  it('never shows more than the bp, and less only by the truncated digits', () => {
    for (let bp = 10_500; bp <= 500_000; bp += 7) {
      const shownBp = Math.round(Number.parseFloat(formatMultiplier(bp)) * 10_000);
      const step = bp >= 100_000 ? 1_000 : 100;
      expect(shownBp).toBeLessThanOrEqual(bp);
      expect(bp - shownBp).toBeLessThan(step);
    }
  });
});

describe('formatUsd and formatPrice', () => {
  it('shows micro-dollars truncated to the cent', () => {
    expect(formatUsd(1_234_567_891)).toBe('$1,234.56');
    expect(formatUsd(100_000)).toBe('$0.10');
    expect(formatUsd(-2_500_000)).toBe('−$2.50');
  });
  it('shows cents per BTC with two decimals', () => {
    expect(formatPrice(9_751_234)).toBe('97,512.34');
  });
});
