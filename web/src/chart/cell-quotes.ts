/**
 * Multipliers for the cells on screen, from the shared pricing function (`@tap/pricing`
 * quoteCellFromPrint, the one the server prices bets with) from the latest print: its index S (the
 * filtered index when the print carries one, as the server reads it), time, σ and η. The price
 * is taken at the print's time, so a cell shows exactly the multiplier the server gives a bet
 * priced from the same print; the estimated server time only decides which columns are placeable.
 * Re-quoted when a new print arrives or the placeable columns change, at most every
 * QUOTE_INTERVAL_MS otherwise (quoting every frame would cost ~240 quotes × 60/s for nothing).
 */
import {
  type CellQuote,
  DEFAULT_PRICING_CONFIG,
  type PricingConfig,
  type QuotablePrint,
  quoteCellFromPrint,
} from '@tap/pricing';

export const QUOTE_INTERVAL_MS = 100;

export interface QuoteCache {
  atMs: number;
  /** Time of the print the quotes are priced from; 0 before the first. */
  printTMs: number;
  firstColumnT0: number;
  quotes: Map<string, CellQuote>;
}

export const cellKey = (t0: number, p0: number) => `${t0}:${p0}`;

export function newQuoteCache(): QuoteCache {
  return { atMs: 0, printTMs: 0, firstColumnT0: 0, quotes: new Map() };
}

export function refreshQuotes(
  cache: QuoteCache,
  input: {
    nowMs: number;
    /** The newest print, quoted as the server quotes a bet priced from it. */
    print: QuotablePrint;
    columns: number[];
    rows: number[];
  },
  config: PricingConfig = DEFAULT_PRICING_CONFIG,
): QuoteCache {
  const placeable = input.columns.filter((t0) => t0 - input.nowMs >= config.leadMs);
  const firstColumnT0 = placeable[0] ?? 0;
  const fresh =
    input.nowMs - cache.atMs < QUOTE_INTERVAL_MS &&
    input.print.t === cache.printTMs &&
    firstColumnT0 === cache.firstColumnT0;
  if (fresh) return cache;
  const quotes = new Map<string, CellQuote>();
  for (const t0 of placeable) {
    for (const p0 of input.rows) {
      const quote = quoteCellFromPrint(input.print, { t0, p0, nowMs: input.nowMs }, config);
      quotes.set(cellKey(t0, p0), quote);
    }
  }
  return { atMs: input.nowMs, printTMs: input.print.t, firstColumnT0, quotes };
}
