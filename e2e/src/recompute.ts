/**
 * An independent re-implementation of SPEC §4 for the reproducibility test: given a bet's cell and
 * the index prints around its window (as `GET /v1/index/history` returns them), the outcome a
 * third party would compute. Deliberately written from the SPEC text and the resolver's README,
 * sharing no code with the resolver: low/high over the print in effect at t0 and every print
 * strictly inside the window; WIN ⇔ low ≤ p0+H and high ≥ p0, decided by the first print that
 * makes it true; before each print, a breaker open at any moment of the window so far, then a gap
 * between consecutive prints longer than 1 s, voids a bet that has not won yet. The print in
 * effect at t0 counts only if it is at most 1 s old at t0; otherwise the window is unhealthy from
 * its start and voids (price_gap), whatever that print touched.
 *
 * The breaker is the one judged from the prints alone (SPEC §9 rules, checked at each print's
 * time): closed at the first print (the feed's start is health-monitor's recorded `starting`
 * interval, not the prints'); open when a print has too few venues, or when the next print
 * comes `staleMs` or more after the last one (from the moment it turned stale); closed at the first
 * print at least `recoveryMs` after the first healthy check (previous print fresh and with enough
 * venues) since the last unhealthy moment. Open intervals are inclusive at both ends. Its state
 * only depends on the last `recoveryMs + 2 × staleMs` of prints, so the prints must reach that far
 * before t0; otherwise the breaker is not judged (`breakerJudged: false`).
 */
export interface Print {
  id: number;
  t: number;
  priceCents: number;
  venues: number;
}

export interface BreakerRules {
  staleMs: number;
  minVenues: number;
  recoveryMs: number;
}

export type Recomputed = (
  | { outcome: 'won'; printId: number }
  | { outcome: 'lost' }
  | { outcome: 'void'; reason: 'price_gap' | 'breaker_open' }
  | { outcome: 'undecided' }
) & { breakerJudged: boolean };

interface Interval {
  from: number;
  to: number | null;
}

export function recompute(
  cell: { t0: number; p0: number; windowMs: number; bandCents: number },
  prints: readonly Print[],
  rules: BreakerRules,
  gapMsMax = 1_000,
): Recomputed {
  const end = cell.t0 + cell.windowMs;
  const sorted = [...prints].sort((a, b) => a.id - b.id);
  const breakerJudged = (sorted[0]?.t ?? Number.POSITIVE_INFINITY) <= cell.t0 - warmUpMs(rules);
  const intervals = breakerJudged ? openIntervals(sorted, rules) : [];
  const openDuring = (fromMs: number, toMs: number) =>
    intervals.some((i) => i.from <= toMs && (i.to === null || i.to >= fromMs));
  const inEffectIndex = sorted.findLastIndex((p) => p.t <= cell.t0);
  if (inEffectIndex < 0) return { outcome: 'undecided', breakerJudged };
  if (openDuring(cell.t0, cell.t0)) return { outcome: 'void', reason: 'breaker_open', breakerJudged };
  if (cell.t0 - sorted[inEffectIndex]!.t > gapMsMax)
    return { outcome: 'void', reason: 'price_gap', breakerJudged };
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  let previous: Print | undefined;
  for (const print of sorted.slice(inEffectIndex)) {
    if (openDuring(cell.t0, Math.max(cell.t0, Math.min(print.t, end - 1)))) {
      return { outcome: 'void', reason: 'breaker_open', breakerJudged };
    }
    if (previous && print.t - previous.t > gapMsMax)
      return { outcome: 'void', reason: 'price_gap', breakerJudged };
    if (print.t >= end) return { outcome: 'lost', breakerJudged };
    low = Math.min(low, print.priceCents);
    high = Math.max(high, print.priceCents);
    if (low <= cell.p0 + cell.bandCents && high >= cell.p0)
      return { outcome: 'won', printId: print.id, breakerJudged };
    previous = print;
  }
  return { outcome: 'undecided', breakerJudged };
}

export function warmUpMs(rules: BreakerRules): number {
  return rules.recoveryMs + 2 * rules.staleMs;
}

/** The breaker's open intervals over prints sorted by id (see the file header). */
function openIntervals(sorted: readonly Print[], rules: BreakerRules): Interval[] {
  const first = sorted[0];
  if (!first) return [];
  const intervals: Interval[] = [];
  const isOpen = () => intervals.at(-1)?.to === null;
  const open = (at: number) => {
    if (!isOpen()) intervals.push({ from: at, to: null });
  };
  const thin = (p: Print) => p.venues < rules.minVenues;
  if (thin(first)) open(first.t);
  let healthySince: number | null = null;
  let last = first;
  for (const print of sorted.slice(1)) {
    if (print.t < last.t) continue; // time going backwards: the resolver skips the print
    // The check at the print's time, over the last print seen.
    const stale = print.t - last.t >= rules.staleMs;
    if (stale || thin(last)) {
      healthySince = null;
      if (stale) open(last.t + rules.staleMs);
    } else {
      healthySince ??= print.t;
      if (isOpen() && print.t - healthySince >= rules.recoveryMs) intervals.at(-1)!.to = print.t;
    }
    if (print.t === last.t) continue; // not newer: nothing more to learn from it
    if (thin(print)) {
      healthySince = null;
      open(print.t);
    }
    last = print;
  }
  return intervals;
}
