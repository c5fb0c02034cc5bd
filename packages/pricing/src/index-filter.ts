/**
 * The filtered index (issue 22): the posterior of the true price given the prints so far, under the
 * same two-part model the price uses (noisy-touch.ts) — a true log price diffusing with σ per
 * √second, seen through prints that each add micro-noise of standard deviation η. That is a
 * local-level Kalman filter:
 *
 *   predict  v ← v + σ²·Δt                 (Δt since the last print, s)
 *   update   K = v / (v + η²),  m ← m + K·(y − m),  v ← (1 − K)·v     (y = ln print)
 *
 * Why: priced from the last print alone, `S` carries that print's noise (η ≈ 0.65 bp at the
 * simulator's default, more than half a $10 band), and a trader who knows the market now knows
 * which way it went: +12 % on the cells it picks even with no lead at all (docs/pricing.md,
 * "Informed traders"). The filter's estimate is off the true price by √v (≈ 0.4 bp at the default
 * noise), which the price then uses in place of η for the noise of `S`.
 *
 * The state is a plain value and {@link nextIndexFilterState} a pure reducer fed every print with
 * the σ and η printed on it, so price-ingest keeps it and the calibration tool replays the very
 * same filter over recorded prints. With η = 0 (the estimator warming up) K = 1: the filtered index
 * is the print itself, with error 0, exactly the unfiltered price. A long gap needs no reset: v
 * grows with σ²·Δt and K goes to 1. The model takes each print's noise as independent; the
 * measured noise is slightly positively correlated at 100 ms (+0.17), which the calibration
 * (docs/pricing.md) accepts or refuses.
 */

export interface IndexFilterState {
  tMs: number;
  /** m: ln of the filtered price in cents. */
  logLevel: number;
  /** v: variance of m around the true log price. */
  variance: number;
}

export interface FilteredIndex {
  /** The filtered price, rounded to whole cents (0.5 ¢ ≈ 5·10⁻⁸ of BTC, far below any error here). */
  filteredCents: number;
  /** √v, the filtered price's standard error in log units: it takes η's place for the noise of `S`. */
  filteredNoise: number;
}

/**
 * The state after one print. A price that is not positive and finite, a time not after the last
 * print or a σ/η that is not finite and ≥ 0 leaves it unchanged.
 */
export function nextIndexFilterState(
  state: IndexFilterState | null,
  tMs: number,
  priceCents: number,
  sigma: number,
  noise: number,
): IndexFilterState | null {
  const valid =
    priceCents > 0 &&
    Number.isFinite(priceCents) &&
    Number.isFinite(tMs) &&
    sigma >= 0 &&
    Number.isFinite(sigma) &&
    noise >= 0 &&
    Number.isFinite(noise);
  if (!valid) return state;
  const y = Math.log(priceCents);
  const noiseVariance = noise * noise;
  if (state === null) return { tMs, logLevel: y, variance: noiseVariance };
  if (!(tMs > state.tMs)) return state;
  const predicted = state.variance + (sigma * sigma * (tMs - state.tMs)) / 1000;
  const total = predicted + noiseVariance;
  const gain = total > 0 ? predicted / total : 1;
  return {
    tMs,
    logLevel: state.logLevel + gain * (y - state.logLevel),
    variance: (1 - gain) * predicted,
  };
}

export function filteredIndexOf(state: IndexFilterState): FilteredIndex {
  return {
    filteredCents: Math.round(Math.exp(state.logLevel)),
    filteredNoise: Math.sqrt(Math.max(0, state.variance)),
  };
}

/** What a print offers the price: its own fields, and the filtered index when price-ingest adds it. */
export interface PrintForPricing {
  priceCents: number;
  noise?: number | undefined;
  filteredCents?: number | undefined;
  filteredNoise?: number | undefined;
}

/**
 * `S` and the standard deviation of its error, as every quoter reads them from a print (ingest-api,
 * the web display, the calibration tool): the filtered index when the print carries it (price-ingest
 * with `INDEX_FILTER=on`), else the print itself with its noise η. One function, so the client and
 * the server cannot choose differently.
 */
export function pricingIndexOf(print: PrintForPricing): { indexPriceCents: number; indexNoise: number } {
  if (print.filteredCents !== undefined && print.filteredNoise !== undefined) {
    return { indexPriceCents: print.filteredCents, indexNoise: print.filteredNoise };
  }
  return { indexPriceCents: print.priceCents, indexNoise: print.noise ?? 0 };
}

export interface IndexFilter {
  /** Feeds one print with the σ and η printed on it; the filtered index after it (null before any valid print). */
  update(tMs: number, priceCents: number, sigma: number, noise: number): FilteredIndex | null;
}

/** The reducer with its state, as price-ingest holds it. */
export function createIndexFilter(): IndexFilter {
  let state: IndexFilterState | null = null;
  return {
    update(tMs, priceCents, sigma, noise) {
      state = nextIndexFilterState(state, tMs, priceCents, sigma, noise);
      return state === null ? null : filteredIndexOf(state);
    },
  };
}
