/**
 * `GET /v1/bets/:id` and `GET /v1/bets`: a trader's own bets with their terms and settlement
 * evidence (SPEC §4, §6). A bet admitted but not yet applied reads as `pending` (its marker is in
 * Redis until the batcher commits it). Another trader's bet reads as not found.
 */
import type { Channels } from '@tap/channels';
import { type BetDbRow, betIdSchema, betView } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { z } from 'zod';
import type { SegmentReader } from './segment-reader.js';

export async function findBet(
  reader: SegmentReader,
  redis: Redis,
  channels: Channels,
  userId: string,
  betId: string,
): Promise<ReturnType<typeof betView> | { betId: string; status: 'pending' } | null> {
  if (!betIdSchema.safeParse(betId).success) return null;
  const row = reader.forBet(betId)?.prepare('SELECT * FROM bets WHERE id = ?').get(betId) as
    | BetDbRow
    | undefined;
  if (row) return row.user_id === userId ? betView(row) : null;
  const pendingFor = await redis.get(channels.keys.pendingBet(betId));
  return pendingFor === userId ? { betId, status: 'pending' } : null;
}

export const betListQuerySchema = z
  .object({
    cursor: betIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    status: z.enum(['accepted', 'rejected', 'won', 'lost', 'void']).optional(),
  })
  .strict();

/** Newest first; `nextCursor` is the last id of the page when more may follow. */
export function listBets(
  reader: SegmentReader,
  userId: string,
  query: z.infer<typeof betListQuerySchema>,
  nowMs: number,
) {
  const db = reader.forTime(nowMs);
  if (!db) return { bets: [], nextCursor: null };
  const rows = db
    .prepare(
      `SELECT * FROM bets WHERE user_id = ? AND id < ? AND (? IS NULL OR status = ?)
       ORDER BY id DESC LIMIT ?`,
    )
    .all(userId, query.cursor ?? '~', query.status ?? null, query.status ?? null, query.limit) as BetDbRow[];
  const bets = rows.map(betView);
  return { bets, nextCursor: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null };
}
