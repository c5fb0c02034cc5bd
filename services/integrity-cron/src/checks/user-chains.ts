/**
 * The per-user chains of a segment (schema migration 3): a trader's bets and ledger rows are listed
 * by walking `users.last_*_id` → `prev_user_*_id`, so a broken link or head hides rows from the
 * trader and from dispute queries without breaking the hash chain or any balance. Checked here:
 *
 * - ledger: every row links to the same user's previous row (the first to none), every head is the
 *   user's newest row, and every row belongs to a user the segment knows (else its balance check
 *   could not see it);
 * - bets: the same, except that a user's oldest bets may be unlinked — a bet of a wallet that had
 *   no `users` row yet (so refused as `insufficient_funds`) is stored outside the chain. The bets
 *   without a link must therefore be the user's first ones, all of them such refusals except the
 *   last (the chain's own first bet); and a user with linked bets must have a head.
 *
 * Window functions sort each table by (user, id): fine for a daily job, linear in the segment.
 * At most PROBLEMS_MAX findings per rule are reported.
 */
import type Database from 'better-sqlite3';

const PROBLEMS_MAX = 20;

export function userChainProblems(db: Database.Database): string[] {
  return [...ledgerLinks(db), ...ledgerHeads(db), ...ledgerOrphans(db), ...betLinks(db), ...betHeads(db)];
}

interface Link {
  id: string | number;
  user_id: string;
  prev: string | number | null;
  expected: string | number | null;
}

const linkProblem = (table: string) => (row: Link) =>
  `${table} row ${row.id} of ${row.user_id} links to ${row.prev ?? 'nothing'}, expected ${row.expected ?? 'nothing'}`;

function ledgerLinks(db: Database.Database): string[] {
  const rows = db
    .prepare<[number], Link>(
      `SELECT id, user_id, prev, expected FROM (
         SELECT id, user_id, prev_user_ledger_id AS prev,
           LAG(id) OVER (PARTITION BY user_id ORDER BY id) AS expected
         FROM transaction_ledger)
       WHERE prev IS NOT expected ORDER BY id LIMIT ?`,
    )
    .all(PROBLEMS_MAX);
  return rows.map(linkProblem('ledger'));
}

function ledgerHeads(db: Database.Database): string[] {
  const rows = db
    .prepare<[number], { id: string; head: number | null; newest: number | null }>(
      `SELECT u.id, u.last_ledger_id AS head, l.newest FROM users u
       LEFT JOIN (SELECT user_id, MAX(id) AS newest FROM transaction_ledger GROUP BY user_id) l
         ON l.user_id = u.id
       WHERE u.last_ledger_id IS NOT l.newest ORDER BY u.id LIMIT ?`,
    )
    .all(PROBLEMS_MAX);
  return rows.map((u) => `user ${u.id}: ledger head ${u.head ?? 'none'}, newest row ${u.newest ?? 'none'}`);
}

function ledgerOrphans(db: Database.Database): string[] {
  const rows = db
    .prepare<[number], { user_id: string; rows: number }>(
      `SELECT user_id, COUNT(*) AS rows FROM transaction_ledger
       WHERE user_id NOT IN (SELECT id FROM users) GROUP BY user_id ORDER BY user_id LIMIT ?`,
    )
    .all(PROBLEMS_MAX);
  return rows.map((o) => `ledger rows of unknown user ${o.user_id}: ${o.rows}`);
}

function betLinks(db: Database.Database): string[] {
  const rows = db
    .prepare<[number], Link & { outside: number }>(
      `SELECT id, user_id, prev, expected,
         prev IS NULL AND n < unlinked AND NOT (status = 'rejected' AND reason IS 'insufficient_funds') AS outside
       FROM (
         SELECT id, user_id, status, reason, prev_user_bet_id AS prev,
           LAG(id) OVER byUser AS expected,
           ROW_NUMBER() OVER byUser AS n,
           SUM(prev_user_bet_id IS NULL) OVER (PARTITION BY user_id) AS unlinked
         FROM bets WINDOW byUser AS (PARTITION BY user_id ORDER BY id))
       WHERE (prev IS NOT NULL AND prev IS NOT expected) OR (prev IS NULL AND n > unlinked) OR outside
       ORDER BY id LIMIT ?`,
    )
    .all(PROBLEMS_MAX);
  return rows.map((row) =>
    row.outside
      ? `bet row ${row.id} of ${row.user_id} is outside the user's chain (only bets refused before the wallet had funds may be)`
      : linkProblem('bet')(row),
  );
}

function betHeads(db: Database.Database): string[] {
  const rows = db
    .prepare<[number], { id: string; head: string | null; newest: string | null }>(
      `SELECT u.id, u.last_bet_id AS head, b.newest FROM users u
       JOIN (SELECT user_id, MAX(id) AS newest, MAX(prev_user_bet_id IS NOT NULL) AS linked
             FROM bets GROUP BY user_id) b ON b.user_id = u.id
       WHERE (u.last_bet_id IS NOT NULL AND u.last_bet_id IS NOT b.newest)
          OR (u.last_bet_id IS NULL AND b.linked)
       ORDER BY u.id LIMIT ?`,
    )
    .all(PROBLEMS_MAX);
  return rows.map((u) => `user ${u.id}: bet head ${u.head ?? 'none'}, newest bet ${u.newest ?? 'none'}`);
}
