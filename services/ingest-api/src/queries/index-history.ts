/**
 * `GET /v1/index/history?from&to[&resolution&cursor&limit]`:
 * - `resolution=print` (default): the index prints from SQLite — the settlement evidence (SPEC §4) —
 *   so anyone can recompute any result. At most one hour per request.
 * - `resolution=1s`: the 1-second candles price-ingest keeps in Redis for 7 days (SPEC §9), for the
 *   chart's history. At most one day per request.
 * At most 5,000 items a page; `nextCursor` continues it: `"<t>-<id>"` of the last print (a keyset
 * on `(t, id)`, which the `index_prints_by_time` index serves: every page is an index range scan,
 * never a walk of the week by rowid), or a second for candles. No range may start in the future:
 * an unauthenticated query must never make SQLite scan for prints that cannot exist yet.
 *
 * Grid pages (issue 16: a public flood must cost the daemon a bounded number of queries, whatever
 * range it names). `from=<P>&to=<P + 10000>` with P a multiple of PRINT_PAGE_MS, written exactly so
 * (@tap/domain printPageQuery: no other parameter, order or spelling — a cache keys on the text),
 * is a **grid page**: ten seconds of prints, one page without a limit. Once its range is closed
 * (print-pages.ts) it never changes: answered `Cache-Control: public, max-age=31536000, immutable`,
 * the page still filling `public, max-age=1`, and nginx keeps both (nginx/tap.conf), so a flood of
 * one page is one query a second, and of every page of the week one query per page. Any other
 * query (any from..to, cursor, limit: the original form, still answered as before) cannot be cached
 * (`no-store`) and takes a token from a global budget (HISTORY_RANGES_PER_S, 503 `service_busy`).
 */
import type { Channels } from '@tap/channels';
import { type Candle1s, PRINT_PAGE_MS, printPageQuery, printsBetween, type SegmentView } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { z } from 'zod';

const RANGE_MS_MAX = { print: 3_600_000, '1s': 86_400_000 } as const;

export const historyQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
    resolution: z.enum(['print', '1s']).default('print'),
    cursor: z
      .string()
      .regex(/^\d{1,16}(-\d{1,16})?$/, 'a nextCursor from a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
  })
  .strict()
  .refine(
    (q) => q.to > q.from && q.to - q.from <= RANGE_MS_MAX[q.resolution],
    'to must be after from, at most one hour later (one day for resolution=1s)',
  );

/** 1-second candles `{t, o, h, l, c, v, n}` (t in seconds) with `from ≤ t·1000 < to`. */
export async function listCandles(
  redis: Redis,
  channels: Channels,
  query: z.infer<typeof historyQuerySchema>,
) {
  const fromS = Math.max(Math.ceil(query.from / 1000), Number(query.cursor?.split('-')[0] ?? 0));
  const toS = Math.ceil(query.to / 1000) - 1;
  const members = await redis.zrangebyscore(channels.keys.candles1s, fromS, toS, 'LIMIT', 0, query.limit);
  const candles = members.map((member) => JSON.parse(member) as Candle1s);
  const last = candles.at(-1);
  return { candles, nextCursor: candles.length === query.limit && last ? last.t + 1 : null };
}

/** Prints of a range that spans a roll-over come from both segments (the view merges them). */
/** The query's cursor `t-id` as a keyset, or undefined without one. */
export function cursorOf(query: z.infer<typeof historyQuerySchema>): { t: number; id: number } | undefined {
  const [t, id] = (query.cursor ?? '').split('-').map(Number);
  return query.cursor && t !== undefined && id !== undefined ? { t, id } : undefined;
}

export function listPrints(view: SegmentView, query: z.infer<typeof historyQuerySchema>) {
  const after = cursorOf(query);
  const rows = printsBetween(view, {
    fromMs: query.from,
    toMs: query.to,
    ...(after ? { after } : {}),
    limit: query.limit,
  });
  const last = rows.at(-1);
  return {
    prints: rows.map((r) => ({
      id: r.id,
      t: r.t,
      priceCents: r.price_cents,
      venues: r.venues,
      sigma: r.sigma,
    })),
    nextCursor: rows.length === query.limit && last ? `${last.t}-${last.id}` : null,
  };
}

/** Whether the query, as sent, is a grid page (so its answer may be cached). */
export function isGridPage(rawQuery: string, query: z.infer<typeof historyQuerySchema>): boolean {
  return (
    query.resolution === 'print' &&
    query.from % PRINT_PAGE_MS === 0 &&
    rawQuery === printPageQuery(query.from, query.cursor)
  );
}

/** A range that starts in the future is refused (nothing can be there yet). */
export function isFutureRange(query: { from: number }, nowMs: number): boolean {
  return query.from > nowMs;
}
