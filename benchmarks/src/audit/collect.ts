/**
 * Gathers what the audit compares, after the batcher has drained: the bets of every segment in the
 * data directory (each bet once: a bet carried over a roll-over counts in the newest segment
 * holding it), the balances and ledger sums of the current segment, what breaks in the closed
 * segments and the roll-over links between them (read-only connections, as every reader does),
 * the Redis balance cache, and each consumer group's pending list. `auditRun` gathers all of it and
 * audits it, the one way every scenario audits a run.
 */
import type { Channels } from '@tap/channels';
import { listSegments, openSegmentReadOnly, segmentLinkProblems } from '@tap/domain';
import type Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import {
  type AuditInput,
  type AuditReport,
  audit,
  type CacheComparison,
  type GroupPending,
  type SqliteBet,
  type UserBalance,
} from './audit.js';

const IDLE_LIMIT_MS = 5_000;
/** Reads of a wallet whose cache differed from SQLite, and the pause between them (compareCache). */
const CACHE_READS_MAX = 10;
const CACHE_REREAD_MS = 500;

export interface SegmentFacts {
  sqliteBets: SqliteBet[];
  duplicateClientBetIds: number;
  stakeRowsByBet: Map<string, number>;
  users: UserBalance[];
  segmentProblems: string[];
}

export function readSegments(dataDir: string): SegmentFacts {
  const files = listSegments(dataDir);
  const facts: SegmentFacts = {
    sqliteBets: [],
    duplicateClientBetIds: 0,
    stakeRowsByBet: new Map(),
    users: [],
    segmentProblems: [],
  };
  const homeRows = new Map<string, SqliteBet>();
  let older: { name: string; db: Database.Database } | undefined;
  for (const [i, file] of files.entries()) {
    const db = openSegmentReadOnly(file.path);
    try {
      readBets(db, homeRows, facts);
      const users = readUsers(db);
      if (i === files.length - 1) facts.users = users;
      else {
        for (const u of users.filter((user) => user.balance !== user.ledgerSum))
          facts.segmentProblems.push(
            `${file.name}: ${u.userId} balance ${u.balance} ≠ ledger ${u.ledgerSum}`,
          );
      }
      if (older) facts.segmentProblems.push(...segmentLinkProblems(older, { name: file.name, db }));
    } finally {
      older?.db.close();
      older = { name: file.name, db };
    }
  }
  older?.db.close();
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

function readUsers(db: Database.Database): UserBalance[] {
  return db
    .prepare(
      `SELECT u.id AS userId, u.balance AS balance, COALESCE(l.total, 0) AS ledgerSum
         FROM users u
         LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM transaction_ledger GROUP BY user_id) l
           ON l.user_id = u.id`,
    )
    .all() as UserBalance[];
}

async function readCacheBalances(
  redis: Redis,
  channels: Channels,
  userIds: readonly string[],
): Promise<Map<string, number | null>> {
  const balances = new Map<string, number | null>();
  for (let i = 0; i < userIds.length; i += 1_000) {
    const chunk = userIds.slice(i, i + 1_000);
    const values = await redis.mget(chunk.map((id) => channels.keys.balance(id)));
    chunk.forEach((id, j) => {
      const value = values[j];
      balances.set(id, value === null || value === undefined ? null : Number(value));
    });
  }
  return balances;
}

/** The SQLite balances of `userIds` in the current (newest) segment. */
function readSqliteBalances(dataDir: string, userIds: readonly string[]): Map<string, number> {
  const current = listSegments(dataDir).at(-1);
  const balances = new Map<string, number>();
  if (!current) return balances;
  const db = openSegmentReadOnly(current.path);
  try {
    const rows = db
      .prepare('SELECT id, balance FROM users WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(userIds)) as { id: string; balance: number }[];
    for (const row of rows) balances.set(row.id, row.balance);
  } finally {
    db.close();
  }
  return balances;
}

/**
 * The cache against SQLite (see CacheComparison): the first round compares the snapshot's balances
 * with the cache read after it; each later round reads both sides again for the wallets that still
 * differ, SQLite first, until none differ or CACHE_READS_MAX rounds were read.
 */
async function compareCache(
  stack: { redis: Redis; channels: Channels; dataDir: string },
  users: readonly UserBalance[],
): Promise<CacheComparison> {
  const sqlite = new Map(users.map((u) => [u.userId, u.balance]));
  const balances = await readCacheBalances(stack.redis, stack.channels, [...sqlite.keys()]);
  const differing = () => [...sqlite.keys()].filter((id) => balances.get(id) !== sqlite.get(id));
  let rounds = 1;
  for (let off = differing(); off.length > 0 && rounds < CACHE_READS_MAX; off = differing()) {
    await new Promise((resolve) => setTimeout(resolve, CACHE_REREAD_MS));
    for (const [id, balance] of readSqliteBalances(stack.dataDir, off)) sqlite.set(id, balance);
    for (const [id, balance] of await readCacheBalances(stack.redis, stack.channels, off))
      balances.set(id, balance);
    rounds += 1;
  }
  return { balances, sqlite, rounds };
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
 * the cache balance of every wallet SQLite holds (not only the run's: a scenario may move money of
 * others too, e.g. chaos-ws-storm's flooded user) and the consumer groups, with tap:bets and
 * tap:adjustments drained.
 * `unanswered` and `ws` come from an open-loop run with WebSocket trackers (none elsewhere).
 */
export async function auditRun(
  stack: { redis: Redis; channels: Channels; dataDir: string },
  run: {
    ackedBetIds: readonly string[];
    unanswered?: number;
    ws?: AuditInput['ws'];
  },
): Promise<AuditReport> {
  const segments = readSegments(stack.dataDir);
  return audit({
    ackedBetIds: run.ackedBetIds,
    unanswered: run.unanswered ?? 0,
    ...segments,
    cache: await compareCache(stack, segments.users),
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
