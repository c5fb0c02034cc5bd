/**
 * The live chart: a canvas redrawn on every animation frame (60 fps) from the trading session,
 * outside React. A tap (pointer) or Enter/Space on the keyboard-selected cell places a bet at the
 * multiplier shown; arrow keys move the selection, so the grid is usable without a pointer.
 */
import { type CellQuote, DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { useEffect, useRef, useState } from 'react';
import {
  type Cell,
  cellAt,
  cellTiming,
  layoutOf,
  nextCenter,
  visibleColumns,
  visibleRows,
} from '../grid/grid-geometry.js';
import { formatMultiplier, formatPrice } from '../grid/multiplier-format.js';
import type { TradingSession } from '../market/trading-session.js';
import { cellKey, newQuoteCache, refreshQuotes } from './cell-quotes.js';
import { drawChart } from './draw-chart.js';

/** Older prints than this mean the grid is locked (the server refuses at 500 ms: price_stale). */
export const PRINT_AGE_LOCK_MS = 1_000;
const config = DEFAULT_PRICING_CONFIG;

export interface ChartCanvasProps {
  session: TradingSession;
  halted: boolean;
  onTap(cell: Cell, multiplierBp: number): void;
}

export function ChartCanvas({ session, halted, onTap }: ChartCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const live = useRef({ halted, onTap, focused: null as Cell | null, center: 0, quotes: newQuoteCache() });
  live.current.halted = halted;
  live.current.onTap = onTap;
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d', { alpha: false });
    if (!canvas || !ctx) return;
    let frameId = 0;
    let lastFrameMs = performance.now();
    const draw = (frameMs: number) => {
      frameId = requestAnimationFrame(draw);
      const dpr = window.devicePixelRatio || 1;
      const widthPx = canvas.clientWidth;
      const heightPx = canvas.clientHeight;
      if (canvas.width !== Math.round(widthPx * dpr) || canvas.height !== Math.round(heightPx * dpr)) {
        canvas.width = Math.round(widthPx * dpr);
        canvas.height = Math.round(heightPx * dpr);
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const state = live.current;
      const snap = session.snapshot();
      const nowMs = session.now();
      const layout = layoutOf(widthPx, heightPx, config);
      state.center = nextCenter(state.center, snap.lastPriceCents, frameMs - lastFrameMs);
      lastFrameMs = frameMs;
      const stale = nowMs - snap.lastPrintT > PRINT_AGE_LOCK_MS;
      const columns = visibleColumns(layout, nowMs);
      state.quotes = refreshQuotes(
        state.quotes,
        {
          nowMs,
          print: snap.print,
          columns,
          rows: visibleRows(layout, state.center),
          fill: session.fill,
        },
        config,
      );
      const halted = state.halted || stale || snap.lastPriceCents === 0;
      // Exposed for assistive tech and tests: whether the grid takes bets right now.
      const gridState = halted ? 'locked' : 'open';
      if (canvas.dataset.grid !== gridState) canvas.dataset.grid = gridState;
      drawChart(ctx, {
        layout,
        nowMs,
        centerPriceCents: state.center,
        prints: session.prints,
        quotes: state.quotes.quotes,
        bets: snap.book.bets,
        halted,
        focused: document.activeElement === canvas ? state.focused : null,
        config,
      });
    };
    frameId = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frameId);
  }, [session]);

  const quoteOf = (cell: Cell): CellQuote | undefined =>
    live.current.quotes.quotes.get(cellKey(cell.t0, cell.p0));

  const tryBet = (cell: Cell) => {
    const quote = quoteOf(cell);
    const open = cellTiming(cell.t0, session.now(), config) === 'open';
    if (live.current.halted || !open || !quote?.ok) {
      setAnnouncement('This cell cannot be bet on now.');
      return;
    }
    live.current.onTap(cell, quote.multiplierBp);
  };

  const onPointerDown = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const rect = canvas.getBoundingClientRect();
    const layout = layoutOf(canvas.clientWidth, canvas.clientHeight, config);
    const cell = cellAt(
      layout,
      event.clientX - rect.left,
      event.clientY - rect.top,
      session.now(),
      live.current.center,
    );
    if (cell) tryBet(cell);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLCanvasElement>) => {
    const state = live.current;
    const now = session.now();
    const first = Math.ceil((now + config.leadMs) / config.windowMs) * config.windowMs;
    const band = Math.floor(session.snapshot().lastPriceCents / config.bandCents) * config.bandCents;
    const focused = state.focused && state.focused.t0 >= first ? state.focused : { t0: first, p0: band };
    const moves: Record<string, [number, number]> = {
      ArrowRight: [1, 0],
      ArrowLeft: [-1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      const t0 = Math.max(first, focused.t0 + move[0] * config.windowMs);
      state.focused = { t0, p0: focused.p0 + move[1] * config.bandCents };
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      state.focused = focused;
      tryBet(focused);
      return;
    } else {
      return;
    }
    const quote = quoteOf(state.focused);
    const seconds = Math.round((state.focused.t0 - now) / 1000);
    setAnnouncement(
      `Band ${formatPrice(state.focused.p0)} in ${seconds} s: ${quote?.ok ? formatMultiplier(quote.multiplierBp) : 'not offered'}`,
    );
  };

  return (
    <div className="chart">
      <canvas
        ref={canvasRef}
        className="chart-canvas"
        tabIndex={0}
        aria-label="Price chart and betting grid. Arrow keys choose a cell, Enter bets on it."
        data-testid="chart"
        onPointerDown={onPointerDown}
        onKeyDown={onKeyDown}
      />
      <p className="sr-only" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}
