import { checkPlaceable, DEFAULT_PRICING_CONFIG, quoteCell } from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CELL_PICKER, pickCells } from './cell-picker.js';

describe('pickCells', () => {
  const nowMs = 1_764_000_001_234;
  const print = { t: nowMs - 30, priceCents: 9_500_450, sigma: 0.0001 };

  it('picks grid cells that are placeable and offered, with room for latency', () => {
    const cells = pickCells(print, nowMs);
    expect(cells.length).toBeGreaterThan(3);
    for (const cell of cells) {
      expect(cell.t0 % 5_000).toBe(0);
      expect(cell.p0 % 1_000).toBe(0);
      expect(cell.t0 - nowMs).toBeGreaterThanOrEqual(DEFAULT_CELL_PICKER.leadMarginMs);
      // Still placeable and offered when the request arrives a second later.
      expect(checkPlaceable({ ...cell, nowMs: nowMs + 1_000 }, DEFAULT_PRICING_CONFIG).ok).toBe(true);
      const quote = quoteCell({
        ...cell,
        nowMs: nowMs + 1_000,
        indexPriceCents: print.priceCents,
        printTMs: print.t,
        sigma: print.sigma,
        noise: 0,
        config: DEFAULT_PRICING_CONFIG,
      });
      expect(quote.ok).toBe(true);
    }
  });

  it('falls back to the offered cell with the highest multiplier when none is in range', () => {
    const options = { ...DEFAULT_CELL_PICKER, multiplierBpMin: 10_000_000 };
    const cells = pickCells(print, nowMs, options);
    expect(cells).toHaveLength(1);
    const quoteOf = (cell: { t0: number; p0: number }) => {
      const quote = quoteCell({
        ...cell,
        nowMs,
        indexPriceCents: print.priceCents,
        printTMs: print.t,
        sigma: print.sigma,
        noise: 0,
        config: DEFAULT_PRICING_CONFIG,
      });
      return quote.ok ? quote.multiplierBp : 0;
    };
    const picked = quoteOf(cells[0]!);
    expect(picked).toBeGreaterThan(0);
    expect(picked).toBeLessThanOrEqual(options.multiplierBpMax);
    const others = pickCells(print, nowMs, { ...options, multiplierBpMin: 0 }).map(quoteOf);
    expect(Math.max(...others)).toBe(picked);
  });

  it('falls back to the band above the index when no cell is offered at all', () => {
    const cells = pickCells(print, nowMs, { ...DEFAULT_CELL_PICKER, multiplierBpMax: 0 });
    expect(cells).toEqual([{ t0: 1_764_000_010_000, p0: 9_501_000 }]);
  });
});
