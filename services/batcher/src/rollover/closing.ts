/**
 * Roll-over step 1 (README "Roll-over"): the old segment's closing state, in one transaction on it.
 * The outbox is emptied (every row was published before the roll-over began: a batch publishes
 * before the next step runs), each user's balance and chain heads go to `closing_balances`, every
 * still-open bet is marked as carried into the next segment, and `meta` gets the closing record and
 * state `closing`. Idempotent: a restart that finds the segment `closing` writes it again.
 */
import {
  type ClosingRecord,
  GENESIS_HASH,
  type LedgerHead,
  META_KEYS,
  readSegmentMeta,
  writeMeta,
} from '@tap/domain';
import type Database from 'better-sqlite3';

export function ledgerHeadOf(db: Database.Database): LedgerHead {
  const last = db.prepare('SELECT id, hash FROM transaction_ledger ORDER BY id DESC LIMIT 1').get() as
    | LedgerHead
    | undefined;
  return last ?? readSegmentMeta(db).opening?.prevLedgerHead ?? { id: 0, hash: GENESIS_HASH };
}

export function writeClosing(db: Database.Database, next: string, atMs: number): ClosingRecord {
  return db.transaction(() => {
    db.prepare('DELETE FROM event_outbox').run();
    db.prepare('DELETE FROM closing_balances').run();
    db.prepare(
      `INSERT INTO closing_balances (user_id, balance, last_ledger_id, last_bet_id)
       SELECT id, balance, last_ledger_id, last_bet_id FROM users`,
    ).run();
    const carriedBets = db
      .prepare("UPDATE bets SET carried_to = ? WHERE status = 'accepted'")
      .run(next).changes;
    const count = (sql: string) => db.prepare(sql).get() as { n: number; total: number | null };
    const ledger = count('SELECT COUNT(*) AS n, SUM(amount) AS total FROM transaction_ledger');
    const users = count('SELECT COUNT(*) AS n, SUM(balance) AS total FROM users');
    const record: ClosingRecord = {
      next,
      closingAtMs: atMs,
      ledgerHead: ledgerHeadOf(db),
      ledgerRows: ledger.n,
      ledgerSumMicros: ledger.total ?? 0,
      users: users.n,
      balanceSumMicros: users.total ?? 0,
      bets: count('SELECT COUNT(*) AS n, NULL AS total FROM bets').n,
      carriedBets,
      prints: count('SELECT COUNT(*) AS n, NULL AS total FROM index_prints').n,
    };
    writeMeta(db, { [META_KEYS.state]: 'closing', [META_KEYS.closing]: JSON.stringify(record) });
    return record;
  })();
}
