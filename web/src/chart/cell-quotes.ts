/**
 * Multipliers for the cells on screen, from the shared pricing function (`@tap/pricing`
 * quoteExpectedFill, the one ingest-api quotes bets with) from the latest print: its index S (the
 * filtered index when the print carries one, as the server reads it), time, σ and η. The price
 * is taken at the print's time, so a cell shows exactly the multiplier the server gives a bet
 * priced from the same print; the estimated server time decides which columns are placeable and,
 * under the adaptive fill delay, which print fills a bet tapped now.
 *
 * With a fill delay (`fill`, from `GET /v1/me`) a cell shows the quote at the bet's expected fill —
 * what the bet is worth when the batcher prices it k prints later (docs/pricing.md "Quote at the
 * expected fill") — and the slippage minimum derives from that. The server quotes the same way at
 * its receive time; the page's estimate of it may put the adaptive fill one print apart, a few bp on
 * the nearest cells. Such a quote costs ≈ 3.5 plain ones (only with a delay on): ≈ 15 ms a grid.
 *
 * Re-quoted when a new print arrives, the placeable columns or the fill's print change, at most every
 * QUOTE_INTERVAL_MS otherwise (quoting every frame would cost ~240 quotes × 60/s for nothing).
 */
import {
  type CellQuote,
  DEFAULT_PRICING_CONFIG,
  type FillDelay,
  fillPrintsOf,
  type PricingConfig,
  type QuotablePrint,
  quoteExpectedFill,
} from '@tap/pricing';

export const QUOTE_INTERVAL_MS = 100;

export interface QuoteCache {
  atMs: number;
  /** Time of the print the quotes are priced from; 0 before the first. */
  printTMs: number;
  firstColumnT0: number;
  /** The fill's print after the quoted one (0: priced at receipt). */
  fillPrints: number;
  quotes: Map<string, CellQuote>;
}

export const cellKey = (t0: number, p0: number) => `${t0}:${p0}`;

export function newQuoteCache(): QuoteCache {
  return { atMs: 0, printTMs: 0, firstColumnT0: 0, fillPrints: 0, quotes: new Map() };
}

export function refreshQuotes(
  cache: QuoteCache,
  input: {
    nowMs: number;
    /** The newest print, quoted as the server quotes a bet priced from it. */
    print: QuotablePrint;
    columns: number[];
    rows: number[];
    /** How the server fills bets; null or absent: at receipt. */
    fill?: FillDelay | null;
  },
  config: PricingConfig = DEFAULT_PRICING_CONFIG,
): QuoteCache {
  const placeable = input.columns.filter((t0) => t0 - input.nowMs >= config.leadMs);
  const firstColumnT0 = placeable[0] ?? 0;
  const fillPrints = input.fill
    ? fillPrintsOf(input.fill, input.print, input.nowMs, config.printIntervalMs)
    : 0;
  const fresh =
    input.nowMs - cache.atMs < QUOTE_INTERVAL_MS &&
    input.print.t === cache.printTMs &&
    firstColumnT0 === cache.firstColumnT0 &&
    fillPrints === cache.fillPrints;
  if (fresh) return cache;
  const quotes = new Map<string, CellQuote>();
  for (const t0 of placeable) {
    for (const p0 of input.rows) {
      const quote = quoteExpectedFill(input.print, { t0, p0, nowMs: input.nowMs }, fillPrints, config);
      quotes.set(cellKey(t0, p0), quote);
    }
  }
  return { atMs: input.nowMs, printTMs: input.print.t, firstColumnT0, fillPrints, quotes };
}
