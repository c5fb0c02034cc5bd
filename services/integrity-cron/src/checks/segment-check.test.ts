import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GENESIS_HASH,
  type LedgerRow,
  ledgerHash,
  migrate,
  SEGMENT_MIGRATIONS,
  WRITER_PRAGMAS,
} from '@tap/domain';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSegment } from './segment-check.js';

const USER = '0x00000000000000000000000000000000000000aa';

/** Writes a small, valid segment: a deposit and a stake for one user, balance matching the ledger. */
function writeSegment(path: string): Database.Database {
  const db = new Database(path);
  for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
  migrate(db, SEGMENT_MIGRATIONS);
  const rows: LedgerRow[] = [
    {
      id: 1,
      userId: USER,
      amount: 10_000_000,
      balanceAfter: 10_000_000,
      refType: 'deposit',
      refId: 'd1',
      createdAt: 1,
    },
    {
      id: 2,
      userId: USER,
      amount: -1_000_000,
      balanceAfter: 9_000_000,
      refType: 'bet_stake',
      refId: 'b1',
      createdAt: 2,
    },
  ];
  const insert = db.prepare(
    `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const hash = ledgerHash(prev, row);
    insert.run(
      row.id,
      row.userId,
      row.amount,
      row.balanceAfter,
      row.refType,
      row.refId,
      row.createdAt,
      prev,
      hash,
    );
    prev = hash;
  }
  db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, ?, 1, 2)').run(
    USER,
    9_000_000,
  );
  return db;
}

describe('checkSegment', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tap-integrity-'));
    path = join(dir, '2026-W48.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds nothing wrong in a consistent segment', () => {
    writeSegment(path).close();
    expect(checkSegment(path)).toEqual({ path, ledgerRows: 2, problems: [] });
  });

  it('reports a balance that drifted from the ledger sum', () => {
    const db = writeSegment(path);
    db.prepare('UPDATE users SET balance = balance + 1').run();
    db.close();
    expect(checkSegment(path).problems).toEqual([`user ${USER}: balance 9000001 != ledger sum 9000000`]);
  });

  it('reports a ledger row edited behind the append-only triggers', () => {
    const db = writeSegment(path);
    db.exec('DROP TRIGGER ledger_no_update');
    db.prepare('UPDATE transaction_ledger SET amount = -500000, balance_after = 9500000 WHERE id = 2').run();
    db.prepare('UPDATE users SET balance = 9500000').run();
    db.close();
    expect(checkSegment(path).problems).toEqual(['ledger hash chain broken at row 2']);
  });
});
