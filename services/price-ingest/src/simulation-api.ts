/**
 * price-ingest's library surface (`@tap/price-ingest/simulation`): the seeded simulator, the quote
 * book and the print step, as the daemon runs them. The calibration tool (benchmarks, `bench
 * calibrate`) replays the feed on a simulated clock with exactly this code instead of a copy, so
 * what it measures is the index we settle on. Nothing here touches Redis.
 */

export { INDEX_DEFAULTS } from './index-defaults.js';
export { nextPrint } from './index-price/print-loop.js';
export { createQuoteBook } from './quotes/quote-book.js';
export { DEFAULT_SIM_VENUES, type SimConfig, type SimVenueSpec } from './simulator/simulation.js';
export { createSimulatedMarket } from './simulator/simulator-feed.js';
