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
 * Two half-lives, and η's own. The slow one (30 min) measures σ_slow (within ~3 %). η is read from
 * the same two scales averaged over `noiseHalfLifeMs` (30 min by default, so the same averages as
 * σ_slow, as in pricing-v2.4). η² is the small difference of two return variances (5·R_1s − R_5s)/8,
 * so over 30 min it wobbles ±15 % at half the default venue noise (±3–4 % at the default); 4 h
 * makes it ±3 % and was measured as a candidate (docs/pricing.md "η from 4-hour averages"): the P
 * buckets of the 120 h calibration did not improve, so it is not the default.
 * The fast one (60 s) only watches for a volatility spike, from 1-s returns less the noise:
 * σ_fast² = (R_1s,fast − 2η²) / T_1s,fast, too noisy to price with as is, so it takes over only
 * beyond its own noise: σ² = max(σ_slow², (σ_fast² − z·SE) / (1 + sigmaFastMargin)², σ_floor²) with
 * z = sigmaFastZ and SE = R_1s,fast / T_1s,fast · √(2w / (2 − w)), the standard error of an EWMA of
 * squared normal returns with per-sample weight w (pricing-v2.3). The error is relative to all of
 * R_1s, noise included, so it grows with η: pricing-v2.2's fixed margin (σ_fast / 1.2, ≈ 2.4 SE at
 * the default noise) was 1 SE at twice the noise, where the fast σ took over 18 % of the time and
 * overstated σ by 2 % (near cells underpriced); with z = 2.4 it takes over 2 % of the time there and
 * the default and halved noise are unchanged. (max(σ_fast, σ_slow) as in pricing-v1 overstates σ by
 * ~5 % on a steady feed and fails the calibration.)
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
  | 'sigmaFastMargin'
  | 'sigmaFastZ'
  | 'noiseHalfLifeMs'
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
  /** The same averages over `noiseHalfLifeMs`, which η is read from (`noiseHalfLifeMs`). */
  noise: ReturnMoments;
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
  return { short: null, long: null, fast: EMPTY, slow: EMPTY, noise: EMPTY, returnCount: 0 };
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
  const last = { short: state.short, long: state.long };
  const intervalMs = { short: config.sigmaSampleIntervalMs, long: config.sigmaLongSampleIntervalMs };
  let next = state;
  for (const scale of ['short', 'long'] as const) {
    const elapsedMs = tMs - last[scale].tMs;
    if (!(elapsedMs >= intervalMs[scale] && elapsedMs > 0)) continue;
    const r = Math.log(priceCents / last[scale].priceCents);
    next = {
      ...next,
      [scale]: sample,
      fast: fold(next.fast, scale, r, elapsedMs, config.sigmaFastHalfLifeMs),
      slow: fold(next.slow, scale, r, elapsedMs, config.sigmaSlowHalfLifeMs),
      noise: fold(next.noise, scale, r, elapsedMs, config.noiseHalfLifeMs),
      // returnCount counts the 1 s returns (the short scale) only.
      returnCount: next.returnCount + (scale === 'short' ? 1 : 0),
    };
  }
  return next;
}

/** σ = max(σ_slow, √(σ_fast² − z·SE) / (1 + margin), σ_floor). */
export function sigmaOf(state: SigmaState, config: SigmaEstimatorConfig): number {
  const slow = Math.sqrt(slowDiffusionVariance(state.slow));
  let fastVariance = 0;
  if (state.fast.shortCount > 0) {
    const weight = 1 - 2 ** (-config.sigmaSampleIntervalMs / config.sigmaFastHalfLifeMs);
    const standardError =
      (state.fast.shortSquare / state.fast.shortSeconds) * Math.sqrt((2 * weight) / (2 - weight));
    fastVariance =
      (state.fast.shortSquare - 2 * noiseVariance(state.noise)) / state.fast.shortSeconds -
      config.sigmaFastZ * standardError;
  }
  const fast = Math.sqrt(Math.max(0, fastVariance)) / (1 + config.sigmaFastMargin);
  return Math.max(slow, fast, config.sigmaFloor);
}

/** η (log units), from the noise averages (half-life `noiseHalfLifeMs`). */
export function noiseOf(state: SigmaState): number {
  return Math.sqrt(noiseVariance(state.noise));
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
