/**
 * A real segment file for tests that need one without running the batcher (archiver, restore):
 * migrated with the production schema, `users` with balances equal to their hash-chained ledger
 * rows (a deposit each, then stakes of bets), so it passes the segment proof like a real one; a
 * `closed` one carries its closing record in meta as a roll-over writes it.
 */
import {
  type ClosingRecord,
  createLedgerChain,
  type LedgerHead,
  META_KEYS,
  migrate,
  PREV_USER_BET_SQL,
  SEGMENT_MIGRATIONS,
  writeMeta,
} from '@tap/domain';
import Database from 'better-sqlite3';
import { testUlid } from './fixtures.js';

export interface SegmentFileOptions {
  users?: number;
  betsPerUser?: number;
  openedAtMs?: number;
  /** The first users' ids (e.g. a test wallet's lower-cased address); the rest are `0x000…<n>`. */
  userIds?: readonly string[];
  /** `closed` also writes the closing record (head, sums) a roll-over leaves; default: no state (reads as open). */
  state?: 'open' | 'closed';
}

/** Writes the segment at `path` (WAL checkpointed, as the batcher leaves a closed one); returns its head. */
export function writeSegmentFile(
  path: string,
  options: SegmentFileOptions = {},
): { id: number; hash: string } {
  const { users = 5, betsPerUser = 3, openedAtMs = 1_764_000_000_000 } = options;
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, SEGMENT_MIGRATIONS);
  db.prepare("INSERT INTO meta (key, value) VALUES ('opened_at', ?)").run(String(openedAtMs));
  const insertBet = db.prepare(
    `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp, status, terms, placed_at,
       prev_user_bet_id)
     VALUES (?, ?, ?, ?, 9500000, 5000, 1000, ?, 20000, 'accepted', '{}', ?, ${PREV_USER_BET_SQL})`,
  );
  const chain = createLedgerChain(db);
  // created_at follows the row number, so every file written with the same options is the same.
  const createdAt = () => openedAtMs + chain.head().id;
  db.transaction(() => {
    for (let u = 0; u < users; u += 1) {
      const userId = options.userIds?.[u] ?? `0x${u.toString(16).padStart(40, '0')}`;
      let balance = 100_000_000;
      db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 0, ?, ?)').run(
        userId,
        openedAtMs,
        openedAtMs,
      );
      chain.append({
        userId,
        amount: balance,
        balanceAfter: balance,
        refType: 'deposit',
        refId: `dep-${u}`,
        createdAt: createdAt(),
      });
      for (let b = 0; b < betsPerUser; b += 1) {
        const betId = testUlid(openedAtMs + b, u * 1_000 + b);
        insertBet.run(
          betId,
          userId,
          `client-${u}-${b}`,
          openedAtMs + 10_000,
          1_000_000,
          openedAtMs + b,
          userId,
        );
        balance -= 1_000_000;
        chain.append({
          userId,
          amount: -1_000_000,
          balanceAfter: balance,
          refType: 'bet_stake',
          refId: betId,
          createdAt: createdAt(),
        });
      }
      db.prepare('UPDATE users SET balance = ? WHERE id = ?').run(balance, userId);
    }
  })();
  if (options.state) writeMeta(db, { [META_KEYS.state]: options.state });
  const head = chain.head();
  if (options.state === 'closed')
    writeMeta(db, { [META_KEYS.closing]: JSON.stringify(closingRecord(db, head)) });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return head;
}

function closingRecord(db: Database.Database, head: LedgerHead): ClosingRecord {
  const one = (sql: string) => db.prepare(sql).pluck().get() as number;
  return {
    next: 'next',
    closingAtMs: Date.now(),
    ledgerHead: head,
    ledgerRows: one('SELECT COUNT(*) FROM transaction_ledger'),
    ledgerSumMicros: one('SELECT COALESCE(SUM(amount), 0) FROM transaction_ledger'),
    users: one('SELECT COUNT(*) FROM users'),
    balanceSumMicros: one('SELECT COALESCE(SUM(balance), 0) FROM users'),
    bets: one('SELECT COUNT(*) FROM bets'),
    carriedBets: 0,
    prints: 0,
  };
}
