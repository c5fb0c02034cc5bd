/**
 * price-ingest's health (GET /healthz): healthy when at least `minVenues` venues have a fresh
 * quote (Redis readiness is added by the daemon base). The body shows each venue's quote age and
 * connection, and the age of the last print, so an operator sees which feed is the problem.
 */
import type { HealthReport } from '@tap/runtime';
import type { QuoteBook } from './quotes/quote-book.js';

export function ingestHealth(options: {
  book: QuoteBook;
  nowMs: number;
  staleMs: number;
  minVenues: number;
  lastPrintT: number | null;
  /** The feed is the simulator: shown first in the body so nobody mistakes it for a market. */
  simulated: boolean;
  connected?: (venue: string) => boolean;
}): HealthReport {
  const { book, nowMs, staleMs, minVenues, connected } = options;
  const venues = book
    .statuses(nowMs, staleMs)
    .map((status) => (connected ? { ...status, connected: connected(status.venue) } : status));
  const freshVenues = venues.filter((v) => v.fresh).length;
  return {
    ok: freshVenues >= minVenues,
    simulated: options.simulated,
    freshVenues,
    minVenues,
    venues,
    lastPrintAgeMs: options.lastPrintT === null ? null : nowMs - options.lastPrintT,
  };
}
