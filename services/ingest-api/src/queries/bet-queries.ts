/**
 * `GET /v1/bets/:id` and `GET /v1/bets`: a trader's own bets with their terms and settlement
 * evidence (SPEC §4, §6), across the current and the last 4 closed segments (the segment view of
 * @tap/domain: a bet carried over a roll-over shows once, with its whole history; the cursor
 * continues over a boundary). A bet admitted but not yet applied reads as `pending` (its marker is
 * in Redis until the batcher commits it: the route checks it). Another trader's bet reads as not
 * found. These run in the reader worker thread (reader/reader-worker.ts).
 */
import { betIdSchema, betView, findBet as findBetRow, type SegmentView, userBetsAcross } from '@tap/domain';
import { z } from 'zod';

/**
 * The trader's bet in the view, or null; `stored` says whether the id is in a segment at all
 * (another trader's bet reads as not found, but only an unstored id may still be pending in Redis).
 */
export function findOwnBet(
  view: SegmentView,
  userId: string,
  betId: string,
): { bet: ReturnType<typeof betView> | null; stored: boolean } {
  if (!betIdSchema.safeParse(betId).success) return { bet: null, stored: false };
  const row = findBetRow(view, betId)?.row;
  if (!row) return { bet: null, stored: false };
  return { bet: row.user_id === userId ? betView(row) : null, stored: true };
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
