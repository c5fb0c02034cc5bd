/**
 * The probability that the index touches a cell's price band during its time window (SPEC §3).
 *
 * Model: driftless Brownian motion in log price with volatility σ per √second, started at the
 * current index S. The band is given in log space relative to S (`lowerLog = ln(p0/S)`,
 * `upperLog = ln((p0+H)/S)`), the window as offsets from now (`tau1Ms = t0 − now`,
 * `tau2Ms = t0 + W − now`). The closed form splits on where the price is at t0:
 *
 *   P = P(inside at t0) + 2·P(below at t0, above a at τ2) + 2·P(above at t0, below b at τ2)
 *
 * (reflection principle for the window's maximum and minimum). SPEC writes the two crossing terms
 * as `N(x) − Φ2(x, y; ρ)`; this file uses the identical `Φ2(x, −y; −ρ)`, which has no cancellation
 * when both terms are close to 1 (the identity is tested).
 *
 * Prints are discrete (every δ), so {@link touchProbability} first moves each band edge inward by
 * β·σ·√δ, β = −ζ(½)/√(2π) ≈ 0.5826 (M. Broadie, P. Glasserman, S. Kou, "A continuity correction for
 * discrete barrier options", Mathematical Finance 7 (1997) 325–349): a discretely observed path
 * overshoots a level less often than a continuous one, by about that much.
 */
import { bivariateNormalCdf } from './bivariate-normal.js';
import { normalCdf } from './normal.js';

/** Broadie–Glasserman–Kou constant β = −ζ(½)/√(2π) (SPEC rounds it to 0.5826). */
export const BGK_BETA = 0.5825971579390106;

export interface TouchInput {
  /** ln(p0 / S): the band's lower edge in log space relative to the index. */
  lowerLog: number;
  /** ln((p0 + H) / S): the band's upper edge; expected ≥ lowerLog. */
  upperLog: number;
  /** t0 − now; negative values count as 0 (the window is priced from now on). */
  tau1Ms: number;
  /** t0 + W − now; expected > tau1Ms. */
  tau2Ms: number;
  /** Volatility of log price per √second. */
  sigma: number;
}

/**
 * P for a discretely printed index: the continuous closed form on a band whose edges are moved
 * inward by β·σ·√δ. When that correction would invert the band (σ·√δ larger than about 86 % of
 * the band's log height), both edges meet at the band's log midpoint: P becomes the probability
 * of touching that single level. It is continuous in σ, and it is at least the probability of the
 * inverted-band event (the path range covering the gap), so it errs toward the house.
 */
export function touchProbability(input: TouchInput & { printIntervalMs: number }): number {
  const shift = BGK_BETA * input.sigma * Math.sqrt(Math.max(0, input.printIntervalMs) / 1000);
  return continuousTouchProbability({
    ...input,
    lowerLog: input.lowerLog + shift,
    upperLog: input.upperLog - shift,
  });
}

/**
 * SPEC §3's closed form for a continuously observed path, clamped to [0, 1]. An inverted band
 * (lowerLog > upperLog) is taken as the single level at its midpoint, as in {@link touchProbability}.
 */
export function continuousTouchProbability(input: TouchInput): number {
  const [a, b] = orderedBand(input.lowerLog, input.upperLog);
  const tau1S = Math.max(0, input.tau1Ms) / 1000;
  const tau2S = Math.max(tau1S, input.tau2Ms / 1000);
  const s = input.sigma * Math.sqrt(tau2S);
  // Without randomness the price stays at S: the band is touched iff S is in it already.
  if (!(s > 0)) return a <= 0 && b >= 0 ? 1 : 0;
  const s1 = input.sigma * Math.sqrt(tau1S);
  if (s1 === 0) return oneTouchProbability(a, b, s);
  const rho = s1 / s;
  const inside = normalInterval(a / s1, b / s1);
  const fromBelow = 2 * bivariateNormalCdf(a / s1, -a / s, -rho);
  const fromAbove = 2 * bivariateNormalCdf(-b / s1, b / s, -rho);
  return clampUnit(inside + fromBelow + fromAbove);
}

/**
 * The τ1 = 0 limit: the window starts now, so P = 1 with S inside the band and otherwise the
 * one-touch probability 2·N(−distance / (σ√τ2)) of the nearer edge.
 */
function oneTouchProbability(a: number, b: number, s: number): number {
  if (a <= 0 && b >= 0) return 1;
  const distance = a > 0 ? a : -b;
  return clampUnit(2 * normalCdf(-distance / s));
}

/** N(hi) − N(lo), taken in the upper tail when both are positive so small values keep precision. */
function normalInterval(lo: number, hi: number): number {
  if (lo > 0) return normalCdf(-lo) - normalCdf(-hi);
  return normalCdf(hi) - normalCdf(lo);
}

function orderedBand(lower: number, upper: number): readonly [number, number] {
  if (lower <= upper) return [lower, upper];
  const middle = (lower + upper) / 2;
  return [middle, middle];
}

function clampUnit(p: number): number {
  return Math.min(1, Math.max(0, p));
}
