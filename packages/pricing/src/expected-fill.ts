/**
 * The quote at the expected fill (issue 22, docs/pricing.md "Quote at the expected fill"): with a
 * fill delay the bet is priced at a print k·δ after the print S the trader saw, with a horizon
 * shorter by k·δ and from an index that has moved. The quote a trader is shown (the web grid) and
 * the one ingest-api checks `minMultiplierBp` against should then say what the fill is worth, not
 * what a bet at S would have been.
 *
 * What is quoted: the multiplier whose inverse is the fill's expected price,
 *
 *   M̄ = floor_bp((1 − h) / E[P_f + λ·g_f])
 *
 * with P_f, g_f the fill print's probability and loading (SPEC §3) at τ1 − k·δ, the expectation
 * over the index's move between S and the fill print. Not E[M_f], the fill's mean multiplier: M_f
 * is high exactly when P_f is low, so E[M_f] over-promises — a trader paid E[M_f] on a win would
 * be paid more per unit of win probability than any fill pays. M̄ is the multiplier that, paid on
 * every win, gives the trader the fill's expected payout (E[M_f·P_f]/E[P_f] when λ = 0): fair to
 * the trader (the number says what the fill is worth on average) and to the house (it promises
 * nothing the fill does not pay). The fill itself is priced as before; this is what is shown.
 *
 * The move: the filtered index is the true price's posterior mean, a martingale whose increments
 * over Δ have variance σ²·Δ; a raw print's next print also redraws its own noise: σ²·Δ + 2η². P is
 * linear in the law of the index, so E[P_f] is P with that variance added to the error of S (exact
 * within the model, one evaluation); g holds absolute values, so E[g_f] is integrated over the
 * move (7 nodes, the middle one the quote at the fill's time: 3 + 1 + 18 evaluations of P against
 * quoteCell's 3 — measured ≈ 3.5× a plain quote's CPU, only when a fill delay is on).
 *
 * Pure: a function of the print (S, σ, η, the filter's error), the cell, the fill's delay in
 * prints and the config — the terms snapshot plus the entry's `delayPrints`, so a receipt explains
 * the quote as it explains the fill. The offered range is the fill's: outside [1.05×, 50×] the cell
 * is not offered.
 */
import type { CellAt } from './cell-rules.js';
import { pricingIndexOf } from './index-filter.js';
import { noiseShapeAt } from './noisy-touch.js';
import type { PricingConfig } from './pricing-config.js';
import { type CellQuote, multiplierBpOf, offeredQuote, priceCell } from './quote-cell.js';
import { type QuotablePrint, quoteCellFromPrint } from './quote-from-print.js';

/**
 * E[g_f] by the trapezoid rule over the move, nodes at −3 … +3 standard deviations, 1 apart,
 * weights ∝ the normal density. g has kinks (|·| of price differences: a cell around the index
 * sits at P's peak, where the differences change sign), which Gauss–Hermite handles badly (3 points:
 * up to 33 % off E[g] there, 5 points 14 %) and the trapezoid rule well: within 6 % of a
 * Monte-Carlo E[g] on every cell tried (expected-fill.test.ts), and λ·g is ≤ 3 % of P + λ·g on
 * the cells that are offered, so ≤ 0.2 % of the multiplier.
 */
const NODES = [-3, -2, -1, 0, 1, 2, 3] as const;
const WEIGHTS = (() => {
  const density = NODES.map((z) => Math.exp((-z * z) / 2));
  const sum = density.reduce((a, b) => a + b, 0);
  return density.map((d) => d / sum);
})();
const MIDDLE = 3;

/**
 * The quote of `cell` from `print` when the bet fills `fillPrints` prints after `print` (0: at
 * receipt, the plain quote). Placeable rules at `cell.nowMs`, as for every quote.
 */
export function quoteExpectedFill(
  print: QuotablePrint,
  cell: CellAt,
  fillPrints: number,
  config: PricingConfig,
): CellQuote {
  const delayMs = fillPrints * config.printIntervalMs;
  // At the fill's time, from S: the placeable rules, the data checks and τ1 − Δ in one call.
  const atFill = quoteCellFromPrint({ ...print, t: print.t + delayMs }, cell, config);
  if (!(delayMs > 0) || !('tau1Ms' in atFill)) return atFill;
  const { sigma, noise, indexNoise, tau1Ms, tau2Ms } = atFill;
  const filtered = print.filteredCents !== undefined;
  const { lag1 } = noiseShapeAt(noise / (sigma * Math.sqrt(config.printIntervalMs / 1_000)));
  const redrawn = filtered ? 0 : 2 * noise * noise * (1 - lag1 ** fillPrints);
  const moveVar = sigma * sigma * (delayMs / 1_000) + redrawn;
  const { indexPriceCents } = pricingIndexOf(print);
  const at = (logMove: number, errorOfS: number) =>
    priceCell(
      {
        p0: cell.p0,
        indexPriceCents: indexPriceCents * Math.exp(logMove),
        tau1Ms,
        tau2Ms,
        sigma,
        noise,
        indexNoise: errorOfS,
      },
      config,
    );
  const probability = at(0, Math.sqrt(indexNoise * indexNoise + moveVar)).probability;
  // The middle node (no move) is the quote at the fill's time, already computed.
  let g = WEIGHTS[MIDDLE]! * atFill.g;
  NODES.forEach((z, i) => {
    if (i !== MIDDLE) g += WEIGHTS[i]! * at(z * Math.sqrt(moveVar), indexNoise).g;
  });
  const priced = { probability, g, multiplierBp: multiplierBpOf(probability, g, config) };
  return offeredQuote({ ...priced, tau1Ms, tau2Ms, sigma, noise, indexNoise }, config);
}
