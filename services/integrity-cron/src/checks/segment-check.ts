/**
 * Checks one segment file through a read-only connection (SPEC §7, §8): the segment's own proof
 * from @tap/domain — SQLite's `quick_check`, the ledger hash chain from its first row,
 * `balance == SUM(ledger.amount)` for every user inside the file (each segment verifies on its own),
 * the same proof the archiver runs before archiving and restore after restoring — and the per-user
 * chains the trader and dispute queries walk (user-chains.ts). Returns the broken rules found.
 */
import {
  openSegmentReadOnly,
  proveSegment,
  readSegmentState,
  type SegmentFile,
  segmentLinkProblems,
} from '@tap/domain';
import { userChainProblems } from './user-chains.js';

export interface SegmentReport {
  path: string;
  ledgerRows: number;
  problems: string[];
}

export function checkSegment(path: string): SegmentReport {
  const db = openSegmentReadOnly(path);
  try {
    const proof = proveSegment(db, 'quick_check');
    return { path, ledgerRows: proof.ledgerRows, problems: [...proof.problems, ...userChainProblems(db)] };
  } finally {
    db.close();
  }
}

/**
 * Each consecutive pair of segments (oldest first): the newer opens with what the older closed. A
 * pair whose older segment is still `closing` is a roll-over in progress (the batcher is carrying
 * users and open bets into the newer one; the closing record comes when it is done): its link is
 * checked by the next run, and a roll-over stuck that way shows in the batcher's health and metrics.
 */
export function checkLinks(files: readonly SegmentFile[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < files.length; i += 1) {
    const [older, newer] = [files[i - 1]!, files[i]!];
    const [olderDb, newerDb] = [openSegmentReadOnly(older.path), openSegmentReadOnly(newer.path)];
    try {
      if (readSegmentState(olderDb) === 'closing') continue;
      problems.push(
        ...segmentLinkProblems({ name: older.name, db: olderDb }, { name: newer.name, db: newerDb }),
      );
    } finally {
      olderDb.close();
      newerDb.close();
    }
  }
  return problems;
}
