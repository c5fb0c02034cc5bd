import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLedgerChain, lastLedgerRow } from './ledger-chain.js';
import { GENESIS_HASH, type LedgerRow, verifyLedgerChain } from './ledger-hash.js';
import { migrate } from './migrate.js';
import { SEGMENT_MIGRATIONS } from './schema.js';

describe('createLedgerChain', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db, SEGMENT_MIGRATIONS);
    for (const id of ['0xa', '0xb'])
      db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 0, 0, 0)').run(id);
  });
  afterEach(() => db.close());

  const rows = () =>
    db
      .prepare(
        `SELECT id, user_id AS userId, amount, balance_after AS balanceAfter, ref_type AS refType, ref_id AS refId,
           created_at AS createdAt, prev_hash AS prevHash, hash, prev_user_ledger_id AS prevUserLedgerId
         FROM transaction_ledger ORDER BY id`,
      )
      .all() as (LedgerRow & { prevHash: string; hash: string; prevUserLedgerId: number | null })[];

  it('numbers, hashes and links each row to the head and to the same user’s previous row', () => {
    const chain = createLedgerChain(db);
    chain.append({
      userId: '0xa',
      amount: 5,
      balanceAfter: 5,
      refType: 'deposit',
      refId: 'd1',
      createdAt: 1,
    });
    chain.append({
      userId: '0xb',
      amount: 7,
      balanceAfter: 7,
      refType: 'deposit',
      refId: 'd2',
      createdAt: 2,
    });
    const head = chain.append({
      userId: '0xa',
      amount: -1,
      balanceAfter: 4,
      refType: 'bet_stake',
      refId: 'B1',
      createdAt: 3,
    });
    const written = rows();
    expect(written.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(verifyLedgerChain(written, GENESIS_HASH)).toEqual({ ok: true, rows: 3 });
    expect(written.map((r) => r.prevUserLedgerId)).toEqual([null, null, 1]);
    expect(head).toEqual({ id: 3, hash: written[2]!.hash });
    expect(lastLedgerRow(db)).toEqual(head);
  });

  it('continues from a given head, and numbers from a reset head after a rollback', () => {
    const chain = createLedgerChain(db, { id: 41, hash: 'f'.repeat(64) });
    const before = chain.head();
    db.exec('SAVEPOINT s');
    chain.append({
      userId: '0xa',
      amount: 5,
      balanceAfter: 5,
      refType: 'deposit',
      refId: 'd1',
      createdAt: 1,
    });
    db.exec('ROLLBACK TO s');
    chain.resetHead(before);
    expect(
      chain.append({
        userId: '0xa',
        amount: 5,
        balanceAfter: 5,
        refType: 'deposit',
        refId: 'd1',
        createdAt: 1,
      }).id,
    ).toBe(42);
    expect(verifyLedgerChain(rows(), 'f'.repeat(64))).toEqual({ ok: true, rows: 1 });
  });

  it('reads no newest row from an empty ledger', () => {
    expect(lastLedgerRow(db)).toBeUndefined();
  });
});
