import { describe, expect, it } from 'vitest';
import { normalCdf } from './normal.js';

/** N(x) to 20 digits from mpmath's `ncdf` at 40-digit precision. */
const REFERENCE: ReadonlyArray<readonly [number, number]> = [
  [-37, 5.725571222524577e-300],
  [-30, 4.906713927148187e-198],
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24],
  [-8.5, 9.479534822203318e-18],
  [-6, 9.86587645037698e-10],
  [-5.657, 7.702088172177601e-9],
  [-5, 2.866515718791939e-7],
  [-3, 0.0013498980316300946],
  [-1.5, 0.06680720126885807],
  [-0.6744, 0.2500285213729406],
  [-0.3, 0.3820885778110474],
  [0, 0.5],
  [1e-10, 0.5000000000398942],
  [0.5, 0.6914624612740131],
  [1, 0.8413447460685429],
  [2.5, 0.9937903346742238],
  [5, 0.9999997133484281],
  [8, 0.9999999999999993],
];

describe('normalCdf', () => {
  it.each(
    REFERENCE,
  )('matches 40-digit quadrature at x = %d to 1e-15 relative in the lower tail', (x, want) => {
    const got = normalCdf(x);
    const error = x <= 0 ? Math.abs(got - want) / want : Math.abs(got - want);
    expect(error).toBeLessThan(1e-15);
  });

  it('is symmetric: N(x) + N(−x) = 1', () => {
    for (let x = -8; x <= 8; x += 0.137) {
      expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThan(2e-16);
    }
  });

  it('is monotone and saturates at 0 and 1 without NaN', () => {
    let previous = 0;
    for (let x = -40; x <= 40; x += 0.01) {
      const value = normalCdf(x);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(-1e300)).toBe(0);
    expect(normalCdf(1e300)).toBe(1);
  });
});
