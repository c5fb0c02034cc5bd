import { describe, expect, it } from 'vitest';
import { formatMultiplier, formatPrice, formatUsd } from './multiplier-format.js';

describe('formatMultiplier', () => {
  it.each([
    [10_500, '1.05×'],
    [23_500, '2.35×'],
    [23_599, '2.35×'],
    [99_999, '9.99×'],
    [123_456, '12.3×'],
    [200_000, '20×'],
    [500_000, '50×'],
  ])('%i bp shows as %s (truncated: never more than the bet gets)', (bp, shown) => {
    expect(formatMultiplier(bp)).toBe(shown);
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
