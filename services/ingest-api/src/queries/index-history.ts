/**
 * `GET /v1/index/history?from&to[&cursor&limit]`: the index prints — the settlement evidence
 * (SPEC §4) — so anyone can recompute any result. Bounded: a range of at most one hour and at most
 * 5,000 prints per page, in print-id order; `nextCursor` continues the page.
 */
import { z } from 'zod';
import type { SegmentReader } from './segment-reader.js';

const RANGE_MS_MAX = 3_600_000;

export const historyQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
    cursor: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
  })
  .strict()
  .refine(
    (q) => q.to > q.from && q.to - q.from <= RANGE_MS_MAX,
    'to must be after from, at most one hour later',
  );

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
