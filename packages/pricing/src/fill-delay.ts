/**
 * The adaptive fill delay (issue 22, docs/pricing.md "Adaptive fill delay"): how many prints after
 * its receipt a next-tick bet is priced at, from the print in effect at receipt.
 *
 * Why: a trader who knows the market `L` ms before our index gains on a fill when it knows the
 * price the fill print measures better than our `S` does. Its view of that price is
 * σ²·(t_fill − t_receipt − L) off (the market diffuses between what it saw and the fill), ours is
 * err_S² off (η for the raw print, the filter's √v for the filtered index). The fill must come late
 * enough that the trader's view is no better than ours by a margin the loading covers:
 *
 *   t_fill − t_receipt ≥ L + c · err_S² / σ²
 *
 * `c` (`errorFactor`) is measured, not derived: the model's err_S is below the real one (the
 * filter says 0.42 bp where it is 0.55 at 60 %/yr: the print noise is persistent) and the trader's
 * refusal option (its `minMultiplierBp`) makes break-even need more than err equality; the
 * calibration tool (`calibrate run --fill-delay adaptive`) measures the informed traders under
 * this very function. The k-th print after a receipt at `t_S + φ` (t_S the print in effect) is
 * expected at `t_S + k·δ`, so
 *
 *   k = ⌈(φ + L + c · err_S² / σ²) / δ⌉,   clamped to [printsMin, printsMax].
 *
 * The wait scales as err_S²/σ²: short when the index is tight against how far the market moves
 * in a print (a volatile market), long when the market is calm — at the σ floor (30 %/yr) about
 * twice as long as at 60 %/yr. A σ that is not positive and finite delays the most: fail closed.
 * Prints that come late only make the fill later (never earlier) than the rule asks.
 */
import { type PrintForPricing, pricingIndexOf } from './index-filter.js';

export interface AdaptiveFillDelayRule {
  /** L: the trader lead defended against, ms (the 150 ms). */
  leadMs: number;
  /** c: the fill waits c · err_S²/σ² beyond the lead. */
  errorFactor: number;
  /** Bounds on the result, prints (1 = the next print). */
  printsMin: number;
  printsMax: number;
}

/** What the rule reads from the print in effect at receipt. */
export interface FillDelayPrint extends PrintForPricing {
  /** Time of the print, ms since the epoch. */
  t: number;
  /** Diffusion volatility per √second printed with it. */
  sigma: number;
}

/** The fill's print after receipt (1 = the next) under `rule`, and the wait it asks for. */
export function adaptiveFillDelay(
  print: FillDelayPrint,
  receivedAtMs: number,
  rule: AdaptiveFillDelayRule,
  printIntervalMs: number,
): { prints: number; waitMs: number } {
  const { indexNoise } = pricingIndexOf(print);
  const sigma = print.sigma;
  if (!(sigma > 0) || !Number.isFinite(sigma) || !Number.isFinite(indexNoise)) {
    return { prints: rule.printsMax, waitMs: Number.POSITIVE_INFINITY };
  }
  const waitMs = rule.leadMs + (rule.errorFactor * 1_000 * indexNoise * indexNoise) / (sigma * sigma);
  const sincePrintMs = Math.max(0, receivedAtMs - print.t);
  // The tiny tolerance keeps an exact multiple of δ (in binary floating point) from costing a print.
  const prints = Math.ceil((sincePrintMs + waitMs) / printIntervalMs - 1e-9);
  return { prints: Math.min(rule.printsMax, Math.max(rule.printsMin, prints)), waitMs };
}

/** `rule` is usable: a lead ≥ 0, a factor ≥ 0, 1 ≤ printsMin ≤ printsMax (all finite). */
export function fillDelayRuleProblems(rule: AdaptiveFillDelayRule): string[] {
  const problems: string[] = [];
  if (!(rule.leadMs >= 0) || !Number.isFinite(rule.leadMs)) problems.push('leadMs: must be ≥ 0');
  if (!(rule.errorFactor >= 0) || !Number.isFinite(rule.errorFactor))
    problems.push('errorFactor: must be ≥ 0');
  if (!Number.isInteger(rule.printsMin) || rule.printsMin < 1)
    problems.push('printsMin: must be an integer ≥ 1');
  if (!Number.isInteger(rule.printsMax) || rule.printsMax < rule.printsMin) {
    problems.push('printsMax: must be an integer ≥ printsMin');
  }
  return problems;
}

/**
 * The measured defaults (docs/pricing.md "Adaptive fill delay"): the 150 ms trader, the
 * factor the calibration tool found to hold it at or below 0 at 60 %/yr (2.5 held it at 30 %/yr and
 * left +1.9 ± 3.5 % at 60), and bounds of the next print up to 2 s (LEAD, the lead to the nearest
 * window: a later fill could come after the window started).
 */
export const ADAPTIVE_FILL_DELAY_DEFAULTS: Readonly<AdaptiveFillDelayRule> = Object.freeze({
  leadMs: 150,
  errorFactor: 3,
  printsMin: 1,
  printsMax: 20,
});

/**
 * How a service fills next-tick bets (ingest-api `BET_ENTRY_DELAY`): every bet at the `prints`-th
 * print after receipt, or each at the print `adaptiveFillDelay` gives.
 */
export type FillDelay = { kind: 'fixed'; prints: number } | { kind: 'adaptive'; rule: AdaptiveFillDelayRule };

/** The print after receipt (1 = the next) that fills a bet received at `receivedAtMs` under `delay`. */
export function fillPrintsOf(
  delay: FillDelay,
  print: FillDelayPrint,
  receivedAtMs: number,
  printIntervalMs: number,
): number {
  if (delay.kind === 'fixed') return delay.prints;
  return adaptiveFillDelay(print, receivedAtMs, delay.rule, printIntervalMs).prints;
}
