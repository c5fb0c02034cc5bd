/**
 * σ and η, what the two-part model reads from the index (SPEC §3 "Calibrated on what settles"):
 * the true price diffuses with σ per √second, and each print adds micro-noise of standard deviation
 * η (log units) — venue noise and the median switching venues, mean-reverting within a few prints.
 * A log-return over Δt, once Δt is past the noise's memory, has E[r²] = σ²·Δt + 2η². So squared
 * returns at two scales, 1 s (`sigmaSampleIntervalMs`) and 5 s (`sigmaLongSampleIntervalMs`), give
 *
 *   σ² = (R_5s − R_1s) / (T_5s − T_1s),   η² = (R_1s − σ²·T_1s) / 2
 *
 * with R the exponentially weighted means of the squared returns and T of their lengths (s).
 * Print-to-print returns are not used: consecutive prints share venue quotes, so their noise is
 * correlated and the 100 ms scale understates η (measured on the simulator: η from 100 ms returns
 * 0.57 bp, from ≥ 300 ms returns 0.65 bp, and the calibration passes only with the latter).
 *
 * Two half-lives. The slow one (30 min) measures both, precisely (σ within ~3 %): σ_slow and η.
 * The fast one (60 s) only watches for a volatility spike, from 1-s returns less the slow noise:
 * σ_fast² = (R_1s,fast − 2η²) / T_1s,fast. That is too noisy to price with as is, and its noise
 * grows with η/σ (the 2η² subtracted is most of R_1s on a noisy feed: ±9 % in σ at the simulator's
 * default noise, ±21 % at twice it), so it takes over only beyond its own sampling noise — a lower
 * confidence bound, R_1s,fast shrunk by `sigmaFastZ` standard errors of an exponentially weighted
 * mean of n_eff = (2 − w)/w squared returns, SE = R·√(2/n_eff) (normal returns):
 *
 *   σ_fast,low² = (R_1s,fast·(1 − z·√(2/n_eff)) − 2η²) / T_1s,fast,   σ = max(σ_slow, σ_fast,low, σ_floor)
 *
 * Measured (pricing-v2.1, docs/pricing.md): pricing-v2's fixed margin, σ_fast/1.2, still let the
 * fast estimate's noise through on noisy feeds — σ over by 6 % at the default noise and 12 % at
 * twice it, which understates P of the cells near the index (traders overpaid at ×0.5, underpaid
 * at ×2). max(σ_fast, σ_slow) as in pricing-v1 was worse still.
 *
 * Averages start from the samples themselves (weight max(w, 1/n) for the n-th sample), not from a
 * guess; until the first 5-s return σ is taken from 1-s returns alone (noise included: cautious)
 * and η is 0; before any return σ is the floor. The state is a plain value and
 * {@link nextSigmaState} a pure reducer fed every print, so price-ingest keeps and replays it and
 * the calibration tool runs the very same estimator over recorded prints.
 */
import type { PricingConfig } from './pricing-config.js';

export type SigmaEstimatorConfig = Pick<
  PricingConfig,
  | 'sigmaFloor'
  | 'sigmaFastHalfLifeMs'
  | 'sigmaSlowHalfLifeMs'
  | 'sigmaSampleIntervalMs'
  | 'sigmaLongSampleIntervalMs'
  | 'sigmaFastZ'
>;

/** Exponentially weighted means of squared log-returns and of their lengths (s), one half-life. */
export interface ReturnMoments {
  shortSquare: number;
  shortSeconds: number;
  shortCount: number;
  longSquare: number;
  longSeconds: number;
  longCount: number;
}

/** The last sample of one scale: null before the first print. */
export interface ScaleSample {
  tMs: number;
  priceCents: number;
}

export interface SigmaState {
  short: ScaleSample | null;
  long: ScaleSample | null;
  fast: ReturnMoments;
  slow: ReturnMoments;
  /** 1-second returns folded in so far (how much data σ is based on). */
  returnCount: number;
}

export interface SigmaEstimator {
  /** Feeds one index print and returns σ after it. */
  update(tMs: number, priceCents: number): number;
  sigma(): number;
  /** η after the last update. */
  noise(): number;
  state(): SigmaState;
}

const EMPTY: ReturnMoments = {
  shortSquare: 0,
  shortSeconds: 0,
  shortCount: 0,
  longSquare: 0,
  longSeconds: 0,
  longCount: 0,
};

export function initialSigmaState(_config: SigmaEstimatorConfig): SigmaState {
  return { short: null, long: null, fast: EMPTY, slow: EMPTY, returnCount: 0 };
}

/**
 * The state after one index print. A price that is not positive and finite, or a time not after
 * the last sample, leaves it unchanged; each scale takes a sample once its interval has passed.
 */
export function nextSigmaState(
  state: SigmaState,
  tMs: number,
  priceCents: number,
  config: SigmaEstimatorConfig,
): SigmaState {
  if (!(priceCents > 0 && Number.isFinite(priceCents) && Number.isFinite(tMs))) return state;
  const sample = { tMs, priceCents };
  if (state.short === null || state.long === null) return { ...state, short: sample, long: sample };
  let next = state;
  const shortMs = tMs - state.short.tMs;
  if (shortMs >= config.sigmaSampleIntervalMs && shortMs > 0) {
    const r = Math.log(priceCents / state.short.priceCents);
    next = {
      ...next,
      short: sample,
      fast: fold(next.fast, 'short', r, shortMs, config.sigmaFastHalfLifeMs),
      slow: fold(next.slow, 'short', r, shortMs, config.sigmaSlowHalfLifeMs),
      returnCount: next.returnCount + 1,
    };
  }
  const longMs = tMs - state.long.tMs;
  if (longMs >= config.sigmaLongSampleIntervalMs && longMs > 0) {
    const r = Math.log(priceCents / state.long.priceCents);
    next = {
      ...next,
      long: sample,
      fast: fold(next.fast, 'long', r, longMs, config.sigmaFastHalfLifeMs),
      slow: fold(next.slow, 'long', r, longMs, config.sigmaSlowHalfLifeMs),
    };
  }
  return next;
}

/** σ = max(σ_slow, σ_fast,low, σ_floor): the fast average's lower confidence bound (see the header). */
export function sigmaOf(state: SigmaState, config: SigmaEstimatorConfig): number {
  const slow = Math.sqrt(slowDiffusionVariance(state.slow));
  return Math.max(slow, fastSigmaLowerBound(state, config), config.sigmaFloor);
}

function fastSigmaLowerBound(state: SigmaState, config: SigmaEstimatorConfig): number {
  const m = state.fast;
  if (m.shortCount === 0 || !(m.shortSeconds > 0)) return 0;
  // Effective sample count of the EWMA of 1-s returns at its steady weight (fewer at the start).
  const w = 1 - 2 ** (-(m.shortSeconds * 1000) / config.sigmaFastHalfLifeMs);
  const nEff = Math.min(m.shortCount, (2 - w) / w);
  const shrink = 1 - config.sigmaFastZ * Math.sqrt(2 / nEff);
  const variance = (m.shortSquare * shrink - 2 * noiseVariance(state.slow)) / m.shortSeconds;
  return Math.sqrt(Math.max(0, variance));
}

/** η (log units), from the slow averages. */
export function noiseOf(state: SigmaState): number {
  return Math.sqrt(noiseVariance(state.slow));
}

export function createSigmaEstimator(
  config: SigmaEstimatorConfig,
  initial: SigmaState = initialSigmaState(config),
): SigmaEstimator {
  let state = initial;
  return {
    update(tMs, priceCents) {
      state = nextSigmaState(state, tMs, priceCents, config);
      return sigmaOf(state, config);
    },
    sigma: () => sigmaOf(state, config),
    noise: () => noiseOf(state),
    state: () => state,
  };
}

/** σ² per second; from 1-s returns alone (noise included) until there is a 5-s one. */
function slowDiffusionVariance(m: ReturnMoments): number {
  if (m.shortCount === 0) return 0;
  if (m.longCount === 0) return m.shortSquare / m.shortSeconds;
  const seconds = m.longSeconds - m.shortSeconds;
  if (!(seconds > 0)) return 0;
  return Math.max(0, (m.longSquare - m.shortSquare) / seconds);
}

function noiseVariance(m: ReturnMoments): number {
  if (m.shortCount === 0 || m.longCount === 0) return 0;
  return Math.max(0, (m.shortSquare - slowDiffusionVariance(m) * m.shortSeconds) / 2);
}

function fold(
  m: ReturnMoments,
  scale: 'short' | 'long',
  logReturn: number,
  elapsedMs: number,
  halfLifeMs: number,
): ReturnMoments {
  const count = (scale === 'short' ? m.shortCount : m.longCount) + 1;
  const weight = Math.max(1 - 2 ** (-elapsedMs / halfLifeMs), 1 / count);
  const square = scale === 'short' ? m.shortSquare : m.longSquare;
  const seconds = scale === 'short' ? m.shortSeconds : m.longSeconds;
  const nextSquare = square + weight * (logReturn * logReturn - square);
  const nextSeconds = seconds + weight * (elapsedMs / 1000 - seconds);
  return scale === 'short'
    ? { ...m, shortSquare: nextSquare, shortSeconds: nextSeconds, shortCount: count }
    : { ...m, longSquare: nextSquare, longSeconds: nextSeconds, longCount: count };
}
