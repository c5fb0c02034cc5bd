/**
 * The latest top-of-book quote of each venue, stamped with the local time it arrived. Freshness is
 * judged on arrival time (our clock), never on the venue's timestamp, so venue clock skew cannot
 * make a dead feed look alive. One entry per venue: memory is bounded by the venue list.
 */
import type { Quote } from '../venues/venue-frame.js';

export interface VenueQuote extends Quote {
  venue: string;
  receivedAtMs: number;
}

export interface VenueStatus {
  venue: string;
  fresh: boolean;
  /** Age of the latest quote, null before the first one. */
  quoteAgeMs: number | null;
}

export interface QuoteBook {
  readonly venues: readonly string[];
  record(venue: string, quote: Quote, receivedAtMs: number): void;
  quotes(): VenueQuote[];
  statuses(nowMs: number, staleMs: number): VenueStatus[];
}

export function createQuoteBook(venues: readonly string[]): QuoteBook {
  const latest = new Map<string, VenueQuote>();
  return {
    venues,
    record(venue, quote, receivedAtMs) {
      const previous = latest.get(venue);
      if (previous && previous.receivedAtMs > receivedAtMs) return;
      latest.set(venue, { venue, ...quote, receivedAtMs });
    },
    quotes: () => [...latest.values()],
    statuses: (nowMs, staleMs) =>
      venues.map((venue) => {
        const quote = latest.get(venue);
        const quoteAgeMs = quote ? Math.max(0, nowMs - quote.receivedAtMs) : null;
        return { venue, fresh: quoteAgeMs !== null && quoteAgeMs <= staleMs, quoteAgeMs };
      }),
  };
}
