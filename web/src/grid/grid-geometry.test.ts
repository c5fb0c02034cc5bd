import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { describe, expect, it } from 'vitest';
import {
  cellAt,
  cellTiming,
  layoutOf,
  MIN_TAP_PX,
  nextCenter,
  visibleColumns,
  visibleRows,
  xOf,
  yOf,
} from './grid-geometry.js';

const config = DEFAULT_PRICING_CONFIG;
const NOW = 1_765_000_002_500; // 2.5 s into a 5 s window
const CENTER = 9_750_050; // $97,500.50 in cents

describe('grid layout', () => {
  it('keeps every cell at least 44 px wide and high on a phone', () => {
    const phone = layoutOf(375, 500, config);
    expect(phone.columnWidthPx).toBeGreaterThanOrEqual(MIN_TAP_PX);
    expect(phone.rowHeightPx).toBeGreaterThanOrEqual(MIN_TAP_PX);
  });

  it('fits the whole horizon on a wide screen', () => {
    const wide = layoutOf(1600, 800, config);
    expect(xOf(wide, NOW + config.horizonMs, NOW)).toBeCloseTo(1600, 0);
  });

  it('puts now at nowX and moves a fixed time leftwards as now advances (right-to-left scroll)', () => {
    const l = layoutOf(1000, 600, config);
    expect(xOf(l, NOW, NOW)).toBe(l.nowXPx);
    expect(xOf(l, NOW, NOW + 1_000)).toBeLessThan(xOf(l, NOW, NOW));
  });

  it('puts higher prices higher on screen, the center in the middle', () => {
    const l = layoutOf(1000, 600, config);
    expect(yOf(l, CENTER, CENTER)).toBe(300);
    expect(yOf(l, CENTER + 1_000, CENTER)).toBe(300 - l.rowHeightPx);
  });
});

describe('cellAt (hit testing a tap)', () => {
  const l = layoutOf(1000, 600, config);
  it('maps a point to the cell whose window and band contain it', () => {
    const t0 = NOW - (NOW % 5_000) + 10_000;
    const p0 = 9_751_000;
    const x = xOf(l, t0 + 2_500, NOW);
    const y = yOf(l, p0 + 500, CENTER);
    expect(cellAt(l, x, y, NOW, CENTER)).toEqual({ t0, p0 });
  });

  it('gives every point on a cell edge to exactly one cell (window [t0, t0+W), band from p0)', () => {
    const t0 = NOW - (NOW % 5_000) + 10_000;
    expect(cellAt(l, xOf(l, t0, NOW), 300, NOW, CENTER)?.t0).toBe(t0);
  });

  it('refuses points left of now or off the canvas', () => {
    expect(cellAt(l, l.nowXPx - 1, 300, NOW, CENTER)).toBeNull();
    expect(cellAt(l, 500, -1, NOW, CENTER)).toBeNull();
  });
});

describe('visible columns and rows', () => {
  const l = layoutOf(1000, 600, config);
  it('starts at the live window and covers the screen to the right edge', () => {
    const columns = visibleColumns(l, NOW);
    expect(columns[0]).toBe(NOW - (NOW % 5_000));
    expect(xOf(l, columns.at(-1)!, NOW)).toBeLessThan(1000);
    expect(xOf(l, columns.at(-1)! + 5_000, NOW)).toBeGreaterThanOrEqual(1000);
  });

  it('lists band floors on the band grid around the center', () => {
    const rows = visibleRows(l, CENTER);
    for (const p0 of rows) expect(p0 % 1_000).toBe(0);
    expect(rows.some((p0) => p0 <= CENTER && CENTER < p0 + 1_000)).toBe(true);
  });
});

describe('cellTiming (SPEC §3 placeable rules as the grid shows them)', () => {
  const t0 = 1_765_000_010_000;
  it.each([
    [t0 + 5_000, 'past'],
    [t0 + 1, 'live'],
    [t0, 'live'],
    [t0 - 1_999, 'locked'],
    [t0 - 2_000, 'open'],
    [t0 - 59_999, 'open'],
    [t0 - 60_000, 'beyond'],
  ] as const)('at now = t0 %# it is %s', (now, timing) => {
    expect(cellTiming(t0, now, config)).toBe(timing);
  });
});

describe('nextCenter', () => {
  it('halves the distance to the price every half-life and jumps on the first price', () => {
    expect(nextCenter(0, 1_000, 16)).toBe(1_000);
    expect(nextCenter(2_000, 1_000, 600)).toBeCloseTo(1_500);
  });
});
