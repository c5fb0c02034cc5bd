/**
 * SPEC §9: a bet priced on a simulated print is refused unless the API runs in demo mode — an
 * operator who forgot to name real venues must not take real money on a reproducible price path.
 * The attacker here is any trader placing a normal bet while the feed is the simulator.
 */
import { randomUUID } from 'node:crypto';
import { type FakeMarket, startFakeMarket, startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fundInCache,
  getJson,
  loginAs,
  newWallet,
  nextCell,
  postJson,
  startTestApi,
  type TestApi,
} from '../testing.js';

let redisServer: TestRedis;
let redis: Redis;
let api: TestApi | undefined;
let market: FakeMarket | undefined;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterEach(async () => {
  await market?.stop();
  await api?.stop();
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});

async function placeOneBet(env: Record<string, string>, simulated: boolean) {
  api = await startTestApi(redisServer, {
    PRINT_AGE_MS_MAX: '5000',
    BREAKER_HEARTBEAT_AGE_MS_MAX: '10000',
    ...env,
  });
  market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix, simulated });
  const wallet = newWallet();
  const token = await loginAs(api, wallet);
  await fundInCache(redis, api.prefix, wallet.address.toLowerCase(), 10_000_000);
  const bet = {
    clientBetId: randomUUID(),
    ...nextCell(9_500_000),
    stakeMicros: 1_000_000,
    minMultiplierBp: 10_500,
  };
  return postJson(api, '/v1/bets', bet, token);
}

describe('bets on simulated prices', () => {
  it('are refused 503 simulated_prices without DEMO_MODE, and nothing reaches Redis', async () => {
    const res = await placeOneBet({}, true);
    expect([res.status, res.body.error]).toEqual([503, 'simulated_prices']);
    expect(await redis.xlen(`${api!.prefix}bets`)).toBe(0);
    const health = await getJson(api!, '/healthz');
    expect(health.body).toMatchObject({ demoMode: false });
  });

  it('are accepted with DEMO_MODE=1, which /healthz shows', async () => {
    const res = await placeOneBet({ DEMO_MODE: '1' }, true);
    expect(res.status).toBe(202);
    expect((await getJson(api!, '/healthz')).body).toMatchObject({ demoMode: true });
  });

  it('on real prints are accepted without DEMO_MODE', async () => {
    const res = await placeOneBet({}, false);
    expect(res.status).toBe(202);
  });
});
