/**
 * The per-user chains of a segment (schema migration 3): a trader's bets and ledger rows are listed
 * by walking `users.last_*_id` → `prev_user_*_id`, so a broken link or head hides rows from the
 * trader and from dispute queries without breaking the hash chain or any balance. Checked here:
 *
 * - ledger: every row links to the same user's previous row (the first to none), every head is the
 *   user's newest row, and every row belongs to a user the segment knows (else its balance check
 *   could not see it);
 * - bets: every link is to a bet of the same user, no bet is the previous one of two, the head is
 *   the user's and no bet links to it, the walk from the head ends at a first bet (no cycle), and
 *   every bet is on it — except a bet of a wallet that had no `users` row yet (so refused as
 *   `insufficient_funds`), stored outside the chain. Bets are checked by walking the links, not in
 *   id order: the batcher stores them in fill order (see CHAINS).
 *
 * Window functions and walks are linear in the segment: fine for a daily job.
 * At most PROBLEMS_MAX findings per rule are reported.
 */
import type Database from 'better-sqlite3';

const PROBLEMS_MAX = 20;

export function userChainProblems(db: Database.Database): string[] {
  return [...ledgerLinks(db), ...ledgerHeads(db), ...ledgerOrphans(db), ...betLinks(db), ...betHeads(db)];
}

/** A ledger row whose link is not the same user's previous row (ledger rows are stored in id order). */
interface LedgerLink {
  id: number;
  user_id: string;
  prev: number | null;
  expected: number | null;
}

function ledgerLinks(db: Database.Database): string[] {
  const rows = db
    .prepare<[number], LedgerLink>(
      `SELECT id, user_id, prev, expected FROM (
         SELECT id, user_id, prev_user_ledger_id AS prev,
           LAG(id) OVER (PARTITION BY user_id ORDER BY id) AS expected
         FROM transaction_ledger)
       WHERE prev IS NOT expected ORDER BY id LIMIT ?`,
    )
    .all(PROBLEMS_MAX);
  return rows.map(
    (row) =>
      `ledger row ${row.id} of ${row.user_id} links to ${row.prev ?? 'nothing'}, expected ${row.expected ?? 'nothing'}`,
  );
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

/**
 * Every bet reachable from its user's head by the links (a walk per user; UNION stops at a cycle).
 * The chain is in the order the batcher stored the bets, which is not always id order: under
 * next-tick entry with the adaptive fill delay a wallet's later bet can fill — and be stored —
 * before an earlier one. So the checks follow the links rather than sort by id.
 */
const CHAINS = `WITH RECURSIVE chain(user_id, id) AS (
    SELECT id, last_bet_id FROM users WHERE last_bet_id IS NOT NULL
    UNION
    SELECT c.user_id, b.prev_user_bet_id FROM chain c JOIN bets b ON b.id = c.id
    WHERE b.prev_user_bet_id IS NOT NULL)`;

function betLinks(db: Database.Database): string[] {
  const wrongTarget = db
    .prepare<[number], { id: string; user_id: string; prev: string }>(
      `SELECT b.id, b.user_id, b.prev_user_bet_id AS prev FROM bets b
       LEFT JOIN bets p ON p.id = b.prev_user_bet_id
       WHERE b.prev_user_bet_id IS NOT NULL AND (p.id IS NULL OR p.user_id IS NOT b.user_id)
       ORDER BY b.id LIMIT ?`,
    )
    .all(PROBLEMS_MAX)
    .map(
      (row) => `bet row ${row.id} of ${row.user_id} links to ${row.prev}, which is not a bet of that user`,
    );
  const forks = db
    .prepare<[number], { id: string; links: number }>(
      `SELECT prev_user_bet_id AS id, COUNT(*) AS links FROM bets WHERE prev_user_bet_id IS NOT NULL
       GROUP BY prev_user_bet_id HAVING links > 1 ORDER BY id LIMIT ?`,
    )
    .all(PROBLEMS_MAX)
    .map((row) => `bet row ${row.id} is the previous bet of ${row.links} bets (the chain forks)`);
  // Outside the chain only a refusal stored before the wallet had a `users` row (so it never had a
  // head to link to): unlinked, insufficient_funds, placed no later than the row was created.
  const outside = db
    .prepare<[number], { id: string; user_id: string }>(
      `${CHAINS}
       SELECT b.id, b.user_id FROM bets b LEFT JOIN users u ON u.id = b.user_id
       WHERE b.id NOT IN (SELECT id FROM chain)
         AND NOT (b.prev_user_bet_id IS NULL AND b.status = 'rejected' AND b.reason IS 'insufficient_funds'
                  AND (u.id IS NULL OR b.placed_at <= u.created_at))
       ORDER BY b.id LIMIT ?`,
    )
    .all(PROBLEMS_MAX)
    .map(
      (row) =>
        `bet row ${row.id} of ${row.user_id} is outside the user's chain (only bets refused before the wallet had funds may be)`,
    );
  // A walk that never meets a first bet (one without a link) went round a cycle; a walk that ran
  // into a missing bet is reported above.
  const cycles = db
    .prepare<[number], { user_id: string }>(
      `${CHAINS}
       SELECT c.user_id FROM chain c LEFT JOIN bets b ON b.id = c.id
       GROUP BY c.user_id HAVING SUM(b.id IS NULL OR b.prev_user_bet_id IS NULL) = 0
       ORDER BY c.user_id LIMIT ?`,
    )
    .all(PROBLEMS_MAX)
    .map((row) => `user ${row.user_id}: the bet chain never reaches a first bet (a cycle)`);
  return [...wrongTarget, ...forks, ...outside, ...cycles];
}

/** A user's head is one of the user's bets, and no bet links to it (it is the newest stored). */
function betHeads(db: Database.Database): string[] {
  const notTheirs = db
    .prepare<[number], { id: string; head: string }>(
      `SELECT u.id, u.last_bet_id AS head FROM users u LEFT JOIN bets h ON h.id = u.last_bet_id
       WHERE u.last_bet_id IS NOT NULL AND (h.id IS NULL OR h.user_id IS NOT u.id) ORDER BY u.id LIMIT ?`,
    )
    .all(PROBLEMS_MAX)
    .map((u) => `user ${u.id}: bet head ${u.head} is not a bet of that user`);
  const notNewest = db
    .prepare<[number], { id: string; head: string; later: string }>(
      `SELECT u.id, u.last_bet_id AS head, b.id AS later FROM users u JOIN bets b ON b.prev_user_bet_id = u.last_bet_id
       ORDER BY u.id LIMIT ?`,
    )
    .all(PROBLEMS_MAX)
    .map((u) => `user ${u.id}: bet head ${u.head} is not the newest, bet ${u.later} links to it`);
  return [...notTheirs, ...notNewest];
}
