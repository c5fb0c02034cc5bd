/**
 * Reads across the segment view (segment-view.ts): a bet, a trader's bets and ledger rows, the open
 * bets, the index prints. Every reader goes through these, so "which segment holds it" is decided
 * in one place:
 *
 * - a bet lives in the newest segment that holds it (its home). A bet still open at a roll-over is
 *   carried into the next segment, and the closed segment's copy names it (`carried_to`); walks
 *   skip such copies when their newer copy is in the view, so a bet shows once, with its whole
 *   history (placed in one period, settled in the next);
 * - while a roll-over carries (the segment before the current one is still `closing`), a user or an
 *   open bet may not be carried yet: it is still only in the closing segment, whose copy is then
 *   its home. The closing segment is frozen, so a read that looks at the current segment in one
 *   read transaction (the newer copy there or not) sees each bet exactly once;
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
  const current = segments[0];
  if (!current) return { rows: [], next: null };
  const names = new Set(segments.map((segment) => segment.name));
  // A `closing` segment's open bet may already be in the current one (the carry is in progress,
  // `carried_to` is written when it ends): the current copy is its home then.
  const carrying = segments[1]?.state === 'closing' ? segments[1].db : undefined;
  const inCurrent = current.db.prepare('SELECT 1 FROM bets WHERE id = ?').pluck();
  const carriedAway = (db: Database.Database, row: BetDbRow) =>
    (typeof row.carried_to === 'string' && names.has(row.carried_to)) ||
    (db === carrying && row.status === 'accepted' && inCurrent.get(row.id) !== undefined);
  // One read transaction on the current segment: a bet carried during the walk shows once.
  return current.db.transaction(() =>
    walkAcross(segments, options, 'SELECT 1 FROM bets WHERE id = ? AND user_id = ?', userId, (db, o) =>
      userBetsNewestFirst(db, userId, {
        ...o,
        keep: (row) => !carriedAway(db, row) && (!options.keep || options.keep(row)),
        resumableAt: (row) => !carriedAway(db, row),
      }),
    ),
  )();
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

/**
 * The open bets: `accepted` in the current segment, and while a roll-over carries, the `closing`
 * segment's open bets not carried yet (in one read transaction on the current segment, so a bet
 * carried meanwhile is read once).
 */
export function openBetRows<Row>(view: SegmentView, columns: string, betId?: string): Row[] {
  const [current, previous] = view.segments();
  if (!current) return [];
  const where = betId === undefined ? '' : ' AND id = ?';
  const params = betId === undefined ? [] : [betId];
  const select = `SELECT id AS carry_check_id, ${columns} FROM bets WHERE status = 'accepted'${where}`;
  const uncarried =
    previous?.state === 'closing'
      ? (previous.db.prepare(select).all(...params) as (Row & { carry_check_id?: string })[])
      : [];
  const inCurrent = current.db.prepare('SELECT 1 FROM bets WHERE id = ?').pluck();
  const rows = current.db.transaction(() => [
    ...(current.db.prepare(select).all(...params) as (Row & { carry_check_id?: string })[]),
    ...uncarried.filter((row) => inCurrent.get(row.carry_check_id) === undefined),
  ])();
  for (const row of rows) delete row.carry_check_id;
  return rows;
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

/**
 * PRINTS_PAGE_SQL prepared once per connection, in raw mode: better-sqlite3 compiles the SQL on every
 * `prepare`, which was ~8 % of the CPU of a pre-encoded history page (ingest-api's print-pages.ts,
 * whose tail reads here on every page). Keyed weakly: a connection that leaves the view takes its
 * statement with it.
 */
const printsPageStatements = new WeakMap<Database.Database, Database.Statement>();

function printsPageStatement(db: Database.Database): Database.Statement {
  let statement = printsPageStatements.get(db);
  if (!statement) {
    statement = db.prepare(PRINTS_PAGE_SQL).raw(true);
    printsPageStatements.set(db, statement);
  }
  return statement;
}

/** A row of PRINTS_PAGE_SQL as better-sqlite3's raw mode returns it. */
type PrintTuple = [id: number, t: number, price_cents: number, venues: number, sigma: number];

/**
 * Where a page of prints starts: after the cursor `after`, but never before `fromMs` — a cursor
 * before `fromMs` starts the page at `fromMs` itself, every id included (keeping the cursor's id
 * there skipped a print at exactly `fromMs` with a lower id: a restarted feed's).
 */
export function printKeyset(fromMs: number, after?: { t: number; id: number }): { t: number; id: number } {
  return after && after.t >= fromMs ? after : { t: fromMs, id: -1 };
}

/** Index prints with `fromMs ≤ t < toMs` after the keyset `after`, in (t, id) order, from every segment. */
export function printsBetween(
  view: SegmentView,
  range: { fromMs: number; toMs: number; after?: { t: number; id: number }; limit: number },
): PrintRow[] {
  const { t: afterT, id: afterId } = printKeyset(range.fromMs, range.after);
  const pages: PrintRow[][] = [];
  for (const segment of view.segments()) {
    // Raw rows made into objects here: better-sqlite3's named-column rows cost about twice as much,
    // and a 5,000-print page is what the public, unauthenticated history query may ask for.
    const tuples = printsPageStatement(segment.db).all(
      afterT,
      afterId,
      range.toMs,
      range.limit,
    ) as PrintTuple[];
    if (tuples.length > 0) {
      pages.push(
        tuples.map(([id, t, price_cents, venues, sigma]) => ({ id, t, price_cents, venues, sigma })),
      );
    }
  }
  // One segment's page is in (t, id) order and within the limit already.
  if (pages.length <= 1) return pages[0] ?? [];
  const byId = new Map<number, PrintRow>();
  for (const page of pages) for (const row of page) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => a.t - b.t || a.id - b.id).slice(0, range.limit);
}
