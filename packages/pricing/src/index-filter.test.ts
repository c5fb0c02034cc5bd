import { describe, expect, it } from 'vitest';
import {
  createIndexFilter,
  filteredIndexOf,
  type IndexFilterState,
  nextIndexFilterState,
  pricingIndexOf,
} from './index-filter.js';
import { noisyTouchProbability } from './noisy-touch.js';
import { DEFAULT_PRICING_CONFIG, sigmaFromAnnualized } from './pricing-config.js';
import { quoteCell } from './quote-cell.js';
import { createSeededRandom } from './seeded-random.js';

const T_MS = 1_764_000_000_000;
const SIGMA = sigmaFromAnnualized(0.6);
const ETA = 0.65e-4;

/** Steady-state posterior variance of the local-level filter: v² + q·v − q·R = 0 with q = σ²δ, R = η². */
function steadyVariance(sigma: number, noise: number, intervalMs: number): number {
  const q = (sigma * sigma * intervalMs) / 1000;
  const r = noise * noise;
  return (-q + Math.sqrt(q * q + 4 * q * r)) / 2;
}

describe('nextIndexFilterState', () => {
  it('starts at the first print with the print noise as its error', () => {
    const state = nextIndexFilterState(null, T_MS, 9_500_000, SIGMA, ETA);
    expect(state).toEqual({ tMs: T_MS, logLevel: Math.log(9_500_000), variance: ETA * ETA });
  });

  it('follows a hand-computed two-print sequence (σ²·Δt = η² = 10⁻⁵: gain 2/3)', () => {
    const sigma = 0.01; // per √s: σ²·0.1 s = 10⁻⁵
    const noise = Math.sqrt(1e-5);
    const first = nextIndexFilterState(null, T_MS, 10_000, sigma, noise);
    const second = nextIndexFilterState(first, T_MS + 100, 10_100, sigma, noise)!;
    expect(second.logLevel).toBeCloseTo(Math.log(10_000) + (2 / 3) * Math.log(1.01), 12);
    expect(second.variance).toBeCloseTo((2e-5 * 1e-5) / 3e-5, 15);
    expect(filteredIndexOf(second).filteredCents).toBe(Math.round(10_000 * 1.01 ** (2 / 3)));
  });

  it('is the print itself, with error 0, while η is 0 (the estimator warming up)', () => {
    let state: IndexFilterState | null = null;
    for (const [i, price] of [9_500_000, 9_500_700, 9_499_100].entries()) {
      state = nextIndexFilterState(state, T_MS + 100 * i, price, SIGMA, 0);
      expect(filteredIndexOf(state!)).toEqual({ filteredCents: price, filteredNoise: 0 });
    }
  });

  it('settles at the steady-state error: ≈ 0.40 bp at 60 %/yr and η 0.65 bp, prints every 100 ms', () => {
    let state: IndexFilterState | null = null;
    for (let i = 0; i < 200; i++) state = nextIndexFilterState(state, T_MS + 100 * i, 9_500_000, SIGMA, ETA);
    const error = filteredIndexOf(state!).filteredNoise;
    expect(error).toBeCloseTo(Math.sqrt(steadyVariance(SIGMA, ETA, 100)), 12);
    expect(error * 1e4).toBeGreaterThan(0.38);
    expect(error * 1e4).toBeLessThan(0.42);
  });

  it('is off the true price by its stated error on the two-part process it models, less than one print', () => {
    const random = createSeededRandom(22);
    let truth = Math.log(9_500_000);
    let state: IndexFilterState | null = null;
    let filteredSquare = 0;
    let printSquare = 0;
    const n = 20_000;
    for (let i = 0; i < n + 100; i++) {
      truth += SIGMA * Math.sqrt(0.1) * random.normal();
      const print = truth + ETA * random.normal();
      state = nextIndexFilterState(state, T_MS + 100 * i, Math.exp(print), SIGMA, ETA);
      if (i < 100) continue; // past the start
      filteredSquare += (state!.logLevel - truth) ** 2;
      printSquare += (print - truth) ** 2;
    }
    const rms = Math.sqrt(filteredSquare / n);
    expect(rms / Math.sqrt(steadyVariance(SIGMA, ETA, 100))).toBeGreaterThan(0.95);
    expect(rms / Math.sqrt(steadyVariance(SIGMA, ETA, 100))).toBeLessThan(1.05);
    expect(rms).toBeLessThan(0.7 * Math.sqrt(printSquare / n));
  });

  it('follows the next print after a long gap (the true price has moved far since)', () => {
    const before = nextIndexFilterState(null, T_MS, 9_500_000, SIGMA, ETA);
    const after = nextIndexFilterState(before, T_MS + 60_000, 9_510_000, SIGMA, ETA)!;
    expect(filteredIndexOf(after).filteredCents).toBeGreaterThan(9_509_900);
  });

  it('ignores a print that is not positive and finite, not after the last one, or with a bad σ or η', () => {
    const state = nextIndexFilterState(null, T_MS, 9_500_000, SIGMA, ETA);
    expect(nextIndexFilterState(state, T_MS + 100, 0, SIGMA, ETA)).toBe(state);
    expect(nextIndexFilterState(state, T_MS + 100, Number.NaN, SIGMA, ETA)).toBe(state);
    expect(nextIndexFilterState(state, T_MS, 9_500_100, SIGMA, ETA)).toBe(state);
    expect(nextIndexFilterState(state, T_MS + 100, 9_500_100, -1, ETA)).toBe(state);
    expect(nextIndexFilterState(state, T_MS + 100, 9_500_100, SIGMA, Number.POSITIVE_INFINITY)).toBe(state);
    expect(nextIndexFilterState(null, T_MS, -5, SIGMA, ETA)).toBeNull();
  });

  it('is the same reducer behind createIndexFilter', () => {
    const filter = createIndexFilter();
    let state: IndexFilterState | null = null;
    for (const [i, price] of [9_500_000, 9_500_400, 9_499_800, 9_500_900].entries()) {
      state = nextIndexFilterState(state, T_MS + 100 * i, price, SIGMA, ETA);
      expect(filter.update(T_MS + 100 * i, price, SIGMA, ETA)).toEqual(filteredIndexOf(state!));
    }
    expect(createIndexFilter().update(T_MS, 0, SIGMA, ETA)).toBeNull();
  });
});

describe('pricingIndexOf', () => {
  it('reads the filtered index and its error when the print carries them', () => {
    const print = { priceCents: 9_500_000, noise: ETA, filteredCents: 9_500_300, filteredNoise: 0.4e-4 };
    expect(pricingIndexOf(print)).toEqual({ indexPriceCents: 9_500_300, indexNoise: 0.4e-4 });
  });

  it('reads the print and its η otherwise (η 0 for a print from before pricing-v2)', () => {
    expect(pricingIndexOf({ priceCents: 9_500_000, noise: ETA })).toEqual({
      indexPriceCents: 9_500_000,
      indexNoise: ETA,
    });
    expect(pricingIndexOf({ priceCents: 9_500_000 })).toEqual({ indexPriceCents: 9_500_000, indexNoise: 0 });
  });
});

describe('the error of S in the price', () => {
  const touch = {
    lowerLog: 0.5e-4,
    upperLog: 1.55e-4,
    tau1Ms: 3_000,
    sigma: SIGMA,
    noise: ETA,
    printIntervalMs: 100,
  };

  it('defaults to η, the last print’s noise', () => {
    expect(noisyTouchProbability({ ...touch, indexNoise: ETA })).toBe(noisyTouchProbability(touch));
  });

  it('narrows the spread of S with a smaller error: a band just above S gets likelier, one far above less', () => {
    const far = { ...touch, lowerLog: 6e-4, upperLog: 7.05e-4 };
    expect(noisyTouchProbability({ ...touch, indexNoise: 0.4e-4 })).toBeGreaterThan(
      noisyTouchProbability(touch),
    );
    expect(noisyTouchProbability({ ...far, indexNoise: 0.4e-4 })).toBeLessThan(noisyTouchProbability(far));
  });

  it('is carried into the quote and its terms', () => {
    const input = {
      t0: T_MS + 10_000,
      p0: 9_501_000,
      nowMs: T_MS,
      indexPriceCents: 9_500_000,
      printTMs: T_MS,
      sigma: SIGMA,
      noise: ETA,
      config: DEFAULT_PRICING_CONFIG,
    };
    const plain = quoteCell(input);
    const filtered = quoteCell({ ...input, indexNoise: 0.4e-4 });
    expect(plain.ok && plain.indexNoise).toBe(ETA);
    expect(filtered.ok && filtered.indexNoise).toBe(0.4e-4);
    expect(filtered.ok && plain.ok && filtered.probability).not.toBe(plain.ok && plain.probability);
    expect(quoteCell({ ...input, indexNoise: -1 })).toMatchObject({
      ok: false,
      reason: 'market_data_invalid',
    });
  });
});
