/**
 * σ, the index volatility per √second (SPEC §3): σ = max(σ_fast, σ_slow, σ_floor), where σ_fast
 * and σ_slow are square roots of exponentially weighted moving averages of squared 1-second
 * log-returns (per-second variance) with half-lives 60 s and 30 min, and the floor is 30 %/year.
 *
 * The state is a plain value and {@link nextSigmaState} a pure reducer, so price-ingest can keep
 * it, persist it or replay it; {@link createSigmaEstimator} wraps it for callers that prefer an
 * object. It may be fed every print: a sample is used only once at least `sigmaSampleIntervalMs`
 * has passed since the last used one, and each squared return is divided by its actual length in
 * seconds, so a slightly late sample or a gap still estimates the per-second variance. The weight
 * of a sample is 1 − 2^(−Δt / half-life): after one half-life, older data has half its weight.
 * Both averages start at the floor's variance, so a fresh estimator prices at the floor and the
 * slow average does not start biased toward zero.
 */
import type { PricingConfig } from './pricing-config.js';

export type SigmaEstimatorConfig = Pick<
  PricingConfig,
  'sigmaFloor' | 'sigmaFastHalfLifeMs' | 'sigmaSlowHalfLifeMs' | 'sigmaSampleIntervalMs'
>;

export interface SigmaState {
  /** Time of the last sample used, null before the first. */
  lastTMs: number | null;
  /** Index price of the last sample used. */
  lastPriceCents: number;
  /** EWMA of squared log-returns per second, fast half-life. */
  fastVariance: number;
  /** EWMA of squared log-returns per second, slow half-life. */
  slowVariance: number;
  /** Returns folded in so far (how much data σ is based on). */
  returnCount: number;
}

export interface SigmaEstimator {
  /** Feeds one index sample and returns σ after it. */
  update(tMs: number, priceCents: number): number;
  sigma(): number;
  state(): SigmaState;
}

export function initialSigmaState(config: SigmaEstimatorConfig): SigmaState {
  const floorVariance = config.sigmaFloor * config.sigmaFloor;
  return {
    lastTMs: null,
    lastPriceCents: 0,
    fastVariance: floorVariance,
    slowVariance: floorVariance,
    returnCount: 0,
  };
}

/**
 * The state after one index sample. Samples that cannot be used leave it unchanged: a price that
 * is not positive and finite, a time that is not after the last used sample, or one that comes
 * sooner than `sigmaSampleIntervalMs` after it.
 */
export function nextSigmaState(
  state: SigmaState,
  tMs: number,
  priceCents: number,
  config: SigmaEstimatorConfig,
): SigmaState {
  if (!(priceCents > 0 && Number.isFinite(priceCents) && Number.isFinite(tMs))) return state;
  if (state.lastTMs === null) return { ...state, lastTMs: tMs, lastPriceCents: priceCents };
  const elapsedMs = tMs - state.lastTMs;
  if (elapsedMs < config.sigmaSampleIntervalMs || elapsedMs <= 0) return state;
  const logReturn = Math.log(priceCents / state.lastPriceCents);
  const variancePerSecond = (logReturn * logReturn) / (elapsedMs / 1000);
  return {
    lastTMs: tMs,
    lastPriceCents: priceCents,
    fastVariance: ewma(state.fastVariance, variancePerSecond, elapsedMs, config.sigmaFastHalfLifeMs),
    slowVariance: ewma(state.slowVariance, variancePerSecond, elapsedMs, config.sigmaSlowHalfLifeMs),
    returnCount: state.returnCount + 1,
  };
}

/** σ = max(σ_fast, σ_slow, σ_floor). */
export function sigmaOf(state: SigmaState, config: SigmaEstimatorConfig): number {
  return Math.max(Math.sqrt(state.fastVariance), Math.sqrt(state.slowVariance), config.sigmaFloor);
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
    state: () => state,
  };
}

function ewma(previous: number, sample: number, elapsedMs: number, halfLifeMs: number): number {
  const weight = 1 - 2 ** (-elapsedMs / halfLifeMs);
  return previous + weight * (sample - previous);
}
