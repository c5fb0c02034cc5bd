import { describe, expect, it } from 'vitest';
import { GRID_BANDS_EACH_SIDE_MAX, GRID_COLUMNS_MAX, type PriceGridInput, priceGrid } from './price-grid.js';
import { DEFAULT_PRICING_CONFIG } from './pricing-config.js';
import { quoteCell } from './quote-cell.js';

const NOW_MS = 1_764_000_001_234;

function gridInput(overrides: Partial<PriceGridInput> = {}): PriceGridInput {
  return {
    nowMs: NOW_MS,
    indexPriceCents: 10_000_450,
    printTMs: NOW_MS - 40,
    sigma: DEFAULT_PRICING_CONFIG.sigmaFloor,
    noise: 0,
    config: DEFAULT_PRICING_CONFIG,
    ...overrides,
  };
}

describe('priceGrid', () => {
  it('quotes every placeable window start and the bands around the index', () => {
    const grid = priceGrid(gridInput());
    expect(grid.columnsT0[0]).toBe(1_764_000_005_000);
    expect(grid.columnsT0.at(-1)).toBe(1_764_000_060_000);
    expect(grid.columnsT0).toHaveLength(12);
    expect(grid.rowsP0).toHaveLength(41);
    expect(grid.rowsP0[20]).toBe(10_000_000);
    expect(grid.cells).toHaveLength(12 * 41);
    for (const cell of grid.cells) expect(cell.quote).not.toMatchObject({ code: 'cell_not_placeable' });
    expect(grid.cells.filter((cell) => cell.quote.ok).length).toBeGreaterThan(12 * 5);
  });

  it('lays cells out column by column, each the quote quoteCell gives', () => {
    const input = gridInput();
    const grid = priceGrid(input);
    const rows = grid.rowsP0.length;
    grid.columnsT0.forEach((t0, c) => {
      grid.rowsP0.forEach((p0, r) => {
        const cell = grid.cells[c * rows + r]!;
        expect([cell.t0, cell.p0]).toEqual([t0, p0]);
        if (r % 10 === 0) expect(cell.quote).toEqual(quoteCell({ ...input, t0, p0 }));
      });
    });
  });

  it('takes the first column exactly LEAD ahead and stops before the horizon', () => {
    const grid = priceGrid(gridInput({ nowMs: 1_764_000_003_000 }));
    expect(grid.columnsT0[0]).toBe(1_764_000_005_000);
    expect(grid.columnsT0.at(-1)).toBe(1_764_000_060_000);
  });

  it('bounds its size whatever the config asks for', () => {
    const config = { ...DEFAULT_PRICING_CONFIG, windowMs: 1, leadMs: 1 };
    const grid = priceGrid(gridInput({ config, bandsEachSide: 1e9 }));
    expect(grid.columnsT0).toHaveLength(GRID_COLUMNS_MAX);
    expect(grid.rowsP0).toHaveLength(2 * GRID_BANDS_EACH_SIDE_MAX + 1);
  });

  it('keeps only positive bands', () => {
    expect(priceGrid(gridInput({ indexPriceCents: 2_500, bandsEachSide: 3 })).rowsP0).toEqual([
      1_000, 2_000, 3_000, 4_000, 5_000,
    ]);
  });

  it('quotes nothing for an unusable index', () => {
    expect(priceGrid(gridInput({ indexPriceCents: Number.NaN })).cells).toEqual([]);
    expect(priceGrid(gridInput({ indexPriceCents: 0 })).cells).toEqual([]);
  });
});
