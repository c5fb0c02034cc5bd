import { type FakeMarket, startFakeMarket, startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aBetRequest, fundedTrader, getJson, postJson, startTestApi, type TestApi } from '../testing.js';

const COMMAND_TIMEOUT_MS = 300;
// The timeout plus generous slack for a loaded machine; a hang would last as long as the stall.
const ANSWER_WITHIN_MS = 4_000;

let redisServer: TestRedis;
let redis: Redis;
let api: TestApi;
let market: FakeMarket;

beforeEach(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  api = await startTestApi(redisServer, {
    REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
    // Market data ages while Redis is stalled; here the bet must get as far as the admission script.
    PRINT_AGE_MS_MAX: '60000',
    BREAKER_HEARTBEAT_AGE_MS_MAX: '60000',
  });
  market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix });
});
afterEach(async () => {
  await market.stop();
  await api.stop();
  redis.disconnect();
  await redisServer.stop();
});

async function timed<T>(request: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const startedAt = Date.now();
  const result = await request();
  return { result, ms: Date.now() - startedAt };
}

describe('ingest-api with Redis unavailable', () => {
  it('answers 503 store_unavailable within a bounded time while Redis is stalled, and a retry after counts once', async () => {
    const token = (await fundedTrader(api, redis, 10_000_000)).token;
    const bet = aBetRequest();
    process.kill(redisServer.pid, 'SIGSTOP');
    let stalled = true;
    try {
      const placed = await timed(() => postJson(api, '/v1/bets', bet, token));
      expect([placed.result.status, placed.result.body.error]).toEqual([503, 'store_unavailable']);
      expect(placed.result.headers.get('retry-after')).toBe('1');
      expect(placed.ms).toBeLessThan(ANSWER_WITHIN_MS);
      const me = await timed(() => getJson(api, '/v1/me', token));
      expect([me.result.status, me.result.body.error]).toEqual([503, 'store_unavailable']);
      expect(me.ms).toBeLessThan(ANSWER_WITHIN_MS);
      process.kill(redisServer.pid, 'SIGCONT');
      stalled = false;
      // The stalled script may have run once Redis woke up: the retry gets its original answer.
      const retried = await postJson(api, '/v1/bets', bet, token);
      expect(retried.status).toBe(202);
      const entries = (await redis.xrange(`${api.prefix}bets`, '-', '+')) as [string, string[]][];
      expect(entries.filter(([, fields]) => fields[1]?.includes(bet.clientBetId))).toHaveLength(1);
      const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/tap_ingest_api_redis_failures_total\{[^}]*route="place_bet"[^}]*\} 1/);
    } finally {
      if (stalled) process.kill(redisServer.pid, 'SIGCONT');
    }
  });

  it('answers 503 store_unavailable within a bounded time while Redis is down', async () => {
    const token = (await fundedTrader(api, redis, 10_000_000)).token;
    await market.stop();
    await redisServer.crash();
    try {
      const placed = await timed(() => postJson(api, '/v1/bets', aBetRequest(), token));
      expect([placed.result.status, placed.result.body.error]).toEqual([503, 'store_unavailable']);
      expect(placed.ms).toBeLessThan(ANSWER_WITHIN_MS);
      const me = await timed(() => getJson(api, '/v1/me', token));
      expect([me.result.status, me.result.body.error]).toEqual([503, 'store_unavailable']);
      expect(me.ms).toBeLessThan(ANSWER_WITHIN_MS);
    } finally {
      await redisServer.restart();
      market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix });
    }
  });
});
