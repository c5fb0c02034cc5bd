import {
  createIndexFilter,
  createSigmaEstimator,
  DEFAULT_PRICING_CONFIG,
  pricingIndexOf,
} from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import { nextPrint } from './print-loop.js';

const NOW = 1_764_000_000_000;
const rules = { staleMs: 2_000, outlierBp: 100 };

/** A book whose one venue quotes `midCents` ± 1 ¢, fresh at `nowMs`. */
const bookAt = (midCents: number, nowMs: number) => ({
  quotes: () => [
    { venue: 'coinbase', bidCents: midCents - 1, askCents: midCents + 1, receivedAtMs: nowMs - 10 },
  ],
});

describe('nextPrint and the filtered index (INDEX_FILTER)', () => {
  it('prints no filtered index without a filter: bets price from the print itself', () => {
    const sigma = createSigmaEstimator(DEFAULT_PRICING_CONFIG);
    const next = nextPrint(bookAt(9_500_000, NOW), NOW, 0, rules, sigma, false);
    expect(next.ok && next.print).not.toHaveProperty('filteredCents');
    expect(next.ok && pricingIndexOf(next.print).indexPriceCents).toBe(9_500_000);
  });

  it('puts the filter of the printed prices, with the printed σ and η, on every print', () => {
    const sigma = createSigmaEstimator(DEFAULT_PRICING_CONFIG);
    const filter = createIndexFilter();
    const replay = createIndexFilter();
    let lastT = 0;
    for (let i = 0; i < 600; i++) {
      const nowMs = NOW + 100 * i;
      const mid = 9_500_000 + (i % 3) * 700 - 700;
      const next = nextPrint(bookAt(mid, nowMs), nowMs, lastT, rules, sigma, false, filter);
      if (!next.ok) throw new Error(next.reason);
      lastT = next.print.t;
      const { print } = next;
      expect(replay.update(print.t, print.priceCents, print.sigma, print.noise ?? 0)).toEqual({
        filteredCents: print.filteredCents,
        filteredNoise: print.filteredNoise,
      });
    }
    // A price bouncing ±$7 around $95,000: once η is measured the filtered index sits near the middle.
    const { print } = nextPrint(
      bookAt(9_500_700, NOW + 60_000),
      NOW + 60_000,
      lastT,
      rules,
      sigma,
      false,
      filter,
    ) as {
      print: { filteredCents: number; filteredNoise: number; noise: number };
    };
    expect(print.noise).toBeGreaterThan(0);
    expect(Math.abs(print.filteredCents - 9_500_000)).toBeLessThan(700);
    expect(print.filteredNoise).toBeLessThan(print.noise);
  });
});
