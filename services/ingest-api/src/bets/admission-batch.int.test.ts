/**
 * Several bets in one admission call (issue 19) on a real Redis: each bet's verdict and effects are
 * those of the same bets admitted one call each, in order — a wallet's later bet sees its earlier
 * bet's reservation inside the call, and one refused bet does not refuse the others.
 */
import { randomUUID } from 'node:crypto';
import { type Channels, createChannels } from '@tap/channels';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Admission, createAdmission, ONE_BET_A_CALL } from './admission-script.js';

const { leadMs } = DEFAULT_PRICING_CONFIG;
const LIMITS = {
  cellMicros: 1e12,
  columnMicros: 1e12,
  totalMicros: 1e12,
  userPayoutMicros: 1e12,
  userOpenBets: 100,
};
const RATE = { ratePerS: 100, burst: 100 };
const RICH = '0x00000000000000000000000000000000000000a1';
const POOR = '0x00000000000000000000000000000000000000a2';

let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});

function aBet(userId: string, overrides: Partial<Admission> = {}): Admission {
  const t0 = Math.ceil((Date.now() + 20_000) / 5_000) * 5_000;
  const betId = `01J${randomUUID().replaceAll('-', '').slice(0, 23).toUpperCase()}`;
  return {
    userId,
    clientBetId: randomUUID(),
    betId,
    t0,
    p0: 9_501_000,
    stakeMicros: 1_000_000,
    payoutMicros: 2_000_000,
    fingerprint: `${t0}:9501000:1000000:10500`,
    entryJson: `{"betId":"${betId}"}`,
    termsBytes: 0,
    exposureExpireAtMs: t0 + 120_000,
    receivedAtMs: Date.now(),
    leadMs,
    ...overrides,
  };
}

/** A fresh prefix with the cache ready, RICH holding $100 and POOR $1.50. */
async function freshStore(): Promise<Channels> {
  const channels = createChannels(`batch-${randomUUID().slice(0, 8)}:`);
  await redis.set(channels.keys.balanceCacheReady, '1');
  await redis.hset(channels.keys.wallet(RICH), 'balance', '100000000');
  await redis.hset(channels.keys.wallet(POOR), 'balance', '1500000');
  return channels;
}

/** What a store holds after admission: balances, open bets, stream length, exposure. */
async function effects(channels: Channels) {
  const { keys, streams } = channels;
  return {
    balances: [
      await redis.hget(keys.wallet(RICH), 'balance'),
      await redis.hget(keys.wallet(POOR), 'balance'),
    ],
    openBets: [
      await redis.hget(keys.wallet(RICH), 'openbets'),
      await redis.hget(keys.wallet(POOR), 'openbets'),
    ],
    stream: await redis.xlen(streams.bets),
    total: await redis.get(keys.exposureTotal),
  };
}

describe('several bets in one admission call', () => {
  it('gives each bet the verdict and effects it gets when admitted one call each', async () => {
    const retried = aBet(RICH);
    const bets = (now: Admission) => [
      aBet(RICH),
      aBet(POOR),
      aBet(POOR), // the $1.50 wallet's second $1 bet: insufficient after the first, in the same call
      now,
      { ...now }, // the same clientBetId again: the first one's answer
      { ...now, fingerprint: 'other' }, // the same clientBetId, another request: a conflict
      aBet(RICH, { t0: Date.now() + leadMs - 1_000 }), // starts too soon by Redis TIME
    ];
    const batched = await freshStore();
    const admitBatched = createAdmission(redis, batched, LIMITS, RATE, { betsMax: 16, callsInFlightMax: 1 });
    const single = await freshStore();
    const admitSingle = createAdmission(redis, single, LIMITS, RATE, ONE_BET_A_CALL);

    const inOneCall = await Promise.all([aBet(RICH), ...bets(retried)].map((b) => admitBatched(b)));
    const oneByOne = [];
    for (const b of [aBet(RICH), ...bets(retried)]) oneByOne.push(await admitSingle(b));

    expect(inOneCall).toEqual(oneByOne);
    expect(inOneCall.map((r) => ('code' in r ? r.code : 'duplicate' in r ? 'duplicate' : 'ok'))).toEqual([
      'ok',
      'ok',
      'ok',
      'insufficient_funds',
      'ok',
      'duplicate',
      'idempotency_conflict',
      'cell_not_placeable',
    ]);
    expect(await effects(batched)).toEqual(await effects(single));
    expect(await effects(batched)).toMatchObject({ balances: ['97000000', '500000'], stream: 4 });
  });

  it('admits exactly 10 of 1,000 concurrent $1 bets from a $10 wallet, in batches', async () => {
    const channels = await freshStore();
    await redis.hset(channels.keys.wallet(POOR), 'balance', '10000000');
    let calls = 0;
    const counting = new Proxy(redis, {
      get(target, name, receiver) {
        if (String(name).startsWith('tapAdmitBets')) calls += 1;
        return Reflect.get(target, name, receiver);
      },
    });
    const admit = createAdmission(
      counting,
      channels,
      LIMITS,
      { ratePerS: 10_000, burst: 10_000 },
      {
        betsMax: 16,
        callsInFlightMax: 4,
      },
    );
    const results = await Promise.all(Array.from({ length: 1_000 }, () => admit(aBet(POOR))));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(await redis.hget(channels.keys.wallet(POOR), 'balance')).toBe('0');
    expect(await redis.xlen(channels.streams.bets)).toBe(10);
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(Math.ceil(1_000 / 16) + 4);
  });
});
