/**
 * `GET /v1/index/history`'s grid pages (issue 16): the query a cache can key on. A grid page is
 * `from=<P>&to=<P + PRINT_PAGE_MS>` with P a multiple of PRINT_PAGE_MS, written exactly so; a closed
 * one never changes, so nginx keeps it and a flood of history costs ingest-api one query per
 * distinct page (services/ingest-api/src/queries/index-history.ts). Ten seconds hold ≤ 1,000 prints
 * even at the fastest print interval (10 ms), one page without a limit; a `cursor` continues one
 * only if a clock step crowded more in.
 */
export const PRINT_PAGE_MS = 10_000;

/**
 * The `reason` of a history range refused `invalid_query` because it starts after the server's
 * clock: a page a client running ahead asks too early — "nothing yet", unlike any other refusal.
 */
export const FUTURE_RANGE_REASON = 'from_in_future';

/** The query string of the grid page that starts at `pageStartMs`. */
export function printPageQuery(pageStartMs: number, cursor?: string): string {
  const page = `from=${pageStartMs}&to=${pageStartMs + PRINT_PAGE_MS}`;
  return cursor === undefined ? page : `${page}&cursor=${cursor}`;
}

/** The starts of the grid pages that cover `fromMs ≤ t < toMs`, in order. */
export function printPageStarts(fromMs: number, toMs: number): number[] {
  const starts: number[] = [];
  for (let start = fromMs - (fromMs % PRINT_PAGE_MS); start < toMs; start += PRINT_PAGE_MS)
    starts.push(start);
  return starts;
}
