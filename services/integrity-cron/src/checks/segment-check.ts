/**
 * Checks one segment file through a read-only connection (SPEC §7, §8): SQLite's own
 * `quick_check`, the ledger hash chain from its first row, `balance == SUM(ledger.amount)` for
 * every user inside the file — each segment verifies on its own — and the per-user chains the
 * trader and dispute queries walk (user-chains.ts). Returns the broken rules found.
 */
import {
  GENESIS_HASH,
  type LedgerRefType,
  openSegmentReadOnly,
  readSegmentMeta,
  type SegmentFile,
  segmentLinkProblems,
  verifyLedgerChain,
} from '@tap/domain';
import { userChainProblems } from './user-chains.js';

export interface SegmentReport {
  path: string;
  ledgerRows: number;
  problems: string[];
}

interface LedgerDbRow {
  id: number;
  user_id: string;
  amount: number;
  balance_after: number;
  ref_type: LedgerRefType;
  ref_id: string;
  created_at: number;
  prev_hash: string;
  hash: string;
}

export function checkSegment(path: string): SegmentReport {
  const db = openSegmentReadOnly(path);
  try {
    const problems: string[] = [];
    const quick = db.pragma('quick_check', { simple: true });
    if (quick !== 'ok') problems.push(`quick_check: ${String(quick)}`);

    const rows = db
      .prepare('SELECT * FROM transaction_ledger ORDER BY id')
      .iterate() as IterableIterator<LedgerDbRow>;
    const firstPrev = db
      .prepare('SELECT prev_hash FROM transaction_ledger ORDER BY id LIMIT 1')
      .pluck()
      .get() as string | undefined;
    // A segment opened by a roll-over continues the previous one's chain (checkLinks ties the two).
    const start = readSegmentMeta(db).opening?.prevLedgerHead.hash ?? firstPrev ?? GENESIS_HASH;
    const chain = verifyLedgerChain(mapRows(rows), start);
    if (!chain.ok) problems.push(`ledger hash chain broken at row ${chain.id}`);

    const drifted = db
      .prepare(
        `SELECT u.id, u.balance, COALESCE(l.total, 0) AS total FROM users u
         LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM transaction_ledger GROUP BY user_id) l
           ON l.user_id = u.id
         WHERE u.balance != COALESCE(l.total, 0)`,
      )
      .all() as { id: string; balance: number; total: number }[];
    for (const user of drifted)
      problems.push(`user ${user.id}: balance ${user.balance} != ledger sum ${user.total}`);

    problems.push(...userChainProblems(db));

    return { path, ledgerRows: chain.ok ? chain.rows : 0, problems };
  } finally {
    db.close();
  }
}

/** Each consecutive pair of segments (oldest first): the newer opens with what the older closed. */
export function checkLinks(files: readonly SegmentFile[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < files.length; i += 1) {
    const [older, newer] = [files[i - 1]!, files[i]!];
    const [olderDb, newerDb] = [openSegmentReadOnly(older.path), openSegmentReadOnly(newer.path)];
    try {
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

function* mapRows(rows: IterableIterator<LedgerDbRow>) {
  for (const row of rows) {
    yield {
      id: row.id,
      userId: row.user_id,
      amount: row.amount,
      balanceAfter: row.balance_after,
      refType: row.ref_type,
      refId: row.ref_id,
      createdAt: row.created_at,
      prevHash: row.prev_hash,
      hash: row.hash,
    };
  }
}
