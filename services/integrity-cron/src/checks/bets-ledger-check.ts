/**
 * Bets ↔ ledger (issue 18): every bet has exactly the ledger rows its state implies, and every bet
 * ledger row has its bet. Per bet (its home copy: the one not carried away):
 *
 * | status   | bet_stake        | bet_payout                         | bet_refund     |
 * |----------|------------------|------------------------------------|----------------|
 * | rejected | none             | none                               | none           |
 * | accepted | one, −stake      | none                               | none           |
 * | won      | one, −stake      | one, +payout = ⌊stake·M / 10 000⌋  | none           |
 * | lost     | one, −stake      | none                               | none           |
 * | void     | one, −stake      | none                               | one, +stake    |
 *
 * and every row is the bet's own user's. The stake row lives in the segment where the bet was
 * placed, the payout or refund in the segment where it settled: a bet still open at a roll-over is
 * carried (the old copy names `carried_to`, stays `accepted` and must hold no payout or refund), so
 * a home copy without a stake row is looked up in the older local segments, along its carried
 * copies. A carried bet whose origin segment is no longer local is counted (`carriedFromArchived`),
 * not judged. Every `bet_*` row must name a bet of its own segment (the stake sits with the placed
 * copy, the payout or refund with the settled one).
 *
 * SQL does the per-segment work (one GROUP BY over the ledger's `ledger_by_ref` index joined to
 * bets, linear); only rows that break a rule come back to JS. At most PROBLEMS_MAX are named per
 * segment and rule; the rest are counted.
 */
import type { SegmentFile } from '@tap/domain';
import { openSegmentReadOnly } from '@tap/domain';
import type Database from 'better-sqlite3';

const PROBLEMS_MAX = 20;

export interface BetsLedgerReport {
  betsChecked: number;
  carriedFromArchived: number;
  problems: string[];
}

interface Verdict {
  id: string;
  user_id: string;
  status: string;
  stake: number;
  payout: number;
  multiplier_bp: number;
  carried_to: string | null;
  stakes: number;
  stake_sum: number;
  payouts: number;
  payout_sum: number;
  refunds: number;
  refund_sum: number;
  users: string | null;
}

const LEDGER_BY_BET = `SELECT ref_id,
    SUM(ref_type = 'bet_stake') AS stakes, SUM(IIF(ref_type = 'bet_stake', amount, 0)) AS stake_sum,
    SUM(ref_type = 'bet_payout') AS payouts, SUM(IIF(ref_type = 'bet_payout', amount, 0)) AS payout_sum,
    SUM(ref_type = 'bet_refund') AS refunds, SUM(IIF(ref_type = 'bet_refund', amount, 0)) AS refund_sum,
    GROUP_CONCAT(DISTINCT user_id) AS users
  FROM transaction_ledger WHERE ref_type IN ('bet_stake', 'bet_payout', 'bet_refund') GROUP BY ref_id`;

/** The settlement rows a home copy's status needs (its stake is checked apart: it may be older). */
const SETTLED_OK = `CASE status
    WHEN 'rejected' THEN stakes = 0 AND payouts = 0 AND refunds = 0
    WHEN 'won' THEN payouts = 1 AND payout_sum = payout AND payout = stake * multiplier_bp / 10000 AND refunds = 0
    WHEN 'void' THEN refunds = 1 AND refund_sum = stake AND payouts = 0
    ELSE payouts = 0 AND refunds = 0 END`;

const STAKE_OK = `(status = 'rejected' OR (stakes = 1 AND stake_sum = -stake))`;

/**
 * Rows that break a rule, or home copies without a stake row here (perhaps carried in). Every
 * aggregate is COALESCEd first: a bet without ledger rows must compare as 0 rows, never as NULL
 * (which would make the whole rule NULL and the row vanish from the result).
 */
const SUSPECTS = `WITH l AS (${LEDGER_BY_BET})
  SELECT * FROM (
    SELECT b.id, b.user_id, b.status, b.stake, b.payout, b.multiplier_bp, b.carried_to,
      COALESCE(l.stakes, 0) AS stakes, COALESCE(l.stake_sum, 0) AS stake_sum,
      COALESCE(l.payouts, 0) AS payouts, COALESCE(l.payout_sum, 0) AS payout_sum,
      COALESCE(l.refunds, 0) AS refunds, COALESCE(l.refund_sum, 0) AS refund_sum, l.users
    FROM bets b LEFT JOIN l ON l.ref_id = b.id)
  WHERE NOT (
    (users IS NULL OR users = user_id) AND
    CASE WHEN carried_to IS NOT NULL
      THEN status = 'accepted' AND payouts = 0 AND refunds = 0
        AND (stakes = 0 OR (stakes = 1 AND stake_sum = -stake))
      ELSE ${STAKE_OK} AND ${SETTLED_OK} END)
  ORDER BY id`;

const ORPHANS = `SELECT id, ref_type, ref_id, user_id FROM transaction_ledger
  WHERE ref_type IN ('bet_stake', 'bet_payout', 'bet_refund') AND ref_id NOT IN (SELECT id FROM bets)
  ORDER BY id LIMIT ?`;

/** `files` oldest first, as listSegments gives them. */
export function checkBetsLedger(files: readonly SegmentFile[]): BetsLedgerReport {
  const report: BetsLedgerReport = { betsChecked: 0, carriedFromArchived: 0, problems: [] };
  const dbs = files.map((file) => openSegmentReadOnly(file.path));
  try {
    // Only when the oldest local segment continues an earlier one can a bet come from a segment
    // that is not here (archived and deleted); in a data directory's first segment every stake is local.
    const oldest = dbs[0];
    const earlierExists =
      oldest !== undefined &&
      oldest.prepare(`SELECT 1 FROM meta WHERE key = 'rollover_from'`).get() !== undefined;
    files.forEach((file, index) => {
      checkOne(file.name, dbs[index]!, { older: dbs.slice(0, index), earlierExists }, report);
    });
  } finally {
    for (const db of dbs) db.close();
  }
  return report;
}

interface Older {
  /** The local segments before this one, oldest first. */
  older: Database.Database[];
  earlierExists: boolean;
}

function checkOne(name: string, db: Database.Database, older: Older, report: BetsLedgerReport) {
  report.betsChecked += (db.prepare('SELECT COUNT(*) FROM bets').pluck().get() as number) ?? 0;
  const named: string[] = [];
  let found = 0;
  for (const row of db.prepare(SUSPECTS).iterate() as IterableIterator<Verdict>) {
    const problem = judge(row, older, report);
    if (problem === undefined) continue;
    found += 1;
    if (named.length < PROBLEMS_MAX) named.push(`${name}: ${problem}`);
  }
  if (found > named.length)
    named.push(`${name}: … and ${found - named.length} more bets with wrong ledger rows`);
  const orphans = db.prepare(ORPHANS).all(PROBLEMS_MAX) as {
    id: number;
    ref_type: string;
    ref_id: string;
    user_id: string;
  }[];
  for (const o of orphans) {
    named.push(
      `${name}: ledger row ${o.id} (${o.ref_type} of ${o.user_id}) names bet ${o.ref_id}, which is not in the segment`,
    );
  }
  report.problems.push(...named);
}

/** Undefined when the row is fine after all (a carried-in bet whose stake is in an older segment). */
function judge(row: Verdict, older: Older, report: BetsLedgerReport): string | undefined {
  const what = `bet ${row.id} (${row.status}${row.carried_to ? `, carried to ${row.carried_to}` : ''}) of ${row.user_id}`;
  if (row.users !== null && row.users !== row.user_id) return `${what} has ledger rows of ${row.users}`;
  const carriedIn = row.carried_to === null && row.status !== 'rejected' && row.stakes === 0;
  if (!carriedIn) return `${what}: ${describe(row)}`;
  const origin = stakeInOlder(row.id, older);
  if (origin === 'not_local') {
    report.carriedFromArchived += 1;
    return settledOk(row) ? undefined : `${what}: ${describe(row)}`;
  }
  if (origin === 'missing') return `${what} has no bet_stake row in any local segment`;
  const fixed = { ...row, stakes: origin.stakes, stake_sum: origin.sum };
  if (origin.stakes !== 1 || origin.sum !== -row.stake || !settledOk(fixed))
    return `${what}: ${describe(fixed)}`;
  return undefined;
}

/** The stake row(s) of a carried-in bet, walking back along its carried copies. */
function stakeInOlder(
  betId: string,
  { older, earlierExists }: Older,
): { stakes: number; sum: number } | 'not_local' | 'missing' {
  for (let i = older.length - 1; i >= 0; i -= 1) {
    const db = older[i]!;
    const copy = db.prepare('SELECT carried_to FROM bets WHERE id = ?').get(betId) as
      | { carried_to: string | null }
      | undefined;
    if (!copy) return 'missing';
    const stake = db
      .prepare(
        `SELECT COUNT(*) AS stakes, COALESCE(SUM(amount), 0) AS sum FROM transaction_ledger
         WHERE ref_type = 'bet_stake' AND ref_id = ?`,
      )
      .get(betId) as { stakes: number; sum: number };
    if (stake.stakes > 0) return stake;
  }
  return earlierExists ? 'not_local' : 'missing';
}

function settledOk(row: Verdict): boolean {
  const payouts = row.payouts === 0 && row.refunds === 0;
  if (row.status === 'won') {
    const due = Math.floor((row.stake * row.multiplier_bp) / 10_000);
    return row.payouts === 1 && row.payout_sum === row.payout && row.payout === due && row.refunds === 0;
  }
  if (row.status === 'void') return row.refunds === 1 && row.refund_sum === row.stake && row.payouts === 0;
  return payouts;
}

function describe(row: Verdict): string {
  return (
    `stake ${row.stake}, payout ${row.payout}; ledger has ${row.stakes} bet_stake (${row.stake_sum}), ` +
    `${row.payouts} bet_payout (${row.payout_sum}), ${row.refunds} bet_refund (${row.refund_sum})`
  );
}
