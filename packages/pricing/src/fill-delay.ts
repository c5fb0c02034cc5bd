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
  const waitMs = adaptiveWaitMs(print, rule);
  return { prints: printsForWait(waitMs, print, receivedAtMs, rule, printIntervalMs), waitMs };
}

/** L + c · err_S²/σ², ms; infinite (the longest delay) when σ or the error is unusable. */
function adaptiveWaitMs(print: FillDelayPrint, rule: AdaptiveFillDelayRule): number {
  const { indexNoise } = pricingIndexOf(print);
  const sigma = print.sigma;
  if (!(sigma > 0) || !Number.isFinite(sigma) || !Number.isFinite(indexNoise))
    return Number.POSITIVE_INFINITY;
  return rule.leadMs + (rule.errorFactor * 1_000 * indexNoise * indexNoise) / (sigma * sigma);
}

/** The first print after receipt expected at least `waitMs` after it, within the rule's bounds. */
function printsForWait(
  waitMs: number,
  print: FillDelayPrint,
  receivedAtMs: number,
  rule: AdaptiveFillDelayRule,
  printIntervalMs: number,
): number {
  if (!Number.isFinite(waitMs)) return rule.printsMax;
  const sincePrintMs = Math.max(0, receivedAtMs - print.t);
  // The tiny tolerance keeps an exact multiple of δ (in binary floating point) from costing a print.
  const prints = Math.ceil((sincePrintMs + waitMs) / printIntervalMs - 1e-9);
  return Math.min(rule.printsMax, Math.max(rule.printsMin, prints));
}

/**
 * How far above the rule's wait an eased wait may stay: easing smooths the wait's jitter from one
 * print to the next (measured drops of 100–300 ms at one print made the bursts); a lasting fall —
 * the estimators warming up after a start, the market turning volatile — is followed at once down
 * to this much above the rule, then eased, so fills are not held seconds longer than the rule asks.
 */
export const FILL_DELAY_EASE_SPAN_MS = 300;

/**
 * A service's fill delay over the stream of bets it receives (ingest-api): the adaptive wait may
 * grow at once but shrinks by at most `easePct` % of the time since the last bet, and stays at most
 * FILL_DELAY_EASE_SPAN_MS above the rule's — the rule's own wait or longer, never shorter.
 *
 * Why (SPEC §12 fill print → accepted, issue 22): every bet whose wait ends between two prints
 * fills at the second, and the batcher applies a print's fills as one burst that each of them waits
 * for. The wait moves with σ and the index's error from print to print; when it shrinks by Δ, the
 * bets of the next Δ ms fill at the same print as those received Δ ms before them, so that print's
 * burst grows by Δ worth of bets — measured at 3,000 bets/s, bursts of 590 bets against a usual
 * 300, each of their bets waiting about twice as long. Shrinking by at most a share e of the elapsed time bounds a
 * burst at 1/(1 − e) of the usual (10 %: ×1.11). A longer wait than the rule asks only makes the
 * informed trader's view older (docs/pricing.md "Adaptive fill delay"), so the defence measured
 * under the rule holds. 100 turns it off: every decrease at once (the rule itself; a wait shrinking
 * as fast as time passes would still pile the bets up).
 */
export function createServiceFillDelay(
  delay: FillDelay,
  printIntervalMs: number,
  easePct: number,
): (print: FillDelayPrint, receivedAtMs: number) => number {
  if (delay.kind === 'fixed') return () => delay.prints;
  if (easePct >= 100)
    return (print, receivedAtMs) => fillPrintsOf(delay, print, receivedAtMs, printIntervalMs);
  const { rule } = delay;
  let last: { atMs: number; waitMs: number } | undefined;
  return (print, receivedAtMs) => {
    let waitMs = adaptiveWaitMs(print, rule);
    // An unusable σ (a cold estimator) delays that bet the most but is not a wait to ease down
    // from: 20 s of long fills after every start would cost more than the bursts it smooths.
    if (!Number.isFinite(waitMs)) return rule.printsMax;
    // Beyond the bounds a longer wait changes nothing, and must not take longer to ease down from.
    waitMs = Math.min(waitMs, rule.printsMax * printIntervalMs);
    if (last !== undefined) {
      const elapsedMs = Math.max(0, receivedAtMs - last.atMs);
      const eased = Math.max(waitMs, last.waitMs - (easePct / 100) * elapsedMs);
      waitMs = Math.min(eased, waitMs + FILL_DELAY_EASE_SPAN_MS);
    }
    last = { atMs: Math.max(receivedAtMs, last?.atMs ?? receivedAtMs), waitMs };
    return printsForWait(waitMs, print, receivedAtMs, rule, printIntervalMs);
  };
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
