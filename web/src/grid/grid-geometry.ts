/**
 * Where things are on the chart (pure, so it is unit-tested without a canvas). Time runs left to
 * right: "now" sits at `nowXPx`, the past scrolls off to the left, the grid of cells lies ahead.
 * Price runs bottom to top around `centerPriceCents`. Every cell is at least MIN_TAP_PX wide and
 * high (WCAG 2.5.5 target size), so a phone shows fewer columns rather than smaller ones.
 */
import type { PricingConfig } from '@tap/pricing';

export const MIN_TAP_PX = 44;

export interface GridLayout {
  widthPx: number;
  heightPx: number;
  /** x of the current (server) time. */
  nowXPx: number;
  columnWidthPx: number;
  rowHeightPx: number;
  windowMs: number;
  bandCents: number;
}

export interface Cell {
  t0: number;
  p0: number;
}

/** 'live': the window has started; 'locked': inside the lead time; 'beyond': past the horizon. */
export type CellTiming = 'past' | 'live' | 'locked' | 'open' | 'beyond';

type GridConfig = Pick<PricingConfig, 'windowMs' | 'bandCents' | 'leadMs' | 'horizonMs'>;

export function layoutOf(widthPx: number, heightPx: number, config: GridConfig): GridLayout {
  const nowXPx = Math.round(Math.min(Math.max(widthPx * 0.3, 90), 360));
  // Aim for the whole horizon on a wide screen, never below the tap-target size on a narrow one.
  const columnWidthPx = Math.max(64, ((widthPx - nowXPx) * config.windowMs) / config.horizonMs);
  const rowHeightPx = Math.max(MIN_TAP_PX, Math.min(64, heightPx / 12));
  return {
    widthPx,
    heightPx,
    nowXPx,
    columnWidthPx,
    rowHeightPx,
    windowMs: config.windowMs,
    bandCents: config.bandCents,
  };
}

export const pxPerMs = (l: GridLayout) => l.columnWidthPx / l.windowMs;
export const pxPerCent = (l: GridLayout) => l.rowHeightPx / l.bandCents;

export function xOf(l: GridLayout, tMs: number, nowMs: number): number {
  return l.nowXPx + (tMs - nowMs) * pxPerMs(l);
}

export function yOf(l: GridLayout, priceCents: number, centerPriceCents: number): number {
  return l.heightPx / 2 - (priceCents - centerPriceCents) * pxPerCent(l);
}

/** The cell under a point, or null left of "now" (the past cannot be bet on). */
export function cellAt(
  l: GridLayout,
  xPx: number,
  yPx: number,
  nowMs: number,
  centerPriceCents: number,
): Cell | null {
  if (xPx < l.nowXPx || xPx > l.widthPx || yPx < 0 || yPx > l.heightPx) return null;
  const t = nowMs + (xPx - l.nowXPx) / pxPerMs(l);
  const p = centerPriceCents + (l.heightPx / 2 - yPx) / pxPerCent(l);
  return { t0: Math.floor(t / l.windowMs) * l.windowMs, p0: Math.floor(p / l.bandCents) * l.bandCents };
}

/** Window starts whose column is at least partly on screen, right of "now"'s column. */
export function visibleColumns(l: GridLayout, nowMs: number): number[] {
  const columns: number[] = [];
  for (
    let t0 = Math.floor(nowMs / l.windowMs) * l.windowMs;
    xOf(l, t0, nowMs) < l.widthPx;
    t0 += l.windowMs
  ) {
    columns.push(t0);
  }
  return columns;
}

/** Band floors whose row is at least partly on screen, ascending. */
export function visibleRows(l: GridLayout, centerPriceCents: number): number[] {
  const half = l.heightPx / 2 / pxPerCent(l);
  const first = Math.floor((centerPriceCents - half) / l.bandCents) * l.bandCents;
  const rows: number[] = [];
  for (let p0 = Math.max(l.bandCents, first); p0 < centerPriceCents + half; p0 += l.bandCents) rows.push(p0);
  return rows;
}

/** SPEC §3 timing of a column at `nowMs` (the client's estimate of server time). */
export function cellTiming(t0: number, nowMs: number, config: GridConfig): CellTiming {
  if (t0 + config.windowMs <= nowMs) return 'past';
  if (t0 <= nowMs) return 'live';
  if (t0 - nowMs < config.leadMs) return 'locked';
  if (t0 >= nowMs + config.horizonMs) return 'beyond';
  return 'open';
}

/**
 * Eases the vertical center toward the price (half the distance every `halfLifeMs`), so the line
 * stays near the middle without the grid jumping on every print.
 */
export function nextCenter(center: number, priceCents: number, elapsedMs: number, halfLifeMs = 600): number {
  if (!Number.isFinite(center) || center <= 0) return priceCents;
  return priceCents + (center - priceCents) * 0.5 ** (Math.max(0, elapsedMs) / halfLifeMs);
}
