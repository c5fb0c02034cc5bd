/**
 * The only code that moves money in a segment (SPEC §7): each movement updates the user's balance
 * and appends a hash-chained `transaction_ledger` row, in the caller's transaction. Debits are
 * conditional (`balance >= amount`), so a balance never goes negative whatever the Redis cache
 * believed; a user row is created by its first credit, so a debit of an unknown user is
 * `insufficient_funds`.
 *
 * The chain head (last row id and hash) lives in memory, loaded once from the segment: its newest
 * row, or for a segment without rows yet the previous segment's closing head from its opening
 * record (ids and hashes continue across segments, SPEC §8). A caller that
 * rolls back a savepoint must roll the head back with it (`head()` before, `resetHead()` after).
 */
import assert from 'node:assert/strict';
import {
  createLedgerChain,
  GENESIS_HASH,
  type LedgerHead,
  type LedgerRefType,
  lastLedgerRow,
  readSegmentMeta,
} from '@tap/domain';
import type Database from 'better-sqlite3';

export type ChainHead = LedgerHead;

export type Credited = { ok: true; balanceAfter: number; ledgerId: number };
export type Movement = Credited | { ok: false; code: 'insufficient_funds'; balance: number };

export interface LedgerWriter {
  credit(userId: string, amountMicros: number, refType: LedgerRefType, refId: string, atMs: number): Credited;
  debit(userId: string, amountMicros: number, refType: LedgerRefType, refId: string, atMs: number): Movement;
  /** The user's SQLite balance; 0 for a user without a row. */
  balanceOf(userId: string): number;
  hasRef(refType: LedgerRefType, refId: string): boolean;
  head(): ChainHead;
  /**
   * The head if this segment wrote it, else undefined: a segment without rows of its own carries the
   * previous segment's closing head (SPEC §8), and anchoring that under this segment's name would
   * claim a row the segment never held (a restore then fails `integrity_mismatch`).
   */
  ownHead(): ChainHead | undefined;
  resetHead(head: ChainHead): void;
}

/**
 * `previous`: the segment before this one (read-only), or null. A reference applied there counts
 * as applied: an adjustment re-sent with the same id just after a roll-over moves no money twice.
 */
export function createLedgerWriter(
  db: Database.Database,
  previous: Database.Database | null = null,
): LedgerWriter {
  const credit = db.prepare<[string, number, number, number], { balance: number }>(
    `INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET balance = balance + excluded.balance, updated_at = excluded.updated_at
     RETURNING balance`,
  );
  const debit = db.prepare<[number, number, string, number], { balance: number }>(
    'UPDATE users SET balance = balance - ?, updated_at = ? WHERE id = ? AND balance >= ? RETURNING balance',
  );
  const balance = db.prepare<[string], number>('SELECT balance FROM users WHERE id = ?').pluck();
  const hasRef = db
    .prepare<[string, string], number>('SELECT 1 FROM transaction_ledger WHERE ref_type = ? AND ref_id = ?')
    .pluck();
  const hasRefBefore = previous
    ?.prepare<[string, string], number>('SELECT 1 FROM transaction_ledger WHERE ref_type = ? AND ref_id = ?')
    .pluck();
  const inherited = readSegmentMeta(db).opening?.prevLedgerHead;
  const chain = createLedgerChain(db, lastLedgerRow(db) ?? inherited ?? { id: 0, hash: GENESIS_HASH });

  const append = (
    userId: string,
    amount: number,
    balanceAfter: number,
    refType: LedgerRefType,
    refId: string,
    atMs: number,
  ): Credited => {
    const row = chain.append({ userId, amount, balanceAfter, refType, refId, createdAt: atMs });
    return { ok: true, balanceAfter, ledgerId: row.id };
  };

  return {
    credit(userId, amountMicros, refType, refId, atMs) {
      assert.ok(Number.isSafeInteger(amountMicros) && amountMicros > 0, `credit of ${amountMicros}`);
      const after = credit.get(userId, amountMicros, atMs, atMs)!.balance;
      // SQLite would hold more, but a balance beyond 2^53 − 1 is not exact in JS (SPEC §1): the
      // caller's savepoint rolls the credit back and the entry is dead-lettered with this reason.
      if (!Number.isSafeInteger(after))
        throw new Error(`balance of ${userId} would exceed 2^53 − 1 micro-dollars`);
      return append(userId, amountMicros, after, refType, refId, atMs);
    },
    debit(userId, amountMicros, refType, refId, atMs) {
      assert.ok(Number.isSafeInteger(amountMicros) && amountMicros > 0, `debit of ${amountMicros}`);
      const updated = debit.get(amountMicros, atMs, userId, amountMicros);
      if (updated === undefined) {
        return { ok: false, code: 'insufficient_funds', balance: balance.get(userId) ?? 0 };
      }
      return append(userId, -amountMicros, updated.balance, refType, refId, atMs);
    },
    balanceOf: (userId) => balance.get(userId) ?? 0,
    hasRef: (refType, refId) =>
      hasRef.get(refType, refId) !== undefined || hasRefBefore?.get(refType, refId) !== undefined,
    head: chain.head,
    ownHead: () => (chain.head().id > (inherited?.id ?? 0) ? chain.head() : undefined),
    resetHead: chain.resetHead,
  };
}
