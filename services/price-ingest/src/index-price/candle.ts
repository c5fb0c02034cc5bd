/**
 * 1-second candles of the index (SPEC §9, kept 7 days): OHLC of the prints whose time falls in the
 * second, the fewest venues any of them had, and how many there were. Stored as the member JSON of
 * a sorted set scored by the second, so `t` (epoch seconds) is in the member too: two seconds with
 * the same prices stay two members.
 */
import type { Candle1s } from '@tap/domain';

export function secondOf(tMs: number): number {
  return Math.floor(tMs / 1_000);
}

/** The candle after one more print: a new candle when the print starts a new second. */
export function mergeCandle(
  current: Candle1s | undefined,
  print: { t: number; priceCents: number; venues: number },
): Candle1s {
  const t = secondOf(print.t);
  const p = print.priceCents;
  if (!current || current.t !== t) return { t, o: p, h: p, l: p, c: p, v: print.venues, n: 1 };
  return {
    t,
    o: current.o,
    h: Math.max(current.h, p),
    l: Math.min(current.l, p),
    c: p,
    v: Math.min(current.v, print.venues),
    n: current.n + 1,
  };
}
