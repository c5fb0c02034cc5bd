import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING_CONFIG, sigmaFromAnnualized } from './pricing-config.js';
import { createSeededRandom } from './seeded-random.js';
import {
  createSigmaEstimator,
  initialSigmaState,
  nextSigmaState,
  noiseOf,
  type SigmaEstimatorConfig,
  type SigmaState,
  sigmaOf,
} from './sigma-estimator.js';

const CONFIG: SigmaEstimatorConfig = DEFAULT_PRICING_CONFIG;
const FLOOR = CONFIG.sigmaFloor;
const START_MS = 1_764_000_000_000;
const PRICE_CENTS = 10_000_000;

/**
 * Feeds `seconds` of prints every 100 ms from the two-part process: a Brownian true log price with
 * `sigma` per √s, each print adding independent N(0, noise²) micro-noise (not rounded to cents, so
 * the noise is exactly the stated one).
 */
function feedTwoPart(
  state: SigmaState,
  seconds: number,
  sigma: number,
  noise: number,
  seed: number,
): SigmaState {
  const random = createSeededRandom(seed);
  let next = state;
  let logTrue = 0;
  for (let k = 0; k <= seconds * 10; k++) {
    if (k > 0) logTrue += sigma * Math.sqrt(0.1) * random.normal();
    next = nextSigmaState(
      next,
      START_MS + k * 100,
      PRICE_CENTS * Math.exp(logTrue + noise * random.normal()),
      CONFIG,
    );
  }
  return next;
}

describe('sigma and noise estimator', () => {
  it('prices at the floor with no noise before any data', () => {
    expect(FLOOR).toBeCloseTo(0.3 / Math.sqrt(365.25 * 86_400), 15);
    expect(sigmaOf(initialSigmaState(CONFIG), CONFIG)).toBe(FLOOR);
    expect(noiseOf(initialSigmaState(CONFIG))).toBe(0);
  });

  it('applies the floor and measures no noise on a flat series', () => {
    const estimator = createSigmaEstimator(CONFIG);
    for (let s = 0; s <= 600; s++) estimator.update(START_MS + s * 1000, PRICE_CENTS);
    expect(estimator.sigma()).toBe(FLOOR);
    expect(estimator.noise()).toBe(0);
    expect(estimator.state().returnCount).toBe(600);
  });

  it('separates the diffusion from the print noise (2 h of a two-part series)', () => {
    const sigma = sigmaFromAnnualized(0.6);
    const noise = 0.6e-4;
    const state = feedTwoPart(initialSigmaState(CONFIG), 7_200, sigma, noise, 7);
    expect(sigmaOf(state, CONFIG) / sigma).toBeGreaterThan(0.9);
    expect(sigmaOf(state, CONFIG) / sigma).toBeLessThan(1.1);
    expect(noiseOf(state) / noise).toBeGreaterThan(0.9);
    expect(noiseOf(state) / noise).toBeLessThan(1.1);
  });

  it('lets the fast average take over within two minutes of a volatility spike', () => {
    const sigma = sigmaFromAnnualized(0.5);
    const calm = feedTwoPart(initialSigmaState(CONFIG), 3_600, sigma, 0.5e-4, 8);
    const before = sigmaOf(calm, CONFIG);
    let spike = calm;
    const random = createSeededRandom(9);
    let logPrice = Math.log(PRICE_CENTS);
    for (let k = 1; k <= 1_200; k++) {
      logPrice += 4 * sigma * Math.sqrt(0.1) * random.normal();
      spike = nextSigmaState(spike, START_MS + 3_600_000 + k * 100, Math.exp(logPrice), CONFIG);
    }
    expect(sigmaOf(spike, CONFIG)).toBeGreaterThan(2 * before);
  });

  it('keeps the fast σ out on a steady feed twice as noisy as the default (its error grows with η)', () => {
    // 2η² ≈ 3× σ²·1 s, as at the simulator's ×2 venue noise: the fast 1-s average is mostly noise.
    const sigma = sigmaFromAnnualized(0.6);
    const noise = 1.3e-4;
    const slowOnly = { ...CONFIG, sigmaFastZ: 1e9 };
    const pricingV22 = { ...CONFIG, sigmaFastZ: 0, sigmaFastMargin: 0.2 };
    let state = feedTwoPart(initialSigmaState(CONFIG), 1_800, sigma, noise, 11);
    const random = createSeededRandom(12);
    let logTrue = 0;
    const taken = { now: 0, v22: 0, n: 0 };
    for (let k = 1; k <= 36_000; k++) {
      logTrue += sigma * Math.sqrt(0.1) * random.normal();
      const price = PRICE_CENTS * Math.exp(logTrue + noise * random.normal());
      state = nextSigmaState(state, START_MS + 1_800_000 + k * 100, price, CONFIG);
      const slow = sigmaOf(state, slowOnly);
      if (sigmaOf(state, CONFIG) > slow) taken.now += 1;
      if (sigmaOf(state, pricingV22) > slow) taken.v22 += 1;
      taken.n += 1;
    }
    expect(taken.now / taken.n).toBeLessThan(0.05);
    // pricing-v2.2's fixed margin (σ_fast / 1.2) let the noise through far more often.
    expect(taken.v22 / taken.n).toBeGreaterThan(2 * (taken.now / taken.n));
  });

  it('reads η from its own averages: by default they are the slow ones (pricing-v2.4)', () => {
    const v24 = CONFIG;
    const random = createSeededRandom(13);
    let state = initialSigmaState(v24);
    let logTrue = 0;
    for (let k = 0; k <= 6_000; k++) {
      logTrue += sigmaFromAnnualized(0.6) * Math.sqrt(0.1) * random.normal();
      state = nextSigmaState(
        state,
        START_MS + k * 100,
        PRICE_CENTS * Math.exp(logTrue + 0.5e-4 * random.normal()),
        v24,
      );
    }
    expect(state.noise).toEqual(state.slow);
    expect(noiseOf(state)).toBeGreaterThan(0);
  });

  it('estimates η with about half the 30-min spread at half the default noise with a 4 h half-life', () => {
    // η ≈ 0.3 bp, as at the simulator's ×0.5 venue noise, where η² is the small difference of two
    // return variances: the same 6 h feeds read by the default 30-min averages and by 4-h ones
    // (over 6 h the 4 h average holds ~4× the data of the 30-min one, so ~½ its error).
    const sigma = sigmaFromAnnualized(0.6);
    const noise = 0.3e-4;
    const v24 = CONFIG;
    const fourHours = { ...CONFIG, noiseHalfLifeMs: 14_400_000 };
    const errors = { now: [] as number[], v24: [] as number[] };
    for (let seed = 21; seed < 27; seed++) {
      const random = createSeededRandom(seed);
      let now = initialSigmaState(fourHours);
      let old = initialSigmaState(v24);
      let logTrue = 0;
      for (let k = 0; k <= 6 * 36_000; k++) {
        if (k > 0) logTrue += sigma * Math.sqrt(0.1) * random.normal();
        const price = PRICE_CENTS * Math.exp(logTrue + noise * random.normal());
        now = nextSigmaState(now, START_MS + k * 100, price, fourHours);
        old = nextSigmaState(old, START_MS + k * 100, price, v24);
      }
      errors.now.push(noiseOf(now) / noise - 1);
      errors.v24.push(noiseOf(old) / noise - 1);
    }
    const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    expect(rms(errors.now)).toBeLessThan(0.1);
    expect(rms(errors.now)).toBeLessThan(0.7 * rms(errors.v24));
  }, 120_000);

  it('takes one sample per scale interval, so it can be fed every print', () => {
    let state = initialSigmaState(CONFIG);
    for (let t = 0; t <= 10_000; t += 100) {
      state = nextSigmaState(state, START_MS + t, PRICE_CENTS + (t % 200 === 0 ? 500 : 0), CONFIG);
    }
    expect(state.returnCount).toBe(10);
    expect(state.slow.longCount).toBe(2);
  });

  it('ignores samples that are out of order, not positive or not finite', () => {
    const state = nextSigmaState(initialSigmaState(CONFIG), START_MS, PRICE_CENTS, CONFIG);
    expect(nextSigmaState(state, START_MS - 5_000, PRICE_CENTS * 2, CONFIG)).toBe(state);
    expect(nextSigmaState(state, START_MS + 5_000, 0, CONFIG)).toBe(state);
    expect(nextSigmaState(state, START_MS + 5_000, -1, CONFIG)).toBe(state);
    expect(nextSigmaState(state, START_MS + 5_000, Number.NaN, CONFIG)).toBe(state);
    expect(nextSigmaState(state, Number.NaN, PRICE_CENTS, CONFIG)).toBe(state);
  });

  it('resumes from a saved state', () => {
    const saved = feedTwoPart(initialSigmaState(CONFIG), 120, 3 * FLOOR, 0, 10);
    const estimator = createSigmaEstimator(CONFIG, saved);
    expect(estimator.sigma()).toBe(sigmaOf(saved, CONFIG));
    expect(estimator.noise()).toBe(noiseOf(saved));
    expect(estimator.update(START_MS + 121_000, PRICE_CENTS)).toBe(estimator.sigma());
  });
});
