/**
 * The post-run audit (pure): given what the load generator saw and what SQLite and Redis hold
 * afterwards, every check must pass or the run fails, however fast it was.
 *
 * - every 202'd bet id is in SQLite exactly once, accepted or rejected with a reason (or settled);
 * - no duplicates: no bet id handed out twice, no (user, clientBetId) stored twice, no stake
 *   debited twice; SQLite holds no bet the generator did not get a 202 for, beyond requests that
 *   ended without any answer;
 * - the consumer groups' pending lists are drained;
 * - every 202'd bet of a WebSocket wallet got its accepted/rejected event;
 * - integrity-cron, run once on the data directory and Redis as in production, passes: every
 *   segment, the roll-over links and anchors, every bet against its ledger rows, balance ==
 *   SUM(ledger) per user and Redis' balance cache and exposure keys against SQLite. Those checks
 *   live in integrity-cron only; this audit adds what only the load generator knows (which bets
 *   were 202'd, which got no answer, what the WebSockets saw).
 */

export interface SqliteBet {
  id: string;
  status: string;
  reason: string | null;
}

export interface GroupPending {
  stream: string;
  group: string;
  pending: number;
  /** Pending entries idle longer than the audit's limit. */
  idlePending: number;
  /** Entries not yet delivered to the group (XINFO GROUPS lag), null when Redis cannot tell. */
  lag: number | null;
}

export interface AuditInput {
  ackedBetIds: readonly string[];
  /** Requests that ended without any HTTP answer (their bets may or may not be admitted). */
  unanswered: number;
  sqliteBets: readonly SqliteBet[];
  /** (user, client_bet_id) pairs stored more than once. */
  duplicateClientBetIds: number;
  /** Count of `bet_stake` ledger rows per bet id. */
  stakeRowsByBet: ReadonlyMap<string, number>;
  /** integrity-cron's verdict on the data directory and Redis: its summary and every problem it named. */
  integrity: { ok: boolean; summary: string; problems: readonly string[] };
  /** Bet id → reason of the `tap:bets` entries in `tap:dead-letter`: why a 202'd bet is missing. */
  deadLetteredBets?: ReadonlyMap<string, string>;
  groups: readonly GroupPending[];
  /** Streams whose groups must be fully drained (the others only without idle entries). */
  drainedStreams: readonly string[];
  ws: { tracked: number; missing: number; missingSample: readonly string[] } | null;
}

export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  checks: AuditCheck[];
  /** The bet counts behind the checks (the chaos runner's lost / doubled columns). */
  figures: AuditFigures;
}

export interface AuditFigures {
  /** Distinct 202'd bet ids. */
  acked: number;
  /** 202'd bets not in SQLite: lost. */
  missing: number;
  /** 202'd bets applied more than once: stored twice, answered twice, or with 2+ stake rows. */
  doubled: number;
  /** Bets in SQLite without a 202 seen (allowed up to the requests whose outcome is unknown). */
  unacked: number;
}

const SETTLED = new Set(['accepted', 'won', 'lost', 'void']);

export function audit(input: AuditInput): AuditReport {
  const bets = betChecks(input);
  const checks = [...bets.checks, integrityCheck(input), groupsCheck(input), wsCheck(input)].filter(
    (check): check is AuditCheck => check !== null,
  );
  return { ok: checks.every((check) => check.ok), checks, figures: bets.figures };
}

function betChecks(input: AuditInput): { checks: AuditCheck[]; figures: AuditFigures } {
  const rowsById = new Map<string, SqliteBet[]>();
  for (const bet of input.sqliteBets) rowsById.set(bet.id, [...(rowsById.get(bet.id) ?? []), bet]);
  const acked = new Set<string>();
  let ackedTwice = 0;
  for (const id of input.ackedBetIds) {
    if (acked.has(id)) ackedTwice += 1;
    acked.add(id);
  }
  let missing = 0;
  let stored2x = 0;
  let badStatus = 0;
  let stakeWrong = 0;
  const sample: string[] = [];
  for (const id of acked) {
    const rows = rowsById.get(id) ?? [];
    if (rows.length === 0) {
      missing += 1;
      const deadLettered = input.deadLetteredBets?.get(id);
      if (sample.length < 5) sample.push(deadLettered ? `${id}, dead-lettered: ${deadLettered}` : id);
      continue;
    }
    if (rows.length > 1) stored2x += 1;
    const bet = rows[0]!;
    const rejected = bet.status === 'rejected' && Boolean(bet.reason);
    if (!SETTLED.has(bet.status) && !rejected) badStatus += 1;
    const stakes = input.stakeRowsByBet.get(id) ?? 0;
    if ((rejected && stakes !== 0) || (!rejected && stakes !== 1)) stakeWrong += 1;
  }
  const unacked = [...rowsById.keys()].filter((id) => !acked.has(id)).length;
  const figures = {
    acked: acked.size,
    missing,
    doubled: stored2x + ackedTwice + stakeWrong + input.duplicateClientBetIds,
    unacked,
  };
  const checks = [
    check(
      'acked_bets_in_sqlite_once',
      missing === 0 && stored2x === 0,
      `${acked.size} 202'd bets: ${missing} missing from SQLite${sample.length ? ` (e.g. ${sample.join(', ')})` : ''}, ${stored2x} stored more than once`,
    ),
    check(
      'acked_bets_have_final_status',
      badStatus === 0,
      `${badStatus} 202'd bets neither accepted/settled nor rejected with a reason`,
    ),
    check(
      'no_duplicates',
      ackedTwice === 0 && input.duplicateClientBetIds === 0 && stakeWrong === 0,
      `${ackedTwice} bet ids answered twice, ${input.duplicateClientBetIds} (user, clientBetId) stored twice, ` +
        `${stakeWrong} bets whose bet_stake ledger rows are not exactly 1 (accepted) or 0 (rejected)`,
    ),
    check(
      'no_unacknowledged_bets',
      unacked <= input.unanswered,
      `${unacked} bets in SQLite without a 202 seen; ${input.unanswered} requests ended without an answer`,
    ),
  ];
  return { checks, figures };
}

function integrityCheck({ integrity }: AuditInput): AuditCheck {
  const named = integrity.problems.slice(0, 3).join('; ');
  return check(
    'integrity_cron',
    integrity.ok,
    integrity.ok ? integrity.summary : `${integrity.summary}: ${named}`,
  );
}

function groupsCheck(input: AuditInput): AuditCheck {
  const bad = input.groups.filter((g) =>
    input.drainedStreams.includes(g.stream) ? g.pending > 0 || (g.lag ?? 0) > 0 : g.idlePending > 0,
  );
  const shown = input.groups.map((g) => `${g.stream}/${g.group} pending ${g.pending} lag ${g.lag ?? '?'}`);
  return check('consumer_groups_drained', bad.length === 0, shown.join('; ') || 'no consumer groups');
}

function wsCheck(input: AuditInput): AuditCheck | null {
  if (!input.ws) return null;
  const { tracked, missing, missingSample } = input.ws;
  const example = missingSample.length ? ` (e.g. ${missingSample.slice(0, 3).join(', ')})` : '';
  return check(
    'ws_events_delivered',
    missing === 0,
    `${tracked - missing} of ${tracked} 202'd bets of WebSocket wallets got accepted/rejected${example}`,
  );
}

function check(name: string, ok: boolean, detail: string): AuditCheck {
  return { name, ok, detail };
}
