/**
 * Quotes every placeable cell the web client draws: each window start in [now + LEAD, now +
 * HORIZON) times the bands within `bandsEachSide` bands of the one holding the index. Bounded:
 * at most {@link GRID_COLUMNS_MAX} columns and 2·{@link GRID_BANDS_EACH_SIDE_MAX} + 1 rows, so a
 * misconfigured grid cannot make one call quote millions of cells.
 */
import type { PricingConfig } from './pricing-config.js';
import { type CellQuote, quoteCell } from './quote-cell.js';

export const GRID_COLUMNS_MAX = 120;
export const GRID_BANDS_EACH_SIDE_MAX = 100;
export const GRID_BANDS_EACH_SIDE_DEFAULT = 20;

export interface PriceGridInput {
  nowMs: number;
  indexPriceCents: number;
  /** Time of the print S: the quotes are priced at it (see quoteCell). */
  printTMs: number;
  sigma: number;
  /** η, the print micro-noise (log units). */
  noise: number;
  config: PricingConfig;
  /** Bands above and below the index's band; default 20, at most 100. */
  bandsEachSide?: number;
}

export interface GridCell {
  t0: number;
  p0: number;
  quote: CellQuote;
}

export interface PriceGrid {
  /** Window starts, ascending. */
  columnsT0: number[];
  /** Band floors, ascending. */
  rowsP0: number[];
  /** One quote per (column, row), column-major: cells[c · rowsP0.length + r]. */
  cells: GridCell[];
}

export function priceGrid(input: PriceGridInput): PriceGrid {
  const columnsT0 = gridColumns(input.nowMs, input.config);
  const rowsP0 = gridRows(input.indexPriceCents, input.config.bandCents, input.bandsEachSide);
  const cells: GridCell[] = [];
  for (const t0 of columnsT0) {
    for (const p0 of rowsP0) {
      cells.push({ t0, p0, quote: quoteCell({ ...input, t0, p0 }) });
    }
  }
  return { columnsT0, rowsP0, cells };
}

/** Placeable window starts: multiples of W with t0 − now ≥ LEAD and t0 < now + HORIZON. */
export function gridColumns(nowMs: number, config: PricingConfig): number[] {
  const { windowMs } = config;
  const first = Math.ceil((nowMs + config.leadMs) / windowMs) * windowMs;
  const columns: number[] = [];
  for (let t0 = first; t0 < nowMs + config.horizonMs && columns.length < GRID_COLUMNS_MAX; t0 += windowMs) {
    columns.push(t0);
  }
  return columns;
}

/** Band floors around the index's band, positive only; empty for an unusable index. */
export function gridRows(
  indexPriceCents: number,
  bandCents: number,
  bandsEachSide = GRID_BANDS_EACH_SIDE_DEFAULT,
): number[] {
  if (!(indexPriceCents > 0 && Number.isFinite(indexPriceCents))) return [];
  const span = Math.min(GRID_BANDS_EACH_SIDE_MAX, Math.max(0, Math.floor(bandsEachSide)));
  const center = Math.floor(indexPriceCents / bandCents) * bandCents;
  const rows: number[] = [];
  for (let k = -span; k <= span; k++) {
    const p0 = center + k * bandCents;
    if (p0 > 0) rows.push(p0);
  }
  return rows;
}
