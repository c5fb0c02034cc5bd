/**
 * Ledger rows of every user across segments (SPEC §7: disputes query the ledger by `(ref_type,
 * ref_id)` and by time range): keyset pages, each segment answering at most `limit` rows from its
 * own index, merged and cut to `limit` — like `printsBetween`. Ledger ids continue across segments
 * (a roll-over's `opening` rows follow the closing head), so an id names one row of one segment and
 * the cursors below name one position in the whole sequence.
 *
 * - by reference: `ledger_by_ref (ref_type, ref_id)` holds the rowid, so `id > ?` in id order is a
 *   range scan of the index, whatever the reference;
 * - by time: `(created_at, id)` after the cursor, `created_at ≤ toMs`, in that order — a range scan
 *   of `ledger_by_time (created_at)`, never a sort of the whole range (the batch clock, not the id,
 *   orders the page: ids follow commits, and a clock step could reorder them).
 *
 * Callers pass the segments they read (the view's, or one `--segment`), newest first or not.
 */
import type Database from 'better-sqlite3';
import type { LedgerRefType } from './schema.js';
import type { LedgerDbRow } from './user-chains.js';

export interface LedgerSegment {
  name: string;
  db: Database.Database;
}

/** A row with the segment that holds it. */
export type LedgerRowIn = LedgerDbRow & { segment: string };

export interface LedgerPage<Cursor> {
  rows: LedgerRowIn[];
  /** Pass back as `after` for the next page; null when this page holds the last row. */
  next: Cursor | null;
}

export interface TimeCursor {
  createdAt: number;
  id: number;
}

const COLUMNS = `id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash,
  prev_user_ledger_id`;

const BY_REF_SQL = `SELECT ${COLUMNS} FROM transaction_ledger
  WHERE ref_type = ? AND ref_id = ? AND id > ? ORDER BY id LIMIT ?`;

const BY_TIME_SQL = `SELECT ${COLUMNS} FROM transaction_ledger
  WHERE (created_at, id) > (?, ?) AND created_at <= ? ORDER BY created_at, id LIMIT ?`;

/** The rows of one reference (every user), oldest id first, after the id `after`. */
export function ledgerByRef(
  segments: readonly LedgerSegment[],
  query: { refType: LedgerRefType; refId: string; after?: number; limit: number },
): LedgerPage<number> {
  const rows = merged(
    segments,
    (db) => db.prepare(BY_REF_SQL).all(query.refType, query.refId, query.after ?? -1, query.limit + 1),
    (a, b) => a.id - b.id,
  );
  const page = rows.slice(0, query.limit);
  return { rows: page, next: rows.length > query.limit ? page.at(-1)!.id : null };
}

/** Every user's rows with `fromMs ≤ created_at ≤ toMs`, in (created_at, id) order, after `after`. */
export function ledgerBetween(
  segments: readonly LedgerSegment[],
  query: { fromMs: number; toMs: number; after?: TimeCursor; limit: number },
): LedgerPage<TimeCursor> {
  // A cursor before the range starts at the range (an id of -1 keeps the first row of `fromMs`).
  const [afterT, afterId] =
    query.after && query.after.createdAt >= query.fromMs
      ? [query.after.createdAt, query.after.id]
      : [query.fromMs, -1];
  const rows = merged(
    segments,
    (db) => db.prepare(BY_TIME_SQL).all(afterT, afterId, query.toMs, query.limit + 1),
    (a, b) => a.created_at - b.created_at || a.id - b.id,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > query.limit && last ? { createdAt: last.created_at, id: last.id } : null,
  };
}

function merged(
  segments: readonly LedgerSegment[],
  read: (db: Database.Database) => unknown[],
  order: (a: LedgerRowIn, b: LedgerRowIn) => number,
): LedgerRowIn[] {
  // Ids are unique across segments; the map only guards a file listed twice.
  const byId = new Map<number, LedgerRowIn>();
  for (const segment of segments) {
    for (const row of read(segment.db) as LedgerDbRow[]) byId.set(row.id, { ...row, segment: segment.name });
  }
  return [...byId.values()].sort(order);
}
