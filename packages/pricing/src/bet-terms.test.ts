import { describe, expect, it } from 'vitest';
import { betTermsOf } from './bet-terms.js';
import { pricingIndexOf } from './index-filter.js';
import { DEFAULT_PRICING_CONFIG } from './pricing-config.js';
import { quoteCell } from './quote-cell.js';

const T0 = 1_765_000_010_000;
const PRINT = { id: 7, t: T0 - 3_000, priceCents: 9_500_400, sigma: 0.0005, noise: 0.00006 };
const CELL = { t0: T0, p0: 9_500_000 };

describe('betTermsOf', () => {
  it('is quoteCell on pricingIndexOf(print), written as the terms snapshot', () => {
    const quote = quoteCell({
      ...CELL,
      nowMs: PRINT.t - 20,
      ...pricingIndexOf(PRINT),
      printTMs: PRINT.t,
      sigma: PRINT.sigma,
      noise: PRINT.noise,
      config: DEFAULT_PRICING_CONFIG,
    });
    if (!quote.ok) throw new Error('the fixture cell must be offered');
    expect(betTermsOf(CELL, PRINT, PRINT.t - 20, DEFAULT_PRICING_CONFIG)).toEqual({
      ok: true,
      terms: {
        indexPriceCents: PRINT.priceCents,
        printId: 7,
        sigma: quote.sigma,
        noise: quote.noise,
        tau1Ms: 3_000,
        tau2Ms: 8_000,
        probability: quote.probability,
        g: quote.g,
        multiplierBp: quote.multiplierBp,
        configVersion: DEFAULT_PRICING_CONFIG.configVersion,
      },
    });
  });

  it('prices the filtered index with its error and marks a next-tick fill', () => {
    const filtered = { ...PRINT, filteredCents: 9_500_600, filteredNoise: 0.00003 };
    const quote = betTermsOf(CELL, filtered, PRINT.t - 20, DEFAULT_PRICING_CONFIG, 'next_print');
    expect(quote).toMatchObject({
      ok: true,
      terms: { indexPriceCents: 9_500_600, indexNoise: 0.00003, entry: 'next_print' },
    });
  });

  it('refuses with the quote reason: a cell not placeable at the receive time', () => {
    const quote = betTermsOf(CELL, PRINT, T0 - 1_000, DEFAULT_PRICING_CONFIG);
    expect(quote).toMatchObject({ ok: false, refusal: { code: 'cell_not_placeable' } });
  });
});
