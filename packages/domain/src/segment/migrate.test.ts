import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, ledgerHash } from './ledger-hash.js';
import { migrate } from './migrate.js';
import { SEGMENT_MIGRATIONS, WRITER_PRAGMAS } from './schema.js';

/** The newest schema version: every migration applied. */
const LATEST = SEGMENT_MIGRATIONS.at(-1)?.version ?? 0;

describe('segment schema and migrations (real SQLite file)', () => {
  let dir: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-segment-'));
    db = new Database(join(dir, '2026-W48.db'));
    for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a new file to the latest version once', () => {
    expect(migrate(db, SEGMENT_MIGRATIONS)).toEqual({ ok: true, from: 0, to: LATEST });
    expect(migrate(db, SEGMENT_MIGRATIONS)).toEqual({ ok: true, from: LATEST, to: LATEST });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'bets',
      'closing_balances',
      'event_outbox',
      'index_prints',
      'meta',
      'operator_actions',
      'transaction_ledger',
      'users',
    ]);
  });

  it('runs WAL with synchronous=FULL', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('refuses a file written by a newer schema', () => {
    db.pragma('user_version = 99');
    expect(migrate(db, SEGMENT_MIGRATIONS)).toEqual({
      ok: false,
      code: 'schema_too_new',
      found: 99,
      known: LATEST,
    });
  });

  it('rolls back a failing migration as a whole', () => {
    const broken = [
      { version: 1, name: 'broken', sql: 'CREATE TABLE a (x INTEGER) STRICT; CREATE TABLE a (y);' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'a'").pluck().get()).toBe(0);
  });

  it('refuses a negative balance', () => {
    migrate(db, SEGMENT_MIGRATIONS);
    const insert = db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, ?, 0, 0)');
    expect(() => insert.run('0xabc', -1)).toThrow(/CHECK constraint failed/);
  });

  it('refuses a non-integer amount (STRICT tables)', () => {
    migrate(db, SEGMENT_MIGRATIONS);
    const insert = db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, ?, 0, 0)');
    expect(() => insert.run('0xabc', 1.5)).toThrow(/cannot store REAL value in INTEGER column/);
  });

  it('keeps the ledger append-only', () => {
    migrate(db, SEGMENT_MIGRATIONS);
    const row = {
      id: 1,
      userId: '0xabc',
      amount: 5,
      balanceAfter: 5,
      refType: 'deposit' as const,
      refId: 'd1',
      createdAt: 1,
    };
    db.prepare(
      `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(1, '0xabc', 5, 5, 'deposit', 'd1', 1, GENESIS_HASH, ledgerHash(GENESIS_HASH, row));
    expect(() => db.exec('UPDATE transaction_ledger SET amount = 6')).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM transaction_ledger')).toThrow(/append-only/);
    expect(() =>
      db.exec(
        `INSERT INTO transaction_ledger (user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash)
         VALUES ('0xabc', 1, 6, 'bonus', 'x', 1, '', '')`,
      ),
    ).toThrow(/CHECK constraint failed/);
  });

  it('links the rows of a version-2 file into per-user chains and drops the per-user indexes', () => {
    migrate(
      db,
      SEGMENT_MIGRATIONS.filter((m) => m.version <= 2),
    );
    const user = db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 0, 0, 0)');
    const bet = db.prepare(
      `INSERT INTO bets (id, user_id, client_bet_id, t0, p0, window_ms, band_cents, stake, multiplier_bp,
         status, terms, placed_at) VALUES (?, ?, 'c', 0, 0, 5000, 1000, 1, 10500, 'accepted', '{}', 0)`,
    );
    const ledger = db.prepare(
      `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash)
       VALUES (?, ?, 1, 1, 'deposit', ?, 0, '', '')`,
    );
    for (const id of ['0xa', '0xb']) user.run(id);
    for (const [id, userId] of [
      ['B1', '0xa'],
      ['B2', '0xb'],
      ['B3', '0xa'],
    ])
      bet.run(id, userId);
    for (const [id, userId] of [
      [1, '0xa'],
      [2, '0xa'],
      [3, '0xb'],
    ] as const)
      ledger.run(id, userId, `d${id}`);

    expect(migrate(db, SEGMENT_MIGRATIONS)).toEqual({ ok: true, from: 2, to: LATEST });
    expect(db.prepare('SELECT id, last_bet_id, last_ledger_id FROM users ORDER BY id').all()).toEqual([
      { id: '0xa', last_bet_id: 'B3', last_ledger_id: 2 },
      { id: '0xb', last_bet_id: 'B2', last_ledger_id: 3 },
    ]);
    expect(db.prepare('SELECT id, prev_user_bet_id AS prev FROM bets ORDER BY id').all()).toEqual([
      { id: 'B1', prev: null },
      { id: 'B2', prev: null },
      { id: 'B3', prev: 'B1' },
    ]);
    expect(
      db.prepare('SELECT prev_user_ledger_id FROM transaction_ledger ORDER BY id').pluck().all(),
    ).toEqual([null, 1, null]);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
    expect(indexes).not.toContain('bets_by_user');
    expect(indexes).not.toContain('ledger_by_user');
    expect(() => db.exec('UPDATE transaction_ledger SET amount = 6')).toThrow(/append-only/);
  });
});
