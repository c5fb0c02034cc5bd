import { describe, expect, it } from 'vitest';
import { createQuoteBook } from './quote-book.js';

describe('createQuoteBook', () => {
  it('keeps the latest quote per venue and reports freshness by arrival time', () => {
    const book = createQuoteBook(['coinbase', 'kraken']);
    book.record('coinbase', { bidCents: 1, askCents: 3 }, 1_000);
    book.record('coinbase', { bidCents: 2, askCents: 4 }, 1_100);
    expect(book.quotes()).toEqual([{ venue: 'coinbase', bidCents: 2, askCents: 4, receivedAtMs: 1_100 }]);
    expect(book.statuses(3_100, 2_000)).toEqual([
      { venue: 'coinbase', fresh: true, quoteAgeMs: 2_000 },
      { venue: 'kraken', fresh: false, quoteAgeMs: null },
    ]);
    expect(book.statuses(3_101, 2_000)[0]).toMatchObject({ fresh: false });
  });

  it('ignores a quote that arrived before the one it holds', () => {
    const book = createQuoteBook(['coinbase']);
    book.record('coinbase', { bidCents: 2, askCents: 4 }, 1_100);
    book.record('coinbase', { bidCents: 1, askCents: 3 }, 1_000);
    expect(book.quotes()[0]).toMatchObject({ bidCents: 2 });
  });
});
