import {
  ADAPTIVE_FILL_DELAY_DEFAULTS,
  adaptiveFillDelay,
  DEFAULT_PRICING_CONFIG as config,
  quoteCellFromPrint,
  quoteExpectedFill,
  sigmaFromAnnualized,
} from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import { minMultiplierBp } from '../bets/slippage.js';
import { cellKey, newQuoteCache, refreshQuotes } from './cell-quotes.js';

const nowMs = 1_700_000_000_030;
/** A filtered print at 60 %/yr (the simulator's default market), 30 ms before the page's now. */
const print = {
  t: nowMs - 30,
  priceCents: 9_500_300,
  sigma: sigmaFromAnnualized(0.6),
  noise: 0.67e-4,
  filteredCents: 9_500_340,
  filteredNoise: 0.42e-4,
};
const firstT0 = Math.ceil((nowMs + config.leadMs) / config.windowMs) * config.windowMs;
const columns = [firstT0, firstT0 + config.windowMs];
const rows = [9_499_000, 9_500_000, 9_501_000];
const near = cellKey(firstT0, 9_500_000);

describe('refreshQuotes', () => {
  it('quotes at receipt when the server fills at receipt (no fill rule)', () => {
    const cache = refreshQuotes(newQuoteCache(), { nowMs, print, columns, rows }, config);
    expect(cache.fillPrints).toBe(0);
    expect(cache.quotes.get(near)).toEqual(
      quoteCellFromPrint(print, { t0: firstT0, p0: 9_500_000, nowMs }, config),
    );
  });

  it("quotes at the expected fill under the server's fill delay, and the minimum derives from it", () => {
    const fill = { kind: 'fixed', prints: 7 } as const;
    const cache = refreshQuotes(newQuoteCache(), { nowMs, print, columns, rows, fill }, config);
    const expected = quoteExpectedFill(print, { t0: firstT0, p0: 9_500_000, nowMs }, 7, config);
    const plain = quoteCellFromPrint(print, { t0: firstT0, p0: 9_500_000, nowMs }, config);
    if (!expected.ok || !plain.ok) throw new Error('not offered');
    expect(cache.quotes.get(near)).toEqual(expected);
    // The nearest cell by the index: the fill's loading is larger than at receipt.
    expect(expected.multiplierBp).toBeLessThan(plain.multiplierBp);
    // What the page sends on a tap at the default 2 %: from the multiplier shown.
    const shown = cache.quotes.get(near);
    expect(shown?.ok && minMultiplierBp(shown.multiplierBp, 200)).toBe(
      Math.floor((expected.multiplierBp * 9_800) / 10_000),
    );
  });

  it('re-quotes within a print when the adaptive fill moves to the next print', () => {
    const fill = { kind: 'adaptive', rule: ADAPTIVE_FILL_DELAY_DEFAULTS } as const;
    const at = (ms: number) =>
      adaptiveFillDelay(print, ms, ADAPTIVE_FILL_DELAY_DEFAULTS, config.printIntervalMs);
    const first = refreshQuotes(newQuoteCache(), { nowMs, print, columns, rows, fill }, config);
    expect(first.fillPrints).toBe(at(nowMs).prints);
    // Later in the same print interval, before QUOTE_INTERVAL_MS, the fill's print may change: find such a moment.
    const later = Array.from({ length: 99 }, (_, i) => nowMs + i + 1).find(
      (ms) => at(ms).prints !== first.fillPrints && ms - nowMs < 100,
    );
    if (later === undefined) throw new Error('the rule never moved within the print');
    const second = refreshQuotes(first, { nowMs: later, print, columns, rows, fill }, config);
    expect(second).not.toBe(first);
    expect(second.fillPrints).toBe(at(later).prints);
    expect(second.quotes.get(near)).toEqual(
      quoteExpectedFill(print, { t0: firstT0, p0: 9_500_000, nowMs: later }, second.fillPrints, config),
    );
    // Same print, same fill, same columns, within the interval: the cache stands.
    expect(refreshQuotes(second, { nowMs: later, print, columns, rows, fill }, config)).toBe(second);
  });
});
