import { createChannels } from '@tap/channels';
import { type FakeMarket, startFakeMarket, startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  aBetRequest,
  fundedTrader,
  postJson,
  startTestApi,
  type TestApi,
  writeBatcherHeartbeat,
} from '../testing.js';

let redisServer: TestRedis;
let redis: Redis;
let api: TestApi;
let market: FakeMarket;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});
beforeEach(async () => {
  api = await startTestApi(redisServer, {
    BATCHER_HEARTBEAT_AGE_MS_MAX: '3000',
    BATCHER_LAG_MS_MAX: '10000',
    PRINT_AGE_MS_MAX: '5000',
    BREAKER_HEARTBEAT_AGE_MS_MAX: '10000',
    MARKET_REFRESH_MS: '10',
  });
  market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix });
});
afterEach(async () => {
  await market.stop();
  await api.stop();
});

/**
 * Places bets until the answer's code is `code` (and its message matches `message`): the market
 * state the check reads refreshes every 10 ms.
 */
async function placeUntil(token: string, code: string, message = /.*/) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    const got = res.status === 202 ? 'accepted' : String(res.body.error);
    if ((got === code && message.test(String(res.body.message ?? ''))) || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const admissionOpen = async () => {
  const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
  return /^tap_ingest_api_batcher_admission_open\{[^}]*\} (\d)/m.exec(text)?.[1];
};

describe('admission: the batcher check', () => {
  it('admits while the heartbeat is fresh', async () => {
    const token = (await fundedTrader(api, redis, 10_000_000)).token;
    expect((await placeUntil(token, 'accepted')).status).toBe(202);
    expect(await admissionOpen()).toBe('1');
  });

  it('refuses 503 batcher_behind without a heartbeat, and nothing reaches the stream', async () => {
    const token = (await fundedTrader(api, redis, 10_000_000)).token;
    await redis.del(createChannels(api.prefix).keys.batcherHeartbeat);
    await placeUntil(token, 'batcher_behind');
    const before = await redis.xlen(`${api.prefix}bets`);
    const res = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([res.status, res.body.error]).toEqual([503, 'batcher_behind']);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body.message).toBe('no batcher heartbeat');
    expect(await redis.xlen(`${api.prefix}bets`)).toBe(before);
    expect(await admissionOpen()).toBe('0');
  });

  it('refuses 503 batcher_behind once the heartbeat is older than BATCHER_HEARTBEAT_AGE_MS_MAX', async () => {
    const token = (await fundedTrader(api, redis, 10_000_000)).token;
    await redis.hset(createChannels(api.prefix).keys.batcherHeartbeat, { at: Date.now() - 4_000, lagMs: 0 });
    const res = await placeUntil(token, 'batcher_behind', /heartbeat is/);
    expect([res.status, res.body.error]).toEqual([503, 'batcher_behind']);
    expect(String(res.body.message)).toMatch(/^batcher heartbeat is \d+ ms old$/);
    await writeBatcherHeartbeat(redis, api.prefix);
    expect((await placeUntil(token, 'accepted')).status).toBe(202);
  });

  it('refuses 503 batcher_behind once the oldest unapplied bet is older than BATCHER_LAG_MS_MAX', async () => {
    const token = (await fundedTrader(api, redis, 10_000_000)).token;
    await writeBatcherHeartbeat(redis, api.prefix, 10_001);
    const res = await placeUntil(token, 'batcher_behind', /unapplied/);
    expect([res.status, res.body.message]).toEqual([503, 'oldest unapplied bet is 10001 ms old']);
  });
});
