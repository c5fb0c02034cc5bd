import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, ledgerHash } from './ledger-hash.js';
import { migrate } from './migrate.js';
import { SEGMENT_MIGRATIONS } from './schema.js';
import { type ClosingRecord, META_KEYS, type OpeningRecord, writeMeta } from './segment-meta.js';
import { proveSegment } from './segment-proof.js';

/** An in-memory segment continuing the chain at `prev`, with deposits of `amounts` to one user. */
function segment(prev: { id: number; hash: string }, amounts: number[]) {
  const db = new Database(':memory:');
  migrate(db, SEGMENT_MIGRATIONS);
  const insert = db.prepare(
    `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash)
     VALUES (?, '0xa', ?, ?, 'deposit', ?, 0, ?, ?)`,
  );
  let head = prev;
  let balance = 0;
  for (const [i, amount] of amounts.entries()) {
    balance += amount;
    const row = {
      id: head.id + 1,
      userId: '0xa',
      amount,
      balanceAfter: balance,
      refType: 'deposit' as const,
      refId: `d${i}`,
      createdAt: 0,
    };
    const hash = ledgerHash(head.hash, row);
    insert.run(row.id, amount, balance, row.refId, head.hash, hash);
    head = { id: row.id, hash };
  }
  db.prepare("INSERT INTO users (id, balance, created_at, updated_at) VALUES ('0xa', ?, 0, 0)").run(balance);
  return { db, head };
}

const opening = (prev: { id: number; hash: string }): OpeningRecord => ({
  from: '2026-W01',
  prevLedgerHead: prev,
  users: 0,
  balanceSumMicros: 0,
  carriedBets: 0,
});
const closing = (head: { id: number; hash: string }) =>
  ({
    next: '2026-W03',
    closingAtMs: 0,
    ledgerHead: head,
    ledgerRows: 0,
    ledgerSumMicros: 0,
    users: 1,
    balanceSumMicros: 0,
    bets: 0,
    carriedBets: 0,
    prints: 0,
  }) satisfies ClosingRecord;

describe('proveSegment', () => {
  const prev = {
    id: 7,
    hash: ledgerHash(GENESIS_HASH, {
      id: 7,
      userId: '0xz',
      amount: 1,
      balanceAfter: 1,
      refType: 'deposit',
      refId: 'x',
      createdAt: 0,
    }),
  };

  it('accepts a segment whose chain runs from its opening head to its closing head', () => {
    const { db, head } = segment(prev, [5, 7]);
    writeMeta(db, {
      [META_KEYS.opening]: JSON.stringify(opening(prev)),
      [META_KEYS.closing]: JSON.stringify(closing(head)),
    });
    expect(proveSegment(db, 'integrity_check')).toMatchObject({
      ok: true,
      problems: [],
      ledgerRows: 2,
      head,
      users: 1,
    });
  });

  it('names a balance that differs from its ledger sum', () => {
    const { db } = segment(prev, [5]);
    db.prepare("UPDATE users SET balance = 6 WHERE id = '0xa'").run();
    expect(proveSegment(db, 'quick_check').problems).toEqual(['user 0xa: balance 6 != ledger sum 5']);
  });

  it('refuses a ledger cut short of its closing head', () => {
    const { db, head } = segment(prev, [5, 7]);
    writeMeta(db, { [META_KEYS.closing]: JSON.stringify(closing({ id: head.id + 1, hash: head.hash })) });
    expect(proveSegment(db, 'quick_check').problems).toEqual([
      `ledger ends at row ${head.id}, the closing record says ${head.id + 1}`,
    ]);
  });

  it('refuses a chain that does not continue the opening head', () => {
    const { db } = segment(prev, [5]);
    writeMeta(db, { [META_KEYS.opening]: JSON.stringify(opening({ id: 7, hash: 'f'.repeat(64) })) });
    expect(proveSegment(db, 'quick_check').problems).toEqual([
      'first ledger row does not continue the opening head 7',
    ]);
  });

  it('gives an empty segment the opening head as its head', () => {
    const { db } = segment(prev, []);
    db.prepare('DELETE FROM users').run();
    writeMeta(db, {
      [META_KEYS.opening]: JSON.stringify(opening(prev)),
      [META_KEYS.closing]: JSON.stringify(closing(prev)),
    });
    expect(proveSegment(db, 'quick_check')).toMatchObject({ ok: true, head: prev, ledgerRows: 0 });
  });
});
