import { describe, expect, it } from 'vitest';
import { bivariateNormalCdf } from './bivariate-normal.js';
import { normalCdf } from './normal.js';
import { sigmaFromAnnualized } from './pricing-config.js';
import {
  BGK_BETA,
  continuousTouchProbability,
  type TouchInput,
  touchProbability,
} from './touch-probability.js';

const SIGMA_FLOOR = sigmaFromAnnualized(0.3);
/** ln(1 + $10 / $100k): one default band's height in log space at a $100k index. */
const BAND_LOG = Math.log1p(1e-4);

function touch(overrides: Partial<TouchInput> = {}): TouchInput {
  return {
    lowerLog: BAND_LOG,
    upperLog: 2 * BAND_LOG,
    tau1Ms: 5_000,
    tau2Ms: 10_000,
    sigma: SIGMA_FLOOR,
    ...overrides,
  };
}

/**
 * SPEC §3 written literally, with the N(x) − Φ2(x, y; ρ) crossing terms, whose levels are moved
 * inward by `shift`.
 */
function specFormula({ lowerLog: a, upperLog: b, tau1Ms, tau2Ms, sigma }: TouchInput, shift = 0): number {
  const s1 = sigma * Math.sqrt(tau1Ms / 1000);
  const s = sigma * Math.sqrt(tau2Ms / 1000);
  const rho = s1 / s;
  return (
    normalCdf(b / s1) -
    normalCdf(a / s1) +
    2 * (normalCdf(a / s1) - bivariateNormalCdf(a / s1, (a + shift) / s, rho)) +
    2 * (normalCdf(-b / s1) - bivariateNormalCdf(-b / s1, -(b - shift) / s, rho))
  );
}

describe('continuousTouchProbability', () => {
  it('equals the SPEC formula written with N(x) − Φ2(x, y; ρ)', () => {
    for (const k of [-8, -3, -1, 0, 1, 2, 5]) {
      for (const tau1Ms of [2_000, 17_000, 55_000]) {
        for (const annual of [0.3, 1.2]) {
          const input = touch({
            lowerLog: k * BAND_LOG - BAND_LOG / 3,
            upperLog: (k + 1) * BAND_LOG - BAND_LOG / 3,
            tau1Ms,
            tau2Ms: tau1Ms + 5_000,
            sigma: sigmaFromAnnualized(annual),
          });
          expect(Math.abs(continuousTouchProbability(input) - specFormula(input))).toBeLessThan(1e-13);
        }
      }
    }
  });

  it('reduces to the one-touch 2·N(−d/(σ√T)) as τ1 → 0', () => {
    for (const k of [1, 3, -2, -5]) {
      const input = touch({ lowerLog: k * BAND_LOG, upperLog: (k + 1) * BAND_LOG, tau2Ms: 5_000 });
      const distance = k > 0 ? input.lowerLog : -input.upperLog;
      const oneTouch = 2 * normalCdf(-distance / (input.sigma * Math.sqrt(5)));
      expect(continuousTouchProbability({ ...input, tau1Ms: 0 })).toBeCloseTo(oneTouch, 15);
      let previousError = Number.POSITIVE_INFINITY;
      for (const tau1Ms of [100, 10, 1, 0.01]) {
        const error = Math.abs(continuousTouchProbability({ ...input, tau1Ms }) - oneTouch);
        expect(error).toBeLessThanOrEqual(previousError);
        previousError = error;
      }
      expect(previousError).toBeLessThan(1e-3);
    }
  });

  it('is 1 when the index is inside the band and the window starts now', () => {
    expect(
      continuousTouchProbability(touch({ lowerLog: -BAND_LOG / 2, upperLog: BAND_LOG / 2, tau1Ms: 0 })),
    ).toBe(1);
    expect(continuousTouchProbability(touch({ lowerLog: 0, upperLog: BAND_LOG, tau1Ms: 0 }))).toBe(1);
  });

  it('is close to 1 when the index is inside the band and τ1 is small', () => {
    const inside = { lowerLog: -BAND_LOG / 2, upperLog: BAND_LOG / 2, tau2Ms: 5_010 };
    expect(continuousTouchProbability(touch({ ...inside, tau1Ms: 10 }))).toBeGreaterThan(0.99);
    expect(touchProbability({ ...touch({ ...inside, tau1Ms: 10 }), printIntervalMs: 100 })).toBeGreaterThan(
      0.99,
    );
  });

  it('is 1 or 0 without randomness', () => {
    expect(continuousTouchProbability(touch({ lowerLog: -1e-5, upperLog: 1e-5, sigma: 0 }))).toBe(1);
    expect(continuousTouchProbability(touch({ sigma: 0 }))).toBe(0);
  });

  it('swaps a band given upside down', () => {
    const input = touch();
    const swapped = { ...input, lowerLog: input.upperLog, upperLog: input.lowerLog };
    expect(continuousTouchProbability(swapped)).toBe(continuousTouchProbability(input));
  });

  it('treats a started window as starting now', () => {
    expect(continuousTouchProbability(touch({ tau1Ms: -1_000 }))).toBe(
      continuousTouchProbability(touch({ tau1Ms: 0 })),
    );
  });
});

describe('touchProbability', () => {
  it('moves the level each crossing term must reach inward by β·σ·√δ', () => {
    for (const k of [-3, -1, 0, 2]) {
      const input = touch({
        lowerLog: k * BAND_LOG - BAND_LOG / 4,
        upperLog: (k + 1) * BAND_LOG - BAND_LOG / 4,
      });
      const shift = BGK_BETA * input.sigma * Math.sqrt(0.1);
      expect(touchProbability({ ...input, printIntervalMs: 100 })).toBeCloseTo(specFormula(input, shift), 13);
      expect(touchProbability({ ...input, printIntervalMs: 100 })).toBeLessThan(
        continuousTouchProbability(input),
      );
    }
    expect(BGK_BETA).toBeCloseTo(0.5826, 4);
  });

  it('reduces to the corrected one-touch 2·N(−(d + β·σ·√δ)/(σ√T)) when the window starts now', () => {
    const input = touch({ tau1Ms: 0, tau2Ms: 5_000 });
    const shift = BGK_BETA * input.sigma * Math.sqrt(0.1);
    const oneTouch = 2 * normalCdf(-(input.lowerLog + shift) / (input.sigma * Math.sqrt(5)));
    expect(touchProbability({ ...input, printIntervalMs: 100 })).toBeCloseTo(oneTouch, 15);
  });

  it('keeps pricing a band narrower than the correction, continuously in σ', () => {
    // The shifted levels cross where 2·β·σ·√δ equals the band's log height.
    const crossingSigma = (BAND_LOG / (2 * BGK_BETA)) * Math.sqrt(10);
    const below = touchProbability({ ...touch({ sigma: crossingSigma * (1 - 1e-9) }), printIntervalMs: 100 });
    const above = touchProbability({ ...touch({ sigma: crossingSigma * (1 + 1e-9) }), printIntervalMs: 100 });
    expect(Math.abs(below - above)).toBeLessThan(1e-7);
    const wide = touchProbability({ ...touch({ sigma: 10 * crossingSigma }), printIntervalMs: 100 });
    expect(wide).toBeGreaterThan(0);
    expect(wide).toBeLessThan(1);
  });

  it('is symmetric above and below the index in log space', () => {
    for (const k of [0.3, 1, 2, 4, 9]) {
      for (const tau1Ms of [0, 2_000, 30_000]) {
        for (const annual of [0.3, 1, 4]) {
          const above = touch({
            lowerLog: k * BAND_LOG,
            upperLog: (k + 1) * BAND_LOG,
            tau1Ms,
            tau2Ms: tau1Ms + 5_000,
            sigma: sigmaFromAnnualized(annual),
          });
          const below = { ...above, lowerLog: -above.upperLog, upperLog: -above.lowerLog };
          const pAbove = touchProbability({ ...above, printIntervalMs: 100 });
          const pBelow = touchProbability({ ...below, printIntervalMs: 100 });
          expect(Math.abs(pAbove - pBelow)).toBeLessThan(1e-14);
        }
      }
    }
  });

  it('decreases as the band moves away from the index', () => {
    for (const tau1Ms of [2_000, 10_000, 55_000]) {
      for (const direction of [1, -1]) {
        let previous = 1;
        for (let k = 1; k <= 30; k++) {
          const near = direction * k * BAND_LOG;
          const far = direction * (k + 1) * BAND_LOG;
          const lowerLog = Math.min(near, far);
          const upperLog = Math.max(near, far);
          const p = touchProbability({
            ...touch({ lowerLog, upperLog, tau1Ms, tau2Ms: tau1Ms + 5_000 }),
            printIntervalMs: 100,
          });
          expect(p).toBeLessThanOrEqual(previous);
          if (previous > 1e-12) expect(p).toBeLessThan(previous);
          previous = p;
        }
      }
    }
  });
});
