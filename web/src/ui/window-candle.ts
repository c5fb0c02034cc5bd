/**
 * The window's candle exactly as settlement takes it (SPEC §4): the print in effect at t0 (the last
 * with t ≤ t0, counted only if at most 1 s old) and every print with t0 < t < t0 + W. A receipt
 * draws it against the band so a trader can check the result by eye, and recompute it.
 */
import type { IndexPrint } from '@tap/client';

export const IN_EFFECT_AGE_MS_MAX = 1_000;

export interface WindowCandle {
  low: number;
  high: number;
  prints: number;
  /** WIN ⇔ low ≤ p0 + H and high ≥ p0 (edges inclusive). */
  touched: boolean;
}

export function windowCandle(
  prints: readonly IndexPrint[],
  cell: { t0: number; p0: number; windowMs: number; bandCents: number },
): WindowCandle | null {
  const { t0, p0, windowMs, bandCents } = cell;
  const before = prints.filter((p) => p.t <= t0).at(-1);
  const inside = prints.filter((p) => p.t > t0 && p.t < t0 + windowMs);
  const counted = [...(before && t0 - before.t <= IN_EFFECT_AGE_MS_MAX ? [before] : []), ...inside];
  if (counted.length === 0) return null;
  const low = Math.min(...counted.map((p) => p.priceCents));
  const high = Math.max(...counted.map((p) => p.priceCents));
  return { low, high, prints: counted.length, touched: low <= p0 + bandCents && high >= p0 };
}
