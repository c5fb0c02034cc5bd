/**
 * An independent re-implementation of SPEC §4 for the reproducibility test: given a bet's cell and
 * the index prints around its window (as `GET /v1/index/history` returns them), the outcome a
 * third party would compute. Deliberately written from the SPEC text, sharing no code with the
 * resolver: low/high over the print in effect at t0 and every print strictly inside the window;
 * WIN ⇔ low ≤ p0+H and high ≥ p0, decided by the first print that makes it true; a gap between
 * consecutive prints longer than 1 s voids a bet that has not won yet.
 */
export interface Print {
  id: number;
  t: number;
  priceCents: number;
}

export type Recomputed =
  | { outcome: 'won'; printId: number }
  | { outcome: 'lost' }
  | { outcome: 'void'; reason: 'price_gap' }
  | { outcome: 'undecided' };

export function recompute(
  cell: { t0: number; p0: number; windowMs: number; bandCents: number },
  prints: readonly Print[],
  gapMsMax = 1_000,
): Recomputed {
  const end = cell.t0 + cell.windowMs;
  const sorted = [...prints].sort((a, b) => a.id - b.id);
  const inEffectIndex = sorted.findLastIndex((p) => p.t <= cell.t0);
  if (inEffectIndex < 0) return { outcome: 'undecided' };
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  let previous: Print | undefined;
  for (const print of sorted.slice(inEffectIndex)) {
    if (previous && print.t - previous.t > gapMsMax) return { outcome: 'void', reason: 'price_gap' };
    if (print.t >= end) return { outcome: 'lost' };
    low = Math.min(low, print.priceCents);
    high = Math.max(high, print.priceCents);
    if (low <= cell.p0 + cell.bandCents && high >= cell.p0) return { outcome: 'won', printId: print.id };
    previous = print;
  }
  return { outcome: 'undecided' };
}
