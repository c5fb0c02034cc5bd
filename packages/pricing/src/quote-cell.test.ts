import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICING_CONFIG, type PricingConfig } from './pricing-config.js';
import { type CellQuote, multiplierBpOf, type QuoteCellInput, quoteCell } from './quote-cell.js';

const CONFIG = DEFAULT_PRICING_CONFIG;
const NOW_MS = 1_764_000_001_234;
/** The latest print, 84 ms before the receive time. */
const PRINT_T_MS = 1_764_000_001_150;
const FIRST_T0 = 1_764_000_005_000;
const INDEX_CENTS = 10_000_450;
const INDEX_BAND_P0 = 10_000_000;

function input(overrides: Partial<QuoteCellInput> = {}): QuoteCellInput {
  return {
    t0: FIRST_T0,
    p0: INDEX_BAND_P0 + 1_000,
    nowMs: NOW_MS,
    indexPriceCents: INDEX_CENTS,
    printTMs: PRINT_T_MS,
    sigma: CONFIG.sigmaFloor,
    noise: 0,
    config: CONFIG,
    ...overrides,
  };
}

function offered(quote: CellQuote) {
  if (!quote.ok) throw new Error(`expected an offered cell, got ${JSON.stringify(quote)}`);
  return quote;
}

describe('quoteCell', () => {
  it('quotes a placeable cell with P, g and a multiplier inside the offered range', () => {
    const quote = offered(quoteCell(input()));
    expect(quote.tau1Ms).toBe(FIRST_T0 - PRINT_T_MS);
    expect(quote.tau2Ms).toBe(FIRST_T0 + 5_000 - PRINT_T_MS);
    expect(quote.probability).toBeGreaterThan(0.3);
    expect(quote.probability).toBeLessThan(0.8);
    expect(quote.g).toBeGreaterThan(0);
    expect(quote.multiplierBp).toBeGreaterThanOrEqual(10_500);
    expect(quote.multiplierBp).toBeLessThanOrEqual(500_000);
    expect(quote.sigma).toBe(CONFIG.sigmaFloor);
  });

  it('prices at the print time, so a later receive time of the same print gets the same quote', () => {
    // The web client quotes a tick at its own clock; the server prices the same print when the bet
    // arrives. Every cell near the index must come out identical (issue 14: quote_moved on every tap).
    for (let band = -3; band <= 3; band++) {
      const cell = { p0: INDEX_BAND_P0 + band * 1_000, t0: FIRST_T0 + 5_000 };
      const client = quoteCell(input({ ...cell, nowMs: PRINT_T_MS + 3 }));
      const server = quoteCell(input({ ...cell, nowMs: PRINT_T_MS + 450 }));
      expect(server).toEqual(client);
    }
    const newerPrint = offered(quoteCell(input({ printTMs: PRINT_T_MS + 100 })));
    expect(newerPrint.tau1Ms).toBe(FIRST_T0 - PRINT_T_MS - 100);
    expect(newerPrint.multiplierBp).not.toBe(offered(quoteCell(input())).multiplierBp);
  });

  it('computes M = floor(10_000·(1 − h) / (P + λ·g)) in basis points', () => {
    const quote = offered(quoteCell(input()));
    expect(quote.multiplierBp).toBe(Math.floor((10_000 * 0.95) / (quote.probability + 0.5 * quote.g)));
    expect(Number.isInteger(quote.multiplierBp)).toBe(true);
  });

  it('returns the same quote for the same inputs', () => {
    expect(quoteCell(input())).toEqual(quoteCell(input()));
  });

  it('loads more for latency the longer the latency d is', () => {
    const without = offered(quoteCell(input({ config: { ...CONFIG, latencyMs: 0 } })));
    const standard = offered(quoteCell(input()));
    const slow = offered(quoteCell(input({ config: { ...CONFIG, latencyMs: 200 } })));
    expect(without.g).toBe(0);
    expect(slow.g).toBeGreaterThan(standard.g);
    expect(slow.multiplierBp).toBeLessThan(standard.multiplierBp);
    expect(without.multiplierBp).toBeGreaterThan(standard.multiplierBp);
  });

  it('gives larger multipliers to bands farther from the index, above and below', () => {
    for (const direction of [1, -1]) {
      let previous = 0;
      for (let k = 1; k <= 3; k++) {
        const quote = offered(quoteCell(input({ p0: INDEX_BAND_P0 + direction * k * 1_000 })));
        expect(quote.multiplierBp).toBeGreaterThan(previous);
        previous = quote.multiplierBp;
      }
    }
  });

  it('raises σ below the floor to the floor and keeps a higher σ', () => {
    expect(offered(quoteCell(input({ sigma: 0 }))).sigma).toBe(CONFIG.sigmaFloor);
    const higher = 2 * CONFIG.sigmaFloor;
    expect(offered(quoteCell(input({ sigma: higher }))).sigma).toBe(higher);
  });

  it('does not offer a cell whose multiplier would be below the minimum', () => {
    const quote = quoteCell(input({ p0: INDEX_BAND_P0, config: { ...CONFIG, multiplierBpMin: 20_000 } }));
    expect(quote).toMatchObject({ ok: false, code: 'cell_not_offered', reason: 'multiplier_below_minimum' });
    if (quote.ok || quote.code !== 'cell_not_offered' || quote.reason !== 'multiplier_below_minimum') return;
    expect(quote.multiplierBp).toBeLessThan(20_000);
  });

  it('does not offer a cell whose multiplier would be above the maximum', () => {
    const quote = quoteCell(input({ p0: INDEX_BAND_P0 + 6_000 }));
    expect(quote).toMatchObject({ ok: false, code: 'cell_not_offered', reason: 'multiplier_above_maximum' });
    if (quote.ok || quote.code !== 'cell_not_offered' || quote.reason !== 'multiplier_above_maximum') return;
    expect(quote.multiplierBp).toBeGreaterThan(500_000);
  });

  it('does not offer a cell whose P + λ·g is 0 and reports no infinite multiplier', () => {
    const quote = quoteCell(input({ p0: 2 * INDEX_BAND_P0 }));
    expect(quote).toMatchObject({
      ok: false,
      code: 'cell_not_offered',
      reason: 'multiplier_above_maximum',
      probability: 0,
      g: 0,
      multiplierBp: null,
    });
  });

  it.each([
    ['off_grid', { p0: INDEX_BAND_P0 + 1 }],
    ['starts_too_soon', { t0: FIRST_T0 - 5_000 }],
    ['beyond_horizon', { t0: FIRST_T0 + 60_000 }],
  ] as const)('refuses an unplaceable cell as %s before pricing it', (reason, overrides) => {
    expect(quoteCell(input(overrides))).toEqual({ ok: false, code: 'cell_not_placeable', reason });
  });

  it.each([
    ['a zero index', { indexPriceCents: 0 }],
    ['a NaN index', { indexPriceCents: Number.NaN }],
    ['an infinite index', { indexPriceCents: Number.POSITIVE_INFINITY }],
    ['a NaN σ', { sigma: Number.NaN }],
    ['a negative σ', { sigma: -1e-5 }],
    ['an infinite σ', { sigma: Number.POSITIVE_INFINITY }],
    ['a print at the window start', { printTMs: FIRST_T0 }],
    ['a print time that is not a number', { printTMs: Number.NaN }],
  ])('refuses %s as market_data_invalid', (_, overrides) => {
    expect(quoteCell(input(overrides))).toEqual({
      ok: false,
      code: 'cell_not_offered',
      reason: 'market_data_invalid',
    });
  });
});

describe('multiplierBpOf', () => {
  const config: Pick<PricingConfig, 'houseEdge' | 'latencyLoading'> = {
    houseEdge: 0.05,
    latencyLoading: 0.5,
  };

  it('floors to whole basis points', () => {
    expect(multiplierBpOf(0.3, 0.02, config)).toBe(Math.floor(9_500 / 0.31));
    expect(multiplierBpOf(0.95, 0, config)).toBe(10_000);
  });

  it('returns null instead of an infinite or undefined multiplier', () => {
    expect(multiplierBpOf(0, 0, config)).toBeNull();
    expect(multiplierBpOf(Number.NaN, 0, config)).toBeNull();
    expect(multiplierBpOf(1e-320, 0, config)).toBeNull();
  });
});
