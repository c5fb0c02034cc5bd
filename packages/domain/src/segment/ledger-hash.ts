/**
 * The ledger hash chain (SPEC §7): hash = sha256(prev_hash ‖ canonical row), hex. The canonical row
 * is a JSON array of the row's fields in a fixed order, so the encoding is unambiguous (no field can
 * bleed into the next). The first row of a chain uses GENESIS_HASH as its prev_hash.
 */
import { hash } from 'node:crypto';
import type { LedgerRefType } from './schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface LedgerRow {
  id: number;
  userId: string;
  amount: number;
  balanceAfter: number;
  refType: LedgerRefType;
  refId: string;
  createdAt: number;
}

/** The row's fields in the canonical order: what is hashed, and the ledger table's first seven columns. */
export function ledgerRowValues(
  row: LedgerRow,
): [number, string, number, number, LedgerRefType, string, number] {
  return [row.id, row.userId, row.amount, row.balanceAfter, row.refType, row.refId, row.createdAt];
}

export function canonicalLedgerRow(row: LedgerRow): string {
  return JSON.stringify(ledgerRowValues(row));
}

/**
 * One-shot `crypto.hash` of the concatenation: the same digest as a Hash object updated twice, for
 * ~0.5 µs less per row (no Hash object; the batcher hashes every ledger row it writes).
 */
export function ledgerHash(prevHash: string, row: LedgerRow): string {
  return hash('sha256', prevHash + canonicalLedgerRow(row), 'hex');
}

export type ChainCheck = { ok: true; rows: number } | { ok: false; code: 'hash_mismatch'; id: number };

/** Verifies a chain given in id order; `startHash` is the prev_hash of the first row. */
export function verifyLedgerChain(
  rows: Iterable<LedgerRow & { prevHash: string; hash: string }>,
  startHash = GENESIS_HASH,
): ChainCheck {
  let prev = startHash;
  let count = 0;
  for (const row of rows) {
    if (row.prevHash !== prev || ledgerHash(prev, row) !== row.hash) {
      return { ok: false, code: 'hash_mismatch', id: row.id };
    }
    prev = row.hash;
    count += 1;
  }
  return { ok: true, rows: count };
}
