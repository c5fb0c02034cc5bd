/**
 * Appending to a segment's hash-chained ledger (SPEC §7): the one INSERT of a `transaction_ledger`
 * row with its hash and its link to the user's previous row (`prev_user_ledger_id`), and the chain
 * head kept in memory between appends (rows are numbered from it). Moving the money that goes with
 * a row is the caller's — the batcher's ledger writer in production, the test kit's segment files
 * and the benchmarks' direct writer elsewhere. Appends run in the caller's transaction; a caller that
 * rolls one back must put the head back with it (`head()` before, `resetHead()` after).
 */
import type Database from 'better-sqlite3';
import { GENESIS_HASH, type LedgerRow, ledgerHash, ledgerRowValues } from './ledger-hash.js';
import type { LedgerHead } from './segment-meta.js';
import { PREV_USER_LEDGER_SQL } from './user-chains.js';

export interface LedgerChain {
  /** Inserts the row with the id after the head's; returns the new head. */
  append(row: Omit<LedgerRow, 'id'>): LedgerHead;
  head(): LedgerHead;
  resetHead(head: LedgerHead): void;
}

/** The segment's newest ledger row, or undefined while it has none. */
export function lastLedgerRow(db: Database.Database): LedgerHead | undefined {
  return db.prepare<[], LedgerHead>('SELECT id, hash FROM transaction_ledger ORDER BY id DESC LIMIT 1').get();
}

/** `start`: the head to continue from (default: the genesis of a new chain). */
export function createLedgerChain(
  db: Database.Database,
  start: LedgerHead = { id: 0, hash: GENESIS_HASH },
): LedgerChain {
  const insert = db.prepare(
    `INSERT INTO transaction_ledger (id, user_id, amount, balance_after, ref_type, ref_id, created_at, prev_hash, hash,
       prev_user_ledger_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${PREV_USER_LEDGER_SQL})`,
  );
  let head = start;
  return {
    append(fields) {
      const row: LedgerRow = { id: head.id + 1, ...fields };
      const hash = ledgerHash(head.hash, row);
      insert.run(...ledgerRowValues(row), head.hash, hash, row.userId);
      head = { id: row.id, hash };
      return head;
    },
    head: () => head,
    resetHead(previous) {
      head = previous;
    },
  };
}
