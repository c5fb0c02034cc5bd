import { describe, expect, it } from 'vitest';
import type { VenueQuote } from '../quotes/quote-book.js';
import { computeIndex } from './compute-index.js';

const NOW = 1_764_000_000_000;
const rules = { staleMs: 2_000, outlierBp: 100 };

function aQuote(overrides: Partial<VenueQuote> = {}): VenueQuote {
  return {
    venue: 'coinbase',
    bidCents: 9_712_344,
    askCents: 9_712_346,
    receivedAtMs: NOW - 50,
    ...overrides,
  };
}

describe('computeIndex', () => {
  it('publishes nothing without a fresh venue', () => {
    expect(computeIndex([], NOW, rules)).toEqual({ ok: false, reason: 'no_fresh_venues', freshVenues: 0 });
  });

  it('uses the mid of a single fresh venue', () => {
    expect(computeIndex([aQuote()], NOW, rules)).toEqual({
      ok: true,
      priceCents: 9_712_345,
      venues: 1,
      used: ['coinbase'],
    });
  });

  it('takes the mean of the two mids with two venues', () => {
    const result = computeIndex(
      [
        aQuote({ bidCents: 9_700_000, askCents: 9_700_002 }),
        aQuote({ venue: 'kraken', bidCents: 9_700_010, askCents: 9_700_012 }),
      ],
      NOW,
      rules,
    );
    expect(result).toMatchObject({ ok: true, priceCents: 9_700_006, venues: 2 });
  });

  it('takes the middle mid with three venues', () => {
    const result = computeIndex(
      [
        aQuote({ venue: 'binance', bidCents: 9_700_100, askCents: 9_700_102 }),
        aQuote({ venue: 'coinbase', bidCents: 9_700_000, askCents: 9_700_002 }),
        aQuote({ venue: 'kraken', bidCents: 9_700_050, askCents: 9_700_060 }),
      ],
      NOW,
      rules,
    );
    expect(result).toEqual({
      ok: true,
      priceCents: 9_700_055,
      venues: 3,
      used: ['binance', 'coinbase', 'kraken'],
    });
  });

  it('rounds a half-cent mid half-up, exactly', () => {
    // One-cent spread: mid 97123.445 → 97123.45; mean of 97123.445 and 97123.455 = 97123.45.
    expect(computeIndex([aQuote({ bidCents: 9_712_344, askCents: 9_712_345 })], NOW, rules)).toMatchObject({
      priceCents: 9_712_345,
    });
    const two = [
      aQuote({ bidCents: 9_712_344, askCents: 9_712_345 }),
      aQuote({ venue: 'kraken', bidCents: 9_712_343, askCents: 9_712_344 }),
    ];
    // Mean of 97123.445 and 97123.435 = 97123.44 exactly.
    expect(computeIndex(two, NOW, rules)).toMatchObject({ priceCents: 9_712_344 });
  });

  it('drops an outlier further than 1 % from the median', () => {
    const result = computeIndex(
      [
        aQuote({ venue: 'binance', bidCents: 9_700_000, askCents: 9_700_000 }),
        aQuote({ venue: 'coinbase', bidCents: 9_701_000, askCents: 9_701_000 }),
        aQuote({ venue: 'kraken', bidCents: 9_900_000, askCents: 9_900_000 }),
      ],
      NOW,
      rules,
    );
    expect(result).toEqual({ ok: true, priceCents: 9_700_500, venues: 2, used: ['binance', 'coinbase'] });
  });

  it('keeps a venue exactly 1 % from the median', () => {
    const result = computeIndex(
      [
        aQuote({ venue: 'binance', bidCents: 10_000_000, askCents: 10_000_000 }),
        aQuote({ venue: 'coinbase', bidCents: 10_000_000, askCents: 10_000_000 }),
        aQuote({ venue: 'kraken', bidCents: 10_100_000, askCents: 10_100_000 }),
      ],
      NOW,
      rules,
    );
    expect(result).toMatchObject({ ok: true, venues: 3, priceCents: 10_000_000 });
  });

  it('refuses two venues that disagree by more than 2 %', () => {
    const result = computeIndex(
      [
        aQuote({ bidCents: 9_500_000, askCents: 9_500_000 }),
        aQuote({ venue: 'kraken', bidCents: 9_800_000, askCents: 9_800_000 }),
      ],
      NOW,
      rules,
    );
    expect(result).toEqual({ ok: false, reason: 'venues_disagree', freshVenues: 2 });
  });

  it('drops a quote older than 2 s and keeps one exactly 2 s old', () => {
    const result = computeIndex(
      [
        aQuote({ venue: 'binance', bidCents: 9_700_000, askCents: 9_700_000, receivedAtMs: NOW - 2_000 }),
        aQuote({ venue: 'coinbase', bidCents: 9_700_020, askCents: 9_700_020, receivedAtMs: NOW - 10 }),
        aQuote({ venue: 'kraken', bidCents: 9_000_000, askCents: 9_000_000, receivedAtMs: NOW - 2_001 }),
      ],
      NOW,
      rules,
    );
    expect(result).toEqual({ ok: true, priceCents: 9_700_010, venues: 2, used: ['binance', 'coinbase'] });
  });
});
