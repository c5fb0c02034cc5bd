import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { SEGMENT_MIGRATIONS } from './schema.js';
import {
  PREV_USER_BET_SQL,
  PREV_USER_LEDGER_SQL,
  userBetsNewestFirst,
  userLedgerNewestFirst,
} from './user-chains.js';

describe('per-user chains (real SQLite, in memory)', () => {
  let db: Database.Database;
  let placeBet: (id: string, userId: string, status?: string) => void;
  let addLedgerRow: (id: number, userId: string, createdAt: number) => void;

  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db, SEGMENT_MIGRATIONS);
    const user = db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 0, 0, 0)');
    for (const id of ['0xa', '0xb']) user.run(id);
    const bet = db.prepare(
      `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp,
         status, terms, placed_at, prev_user_bet_id)
       VALUES (?, ?, 'c', 0, 0, 5000, 1000, 1, 10500, ?, '{}', 0, ${PREV_USER_BET_SQL})`,
    );
    placeBet = (id, userId, status = 'accepted') => bet.run(id, userId, status, userId);
    const ledger = db.prepare(
      `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at,
         prev_hash, hash, prev_user_ledger_id)
       VALUES (?, ?, 1, 1, 'deposit', 'd', ?, '', '', ${PREV_USER_LEDGER_SQL})`,
    );
    addLedgerRow = (id, userId, createdAt) => ledger.run(id, userId, createdAt, userId);
  });
  afterEach(() => db.close());

  it('lists only the user’s bets, newest first, and pages with the last bet as the cursor', () => {
    for (const [id, user] of [
      ['B1', '0xa'],
      ['B2', '0xb'],
      ['B3', '0xa'],
      ['B4', '0xa'],
    ] as const) {
      placeBet(id, user);
    }
    const first = userBetsNewestFirst(db, '0xa', { limit: 2, scanMax: 100 });
    expect(first.rows.map((r) => r.id)).toEqual(['B4', 'B3']);
    expect(first.next).toBe('B3');
    const second = userBetsNewestFirst(db, '0xa', { before: 'B3', limit: 2, scanMax: 100 });
    expect(second.rows.map((r) => r.id)).toEqual(['B1']);
    expect(second.next).toBeNull();
  });

  it('applies the filter and stops at the scan budget with a cursor to continue', () => {
    placeBet('B1', '0xa', 'won');
    for (const id of ['B2', 'B3', 'B4']) placeBet(id, '0xa', 'lost');
    const keep = (row: { status: string }) => row.status === 'won';
    const spent = userBetsNewestFirst(db, '0xa', { limit: 10, scanMax: 2, keep });
    expect(spent).toMatchObject({ rows: [], next: 'B3' });
    const rest = userBetsNewestFirst(db, '0xa', { before: 'B3', limit: 10, scanMax: 2, keep });
    expect(rest.rows.map((r) => r.id)).toEqual(['B1']);
    expect(rest.next).toBeNull();
  });

  it('reads nothing through another user’s cursor or for an unknown user', () => {
    placeBet('B1', '0xa');
    placeBet('B2', '0xb');
    expect(userBetsNewestFirst(db, '0xb', { before: 'B1', limit: 5, scanMax: 5 })).toMatchObject({
      rows: [],
      next: null,
    });
    expect(userBetsNewestFirst(db, '0xc', { limit: 5, scanMax: 5 })).toMatchObject({ rows: [], next: null });
  });

  it('walks the user’s ledger rows newest first', () => {
    addLedgerRow(1, '0xa', 10);
    addLedgerRow(2, '0xb', 20);
    addLedgerRow(3, '0xa', 30);
    const page = userLedgerNewestFirst(db, '0xa', { limit: 10, scanMax: 10 });
    expect(page.rows.map((r) => [r.id, r.prev_user_ledger_id])).toEqual([
      [3, 1],
      [1, null],
    ]);
    expect(
      userLedgerNewestFirst(db, '0xa', { before: 3, limit: 10, scanMax: 10 }).rows.map((r) => r.id),
    ).toEqual([1]);
  });
});
