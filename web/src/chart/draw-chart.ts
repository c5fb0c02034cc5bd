/**
 * Draws one frame of the chart on a 2D canvas: the grid of cells ahead of now (multiplier, locked,
 * not offered, halted), the trader's bets on it, the price line scrolling right to left, the now
 * line and the axes. No allocation-heavy work per frame: quotes come from the cache, prints from
 * the session's ring buffer.
 */
import type { CellQuote, PricingConfig } from '@tap/pricing';
import type { TrackedBet } from '../bets/bet-book.js';
import {
  type Cell,
  cellTiming,
  type GridLayout,
  visibleColumns,
  visibleRows,
  xOf,
  yOf,
} from '../grid/grid-geometry.js';
import { formatMultiplier, formatPrice } from '../grid/multiplier-format.js';
import type { Prints } from '../market/trading-session.js';
import { cellKey } from './cell-quotes.js';

const PRINT_GAP_MS = 1_000;

export const COLORS = {
  background: '#0b0f17',
  gridLine: '#1c2433',
  cellOpen: '#122033',
  cellOpenText: '#cfe3ff',
  cellLocked: '#0f141d',
  cellLockedText: '#5b6b82',
  cellHalted: '#151a22',
  priceLine: '#f7b733',
  nowLine: '#8a9bb5',
  axisText: '#9fb0c8',
  focus: '#ffffff',
  pending: '#8ab4ff',
  accepted: '#3d8bff',
  won: '#2ecc71',
  lost: '#e74c3c',
  void: '#95a5a6',
  refused: '#e67e22',
} as const;

export interface Frame {
  layout: GridLayout;
  nowMs: number;
  centerPriceCents: number;
  prints: Prints;
  quotes: Map<string, CellQuote>;
  bets: readonly TrackedBet[];
  halted: boolean;
  focused: Cell | null;
  config: PricingConfig;
}

export function drawChart(ctx: CanvasRenderingContext2D, frame: Frame): void {
  const { layout } = frame;
  ctx.fillStyle = COLORS.background;
  ctx.fillRect(0, 0, layout.widthPx, layout.heightPx);
  const columns = visibleColumns(layout, frame.nowMs);
  const rows = visibleRows(layout, frame.centerPriceCents);
  drawCells(ctx, frame, columns, rows);
  drawBets(ctx, frame);
  drawPriceLine(ctx, frame);
  drawAxes(ctx, frame, columns, rows);
}

function cellRect(frame: Frame, t0: number, p0: number) {
  const { layout, nowMs, centerPriceCents } = frame;
  const x = xOf(layout, t0, nowMs);
  const y = yOf(layout, p0 + layout.bandCents, centerPriceCents);
  return { x, y, w: layout.columnWidthPx, h: layout.rowHeightPx };
}

function drawCells(ctx: CanvasRenderingContext2D, frame: Frame, columns: number[], rows: number[]): void {
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const t0 of columns) {
    const timing = cellTiming(t0, frame.nowMs, frame.config);
    if (timing === 'past' || timing === 'live') continue;
    for (const p0 of rows) {
      const { x, y, w, h } = cellRect(frame, t0, p0);
      const quote = frame.quotes.get(cellKey(t0, p0));
      const offered = !frame.halted && timing === 'open' && quote?.ok === true;
      ctx.fillStyle = frame.halted ? COLORS.cellHalted : offered ? COLORS.cellOpen : COLORS.cellLocked;
      ctx.fillRect(x + 1, y + 1, w - 2, h - 2);
      if (offered && quote?.ok) {
        ctx.fillStyle = COLORS.cellOpenText;
        ctx.fillText(formatMultiplier(quote.multiplierBp), x + w / 2, y + h / 2);
      } else if (timing === 'locked' && !frame.halted) {
        ctx.fillStyle = COLORS.cellLockedText;
        ctx.fillText('locked', x + w / 2, y + h / 2);
      }
    }
  }
  if (frame.focused) {
    const { x, y, w, h } = cellRect(frame, frame.focused.t0, frame.focused.p0);
    ctx.strokeStyle = COLORS.focus;
    ctx.lineWidth = 2;
    ctx.strokeRect(x + 2, y + 2, w - 4, h - 4);
  }
}

const LABEL_LINE_PX = 12;

function drawBets(ctx: CanvasRenderingContext2D, frame: Frame): void {
  ctx.font = 'bold 11px system-ui, sans-serif';
  ctx.lineWidth = 2;
  for (const bets of betsByCell(frame.bets).values()) {
    const { t0, p0 } = bets[0]!;
    const { x, y, w, h } = cellRect(frame, t0, p0);
    if (x + w < 0 || x > frame.layout.widthPx || y + h < 0 || y > frame.layout.heightPx) continue;
    // The newest bet's phase colours the cell; the labels name every phase on it.
    const phase = bets[bets.length - 1]!.phase;
    const color = COLORS[phase === 'sending' ? 'pending' : phase === 'rejected' ? 'refused' : phase];
    ctx.strokeStyle = color;
    ctx.strokeRect(x + 2, y + 2, w - 4, h - 4);
    ctx.fillStyle = color;
    ctx.globalAlpha = phase === 'won' ? 0.45 : 0.2;
    ctx.fillRect(x + 2, y + 2, w - 4, h - 4);
    ctx.globalAlpha = 1;
    ctx.fillStyle = COLORS.focus;
    const lines = cellBetLabels(bets, Math.max(1, Math.floor((h - 12) / LABEL_LINE_PX)));
    lines.forEach((line, i) => {
      ctx.fillText(line, x + w / 2, y + h - 9 - (lines.length - 1 - i) * LABEL_LINE_PX);
    });
  }
}

/** The trader's drawn bets grouped by cell, oldest first in each (refused ones never existed). */
function betsByCell(bets: readonly TrackedBet[]): Map<string, TrackedBet[]> {
  const cells = new Map<string, TrackedBet[]>();
  for (const bet of bets) {
    // Refused bets never existed on the server; the list below the chart says why.
    if (bet.t0 === 0 || bet.phase === 'refused') continue;
    const key = cellKey(bet.t0, bet.p0);
    const list = cells.get(key);
    if (list) list.push(bet);
    else cells.set(key, [bet]);
  }
  return cells;
}

/**
 * One label line per phase of the bets on one cell ("accepted ×2", "rejected"), in the order the
 * phases first appear, at most `linesMax` (the last then says how many more, or one line counts
 * them all). Several bets on a cell used to draw their labels on top of each other.
 */
export function cellBetLabels(bets: readonly Pick<TrackedBet, 'phase'>[], linesMax: number): string[] {
  const counts = new Map<string, number>();
  for (const { phase } of bets) counts.set(phase, (counts.get(phase) ?? 0) + 1);
  const lines = [...counts].map(([phase, n]) => (n > 1 ? `${phase} ×${n}` : phase));
  if (lines.length <= linesMax) return lines;
  if (linesMax === 1) return [`${bets.length} bets`];
  const shown = lines.slice(0, linesMax - 1);
  const hidden = bets.length - [...counts.values()].slice(0, linesMax - 1).reduce((a, b) => a + b, 0);
  return [...shown, `+${hidden} more`];
}

function drawPriceLine(ctx: CanvasRenderingContext2D, frame: Frame): void {
  const { prints, layout, nowMs, centerPriceCents } = frame;
  if (prints.count === 0) return;
  ctx.strokeStyle = COLORS.priceLine;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let started = false;
  let lastX = 0;
  let lastY = 0;
  let lastT = 0;
  const size = prints.t.length;
  for (let i = 0; i < prints.count; i++) {
    const at = (prints.start + i) % size;
    const x = xOf(layout, prints.t[at] ?? 0, nowMs);
    if (x < -layout.columnWidthPx) continue;
    const y = yOf(layout, prints.p[at] ?? 0, centerPriceCents);
    const t = prints.t[at] ?? 0;
    // Prints are levels held until the next one (the settlement rule): draw steps, not slopes. A
    // gap over 1 s (a print held longer no longer counts, SPEC §4) is left as a gap.
    if (started && t - lastT <= PRINT_GAP_MS) ctx.lineTo(x, lastY);
    else ctx.moveTo(x, y);
    ctx.lineTo(x, y);
    started = true;
    lastX = x;
    lastY = y;
    lastT = t;
  }
  // The last print holds until now, unless it is too old to count.
  const fresh = nowMs - lastT <= PRINT_GAP_MS;
  if (fresh) ctx.lineTo(Math.max(lastX, layout.nowXPx), lastY);
  ctx.stroke();
  ctx.fillStyle = COLORS.priceLine;
  ctx.beginPath();
  ctx.arc(fresh ? Math.max(lastX, layout.nowXPx) : lastX, lastY, 4, 0, Math.PI * 2);
  ctx.fill();
}

function drawAxes(ctx: CanvasRenderingContext2D, frame: Frame, columns: number[], rows: number[]): void {
  const { layout, nowMs, centerPriceCents } = frame;
  ctx.strokeStyle = COLORS.nowLine;
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(layout.nowXPx, 0);
  ctx.lineTo(layout.nowXPx, layout.heightPx);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = COLORS.axisText;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  for (const t0 of columns) {
    const seconds = Math.round((t0 - nowMs) / 1000);
    if (seconds > 0) ctx.fillText(`+${seconds}s`, xOf(layout, t0, nowMs) + 3, 3);
  }
  ctx.textBaseline = 'middle';
  for (const p0 of rows) {
    const y = yOf(layout, p0, centerPriceCents);
    if (y > 14 && y < layout.heightPx - 6) ctx.fillText(formatPrice(p0), 4, y);
  }
}
