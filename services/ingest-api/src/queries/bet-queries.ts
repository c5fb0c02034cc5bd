/**
 * `GET /v1/bets/:id` and `GET /v1/bets`: a trader's own bets with their terms and settlement
 * evidence (SPEC §4, §6), across the current and the last 4 closed segments (the segment view of
 * @tap/domain: a bet carried over a roll-over shows once, with its whole history; the cursor
 * continues over a boundary). A bet admitted but not yet applied reads as `pending` (its marker is
 * in Redis until the batcher commits it). Another trader's bet reads as not found.
 */
import type { Channels } from '@tap/channels';
import { betIdSchema, betView, findBet as findBetRow, type SegmentView, userBetsAcross } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { z } from 'zod';

export async function findBet(
  view: SegmentView,
  redis: Redis,
  channels: Channels,
  userId: string,
  betId: string,
): Promise<ReturnType<typeof betView> | { betId: string; status: 'pending' } | null> {
  if (!betIdSchema.safeParse(betId).success) return null;
  const row = findBetRow(view, betId)?.row;
  if (row) return row.user_id === userId ? betView(row) : null;
  const pendingFor = await redis.get(channels.keys.pendingBet(betId));
  return pendingFor === userId ? { betId, status: 'pending' } : null;
}

export const betListQuerySchema = z
  .object({
    cursor: betIdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    status: z.enum(['accepted', 'rejected', 'won', 'lost', 'void']).optional(),
    /** Placed at or after (ms); a `from` before the local segments reaches the archive (202 restore_pending first). */
    from: z.coerce.number().int().min(0).optional(),
    /** Placed at or before (ms). */
    to: z.coerce.number().int().min(0).optional(),
  })
  .strict();

/** Bets a page may visit at most: a rare status filter pages through, never scans a segment. */
const SCAN_MAX = 2_000;

/**
 * Newest first, walking the user's bet chain; `nextCursor` is where to continue (the last bet
 * visited) while older bets remain, so a page may hold fewer than `limit` bets and still continue.
 */
export function listBets(view: SegmentView, userId: string, query: z.infer<typeof betListQuerySchema>) {
  const { status, from = 0, to = Number.MAX_SAFE_INTEGER } = query;
  const filtered = status !== undefined || query.from !== undefined || query.to !== undefined;
  const page = userBetsAcross(view, userId, {
    before: query.cursor,
    limit: query.limit,
    scanMax: SCAN_MAX,
    keep: filtered
      ? (row) =>
          (status === undefined || row.status === status) && row.placed_at >= from && row.placed_at <= to
      : undefined,
  });
  return { bets: page.rows.map(betView), nextCursor: page.next };
}
