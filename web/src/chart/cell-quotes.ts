/**
 * Multipliers for the cells on screen, from the shared pricing function (`@tap/pricing` quoteCell,
 * the one the server prices bets with) at the estimated server time, the latest print, its σ and
 * its η (the print micro-noise of the two-part model).
 * Re-quoted at most every QUOTE_INTERVAL_MS (a print arrives every 100 ms; quoting every frame
 * would cost ~240 quotes × 60/s for no visible change).
 */
import { type CellQuote, DEFAULT_PRICING_CONFIG, type PricingConfig, quoteCell } from '@tap/pricing';

export const QUOTE_INTERVAL_MS = 100;

export interface QuoteCache {
  atMs: number;
  priceCents: number;
  quotes: Map<string, CellQuote>;
}

export const cellKey = (t0: number, p0: number) => `${t0}:${p0}`;

export function newQuoteCache(): QuoteCache {
  return { atMs: 0, priceCents: 0, quotes: new Map() };
}

export function refreshQuotes(
  cache: QuoteCache,
  input: {
    nowMs: number;
    priceCents: number;
    sigma: number;
    noise: number;
    columns: number[];
    rows: number[];
  },
  config: PricingConfig = DEFAULT_PRICING_CONFIG,
): QuoteCache {
  const fresh = input.nowMs - cache.atMs < QUOTE_INTERVAL_MS && input.priceCents === cache.priceCents;
  if (fresh) return cache;
  const quotes = new Map<string, CellQuote>();
  for (const t0 of input.columns) {
    if (t0 - input.nowMs < config.leadMs) continue;
    for (const p0 of input.rows) {
      const quote = quoteCell({
        t0,
        p0,
        nowMs: input.nowMs,
        indexPriceCents: input.priceCents,
        sigma: input.sigma,
        noise: input.noise,
        config,
      });
      quotes.set(cellKey(t0, p0), quote);
    }
  }
  return { atMs: input.nowMs, priceCents: input.priceCents, quotes };
}
