/**
 * Gathers what the audit compares, after the batcher has drained: the bets, balances and ledger
 * sums of every segment in the data directory (read-only connections, as every reader does), the
 * Redis balance cache, and each consumer group's pending list.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Channels } from '@tap/channels';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import type { GroupPending, SqliteBet, UserBalance } from './audit.js';

const IDLE_LIMIT_MS = 5_000;

export interface SegmentFacts {
  sqliteBets: SqliteBet[];
  duplicateClientBetIds: number;
  stakeRowsByBet: Map<string, number>;
  users: UserBalance[];
}

export function readSegments(dataDir: string): SegmentFacts {
  const dir = join(dataDir, 'segments');
  const files = readdirSync(dir).filter((name) => name.endsWith('.db'));
  const facts: SegmentFacts = {
    sqliteBets: [],
    duplicateClientBetIds: 0,
    stakeRowsByBet: new Map(),
    users: [],
  };
  for (const file of files) {
    const db = new Database(join(dir, file), { readonly: true, fileMustExist: true });
    try {
      // Row by row: a spread of hundreds of thousands of rows would overflow the call stack.
      for (const bet of db
        .prepare('SELECT id, status, reason FROM bets')
        .iterate() as IterableIterator<SqliteBet>) {
        facts.sqliteBets.push(bet);
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
      for (const row of stakes)
        facts.stakeRowsByBet.set(row.id, (facts.stakeRowsByBet.get(row.id) ?? 0) + row.n);
      const users = db
        .prepare(
          `SELECT u.id AS userId, u.balance AS balance, COALESCE(l.total, 0) AS ledgerSum
             FROM users u
             LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM transaction_ledger GROUP BY user_id) l
               ON l.user_id = u.id`,
        )
        .all() as UserBalance[];
      for (const user of users) facts.users.push(user);
    } finally {
      db.close();
    }
  }
  return facts;
}

export async function readCacheBalances(
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

function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
