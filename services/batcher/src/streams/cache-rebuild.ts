/**
 * Rebuilds the Redis balance cache and exposure keys at start, before any entry is consumed
 * (SPEC §6.4, docs/bet-path.md): DEL the ready flag (admission refuses bets while it is missing),
 * compute the cache from the segment and the in-flight bets, drop the keys of those families that
 * should not exist, write the rest, SET the flag. Runs once; the key families are SCANned.
 */
import { type CachePlan, type Channels, planCache, readInFlightBets } from '@tap/channels';
import type { BetEntry } from '@tap/domain';
import type { Logger, Redis } from '@tap/runtime';
import type Database from 'better-sqlite3';

const SCAN_COUNT = 1_000;
const WRITE_CHUNK = 1_000;

export interface RebuildResult {
  keys: number;
  inFlightBets: number;
  /** The bets stream's last-delivered id: where drift resyncs start counting in-flight stakes. */
  lastDeliveredBetsId: string;
}

export async function rebuildBalanceCache(options: {
  redis: Redis;
  channels: Channels;
  db: Database.Database;
  betExists(betId: string): boolean;
  log: Logger;
}): Promise<RebuildResult> {
  const { redis, channels, db, log } = options;
  const startedAt = Date.now();
  await redis.del(channels.keys.balanceCacheReady);
  // One read transaction for all the lookups: outside a transaction each SELECT opens its own
  // (a WAL read lock per query), measured ~10 µs each — 2 s of a restart with 200,000 bets in flight,
  // all of it with admission closed.
  const unstored = db.transaction((candidates: BetEntry[]) =>
    candidates.filter((bet) => !options.betExists(bet.betId)),
  );
  const inFlight = await readInFlightBets(redis, channels, unstored);
  const plan = planCache(db, inFlight.bets, channels, Date.now());
  const dropped = await dropStaleKeys(redis, channels, plan);
  await writePlan(redis, plan);
  await redis.set(channels.keys.balanceCacheReady, '1');
  const result = {
    keys: plan.size,
    inFlightBets: inFlight.bets.length,
    lastDeliveredBetsId: inFlight.lastDeliveredId,
  };
  log.info({ ...result, dropped, durationMs: Date.now() - startedAt }, 'cache.rebuilt');
  return result;
}

async function dropStaleKeys(redis: Redis, channels: Channels, plan: CachePlan): Promise<number> {
  let dropped = 0;
  for (const pattern of Object.values(channels.patterns)) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      const stale = found.filter((key) => !plan.has(key));
      if (stale.length > 0) dropped += await redis.unlink(...stale);
      cursor = next;
    } while (cursor !== '0');
  }
  return dropped;
}

async function writePlan(redis: Redis, plan: CachePlan): Promise<void> {
  const entries = [...plan];
  for (let i = 0; i < entries.length; i += WRITE_CHUNK) {
    const pipeline = redis.pipeline();
    for (const [key, { value, expireAtMs }] of entries.slice(i, i + WRITE_CHUNK)) {
      if (expireAtMs === undefined) pipeline.set(key, value);
      else pipeline.set(key, value, 'PXAT', expireAtMs);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }
}
