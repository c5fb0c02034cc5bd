import { describe, expect, it } from 'vitest';
import { medianBy, medianOf } from './median.js';

describe('medianBy', () => {
  it('picks the middle item by key, the lower middle of an even count', () => {
    const runs = [{ p99: 30 }, { p99: 10 }, { p99: 20 }];
    expect(medianBy(runs, (r) => r.p99)).toBe(runs[2]);
    expect(medianBy([...runs, { p99: 40 }], (r) => r.p99)).toBe(runs[2]);
    expect(medianBy([runs[0]!], (r) => r.p99)).toBe(runs[0]);
  });

  it('refuses an empty list', () => {
    expect(() => medianBy([], () => 0)).toThrow('medianBy of nothing');
  });
});

describe('medianOf', () => {
  it('averages the two middle values of an even count and skips values that are not finite', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toBe(2);
    expect(medianOf([Number.NaN])).toBeNaN();
  });
});
