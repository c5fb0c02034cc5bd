/**
 * The index (SPEC §9): the median of the venues' mid prices (bid+ask)/2, using only quotes at most
 * `staleMs` old and within `outlierBp` of the cross-venue median of those fresh mids. Mids, not last
 * trades, so bid/ask bounce makes no false touches.
 *
 * Exact integer arithmetic throughout: mids are kept in quarter-cents (2·(bid+ask)), so the mid of
 * a one-cent spread and the mean of two middle mids are both whole numbers; the result rounds
 * half-up to cents once, at the end.
 */
import type { VenueQuote } from '../quotes/quote-book.js';

export interface IndexRules {
  /** A quote older than this is stale (SPEC: 2 s). */
  staleMs: number;
  /** A fresh mid further than this from the median of fresh mids is an outlier (SPEC: 1 % = 100 bp). */
  outlierBp: number;
}

export type IndexResult =
  | { ok: true; priceCents: number; venues: number; used: string[] }
  | { ok: false; reason: IndexFailure; freshVenues: number };

/** no_fresh_venues: nothing younger than staleMs. venues_disagree: every fresh mid is an outlier. */
export type IndexFailure = 'no_fresh_venues' | 'venues_disagree';

export function computeIndex(quotes: readonly VenueQuote[], nowMs: number, rules: IndexRules): IndexResult {
  const fresh = quotes
    .filter((q) => nowMs - q.receivedAtMs <= rules.staleMs)
    .map((q) => ({ venue: q.venue, midQuarterCents: 2 * (q.bidCents + q.askCents) }));
  if (fresh.length === 0) return { ok: false, reason: 'no_fresh_venues', freshVenues: 0 };
  const center = medianOf(fresh.map((f) => f.midQuarterCents));
  const kept = fresh.filter((f) => Math.abs(f.midQuarterCents - center) * 10_000 <= center * rules.outlierBp);
  if (kept.length === 0) return { ok: false, reason: 'venues_disagree', freshVenues: fresh.length };
  const indexQuarterCents = medianOf(kept.map((k) => k.midQuarterCents));
  return {
    ok: true,
    priceCents: Math.floor((indexQuarterCents + 2) / 4),
    venues: kept.length,
    used: kept.map((k) => k.venue).sort(),
  };
}

/**
 * Median of even integers (quarter-cent mids are always even): the middle value, or the mean of
 * the two middle values, which is then a whole number.
 */
function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[middle]!;
  return (sorted[middle - 1]! + sorted[middle]!) / 2;
}
