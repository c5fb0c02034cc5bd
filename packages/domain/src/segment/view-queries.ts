/**
 * Reads across the segment view (segment-view.ts): a bet, a trader's bets and ledger rows, the open
 * bets, the index prints. Every reader goes through these, so "which segment holds it" is decided
 * in one place:
 *
 * - a bet lives in the newest segment that holds it (its home). A bet still open at a roll-over is
 *   carried into the next segment, and the closed segment's copy names it (`carried_to`); walks
 *   skip such copies when their newer copy is in the view, so a bet shows once, with its whole
 *   history (placed in one period, settled in the next);
 * - ledger ids continue across segments (a roll-over's `opening` rows follow the closing head), so
 *   a ledger cursor names one row in one segment;
 * - cursors are the last row's id and continue across a boundary: the walk resumes in the
 *   cursor's home segment and goes on to older segments when a chain ends.
 */
import type Database from 'better-sqlite3';
import type { BetDbRow } from './bet-row.js';
import type { SegmentView, ViewSegment } from './segment-view.js';
import {
  type ChainPage,
  type LedgerDbRow,
  userBetsNewestFirst,
  userLedgerNewestFirst,
} from './user-chains.js';

export interface CrossWalkOptions<Row, Key> {
  /** Continue after this row (exclusive); absent = from the user's newest row. */
  before?: Key;
  limit: number;
  /** Rows to visit at most, over all segments. */
  scanMax: number;
  keep?: (row: Row) => boolean;
}

/** The bet's home row (the newest segment holding it), with the segment's name. */
export function findBet(view: SegmentView, betId: string): { row: BetDbRow; segment: string } | undefined {
  for (const segment of view.segments()) {
    const row = segment.db.prepare('SELECT * FROM bets WHERE id = ?').get(betId) as BetDbRow | undefined;
    if (row) return { row, segment: segment.name };
  }
  return undefined;
}

/** A trader's bets, newest first, across the view's segments. */
export function userBetsAcross(
  view: SegmentView,
  userId: string,
  options: CrossWalkOptions<BetDbRow, string>,
): ChainPage<BetDbRow, string> {
  const segments = view.segments();
  const names = new Set(segments.map((segment) => segment.name));
  const carriedAway = (row: BetDbRow) => typeof row.carried_to === 'string' && names.has(row.carried_to);
  return walkAcross(segments, options, 'SELECT 1 FROM bets WHERE id = ? AND user_id = ?', userId, (db, o) =>
    userBetsNewestFirst(db, userId, {
      ...o,
      keep: (row) => !carriedAway(row) && (!options.keep || options.keep(row)),
      resumableAt: (row) => !carriedAway(row),
    }),
  );
}

/** A trader's ledger rows, newest first, across the view's segments. */
export function userLedgerAcross(
  view: SegmentView,
  userId: string,
  options: CrossWalkOptions<LedgerDbRow, number>,
): ChainPage<LedgerDbRow, number> {
  return walkAcross(
    view.segments(),
    options,
    'SELECT 1 FROM transaction_ledger WHERE id = ? AND user_id = ?',
    userId,
    (db, o) => userLedgerNewestFirst(db, userId, { ...o, keep: options.keep }),
  );
}

type SegmentWalk<Row, Key> = (
  db: Database.Database,
  options: { before?: Key; limit: number; scanMax: number },
) => ChainPage<Row, Key> & { visited: number; lastResumable: Key | null };

function walkAcross<Row, Key extends string | number>(
  segments: ViewSegment[],
  options: CrossWalkOptions<Row, Key>,
  holdsSql: string,
  userId: string,
  walkOne: SegmentWalk<Row, Key>,
): ChainPage<Row, Key> {
  let from = 0;
  if (options.before !== undefined) {
    from = segments.findIndex((s) => s.db.prepare(holdsSql).get(options.before, userId) !== undefined);
    // The cursor's row has left the view (archived): nothing newer than it is left to show.
    if (from < 0) return { rows: [], next: null };
  }
  const rows: Row[] = [];
  let budget = options.scanMax;
  let lastResumable: Key | null = options.before ?? null;
  for (let i = from; i < segments.length; i += 1) {
    const page = walkOne(segments[i]!.db, {
      before: i === from ? options.before : undefined,
      limit: options.limit - rows.length,
      scanMax: Math.max(1, budget),
    });
    rows.push(...page.rows);
    budget -= page.visited;
    lastResumable = page.lastResumable ?? lastResumable;
    if (page.next !== null) return { rows, next: page.next };
    const olderLeft = i + 1 < segments.length;
    // This segment's chain ended with the page: resuming at the last row a page may end at walks on
    // into the older segments (its own chain has nothing left to show).
    if (olderLeft && (rows.length >= options.limit || budget <= 0) && lastResumable !== null) {
      return { rows, next: lastResumable };
    }
  }
  return { rows, next: null };
}

/** The open bets: `accepted` in the current segment (every open bet is there, see the header). */
export function openBetRows<Row>(view: SegmentView, columns: string, betId?: string): Row[] {
  const current = view.segments()[0];
  if (!current) return [];
  const where = betId === undefined ? '' : ' AND id = ?';
  const statement = current.db.prepare(`SELECT ${columns} FROM bets WHERE status = 'accepted'${where}`);
  return (betId === undefined ? statement.all() : statement.all(betId)) as Row[];
}

export interface PrintRow {
  id: number;
  t: number;
  price_cents: number;
  venues: number;
  sigma: number;
}

/**
 * One keyset page of index prints (issue 16): `(t, id)` after the cursor and `t < toMs`, in
 * `(t, id)` order — a range scan of `index_prints_by_time` (whose entries carry the rowid `id`),
 * never a walk of the week by rowid, whatever the range.
 */
export const PRINTS_PAGE_SQL = `SELECT id, t, price_cents, venues, sigma FROM index_prints
  WHERE (t, id) > (?, ?) AND t < ? ORDER BY t, id LIMIT ?`;

/** Index prints with `fromMs ≤ t < toMs` after the keyset `after`, in (t, id) order, from every segment. */
export function printsBetween(
  view: SegmentView,
  range: { fromMs: number; toMs: number; after?: { t: number; id: number }; limit: number },
): PrintRow[] {
  const [afterT, afterId] = range.after
    ? [Math.max(range.after.t, range.fromMs), range.after.id]
    : [range.fromMs, -1];
  const byId = new Map<number, PrintRow>();
  for (const segment of view.segments()) {
    const rows = segment.db
      .prepare(PRINTS_PAGE_SQL)
      .all(afterT, afterId, range.toMs, range.limit) as PrintRow[];
    for (const row of rows) byId.set(row.id, row);
  }
  return [...byId.values()].sort((a, b) => a.t - b.t || a.id - b.id).slice(0, range.limit);
}
