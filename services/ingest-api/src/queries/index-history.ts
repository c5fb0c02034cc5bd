/**
 * `GET /v1/index/history?from&to[&resolution&cursor&limit]`:
 * - `resolution=print` (default): the index prints from SQLite — the settlement evidence (SPEC §4) —
 *   so anyone can recompute any result. At most one hour per request.
 * - `resolution=1s`: the 1-second candles price-ingest keeps in Redis for 7 days (SPEC §9), for the
 *   chart's history. At most one day per request.
 * At most 5,000 items a page; `nextCursor` (a print id, or a second) continues it.
 */
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import { z } from 'zod';
import type { SegmentReader } from './segment-reader.js';

const RANGE_MS_MAX = { print: 3_600_000, '1s': 86_400_000 } as const;

export const historyQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
    resolution: z.enum(['print', '1s']).default('print'),
    cursor: z.coerce.number().int().min(0).optional(),
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
  const fromS = Math.max(Math.ceil(query.from / 1000), query.cursor ?? 0);
  const toS = Math.ceil(query.to / 1000) - 1;
  const members = await redis.zrangebyscore(channels.keys.candles1s, fromS, toS, 'LIMIT', 0, query.limit);
  const candles = members.map((member) => JSON.parse(member) as { t: number });
  const last = candles.at(-1);
  return { candles, nextCursor: candles.length === query.limit && last ? last.t + 1 : null };
}

interface PrintRow {
  id: number;
  t: number;
  price_cents: number;
  venues: number;
  sigma: number;
}

export function listPrints(reader: SegmentReader, query: z.infer<typeof historyQuerySchema>) {
  const db = reader.forTime(query.from);
  if (!db) return { prints: [], nextCursor: null };
  const rows = db
    .prepare(
      `SELECT id, t, price_cents, venues, sigma FROM index_prints
       WHERE t >= ? AND t < ? AND id > ? ORDER BY id LIMIT ?`,
    )
    .all(query.from, query.to, query.cursor ?? -1, query.limit) as PrintRow[];
  return {
    prints: rows.map((r) => ({
      id: r.id,
      t: r.t,
      priceCents: r.price_cents,
      venues: r.venues,
      sigma: r.sigma,
    })),
    nextCursor: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}
