/**
 * Checks one segment file through a read-only connection (SPEC §7, §8): the segment's own proof
 * from @tap/domain — SQLite's `quick_check`, the ledger hash chain from its first row,
 * `balance == SUM(ledger.amount)` for every user inside the file (each segment verifies on its own),
 * the same proof the archiver runs before archiving and restore after restoring — and the per-user
 * chains the trader and dispute queries walk (user-chains.ts). Returns the broken rules found.
 */
import { proveSegment } from '@tap/domain';
import Database from 'better-sqlite3';
import { userChainProblems } from './user-chains.js';

export interface SegmentReport {
  path: string;
  ledgerRows: number;
  problems: string[];
}

export function checkSegment(path: string): SegmentReport {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const proof = proveSegment(db, 'quick_check');
    return { path, ledgerRows: proof.ledgerRows, problems: [...proof.problems, ...userChainProblems(db)] };
  } finally {
    db.close();
  }
}
