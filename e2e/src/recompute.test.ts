import { describe, expect, it } from 'vitest';
import { type Print, recompute } from './recompute.js';

const RULES = { staleMs: 10_000, minVenues: 2, recoveryMs: 1_000 };
const T0 = 1_800_000_000_000;
const CELL = { t0: T0, p0: 9_500_000, windowMs: 5_000, bandCents: 1_000 };
const INSIDE = 9_500_500;
const BELOW = 9_490_000;

/** Healthy prints every 100 ms from `fromT` to `toT` (exclusive) at `priceCents`. */
function printsBetween(fromT: number, toT: number, priceCents: number): Print[] {
  const out: Print[] = [];
  for (let t = fromT; t < toT; t += 100) out.push({ id: t, t, priceCents, venues: 3 });
  return out;
}

const history = (...parts: Print[][]) => parts.flat();
const warm = printsBetween(T0 - 30_000, T0 - 2_000, BELOW);

describe('recompute (SPEC §4)', () => {
  it('wins by the print in effect at t0 when it is at most 1 s old', () => {
    const prints = history(
      warm,
      [{ id: T0 - 1_000, t: T0 - 1_000, priceCents: INSIDE, venues: 3 }],
      printsBetween(T0 + 10, T0 + 6_000, BELOW),
    );
    expect(recompute(CELL, prints, RULES)).toMatchObject({ outcome: 'won', printId: T0 - 1_000 });
  });

  it('voids (price gap) a window whose print in effect at t0 is more than 1 s old, even if it touches', () => {
    const prints = history(
      warm,
      [{ id: T0 - 1_001, t: T0 - 1_001, priceCents: INSIDE, venues: 3 }],
      printsBetween(T0 + 10, T0 + 6_000, INSIDE),
    );
    expect(recompute(CELL, prints, RULES)).toMatchObject({ outcome: 'void', reason: 'price_gap' });
  });

  it('loses a window whose prints never reach the band', () => {
    const prints = history(warm, printsBetween(T0 - 2_000, T0 + 6_000, BELOW));
    expect(recompute(CELL, prints, RULES)).toMatchObject({ outcome: 'lost', breakerJudged: true });
  });
});
