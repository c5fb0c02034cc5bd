import { describe, expect, it } from 'vitest';
import { type CellAt, checkPlaceable, isCellOnGrid } from './cell-rules.js';
import { DEFAULT_PRICING_CONFIG } from './pricing-config.js';

const CONFIG = DEFAULT_PRICING_CONFIG;
const NOW_MS = 1_764_000_001_234;
/** The first window start at least LEAD ahead of NOW_MS. */
const FIRST_T0 = 1_764_000_005_000;

function cell(overrides: Partial<CellAt> = {}): CellAt {
  return { t0: FIRST_T0, p0: 10_000_000, nowMs: NOW_MS, ...overrides };
}

describe('checkPlaceable', () => {
  it('accepts a grid cell between LEAD and HORIZON ahead', () => {
    expect(checkPlaceable(cell(), CONFIG)).toEqual({ ok: true });
    expect(checkPlaceable(cell({ t0: FIRST_T0 + 50_000 }), CONFIG)).toEqual({ ok: true });
  });

  it.each([
    ['a start off the window grid', { t0: FIRST_T0 + 1 }],
    ['a band off the band grid', { p0: 10_000_500 }],
    ['a zero band', { p0: 0 }],
    ['a negative band', { p0: -1_000 }],
    ['a fractional start', { t0: FIRST_T0 + 0.5 }],
    ['a non-finite band', { p0: Number.POSITIVE_INFINITY }],
  ])('refuses %s as off_grid', (_, overrides) => {
    expect(checkPlaceable(cell(overrides), CONFIG)).toEqual({
      ok: false,
      code: 'cell_not_placeable',
      reason: 'off_grid',
    });
  });

  it('refuses a window starting less than LEAD ahead as starts_too_soon', () => {
    const tooSoon = { ok: false, code: 'cell_not_placeable', reason: 'starts_too_soon' };
    expect(checkPlaceable(cell({ nowMs: FIRST_T0 - CONFIG.leadMs + 1 }), CONFIG)).toEqual(tooSoon);
    expect(checkPlaceable(cell({ nowMs: FIRST_T0 }), CONFIG)).toEqual(tooSoon);
    expect(checkPlaceable(cell({ nowMs: FIRST_T0 + 2_500 }), CONFIG)).toEqual(tooSoon);
  });

  it('accepts a window exactly LEAD ahead', () => {
    expect(checkPlaceable(cell({ nowMs: FIRST_T0 - CONFIG.leadMs }), CONFIG)).toEqual({ ok: true });
  });

  it('refuses a window starting at or after now + HORIZON as beyond_horizon', () => {
    const beyond = { ok: false, code: 'cell_not_placeable', reason: 'beyond_horizon' };
    expect(checkPlaceable(cell({ t0: FIRST_T0 + 60_000, nowMs: FIRST_T0 }), CONFIG)).toEqual(beyond);
    expect(checkPlaceable(cell({ t0: FIRST_T0 + 55_000, nowMs: FIRST_T0 }), CONFIG)).toEqual({ ok: true });
  });

  it('names the off-grid rule first when several are broken', () => {
    expect(checkPlaceable(cell({ t0: NOW_MS }), CONFIG)).toMatchObject({ reason: 'off_grid' });
  });
});

describe('isCellOnGrid', () => {
  it('follows the configured window and band sizes', () => {
    expect(isCellOnGrid(2_000, 500, { windowMs: 1_000, bandCents: 250 })).toBe(true);
    expect(isCellOnGrid(2_000, 500, CONFIG)).toBe(false);
  });
});
