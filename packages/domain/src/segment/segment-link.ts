/**
 * The link between two consecutive segments (SPEC §8): the newer one opens with exactly what the
 * older one closed with. Checked by integrity-cron and the roll-over tests:
 *
 * - the older's closing record names the newer, the newer's opening names the older;
 * - the ledger hash chain runs on: the newer's opening head is the older's closing head, which is
 *   the older's newest row, and the newer's first row's `prev_hash` is that head's hash;
 * - per user: `closing_balances` equals the older's `users`, and the newer holds one `opening`
 *   row of that amount for every positive balance (none for zero), and a `users` row for everyone;
 * - every bet carried out of the older is in the newer, and none is left open in the older.
 *
 * A newer segment without an opening record was written before roll-overs existed: no link to check.
 */
import { readClosingBalances, readSegmentMeta } from './segment-meta.js';

/** The subset of a better-sqlite3 Database the check needs. */
export interface LinkDatabase {
  prepare(sql: string): {
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    iterate(...params: unknown[]): IterableIterator<unknown>;
    run(...params: unknown[]): unknown;
  };
}

export interface LinkedSegment {
  name: string;
  db: LinkDatabase;
}

export function segmentLinkProblems(older: LinkedSegment, newer: LinkedSegment): string[] {
  const opening = readSegmentMeta(newer.db).opening;
  if (opening === null) return [];
  const closing = readSegmentMeta(older.db).closing;
  const where = `${older.name} → ${newer.name}`;
  if (closing === null) return [`${where}: ${older.name} has no closing record`];
  const problems: string[] = [];
  if (closing.next !== newer.name || opening.from !== older.name) {
    problems.push(`${where}: closing names ${closing.next}, opening names ${opening.from}`);
  }
  const lastRow = older.db
    .prepare('SELECT id, hash FROM transaction_ledger ORDER BY id DESC LIMIT 1')
    .get() as { id: number; hash: string } | undefined;
  const head = closing.ledgerHead;
  if (lastRow && (lastRow.id !== head.id || lastRow.hash !== head.hash)) {
    problems.push(`${where}: closing head ${head.id} is not the newest ledger row ${lastRow.id}`);
  }
  if (opening.prevLedgerHead.id !== head.id || opening.prevLedgerHead.hash !== head.hash) {
    problems.push(`${where}: the opening head differs from the closing head`);
  }
  const first = newer.db.prepare('SELECT id, prev_hash FROM transaction_ledger ORDER BY id LIMIT 1').get() as
    | { id: number; prev_hash: string }
    | undefined;
  if (first && (first.prev_hash !== head.hash || first.id <= head.id)) {
    problems.push(`${where}: the first ledger row ${first.id} does not continue the hash chain`);
  }
  problems.push(...balanceProblems(older, newer, where), ...carriedBetProblems(older, newer, where));
  return problems;
}

function balanceProblems(older: LinkedSegment, newer: LinkedSegment, where: string): string[] {
  const problems: string[] = [];
  const olderBalance = older.db.prepare('SELECT balance FROM users WHERE id = ?');
  const newerUser = newer.db.prepare('SELECT 1 FROM users WHERE id = ?');
  // One pass over the opening rows (the ref index): looked up per user, the index gives every
  // opening row of the segment, so 100,000 users cost 10^10 row visits.
  const openingRows = new Map<string, number[]>();
  const openings = newer.db
    .prepare(
      "SELECT user_id AS userId, amount FROM transaction_ledger WHERE ref_type = 'opening' AND ref_id = ?",
    )
    .iterate(older.name) as IterableIterator<{ userId: string; amount: number }>;
  for (const { userId, amount } of openings)
    openingRows.set(userId, [...(openingRows.get(userId) ?? []), amount]);
  let closed = 0;
  for (const user of readClosingBalances(older.db)) {
    closed += 1;
    const now = (olderBalance.get(user.userId) as { balance: number } | undefined)?.balance;
    if (now !== user.balanceMicros)
      problems.push(`${where}: ${user.userId} closed at ${user.balanceMicros}, holds ${now}`);
    if (newerUser.get(user.userId) === undefined) problems.push(`${where}: ${user.userId} was not carried`);
    const amounts = openingRows.get(user.userId) ?? [];
    const expected = user.balanceMicros > 0 ? [user.balanceMicros] : [];
    if (amounts.join() !== expected.join()) {
      problems.push(
        `${where}: ${user.userId} closed at ${user.balanceMicros}, opened with [${amounts.join()}]`,
      );
    }
  }
  const users = (older.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  if (users !== closed) problems.push(`${where}: ${users} users, ${closed} closing balances`);
  return problems;
}

function carriedBetProblems(older: LinkedSegment, newer: LinkedSegment, where: string): string[] {
  const problems: string[] = [];
  const leftOpen = older.db
    .prepare("SELECT COUNT(*) AS n FROM bets WHERE status = 'accepted' AND carried_to IS NULL")
    .get() as { n: number };
  if (leftOpen.n > 0) problems.push(`${where}: ${leftOpen.n} bets left open in ${older.name}`);
  const inNewer = newer.db.prepare('SELECT 1 FROM bets WHERE id = ?');
  const carried = older.db
    .prepare('SELECT id FROM bets WHERE carried_to = ?')
    .iterate(newer.name) as IterableIterator<{
    id: string;
  }>;
  for (const { id } of carried) {
    if (inNewer.get(id) === undefined) problems.push(`${where}: carried bet ${id} is missing`);
  }
  return problems;
}
