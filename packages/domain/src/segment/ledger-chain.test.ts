import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLedgerChain, type LedgerChain, lastLedgerRow } from './ledger-chain.js';
import { GENESIS_HASH, type LedgerRow, verifyLedgerChain } from './ledger-hash.js';
import { migrate } from './migrate.js';
import { type LedgerRefType, SEGMENT_MIGRATIONS } from './schema.js';

describe('createLedgerChain', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db, SEGMENT_MIGRATIONS);
    for (const id of ['0xa', '0xb'])
      db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 0, 0, 0)').run(id);
  });
  afterEach(() => db.close());

  let chain: LedgerChain;
  /** created_at does not matter to the chain: the row's place stands in. */
  const append = (
    userId: string,
    amount: number,
    balanceAfter: number,
    refType: LedgerRefType,
    refId: string,
  ) => chain.append({ userId, amount, balanceAfter, refType, refId, createdAt: chain.head().id });

  const rows = () =>
    db
      .prepare(
        `SELECT id, user_id AS userId, amount, balance_after AS balanceAfter, ref_type AS refType, ref_id AS refId,
           created_at AS createdAt, prev_hash AS prevHash, hash, prev_user_ledger_id AS prevUserLedgerId
         FROM transaction_ledger ORDER BY id`,
      )
      .all() as (LedgerRow & { prevHash: string; hash: string; prevUserLedgerId: number | null })[];

  it('numbers, hashes and links each row to the head and to the same user’s previous row', () => {
    chain = createLedgerChain(db);
    append('0xa', 5, 5, 'deposit', 'd1');
    append('0xb', 7, 7, 'deposit', 'd2');
    const head = append('0xa', -1, 4, 'bet_stake', 'B1');
    const written = rows();
    expect(written.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(verifyLedgerChain(written, GENESIS_HASH)).toEqual({ ok: true, rows: 3 });
    expect(written.map((r) => r.prevUserLedgerId)).toEqual([null, null, 1]);
    expect(head).toEqual({ id: 3, hash: written[2]!.hash });
    expect(lastLedgerRow(db)).toEqual(head);
  });

  it('continues from a given head, and numbers from a reset head after a rollback', () => {
    chain = createLedgerChain(db, { id: 41, hash: 'f'.repeat(64) });
    const before = chain.head();
    db.exec('SAVEPOINT s');
    append('0xa', 5, 5, 'deposit', 'd1');
    db.exec('ROLLBACK TO s');
    chain.resetHead(before);
    expect(append('0xa', 5, 5, 'deposit', 'd1').id).toBe(42);
    expect(verifyLedgerChain(rows(), 'f'.repeat(64))).toEqual({ ok: true, rows: 1 });
  });

  it('reads no newest row from an empty ledger', () => {
    expect(lastLedgerRow(db)).toBeUndefined();
  });
});
