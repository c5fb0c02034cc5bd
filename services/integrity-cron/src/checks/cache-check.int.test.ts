/**
 * The cache comparison's rounds on a real Redis and an in-memory segment: a difference that
 * vanishes between two reads (the batcher's commit-then-publish lag, a bet admitted between the
 * reads) is not reported; one that stays is; one that keeps moving is reported as unsettled.
 */
import { createChannels, encodeEntry, ensureGroup } from '@tap/channels';
import { migrate, SEGMENT_MIGRATIONS } from '@tap/domain';
import { Redis } from '@tap/runtime';
import { aBet, freshPrefix, startRedis, type TestRedis } from '@tap/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CacheCheckOptions, CacheNotReady, checkCache } from './cache-check.js';

const USER = `0x${'a'.repeat(40)}`;

describe('checkCache rounds (real Redis)', () => {
  let server: TestRedis;
  let redis: Redis;
  let options: CacheCheckOptions;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    const channels = createChannels(freshPrefix());
    const db = new Database(':memory:');
    migrate(db, SEGMENT_MIGRATIONS);
    db.prepare('INSERT INTO users (id, balance, created_at, updated_at) VALUES (?, 7000000, 0, 0)').run(USER);
    await ensureGroup(redis, channels.streams.bets, channels.groups.batcher, '0');
    await redis.hset(channels.keys.wallet(USER), 'balance', '7000000');
    await redis.set(channels.keys.exposureTotal, '0');
    await redis.set(channels.keys.balanceCacheReady, '1');
    const signal = new AbortController().signal;
    options = { redis, channels, db, settleMs: 300, roundsMax: 5, stableRounds: 3, signal };
  });

  const wallet = () => options.channels.keys.wallet(USER);

  it('passes a consistent cache in one round', async () => {
    // The wallet's three cache fields (two absent: 0 as planned) and the total exposure.
    expect(await checkCache(options)).toMatchObject({ problems: [], rounds: 1, keysCompared: 4 });
  });

  it('does not report a difference that is gone at the next read', async () => {
    await redis.hincrby(wallet(), 'balance', -250_000);
    const healed = setTimeout(() => void redis.hincrby(wallet(), 'balance', 250_000), 100);
    const report = await checkCache(options);
    clearTimeout(healed);
    expect(report.problems).toEqual([]);
    expect(report.rounds).toBe(2);
  });

  it('reports a difference that stays, after stableRounds reads', async () => {
    await redis.hincrby(wallet(), 'balance', 5);
    const report = await checkCache(options);
    expect(report.rounds).toBe(3);
    expect(report.problems).toEqual([
      `${wallet()}#balance: Redis is +5 off what SQLite and the stream imply (the same in 3 reads 300 ms apart)`,
    ]);
  });

  it('reports a difference that keeps moving as unsettled, never as passed', async () => {
    await redis.hincrby(wallet(), 'balance', 1);
    const moving = setInterval(() => void redis.hincrby(wallet(), 'balance', 1), 60);
    try {
      const report = await checkCache(options);
      expect(report.rounds).toBe(5);
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]).toContain('unsettled after 5 rounds');
    } finally {
      clearInterval(moving);
    }
  });

  it('counts in-flight stakes: a bet in the stream not in SQLite is subtracted', async () => {
    await redis.hincrby(wallet(), 'balance', -1_000_000);
    const bet = { betId: '01JAB00000000000000000000A', userId: USER, stakeMicros: 1_000_000 };
    await redis.xadd(options.channels.streams.bets, '*', ...encodeEntry('bets', aBet(bet)));
    const report = await checkCache(options);
    expect(report.inFlightBets).toBe(1);
    expect(report.problems.some((p) => p.startsWith(`${wallet()}#balance`))).toBe(false);
  });

  it('refuses to run while the cache is not marked ready', async () => {
    await redis.del(options.channels.keys.balanceCacheReady);
    await expect(checkCache(options)).rejects.toBeInstanceOf(CacheNotReady);
  });
});
