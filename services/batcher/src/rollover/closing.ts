/**
 * The old segment's side of a roll-over (README "Roll-over"):
 *
 * - the **cut** (step 1, in the pause): one small transaction — the outbox emptied (every row was
 *   published: a batch publishes before the roll-over runs), `state = closing` and the cut record
 *   (next segment, time, ledger head). From here on no batch is applied to this segment: it is
 *   frozen, so its users, open bets and totals are what it closes with, whenever they are copied;
 * - the **closing record** (step 5, after everything is carried, in slices between batches):
 *   `closing_balances`, each open bet's `carried_to`, the totals and `meta.closing`. Every slice is
 *   idempotent (the segment is frozen), so a restart simply writes it again.
 */
import assert from 'node:assert/strict';
import {
  type ClosingCut,
  type ClosingRecord,
  GENESIS_HASH,
  type LedgerHead,
  META_KEYS,
  readSegmentMeta,
  writeMeta,
} from '@tap/domain';
import type Database from 'better-sqlite3';

/** Rows per slice of the closing record's copies and totals. */
const PAGE_ROWS = 5_000;
const SCAN_ROWS = 50_000;

export function ledgerHeadOf(db: Database.Database): LedgerHead {
  const last = db.prepare('SELECT id, hash FROM transaction_ledger ORDER BY id DESC LIMIT 1').get() as
    | LedgerHead
    | undefined;
  return last ?? readSegmentMeta(db).opening?.prevLedgerHead ?? { id: 0, hash: GENESIS_HASH };
}

export function writeCut(db: Database.Database, next: string, atMs: number): ClosingCut {
  return db.transaction(() => {
    db.prepare('DELETE FROM event_outbox').run();
    db.prepare('DELETE FROM closing_balances').run();
    const cut: ClosingCut = { next, closingAtMs: atMs, ledgerHead: ledgerHeadOf(db) };
    writeMeta(db, { [META_KEYS.state]: 'closing', [META_KEYS.closingCut]: JSON.stringify(cut) });
    return cut;
  })();
}

/** The cut of a `closing` segment (one closed by a batcher before the cut record existed: its record). */
export function cutOf(db: Database.Database): ClosingCut | null {
  const meta = readSegmentMeta(db);
  return meta.closingCut ?? meta.closing;
}

export interface ClosingInput {
  db: Database.Database;
  cut: ClosingCut;
  /** Whether the next segment holds this user (every user must be carried before the record). */
  carried(userId: string): boolean;
  /** Whether the next segment holds this bet (every open bet must be carried before the record). */
  carriedBet(betId: string): boolean;
}

/** The closing record, one page per step; returns it with the count of positive balances. */
export function* writeClosingRecord(
  input: ClosingInput,
): Generator<string, { record: ClosingRecord; positiveUsers: number }> {
  const { db, cut } = input;
  const users = yield* copyClosingBalances(input);
  const carriedBets = yield* markCarriedBets(input);
  const ledger = yield* totals(db, 'transaction_ledger', 'id', 'amount');
  const bets = yield* totals(db, 'bets', 'rowid', null);
  const prints = yield* totals(db, 'index_prints', 'id', null);
  const record: ClosingRecord = {
    ...cut,
    ledgerRows: ledger.n,
    ledgerSumMicros: ledger.sum,
    users: users.n,
    balanceSumMicros: users.sum,
    bets: bets.n,
    carriedBets,
    prints: prints.n,
  };
  writeMeta(db, { [META_KEYS.closing]: JSON.stringify(record) });
  return { record, positiveUsers: users.positive };
}

function* copyClosingBalances(
  input: ClosingInput,
): Generator<string, { n: number; sum: number; positive: number }> {
  const { db } = input;
  const page = db.prepare(
    'SELECT id, balance, last_ledger_id, last_bet_id FROM users WHERE id > ? ORDER BY id LIMIT ?',
  );
  const copy = db.prepare(
    'INSERT OR REPLACE INTO closing_balances (user_id, balance, last_ledger_id, last_bet_id) VALUES (?, ?, ?, ?)',
  );
  const copyPage = db.transaction((rows: [string, number, number | null, string | null][]) => {
    for (const row of rows) copy.run(...row);
  });
  const totals = { n: 0, sum: 0, positive: 0 };
  let after = '';
  for (;;) {
    const rows = page.raw().all(after, PAGE_ROWS) as [string, number, number | null, string | null][];
    if (rows.length === 0) return totals;
    for (const [userId, balance] of rows) {
      assert.ok(input.carried(userId), `user ${userId} is carried before the segment closes`);
      totals.n += 1;
      totals.sum += balance;
      if (balance > 0) totals.positive += 1;
    }
    copyPage(rows);
    checkpointPassive(db);
    after = rows.at(-1)![0];
    yield 'closing_balances';
  }
}

/**
 * The closing record rewrites tens of MB (a copy of every user, every open bet's row): folded into
 * the file page by page, so no single checkpoint (here or when the segment closes) holds a batch up.
 */
function checkpointPassive(db: Database.Database): void {
  db.pragma('wal_checkpoint(PASSIVE)');
}

/** Each open bet's `carried_to`, in keyset pages of the open-bets index; each must be carried. */
function* markCarriedBets(input: ClosingInput): Generator<string, number> {
  const { db, cut } = input;
  const page = db.prepare(
    `SELECT rowid AS r, t0, id FROM bets WHERE status = 'accepted' AND (t0, rowid) > (?, ?)
     ORDER BY t0, rowid LIMIT ?`,
  );
  const mark = db.prepare('UPDATE bets SET carried_to = ? WHERE rowid = ?');
  const markPage = db.transaction((rows: [number, number, string][]) => {
    for (const [rowid, , id] of rows) {
      assert.ok(input.carriedBet(id), `open bet ${id} is carried before the segment closes`);
      mark.run(cut.next, rowid);
    }
  });
  let [afterT0, afterRowid] = [Number.MIN_SAFE_INTEGER, 0];
  let marked = 0;
  for (;;) {
    const rows = page.raw().all(afterT0, afterRowid, PAGE_ROWS) as [number, number, string][];
    if (rows.length === 0) return marked;
    markPage(rows);
    checkpointPassive(db);
    marked += rows.length;
    [afterRowid, afterT0] = rows.at(-1)!;
    yield 'carried_to';
  }
}

/** COUNT and SUM over a table in keyset pages (a week's ledger can hold millions of rows). */
function* totals(
  db: Database.Database,
  table: string,
  key: string,
  sumColumn: string | null,
): Generator<string, { n: number; sum: number }> {
  const page = db.prepare(
    `SELECT COUNT(*) AS n, COALESCE(SUM(v), 0) AS sum, MAX(k) AS last FROM
       (SELECT ${key} AS k, ${sumColumn ?? '0'} AS v FROM ${table} WHERE ${key} > ? ORDER BY ${key} LIMIT ?)`,
  );
  const result = { n: 0, sum: 0 };
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const { n, sum, last } = page.get(after, SCAN_ROWS) as { n: number; sum: number; last: number | null };
    result.n += n;
    result.sum += sum;
    if (n < SCAN_ROWS || last === null) return result;
    after = last;
    yield `totals:${table}`;
  }
}
