import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING_CONFIG, sigmaFromAnnualized } from './pricing-config.js';
import { createSeededRandom } from './seeded-random.js';
import {
  createSigmaEstimator,
  initialSigmaState,
  nextSigmaState,
  type SigmaEstimatorConfig,
  type SigmaState,
  sigmaOf,
} from './sigma-estimator.js';

const CONFIG: SigmaEstimatorConfig = DEFAULT_PRICING_CONFIG;
const FLOOR = CONFIG.sigmaFloor;
const START_MS = 1_764_000_000_000;
const PRICE_CENTS = 10_000_000;

/** Feeds `seconds` 1-second samples whose log-returns alternate ±logReturn (the price stays bounded). */
function feedAlternating(state: SigmaState, fromS: number, seconds: number, logReturn: number): SigmaState {
  let next = state;
  for (let i = 1; i <= seconds; i++) {
    const price = PRICE_CENTS * Math.exp(i % 2 === 1 ? logReturn : 0);
    next = nextSigmaState(next, START_MS + (fromS + i) * 1000, price, CONFIG);
  }
  return next;
}

function started(): SigmaState {
  return nextSigmaState(initialSigmaState(CONFIG), START_MS, PRICE_CENTS, CONFIG);
}

describe('sigma estimator', () => {
  it('prices at the floor of 30 %/year before any data', () => {
    expect(FLOOR).toBeCloseTo(0.3 / Math.sqrt(365.25 * 86_400), 15);
    expect(sigmaOf(initialSigmaState(CONFIG), CONFIG)).toBe(FLOOR);
  });

  it('applies the floor on a flat series', () => {
    const estimator = createSigmaEstimator(CONFIG);
    for (let s = 0; s <= 3_600; s++) estimator.update(START_MS + s * 1000, PRICE_CENTS);
    expect(estimator.sigma()).toBe(FLOOR);
    expect(estimator.state().fastVariance).toBeLessThan(1e-6 * FLOOR * FLOOR);
    expect(estimator.state().returnCount).toBe(3_600);
  });

  it('reacts to a volatile series within a few fast half-lives', () => {
    const random = createSeededRandom(11);
    const trueSigma = sigmaFromAnnualized(1.2);
    const estimator = createSigmaEstimator(CONFIG);
    let price = PRICE_CENTS;
    for (let s = 0; s <= 300; s++) {
      estimator.update(START_MS + s * 1000, Math.round(price));
      price *= Math.exp(trueSigma * random.normal());
    }
    expect(estimator.sigma()).toBeGreaterThan(0.7 * trueSigma);
    expect(estimator.sigma()).toBeLessThan(1.3 * trueSigma);
  });

  it('moves the fast average halfway to a new level in one 60 s half-life', () => {
    const high = 5 * FLOOR;
    const state = feedAlternating(started(), 0, 60, high);
    const expected = 0.5 * FLOOR * FLOOR + 0.5 * high * high;
    expect(state.fastVariance / expected).toBeCloseTo(1, 10);
  });

  it('moves the slow average halfway to a new level in one 30 min half-life', () => {
    const high = 5 * FLOOR;
    const state = feedAlternating(started(), 0, 1_800, high);
    const expected = 0.5 * FLOOR * FLOOR + 0.5 * high * high;
    expect(state.slowVariance / expected).toBeCloseTo(1, 10);
  });

  it('keeps σ high through the slow average after a volatile burst calms down', () => {
    const burst = feedAlternating(started(), 0, 600, 10 * FLOOR);
    const calm = feedAlternating(burst, 600, 600, 0);
    expect(Math.sqrt(calm.fastVariance)).toBeLessThan(FLOOR);
    expect(sigmaOf(calm, CONFIG)).toBe(Math.sqrt(calm.slowVariance));
    expect(sigmaOf(calm, CONFIG)).toBeGreaterThan(3 * FLOOR);
  });

  it('uses each return per second of its length when samples come late or after a gap', () => {
    const move = 10 * FLOOR;
    const afterGap = nextSigmaState(started(), START_MS + 4_000, PRICE_CENTS * Math.exp(move), CONFIG);
    const weight = 1 - 2 ** (-4 / 60);
    const expected = FLOOR * FLOOR + weight * ((move * move) / 4 - FLOOR * FLOOR);
    expect(afterGap.fastVariance).toBeCloseTo(expected, 20);
  });

  it('takes at most one return per sample interval, so it can be fed every print', () => {
    let state = started();
    for (let t = 100; t <= 10_000; t += 100) {
      state = nextSigmaState(state, START_MS + t, PRICE_CENTS + (t % 200 === 0 ? 500 : 0), CONFIG);
    }
    expect(state.returnCount).toBe(10);
  });

  it('ignores samples that are out of order, not positive or not finite', () => {
    const state = started();
    expect(nextSigmaState(state, START_MS - 5_000, PRICE_CENTS * 2, CONFIG)).toBe(state);
    expect(nextSigmaState(state, START_MS + 5_000, 0, CONFIG)).toBe(state);
    expect(nextSigmaState(state, START_MS + 5_000, -1, CONFIG)).toBe(state);
    expect(nextSigmaState(state, START_MS + 5_000, Number.NaN, CONFIG)).toBe(state);
    expect(nextSigmaState(state, Number.NaN, PRICE_CENTS, CONFIG)).toBe(state);
  });

  it('resumes from a saved state', () => {
    const saved = feedAlternating(started(), 0, 120, 3 * FLOOR);
    const estimator = createSigmaEstimator(CONFIG, saved);
    expect(estimator.sigma()).toBe(sigmaOf(saved, CONFIG));
    expect(estimator.update(START_MS + 121_000, PRICE_CENTS)).toBe(estimator.sigma());
  });
});
