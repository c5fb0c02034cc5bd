/**
 * The one pricing entry point shared by the server (authoritative) and the web client (display):
 * placeable rules, touch probability P, latency loading g and multiplier M (SPEC §3). P is the
 * two-part model of noisy-touch.ts (diffusion σ plus print micro-noise η), which passes calibration
 * on the prints that settle; the window length is fixed (W/δ prints, see pricingConfigProblems).
 *
 *   g = ½(|P(S·e^{+σ√d}) − P(S)| + |P(S·e^{−σ√d}) − P(S)|)   what a trader d ms ahead could exploit
 *   M = floor_bp((1 − h) / (P + λ·g))                        offered only if min ≤ M ≤ max
 *
 * Priced at the print's time, not the receive time: τ1 = t0 − t_S and τ2 = t0 + W − t_S, with t_S
 * the time of the print S. The true price has diffused since S was printed, whoever asks and
 * whenever, so that is the model's own clock (the calibration prices this way); and it makes the
 * multiplier a pure function of the print and the cell. The web client, quoting from the same
 * `tick`, shows exactly the multiplier the server gives a bet priced from that print — priced at
 * the receive time, the quote moved by a few bp between the client's clock and the server's and
 * near cells were refused `quote_moved` (issue 14). `nowMs` (the receive time) still decides
 * whether a cell is placeable (LEAD, HORIZON).
 *
 * Pure: the same inputs give the same quote. Server and browser evaluate Math.exp/log/sin with
 * their own libm, so a displayed multiplier can differ from the server's by 1 bp in rare cases;
 * the server's quote is the one a bet gets.
 */
import { checkPlaceable, type NotPlaceableReason } from './cell-rules.js';
import { noisyTouchProbability } from './noisy-touch.js';
import type { PricingConfig } from './pricing-config.js';

const BP_PER_UNIT = 10_000;

export interface QuoteCellInput {
  /** Window start, ms since the epoch. */
  t0: number;
  /** Band floor, cents. */
  p0: number;
  /** Server receive time (or the client's estimate of it), ms since the epoch: placeable rules only. */
  nowMs: number;
  /** Latest index print S, cents. */
  indexPriceCents: number;
  /** Time of the print S, ms since the epoch: the price is taken at it (τ1 = t0 − printTMs). */
  printTMs: number;
  /** Diffusion volatility per √second; values below `config.sigmaFloor` are raised to it. */
  sigma: number;
  /** η, the standard deviation of one print's micro-noise in log units (the print's `noise`). */
  noise: number;
  /** The standard deviation of the error of S (log units); default η, the filter's error for a filtered S (`pricingIndexOf`). */
  indexNoise?: number;
  config: PricingConfig;
}

export type NotOfferedReason = 'multiplier_below_minimum' | 'multiplier_above_maximum';

export interface CellPrice {
  probability: number;
  g: number;
  /** null when P + λ·g is 0: the multiplier would be unbounded. */
  multiplierBp: number | null;
}

export interface PricedCell extends CellPrice {
  tau1Ms: number;
  tau2Ms: number;
  /** The σ actually used (the input raised to the floor), for the bet's terms snapshot. */
  sigma: number;
  /** The η used, for the bet's terms snapshot. */
  noise: number;
  /** The error of S used (η unless S is the filtered index), for the bet's terms snapshot. */
  indexNoise: number;
}

export type CellQuote =
  | ({ ok: true; multiplierBp: number } & PricedCell)
  | { ok: false; code: 'cell_not_placeable'; reason: NotPlaceableReason }
  | ({ ok: false; code: 'cell_not_offered'; reason: NotOfferedReason } & PricedCell)
  | { ok: false; code: 'cell_not_offered'; reason: 'market_data_invalid' };

/** Quotes one cell at `nowMs`: the first broken rule, or P, g and the offered multiplier. */
export function quoteCell(input: QuoteCellInput): CellQuote {
  const { t0, p0, nowMs, indexPriceCents, config } = input;
  const placeable = checkPlaceable({ t0, p0, nowMs }, config);
  if (!placeable.ok) return placeable;
  const tau1Ms = t0 - input.printTMs;
  const indexNoise = input.indexNoise ?? input.noise;
  const valid = isMarketDataValid(indexPriceCents, input.sigma, input.noise) && isNoise(indexNoise);
  if (!valid || !(tau1Ms > 0)) {
    return { ok: false, code: 'cell_not_offered', reason: 'market_data_invalid' };
  }
  const sigma = Math.max(input.sigma, config.sigmaFloor);
  const tau2Ms = tau1Ms + config.windowMs;
  const { noise } = input;
  const priced = {
    ...priceCell({ p0, indexPriceCents, tau1Ms, tau2Ms, sigma, noise, indexNoise }, config),
    tau1Ms,
    tau2Ms,
    sigma,
    noise,
    indexNoise,
  };
  return offeredQuote(priced, config);
}

/** A priced cell within the multiplier bounds is offered; outside them it is refused, priced. */
export function offeredQuote(priced: PricedCell, config: PricingConfig): CellQuote {
  const { multiplierBp } = priced;
  if (multiplierBp === null || multiplierBp > config.multiplierBpMax) {
    return { ok: false, code: 'cell_not_offered', reason: 'multiplier_above_maximum', ...priced };
  }
  if (multiplierBp < config.multiplierBpMin) {
    return { ok: false, code: 'cell_not_offered', reason: 'multiplier_below_minimum', ...priced };
  }
  return { ok: true, ...priced, multiplierBp };
}

/**
 * A usable index (positive, finite), σ and η (finite, ≥ 0); anything else prices nothing. So does a
 * print not before the window (τ1 ≤ 0, or not finite): only a clock far off could produce one.
 */
function isMarketDataValid(indexPriceCents: number, sigma: number, noise: number): boolean {
  return (
    indexPriceCents > 0 &&
    Number.isFinite(indexPriceCents) &&
    sigma >= 0 &&
    Number.isFinite(sigma) &&
    isNoise(noise)
  );
}

const isNoise = (noise: number): boolean => noise >= 0 && Number.isFinite(noise);

export interface PriceCellInput {
  p0: number;
  indexPriceCents: number;
  tau1Ms: number;
  tau2Ms: number;
  sigma: number;
  noise: number;
  /** Error of S, log units; default `noise`. */
  indexNoise?: number;
}

/** P, g and M for a band and window, without the placeable rules or the offered range. */
export function priceCell(input: PriceCellInput, config: PricingConfig): CellPrice {
  const { p0, indexPriceCents: s } = input;
  // log1p of an exactly computed relative distance keeps precision for bands next to the index.
  const lowerLog = Math.log1p((p0 - s) / s);
  const upperLog = Math.log1p((p0 + config.bandCents - s) / s);
  const probabilityAt = (logMove: number): number =>
    noisyTouchProbability({
      lowerLog: lowerLog - logMove,
      upperLog: upperLog - logMove,
      tau1Ms: input.tau1Ms,
      sigma: input.sigma,
      noise: input.noise,
      ...(input.indexNoise === undefined ? {} : { indexNoise: input.indexNoise }),
      printIntervalMs: config.printIntervalMs,
    });
  const probability = probabilityAt(0);
  const move = input.sigma * Math.sqrt(config.latencyMs / 1000);
  const g =
    0.5 * (Math.abs(probabilityAt(move) - probability) + Math.abs(probabilityAt(-move) - probability));
  return { probability, g, multiplierBp: multiplierBpOf(probability, g, config) };
}

/** M = floor((1 − h) / (P + λ·g)) in basis points; null when the denominator is 0 (M unbounded). */
export function multiplierBpOf(
  probability: number,
  g: number,
  config: Pick<PricingConfig, 'houseEdge' | 'latencyLoading'>,
): number | null {
  const denominator = probability + config.latencyLoading * g;
  if (!(denominator > 0)) return null;
  const multiplierBp = Math.floor((BP_PER_UNIT * (1 - config.houseEdge)) / denominator);
  return Number.isSafeInteger(multiplierBp) ? multiplierBp : null;
}
