/**
 * `GET /v1/ledger`: a trader's own ledger rows (SPEC §7), newest first, filtered by time range and
 * by `(refType, refId)` — what a dispute needs. Each row carries its hash so the chain can be checked.
 * Reads the current and the last 4 closed segments (the segment view of @tap/domain); ledger ids
 * continue across segments, so the cursor continues over a roll-over.
 */
import {
  type ChainPage,
  LEDGER_REF_TYPES,
  type LedgerDbRow,
  type SegmentView,
  userLedgerAcross,
} from '@tap/domain';
import { z } from 'zod';

export const ledgerQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    refType: z.enum(LEDGER_REF_TYPES).optional(),
    refId: z.string().min(1).max(64).optional(),
    cursor: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** Ledger rows a page may visit at most: a narrow time range pages through, never scans the week. */
const SCAN_MAX = 2_000;

/**
 * Newest first. A `(refType, refId)` pair is looked up by its index; otherwise the user's ledger
 * chain is walked, filtered by time range and ref type, and `nextCursor` is where to continue.
 */
export function listLedger(view: SegmentView, userId: string, query: z.infer<typeof ledgerQuerySchema>) {
  const { from = 0, to = Number.MAX_SAFE_INTEGER, refType, refId } = query;
  const keep = (row: LedgerDbRow) =>
    row.created_at >= from &&
    row.created_at <= to &&
    (refType === undefined || row.ref_type === refType) &&
    (refId === undefined || row.ref_id === refId);
  const page =
    refType !== undefined && refId !== undefined
      ? byRef(view, userId, { refType, refId, from, to, cursor: query.cursor, limit: query.limit })
      : userLedgerAcross(view, userId, {
          before: query.cursor,
          limit: query.limit,
          scanMax: SCAN_MAX,
          keep,
        });
  return {
    rows: page.rows.map((row) => ({
      id: row.id,
      amountMicros: row.amount,
      balanceAfterMicros: row.balance_after,
      refType: row.ref_type,
      refId: row.ref_id,
      createdAt: row.created_at,
      hash: row.hash,
    })),
    nextCursor: page.next,
  };
}

/**
 * A reference has a handful of rows (a stake, then a payout or refund — possibly in the next
 * segment when the bet was carried over a roll-over), found by its index in each segment (ledger
 * ids continue across segments, newest first, so the concatenation is in id order); each
 * segment gives at most `limit + 1` (the page and whether more remain), so even a reference with
 * many rows never reads more than a page per segment.
 */
function byRef(
  view: SegmentView,
  userId: string,
  ref: {
    refType: string;
    refId: string;
    from: number;
    to: number;
    cursor: number | undefined;
    limit: number;
  },
): ChainPage<LedgerDbRow, number> {
  const rows = view.segments().flatMap(
    (segment) =>
      segment.db
        .prepare(
          `SELECT * FROM transaction_ledger WHERE ref_type = ? AND ref_id = ? AND user_id = ? AND id < ?
             AND created_at BETWEEN ? AND ? ORDER BY id DESC LIMIT ?`,
        )
        .all(
          ref.refType,
          ref.refId,
          userId,
          ref.cursor ?? Number.MAX_SAFE_INTEGER,
          ref.from,
          ref.to,
          ref.limit + 1,
        ) as LedgerDbRow[],
  );
  const page = rows.slice(0, ref.limit);
  return { rows: page, next: rows.length > ref.limit ? (page.at(-1)?.id ?? null) : null };
}
