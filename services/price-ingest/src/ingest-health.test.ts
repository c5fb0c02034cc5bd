import { describe, expect, it } from 'vitest';
import { ingestHealth } from './ingest-health.js';
import { createQuoteBook } from './quotes/quote-book.js';

describe('ingestHealth', () => {
  const book = createQuoteBook(['coinbase', 'binance', 'kraken']);
  book.record('coinbase', { bidCents: 1, askCents: 2 }, 9_500);
  book.record('binance', { bidCents: 1, askCents: 2 }, 9_000);
  book.record('kraken', { bidCents: 1, askCents: 2 }, 5_000);

  it('is healthy with at least the minimum of fresh venues and reports each one', () => {
    const report = ingestHealth({
      book,
      nowMs: 10_000,
      staleMs: 2_000,
      minVenues: 2,
      lastPrintT: 9_900,
      simulated: false,
      connected: (venue) => venue !== 'kraken',
    });
    expect(report).toEqual({
      ok: true,
      simulated: false,
      freshVenues: 2,
      minVenues: 2,
      venues: [
        { venue: 'coinbase', fresh: true, quoteAgeMs: 500, connected: true },
        { venue: 'binance', fresh: true, quoteAgeMs: 1_000, connected: true },
        { venue: 'kraken', fresh: false, quoteAgeMs: 5_000, connected: false },
      ],
      lastPrintAgeMs: 100,
    });
  });

  it('is unhealthy below the minimum of fresh venues', () => {
    expect(
      ingestHealth({ book, nowMs: 11_200, staleMs: 2_000, minVenues: 2, lastPrintT: null, simulated: false })
        .ok,
    ).toBe(false);
  });
});
