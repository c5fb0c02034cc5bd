/**
 * The index rules' defaults (SPEC §9), in one place: config.ts takes them as the defaults of
 * PRINT_INTERVAL_MS, VENUE_STALE_MS and INDEX_OUTLIER_BP, and the calibration tool runs the print
 * step with them (simulation-api.ts), so both price the same index.
 */
export const INDEX_DEFAULTS = {
  /** δ, time between index prints, ms. */
  printIntervalMs: 100,
  /** A quote older than this is not used, ms. */
  staleMs: 2_000,
  /** A fresh mid further than this from the median of fresh mids is dropped, basis points (1 %). */
  outlierBp: 100,
} as const;
