/**
 * Chooses the cells a load worker bets on, the way the web client does: from the latest index
 * print, price the grid with the shared pricing function and keep cells whose multiplier is well
 * inside the offered range (1.5×–5× of 1.05×–50×: the index moves a few dollars between the pick
 * and the request's arrival, which must not push a cell out of the range) and whose window starts
 * far enough ahead that it is still placeable when the request arrives. Bets rotate over those
 * cells, spreading the per-cell exposure.
 */
import type { PrintEntry } from '@tap/domain';
import { DEFAULT_PRICING_CONFIG, type PricingConfig, quoteCellFromPrint } from '@tap/pricing';

export interface Cell {
  t0: number;
  p0: number;
}

export interface CellPickerOptions {
  /** A window must start at least this far after "now" (LEAD is 2 s; the rest absorbs latency). */
  leadMarginMs: number;
  columns: number;
  bandsEachSide: number;
  /** Keep cells whose multiplier is within [min, max] basis points. */
  multiplierBpMin: number;
  multiplierBpMax: number;
  config: PricingConfig;
}

export const DEFAULT_CELL_PICKER: CellPickerOptions = {
  leadMarginMs: 4_000,
  columns: 3,
  // Four bands each side: with the print micro-noise priced in (pricing-v2) the two bands nearest
  // the index are often under 1.5×, so a narrower scan could find nothing in range.
  bandsEachSide: 4,
  multiplierBpMin: 15_000,
  multiplierBpMax: 50_000,
  config: DEFAULT_PRICING_CONFIG,
};

/**
 * The cells worth betting on at `nowMs` given `print`; never empty: when no cell is in range it
 * falls back to the offered cell with the highest multiplier (then to the band above).
 */
export function pickCells(
  print: Pick<PrintEntry, 't' | 'priceCents' | 'sigma' | 'noise' | 'filteredCents' | 'filteredNoise'>,
  nowMs: number,
  options: CellPickerOptions = DEFAULT_CELL_PICKER,
): Cell[] {
  const { windowMs, bandCents } = options.config;
  const firstT0 = Math.ceil((nowMs + options.leadMarginMs) / windowMs) * windowMs;
  const baseP0 = Math.floor(print.priceCents / bandCents) * bandCents;
  const cells: Cell[] = [];
  let best: { cell: Cell; multiplierBp: number } | null = null;
  for (let column = 0; column < options.columns; column += 1) {
    const t0 = firstT0 + column * windowMs;
    for (let band = -options.bandsEachSide; band <= options.bandsEachSide; band += 1) {
      const p0 = baseP0 + band * bandCents;
      const quote = quoteCellFromPrint(print, { t0, p0, nowMs }, options.config);
      if (!quote.ok) continue;
      if (quote.multiplierBp >= options.multiplierBpMin && quote.multiplierBp <= options.multiplierBpMax) {
        cells.push({ t0, p0 });
      } else if (
        quote.multiplierBp <= options.multiplierBpMax &&
        quote.multiplierBp > (best?.multiplierBp ?? 0)
      ) {
        best = { cell: { t0, p0 }, multiplierBp: quote.multiplierBp };
      }
    }
  }
  if (cells.length > 0) return cells;
  return best ? [best.cell] : [{ t0: firstT0, p0: baseP0 + bandCents }];
}
