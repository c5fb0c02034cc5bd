/**
 * "Quote a cell from a print", the one way every quoter does it: ingest-api (authoritative), the
 * web display, the calibration run, the demo traders and the load generators. S and its error come
 * from `pricingIndexOf` (the filtered index when the print carries one), the price is taken at the
 * print's time, and σ and η are the print's own. Written once so a client cannot read a print
 * differently from the server and see a multiplier it will not get (issue 14, issue 21).
 */
import type { CellAt } from './cell-rules.js';
import { type PrintForPricing, pricingIndexOf } from './index-filter.js';
import type { PricingConfig } from './pricing-config.js';
import { type CellQuote, quoteCell } from './quote-cell.js';

/** A print as a quoter holds it: what `pricingIndexOf` reads, its time and its σ. */
export interface QuotablePrint extends PrintForPricing {
  /** Time of the print, ms since the epoch. */
  t: number;
  /** Diffusion volatility per √second printed with it. */
  sigma: number;
}

/** The quote ingest-api gives a bet on `cell` received at `cell.nowMs` and priced from `print`. */
export function quoteCellFromPrint(print: QuotablePrint, cell: CellAt, config: PricingConfig): CellQuote {
  return quoteCell({
    ...cell,
    ...pricingIndexOf(print),
    printTMs: print.t,
    sigma: print.sigma,
    noise: print.noise ?? 0,
    config,
  });
}
