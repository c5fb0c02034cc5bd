import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING_CONFIG as config } from './pricing-config.js';
import { quoteCell } from './quote-cell.js';
import { quoteCellFromPrint } from './quote-from-print.js';

const nowMs = 1_700_000_000_000;
const t0 = Math.ceil((nowMs + config.leadMs) / config.windowMs) * config.windowMs + config.windowMs;
const print = { t: nowMs - 150, priceCents: 6_000_000, sigma: 0.0004, noise: 0.00002 };
const p0 = Math.floor(print.priceCents / config.bandCents) * config.bandCents + config.bandCents;

describe('quoteCellFromPrint', () => {
  it('prices a plain print at its own time with its σ and η', () => {
    const quote = quoteCellFromPrint(print, { t0, p0, nowMs }, config);
    expect(quote.ok).toBe(true);
    expect(quote).toEqual(
      quoteCell({
        t0,
        p0,
        nowMs,
        indexPriceCents: print.priceCents,
        printTMs: print.t,
        sigma: 0.0004,
        noise: 0.00002,
        config,
      }),
    );
  });

  it('prices from the filtered index and its error when the print carries one', () => {
    const filtered = { ...print, filteredCents: 6_000_400, filteredNoise: 0.00001 };
    const quote = quoteCellFromPrint(filtered, { t0, p0, nowMs }, config);
    expect(quote).toEqual(
      quoteCell({
        t0,
        p0,
        nowMs,
        indexPriceCents: 6_000_400,
        indexNoise: 0.00001,
        printTMs: print.t,
        sigma: 0.0004,
        noise: 0.00002,
        config,
      }),
    );
    expect(quote).not.toEqual(quoteCellFromPrint(print, { t0, p0, nowMs }, config));
  });

  it('reads a print without η (before pricing-v2) as η = 0', () => {
    const { noise: _noise, ...old } = print;
    const quote = quoteCellFromPrint(old, { t0, p0, nowMs }, config);
    expect(quote.ok && quote.noise).toBe(0);
  });
});
