/**
 * Rebuilds the Redis balance cache and exposure keys at start, before any entry is consumed
 * (SPEC §6.4, docs/bet-path.md): DEL the ready flag (admission refuses bets while it is missing),
 * compute the cache from the segment and the in-flight bets, drop the keys of those families that
 * should not exist (for a wallet hash: its cache fields; its bet rate bucket stays), write the
 * rest, SET the flag. Runs once; the keys are SCANned once. The families of the layout before the
 * wallet hash (`legacyPatterns`) are deleted whole.
 */
import {
  type CachePlan,
  type Channels,
  planCache,
  readInFlightBets,
  slotName,
  WALLET_FIELDS,
} from '@tap/channels';
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

const CACHE_FIELDS = [WALLET_FIELDS.balance, WALLET_FIELDS.exposure, WALLET_FIELDS.openBets] as const;

/**
 * Keys, or a wallet's cache fields, that the plan does not hold: a key or field dropped counts 1.
 * One SCAN over the prefix, each key sorted into its family by the families' patterns (each a
 * prefix and `*`): a SCAN with MATCH still walks the whole keyspace, so one walk per family cost a
 * restart five walks — with admission closed.
 */
async function dropStaleKeys(redis: Redis, channels: Channels, plan: CachePlan): Promise<number> {
  const { cachePatterns, legacyPatterns } = channels;
  const exposure = prefixOf(cachePatterns.exposure);
  const wallets = prefixOf(cachePatterns.wallets);
  const legacy = Object.values(legacyPatterns).map(prefixOf);
  let dropped = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${channels.prefix}*`, 'COUNT', SCAN_COUNT);
    const unlink = found.filter(
      (key) =>
        (key.startsWith(exposure) && !plan.has(key)) || legacy.some((family) => key.startsWith(family)),
    );
    if (unlink.length > 0) dropped += await redis.unlink(...unlink);
    dropped += await dropStaleWalletFields(
      redis,
      plan,
      found.filter((key) => key.startsWith(wallets)),
    );
    cursor = next;
  } while (cursor !== '0');
  return dropped;
}

/** The wallet hashes' cache fields the plan does not hold (the bet rate bucket always stays). */
async function dropStaleWalletFields(redis: Redis, plan: CachePlan, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const stale = keys.map((key) => CACHE_FIELDS.filter((field) => !plan.has(slotName({ key, field }))));
  const pipeline = redis.pipeline();
  // HLEN only to learn the key's type (a string here would fail the plan's HSET).
  keys.forEach((key, i) => {
    if (stale[i]!.length > 0) pipeline.hdel(key, ...stale[i]!);
    else pipeline.hlen(key);
  });
  const results = (await pipeline.exec()) ?? [];
  // A key of the wallet family that is not a hash (written by hand) holds no cache value the plan
  // can keep: it goes whole, and the plan writes the hash.
  const wrongType: string[] = [];
  let dropped = 0;
  results.forEach(([err, removed], i) => {
    if (err && /WRONGTYPE/.test(err.message)) wrongType.push(keys[i]!);
    else if (err) throw err;
    else if (stale[i]!.length > 0) dropped += Number(removed);
  });
  if (wrongType.length > 0) dropped += await redis.unlink(...wrongType);
  return dropped;
}

/** `tap:wallet:0x*` → `tap:wallet:0x`: the families' patterns are a prefix and one trailing `*`. */
function prefixOf(pattern: string): string {
  const prefix = pattern.slice(0, -1);
  if (!pattern.endsWith('*') || /[*?[]/.test(prefix)) throw new Error(`not a prefix pattern: ${pattern}`);
  return prefix;
}

async function writePlan(redis: Redis, plan: CachePlan): Promise<void> {
  const entries = [...plan];
  for (let i = 0; i < entries.length; i += WRITE_CHUNK) {
    const pipeline = redis.pipeline();
    for (const [, { key, field, value, expireAtMs }] of entries.slice(i, i + WRITE_CHUNK)) {
      if (field) pipeline.hset(key, field, value);
      else if (expireAtMs === undefined) pipeline.set(key, value);
      else pipeline.set(key, value, 'PXAT', expireAtMs);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }
}
