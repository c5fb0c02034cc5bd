import { createChannels } from '@tap/channels';
import { type FakeMarket, startFakeMarket, startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  aBetRequest,
  fundedTrader,
  getJson,
  newWallet,
  postJson,
  signedLogin,
  startTestApi,
  type TestApi,
} from '../testing.js';

const BUDGET_BYTES = 16 * 1024 * 1024;
const FILLER_BYTES = 128 * 1024;

let redisServer: TestRedis;
let redis: Redis;
let api: TestApi;
let market: FakeMarket;
let fillers = 0;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});
afterEach(async () => {
  await redis.config('SET', 'maxmemory', '512mb');
  await emptyFillers();
  await market.stop();
  await api.stop();
});

async function startApi(env: Record<string, string>) {
  api = await startTestApi(redisServer, {
    RATE_LIMIT_BURST: '10000',
    RATE_LIMIT_PER_S: '10000',
    PRINT_AGE_MS_MAX: '5000',
    BREAKER_HEARTBEAT_AGE_MS_MAX: '10000',
    ...env,
  });
  market = await startFakeMarket({ redisUrl: redisServer.url, prefix: api.prefix, publishPrints: true });
}

async function usedBytes(): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1]);
}

/** Writes filler strings (another tenant, or an attacker's keys) until used_memory ≥ share × maxmemory. */
async function fillTo(share: number): Promise<number> {
  const [, max] = (await redis.config('GET', 'maxmemory')) as [string, string];
  for (;;) {
    const used = await usedBytes();
    if (used >= share * Number(max)) return used / Number(max);
    await redis.set(`filler:${fillers++}`, 'x'.repeat(FILLER_BYTES));
  }
}

async function emptyFillers() {
  for (let i = 0; i < fillers; i += 500) {
    await redis.del(...Array.from({ length: Math.min(500, fillers - i) }, (_, j) => `filler:${i + j}`));
  }
  fillers = 0;
}

/** Retries `attempt` until it answers `status` (the gate re-reads Redis every few ms). */
async function until<T extends { status: number }>(attempt: () => Promise<T>, status: number): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await attempt();
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis memory admission control', () => {
  it('refuses logins from 80 % and bets from 90 % of maxmemory, keeps room for prints and settlements, loses nothing accepted', async () => {
    await startApi({ REDIS_MEMORY_REFRESH_MS: '20' });
    const { streams } = createChannels(api.prefix);
    const { token, userId } = await fundedTrader(api, redis, 100_000_000);
    // Every 202 is recorded, also those answered while the gate had not yet seen a new level.
    const accepted: string[] = [];
    const placeBet = async () => {
      const res = await postJson(api, '/v1/bets', aBetRequest(), token);
      if (res.status === 202) accepted.push(res.body.betId as string);
      return res;
    };
    const placeAccepted = async () => expect((await until(placeBet, 202)).status).toBe(202);
    await placeAccepted();
    await redis.config('SET', 'maxmemory', String((await usedBytes()) + BUDGET_BYTES));

    // used_memory also moves by itself (client buffers freed, the AOF buffer flushed), so every
    // attempt tops the fill up to its level again: a dip below the mark between the fill and the
    // gate's next reading must not read as "the gate let it through" (a flaky CI run).
    expect(await fillTo(0.85)).toBeLessThan(0.9);
    const login = await until(async () => {
      await fillTo(0.85);
      return postJson(api, '/v1/auth/login', await signedLogin(newWallet()));
    }, 503);
    expect([login.status, login.body.error, login.headers.get('retry-after')]).toEqual([
      503,
      'service_busy',
      '1',
    ]);
    await placeAccepted();

    expect(await fillTo(0.94)).toBeLessThan(1);
    const bet = await until(async () => {
      await fillTo(0.94);
      return placeBet();
    }, 503);
    expect([bet.status, bet.body.error]).toEqual([503, 'service_busy']);
    const lengthWhenFull = await redis.xlen(streams.bets);
    // What admission control keeps room for: prints (the fake market keeps adding them) and settlements.
    const prints = await redis.xlen(streams.prices);
    await expect(redis.xadd(streams.settlements, '*', 'd', '{"probe":true}')).resolves.toMatch(/^\d+-\d+$/);
    await until(async () => ({ status: (await redis.xlen(streams.prices)) > prints + 3 ? 1 : 0 }), 1);
    expect(await redis.xlen(streams.prices)).toBeGreaterThan(prints + 3);
    expect(await redis.xlen(streams.bets)).toBe(lengthWhenFull);

    // Nothing accepted is lost: every 202'd bet is in the stream, the session still works.
    const inStream = (await redis.xrange(streams.bets, '-', '+')).map(([, fields]) =>
      JSON.parse(fields[1] ?? ''),
    );
    expect(inStream.map((entry: { betId: string }) => entry.betId)).toEqual(accepted);
    expect((await getJson(api, '/v1/me', token)).body.userId).toBe(userId);

    await emptyFillers();
    await placeAccepted();
    expect(
      (await until(async () => postJson(api, '/v1/auth/login', await signedLogin(newWallet())), 200)).status,
    ).toBe(200);
  });

  it('answers 503 service_busy, never 500, when Redis itself refuses the write before the gate has seen it', async () => {
    // A gate reading minutes old: only Redis's own refusal (OOM, noeviction) stands in the way.
    await startApi({ REDIS_MEMORY_REFRESH_MS: '60000' });
    const { streams, keys } = createChannels(api.prefix);
    const { token, userId } = await fundedTrader(api, redis, 100_000_000);
    await redis.config('SET', 'maxmemory', String(Math.floor((await usedBytes()) / 2)));
    await expect(redis.set('probe', '1')).rejects.toThrow(/^OOM/);

    const bet = await postJson(api, '/v1/bets', aBetRequest(), token);
    expect([bet.status, bet.body.error]).toEqual([503, 'service_busy']);
    const login = await postJson(api, '/v1/auth/login', await signedLogin(newWallet()));
    expect([login.status, login.body.error]).toEqual([503, 'service_busy']);
    expect(await redis.xlen(streams.bets)).toBe(0);
    expect(await redis.hget(keys.wallet(userId), 'balance')).toBe('100000000');

    await redis.config('SET', 'maxmemory', '512mb');
    expect((await until(() => postJson(api, '/v1/bets', aBetRequest(), token), 202)).status).toBe(202);
  });
});
