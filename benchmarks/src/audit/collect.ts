/**
 * Gathers what the audit compares, after the batcher has drained: the bets of every segment in the
 * data directory (each bet once: a bet carried over a roll-over counts in the newest segment
 * holding it; read-only connections, as every reader does), each consumer group's pending list,
 * and integrity-cron's verdict — the built job run once on the same data directory and Redis
 * (`runIntegrityCron` of the test kit), so segments, links, anchors, the ledger and Redis' cache
 * are judged by the production checker, not by a copy of it here. `auditRun` gathers all of it and
 * audits it, the one way every scenario audits a run.
 */
import type { Channels } from '@tap/channels';
import { listSegments, openSegmentReadOnly } from '@tap/domain';
import { integrityProblems, runIntegrityCron } from '@tap/testkit/standalone';
import type Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { type AuditInput, type AuditReport, audit, type GroupPending, type SqliteBet } from './audit.js';

const IDLE_LIMIT_MS = 5_000;

export interface SegmentFacts {
  sqliteBets: SqliteBet[];
  duplicateClientBetIds: number;
  stakeRowsByBet: Map<string, number>;
  /** The current segment's balances (chaos compares their total before and after an attack). */
  balances: { userId: string; balance: number }[];
}

export function readSegments(dataDir: string): SegmentFacts {
  const facts: SegmentFacts = {
    sqliteBets: [],
    duplicateClientBetIds: 0,
    stakeRowsByBet: new Map(),
    balances: [],
  };
  const homeRows = new Map<string, SqliteBet>();
  for (const file of listSegments(dataDir)) {
    const db = openSegmentReadOnly(file.path);
    try {
      readBets(db, homeRows, facts);
      facts.balances = db
        .prepare('SELECT id AS userId, balance FROM users')
        .all() as SegmentFacts['balances'];
    } finally {
      db.close();
    }
  }
  // Row by row: a spread of hundreds of thousands of rows would overflow the call stack.
  for (const bet of homeRows.values()) facts.sqliteBets.push(bet);
  return facts;
}

/** Newer segments overwrite older copies: a carried bet counts once, as its newest segment holds it. */
function readBets(db: Database.Database, homeRows: Map<string, SqliteBet>, facts: SegmentFacts): void {
  for (const bet of db
    .prepare('SELECT id, status, reason FROM bets')
    .iterate() as IterableIterator<SqliteBet>) {
    homeRows.set(bet.id, bet);
  }
  const dup = db
    .prepare(
      'SELECT COUNT(*) AS n FROM (SELECT 1 FROM bets GROUP BY user_id, client_bet_id HAVING COUNT(*) > 1)',
    )
    .get() as { n: number };
  facts.duplicateClientBetIds += dup.n;
  const stakes = db
    .prepare(
      "SELECT ref_id AS id, COUNT(*) AS n FROM transaction_ledger WHERE ref_type = 'bet_stake' GROUP BY ref_id",
    )
    .all() as { id: string; n: number }[];
  for (const row of stakes) facts.stakeRowsByBet.set(row.id, (facts.stakeRowsByBet.get(row.id) ?? 0) + row.n);
}

/** Bet id → reason of every `tap:bets` entry in `tap:dead-letter` (its raw entry names the bet). */
async function readDeadLetteredBets(redis: Redis, channels: Channels): Promise<Map<string, string>> {
  const entries = (await redis.xrange(channels.streams.deadLetter, '-', '+', 'COUNT', 10_000)) as [
    string,
    string[],
  ][];
  const bets = new Map<string, string>();
  for (const [, fields] of entries) {
    const letter = JSON.parse(fields[1] ?? '{}') as { stream?: string; reason?: string; raw?: string };
    const betId = letter.raw?.match(/"betId":"([^"]+)"/)?.[1];
    if (letter.stream === channels.streams.bets && betId) bets.set(betId, letter.reason ?? '?');
  }
  return bets;
}

/** Every consumer group of the streams the batcher and friends read. */
export async function readGroups(redis: Redis, channels: Channels): Promise<GroupPending[]> {
  const { bets, adjustments, settlements, prices } = channels.streams;
  const groups: GroupPending[] = [];
  for (const stream of [bets, adjustments, settlements, prices]) {
    let infos: unknown[];
    try {
      infos = (await redis.xinfo('GROUPS', stream)) as unknown[];
    } catch {
      // The stream does not exist (nothing was ever written to it): no group to drain.
      continue;
    }
    for (const raw of infos) {
      const info = pairs(raw as unknown[]);
      const group = String(info.name);
      const idle = (await redis.call(
        'XPENDING',
        stream,
        group,
        'IDLE',
        IDLE_LIMIT_MS,
        '-',
        '+',
        1000,
      )) as unknown[];
      groups.push({
        stream,
        group,
        pending: Number(info.pending ?? 0),
        idlePending: idle.length,
        lag: info.lag === null || info.lag === undefined ? null : Number(info.lag),
      });
    }
  }
  return groups;
}

/**
 * The ids of the stored bets whose clientBetId is in `clientBetIds`: the bets of a generator that
 * does not read its answers' bodies (wrk), so their 202s can be audited like the harness's.
 */
export function readBetIdsByClientBetId(dataDir: string, clientBetIds: ReadonlySet<string>): string[] {
  const ids = new Set<string>();
  for (const file of listSegments(dataDir)) {
    const db = openSegmentReadOnly(file.path);
    try {
      const rows = db
        .prepare('SELECT id, client_bet_id AS clientBetId FROM bets')
        .iterate() as IterableIterator<{
        id: string;
        clientBetId: string;
      }>;
      for (const row of rows) if (clientBetIds.has(row.clientBetId)) ids.add(row.id);
    } finally {
      db.close();
    }
  }
  return [...ids];
}

/** Waits until the batcher group on tap:bets and tap:adjustments has nothing pending or undelivered. */
export async function waitForBatcherDrain(
  redis: Redis,
  channels: Channels,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const drained = [channels.streams.bets, channels.streams.adjustments];
  while (Date.now() < deadline) {
    const groups = (await readGroups(redis, channels)).filter((g) => drained.includes(g.stream));
    if (groups.every((g) => g.pending === 0 && (g.lag ?? 0) === 0)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/**
 * Audits a run on a stack: the bets the run was acknowledged (202'd or pre-filled), every segment,
 * the consumer groups, with tap:bets and tap:adjustments drained, and integrity-cron's run.
 * `unanswered` and `ws` come from an open-loop run with WebSocket trackers (none elsewhere).
 */
export async function auditRun(
  stack: { redis: Redis; redisUrl: string; channels: Channels; dataDir: string },
  run: { ackedBetIds: readonly string[]; unanswered?: number; ws?: AuditInput['ws'] },
): Promise<AuditReport> {
  const { sqliteBets, duplicateClientBetIds, stakeRowsByBet } = readSegments(stack.dataDir);
  // Money may still move after a run (the batcher's dead-man sweep refunds overdue bets, SQLite a
  // few ms before the cache): integrity-cron tells such a race from a drift by reading a differing
  // key again; up to 10 reads 500 ms apart here, as long as the sweep of a long run can take.
  const cron = await runIntegrityCron(
    { ...stack, prefix: stack.channels.prefix },
    { CACHE_SETTLE_MS: '500', CACHE_ROUNDS_MAX: '10' },
  );
  const checked = cron.report.checks.map((c) => (c.scope ? `${c.check} ${c.scope}` : c.check));
  return audit({
    ackedBetIds: run.ackedBetIds,
    unanswered: run.unanswered ?? 0,
    sqliteBets,
    duplicateClientBetIds,
    stakeRowsByBet,
    integrity: {
      ok: cron.code === 0 && cron.report.ok,
      summary: `${cron.report.summary} (${checked.join(', ')})`,
      problems: integrityProblems(cron.report),
    },
    deadLetteredBets: await readDeadLetteredBets(stack.redis, stack.channels),
    groups: await readGroups(stack.redis, stack.channels),
    drainedStreams: [stack.channels.streams.bets, stack.channels.streams.adjustments],
    ws: run.ws ?? null,
  });
}

function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
