/**
 * The proof a segment carries on its own (SPEC §7, §8), checked before it is archived and after it
 * is restored: SQLite's own integrity check, the ledger hash chain from its first row to its head,
 * and `balance == SUM(ledger.amount)` for every user inside the file. When the segment's meta holds
 * its opening and closing records (a roll-over wrote them), the chain must start at the opening's
 * previous head and end at the closing head. The head it returns is what the archive manifest
 * records, so a later copy must end at exactly that row and hash.
 *
 * Structural database type (better-sqlite3 fits), so domain needs no driver. Reads the whole
 * ledger once, streaming: linear in the segment, constant memory. At most PROBLEMS_MAX balance
 * findings are listed.
 */
import { GENESIS_HASH, type LedgerRow, verifyLedgerChain } from './ledger-hash.js';
import type { LedgerRefType } from './schema.js';
import { readSegmentMeta, type SegmentMeta } from './segment-meta.js';

const PROBLEMS_MAX = 20;

export interface ProofDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  prepare(sql: string): {
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    iterate(...params: unknown[]): IterableIterator<unknown>;
    run(...params: unknown[]): unknown;
  };
}

export interface SegmentProof {
  ok: boolean;
  problems: string[];
  ledgerRows: number;
  /** The newest ledger row (for an empty ledger: the opening's previous head, or id 0 and GENESIS_HASH). */
  head: { id: number; hash: string };
  users: number;
  bets: number;
  /** `meta.opened_at`, ms, when the segment records it. */
  openedAtMs: number | null;
}

/** `check`: `integrity_check` (archive, restore: reads every page) or `quick_check` (daily). */
export function proveSegment(db: ProofDatabase, check: 'integrity_check' | 'quick_check'): SegmentProof {
  const problems: string[] = [];
  const verdict = db.pragma(check, { simple: true });
  if (verdict !== 'ok') problems.push(`${check}: ${String(verdict)}`);

  const first = db.prepare('SELECT prev_hash FROM transaction_ledger ORDER BY id LIMIT 1').get() as
    | { prev_hash: string }
    | undefined;
  const rows = db
    .prepare('SELECT * FROM transaction_ledger ORDER BY id')
    .iterate() as IterableIterator<DbRow>;
  const chain = verifyLedgerChain(ledgerRows(rows), first?.prev_hash ?? GENESIS_HASH);
  if (!chain.ok) problems.push(`ledger hash chain broken at row ${chain.id}`);

  const drifted = db
    .prepare(
      `SELECT u.id, u.balance, COALESCE(l.total, 0) AS total FROM users u
       LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM transaction_ledger GROUP BY user_id) l
         ON l.user_id = u.id
       WHERE u.balance != COALESCE(l.total, 0) LIMIT ?`,
    )
    .all(PROBLEMS_MAX) as { id: string; balance: number; total: number }[];
  for (const user of drifted)
    problems.push(`user ${user.id}: balance ${user.balance} != ledger sum ${user.total}`);

  const head = db.prepare('SELECT id, hash FROM transaction_ledger ORDER BY id DESC LIMIT 1').get() as
    | { id: number; hash: string }
    | undefined;
  const meta = readSegmentMeta(db);
  problems.push(...recordProblems(meta, first?.prev_hash, head));
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const opened = db.prepare("SELECT value FROM meta WHERE key = 'opened_at'").get() as
    | { value: string }
    | undefined;
  return {
    ok: problems.length === 0,
    problems,
    ledgerRows: chain.ok ? chain.rows : 0,
    head: head ?? meta.opening?.prevLedgerHead ?? { id: 0, hash: GENESIS_HASH },
    users: count('SELECT COUNT(*) AS n FROM users'),
    bets: count('SELECT COUNT(*) AS n FROM bets'),
    openedAtMs: opened && /^\d+$/.test(opened.value) ? Number(opened.value) : null,
  };
}

interface DbRow {
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

function* ledgerRows(
  rows: IterableIterator<DbRow>,
): Generator<LedgerRow & { prevHash: string; hash: string }> {
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

/** The chain against the segment's own opening and closing records, when it has them. */
function recordProblems(
  meta: SegmentMeta,
  firstPrevHash: string | undefined,
  head: { id: number; hash: string } | undefined,
): string[] {
  const problems: string[] = [];
  const opening = meta.opening?.prevLedgerHead;
  if (opening && firstPrevHash !== undefined && firstPrevHash !== opening.hash) {
    problems.push(`first ledger row does not continue the opening head ${opening.id}`);
  }
  const closing = meta.closing?.ledgerHead;
  if (closing && (head?.id ?? opening?.id ?? 0) !== closing.id) {
    problems.push(`ledger ends at row ${head?.id ?? 'none'}, the closing record says ${closing.id}`);
  } else if (closing && head && head.hash !== closing.hash) {
    problems.push(`ledger head ${head.id} hash differs from the closing record`);
  }
  return problems;
}
