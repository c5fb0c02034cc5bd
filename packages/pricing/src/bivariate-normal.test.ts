import { describe, expect, it } from 'vitest';
import { bivariateNormalCdf } from './bivariate-normal.js';
import { normalCdf } from './normal.js';

/**
 * Φ2(x, y; ρ) from mpmath at 40 digits: ∫_{−∞}^{x} φ(u)·N((y − ρu)/√(1 − ρ²)) du. The cases
 * cover every branch of Genz's routine (|ρ| below and above 0.3, 0.75 and 0.925, both signs) and
 * both tails.
 */
const REFERENCE: ReadonlyArray<readonly [number, number, number, number]> = [
  [1, 1, 0.3, 0.7281473406526898],
  [-1, -1, 0.3, 0.045457848515603964],
  [0.5, -0.5, 0.1, 0.22559285017363045],
  [1.5, 2, 0.29, 0.9149781492560378],
  [1.5, 2, 0.31, 0.9152675313390062],
  [-2, 1, 0.6, 0.02271516096800484],
  [2, -1, -0.6, 0.14283247815983913],
  [0.3, 0.7, 0.74, 0.5706116558770761],
  [0.3, 0.7, 0.76, 0.5741668468129559],
  [-0.5, 0.2, 0.9, 0.3040072773627244],
  [-0.5, 0.2, 0.924, 0.3062846180686052],
  [-0.5, 0.2, 0.926, 0.3064463001166218],
  [1, 1.2, 0.95, 0.8303426461619976],
  [-1, -1.2, 0.95, 0.1040675703151629],
  [2, 2.1, 0.99, 0.976280205178681],
  [-2, -2.1, 0.99, 0.0168947576896767],
  [-3, -3.05, 0.999, 0.001132052798981378],
  [1, -1, -0.95, 0.030525233099346766],
  [0.2, 0.3, -0.93, 0.2035292553398026],
  [-1.5, 1.4, -0.99, 0.0027792416180865164],
  [0.1, -0.2, -0.999, 0.00007778001807776586],
  [3, -2, -0.8, 0.021618705442085096],
  [-4, -4.5, 0.97, 0.0000033175056558431432],
  [-6, -6.2, 0.98, 2.330307697906134e-10],
  [2.2, 1.5, 0.5345, 0.9253573187126276],
  [-2.2, -1.5, -0.5345, 0.000005887534560928429],
  [4, 3, 0.2, 0.9986188743582869],
  [-3, -2.5, 0.8, 0.0007768280724460331],
];

const GRID = [-5, -2.5, -1, -0.3, 0, 0.4, 1.1, 2, 3.7];
const RHOS = [-0.999, -0.95, -0.926, -0.8, -0.5, -0.1, 0, 0.2, 0.31, 0.6, 0.76, 0.924, 0.96, 0.9999];

describe('bivariateNormalCdf', () => {
  it.each(REFERENCE)('matches 40-digit quadrature at (%d, %d; ρ = %d) to 1e-14', (x, y, rho, want) => {
    expect(Math.abs(bivariateNormalCdf(x, y, rho) - want)).toBeLessThan(1e-14);
  });

  it('equals 1/4 + asin(ρ)/(2π) at the origin', () => {
    for (const rho of RHOS) {
      const want = 0.25 + Math.asin(rho) / (2 * Math.PI);
      expect(Math.abs(bivariateNormalCdf(0, 0, rho) - want)).toBeLessThan(1e-15);
    }
  });

  it('factorises into the marginals when ρ = 0', () => {
    for (const x of GRID) {
      for (const y of GRID) {
        expect(Math.abs(bivariateNormalCdf(x, y, 0) - normalCdf(x) * normalCdf(y))).toBeLessThan(1e-16);
      }
    }
  });

  it('reaches the exact limits at ρ = ±1', () => {
    for (const x of GRID) {
      for (const y of GRID) {
        expect(bivariateNormalCdf(x, y, 1)).toBeCloseTo(normalCdf(Math.min(x, y)), 15);
        expect(bivariateNormalCdf(x, y, -1)).toBeCloseTo(Math.max(0, normalCdf(x) - normalCdf(-y)), 15);
      }
    }
  });

  it('approaches the ρ = ±1 limits continuously', () => {
    for (const [x, y] of [
      [0.5, -0.2],
      [-1, -1.3],
      [2, 1],
    ] as const) {
      expect(Math.abs(bivariateNormalCdf(x, y, 1 - 1e-12) - bivariateNormalCdf(x, y, 1))).toBeLessThan(1e-5);
      expect(Math.abs(bivariateNormalCdf(x, y, -1 + 1e-12) - bivariateNormalCdf(x, y, -1))).toBeLessThan(
        1e-5,
      );
    }
  });

  it('satisfies Φ2(x, y; ρ) + Φ2(x, −y; −ρ) = N(x)', () => {
    for (const x of GRID) {
      for (const y of GRID) {
        for (const rho of RHOS) {
          const sum = bivariateNormalCdf(x, y, rho) + bivariateNormalCdf(x, -y, -rho);
          expect(Math.abs(sum - normalCdf(x))).toBeLessThan(1e-14);
        }
      }
    }
  });

  it('is symmetric in its two arguments', () => {
    for (const x of GRID) {
      for (const y of GRID) {
        for (const rho of RHOS) {
          expect(Math.abs(bivariateNormalCdf(x, y, rho) - bivariateNormalCdf(y, x, rho))).toBeLessThan(1e-15);
        }
      }
    }
  });

  it('saturates beyond ±40 without overflowing', () => {
    for (const huge of [40, 1e10, 1e160, 1e300]) {
      for (const y of GRID) {
        for (const rho of RHOS) {
          expect(Math.abs(bivariateNormalCdf(huge, y, rho) - normalCdf(y))).toBeLessThan(1e-15);
          expect(bivariateNormalCdf(-huge, y, rho)).toBe(0);
        }
      }
    }
  });

  it('handles infinite limits', () => {
    expect(bivariateNormalCdf(Number.NEGATIVE_INFINITY, 1, 0.5)).toBe(0);
    expect(bivariateNormalCdf(1, Number.NEGATIVE_INFINITY, 0.5)).toBe(0);
    expect(bivariateNormalCdf(Number.POSITIVE_INFINITY, 1, 0.5)).toBe(normalCdf(1));
    expect(bivariateNormalCdf(-0.7, Number.POSITIVE_INFINITY, -0.5)).toBe(normalCdf(-0.7));
    expect(bivariateNormalCdf(1e6, -1e6, 0.97)).toBe(0);
    expect(bivariateNormalCdf(1e6, 1e6, -0.97)).toBe(1);
  });
});
