/**
 * A bet's terms snapshot (SPEC §3) from one print: `quoteCellFromPrint` (the one way to quote a
 * cell from a print), written as the `Terms` a bet stores.
 * ingest-api prices a bet at receipt with it and the batcher prices a next-tick bet (issue 22,
 * `BET_ENTRY=next_print`) at the print that fills it with it, so both write the same snapshot from
 * the same function and a receipt recomputes the same way whichever path priced it.
 *
 * The fields mirror `@tap/domain`'s `Terms` (this package has no dependencies; the domain schema
 * validates what is stored). `indexNoise` is written only when S is the filtered index, as before.
 */
import { pricingIndexOf } from './index-filter.js';
import type { PricingConfig } from './pricing-config.js';
import type { CellQuote } from './quote-cell.js';
import { type QuotablePrint, quoteCellFromPrint } from './quote-from-print.js';

/** A print a bet is priced from: what a quote reads, and its id for the terms. */
export interface PrintToPrice extends QuotablePrint {
  id: number;
}

export interface BetTerms {
  indexPriceCents: number;
  printId: number;
  sigma: number;
  noise: number;
  indexNoise?: number;
  tau1Ms: number;
  tau2Ms: number;
  probability: number;
  g: number;
  multiplierBp: number;
  configVersion: string;
  entry?: 'next_print';
}

export type BetTermsQuote =
  | { ok: true; terms: BetTerms }
  | { ok: false; refusal: Exclude<CellQuote, { ok: true }> };

/**
 * The terms of a bet on `(t0, p0)` priced from `print`; `nowMs` (the receive time) decides only
 * whether the cell is placeable. `entry` marks a bet priced at its next print.
 */
export function betTermsOf(
  cell: { t0: number; p0: number },
  print: PrintToPrice,
  nowMs: number,
  config: PricingConfig,
  entry?: 'next_print',
): BetTermsQuote {
  const quote = quoteCellFromPrint(print, { t0: cell.t0, p0: cell.p0, nowMs }, config);
  if (!quote.ok) return { ok: false, refusal: quote };
  const terms: BetTerms = {
    indexPriceCents: pricingIndexOf(print).indexPriceCents,
    printId: print.id,
    sigma: quote.sigma,
    noise: quote.noise,
    ...(print.filteredCents === undefined ? {} : { indexNoise: quote.indexNoise }),
    tau1Ms: quote.tau1Ms,
    tau2Ms: quote.tau2Ms,
    probability: quote.probability,
    g: quote.g,
    multiplierBp: quote.multiplierBp,
    configVersion: config.configVersion,
    ...(entry === undefined ? {} : { entry }),
  };
  return { ok: true, terms };
}
