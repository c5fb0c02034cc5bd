import { createChannels, decodeEntry } from '@tap/channels';
import { startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, newWallet, postJson, startTestApi, type TestApi } from '../testing.js';

let redisServer: TestRedis;
let redis: Redis;
let demoApi: TestApi;
let realApi: TestApi;

beforeAll(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.url);
  demoApi = await startTestApi(redisServer, {
    DEMO_MODE: '1',
    DEMO_FAUCET_MICROS: '100000000',
    DEMO_FAUCET_WALLET_MICROS_MAX: '250000000',
  });
  realApi = await startTestApi(redisServer);
}, 60_000);
afterAll(async () => {
  await demoApi.stop();
  await realApi.stop();
  redis.disconnect();
  await redisServer.stop();
});

async function adjustments(prefix: string) {
  const entries = await redis.xrange(createChannels(prefix).streams.adjustments, '-', '+');
  return entries.map(([, fields]) => decodeEntry('adjustments', fields));
}

describe('POST /v1/demo/faucet', () => {
  it('credits the wallet through tap:adjustments as a deposit, like tapctl', async () => {
    const wallet = newWallet();
    const res = await postJson(demoApi, '/v1/demo/faucet', {}, await loginAs(demoApi, wallet));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amountMicros: 100_000_000, remainingMicros: 150_000_000 });
    const [entry] = await adjustments(demoApi.prefix);
    expect(entry).toMatchObject({
      ok: true,
      value: {
        adjustmentId: res.body.adjustmentId,
        userId: wallet.address.toLowerCase(),
        kind: 'deposit',
        amountMicros: 100_000_000,
        reason: 'demo faucet',
      },
    });
  });

  it('refuses with 403 faucet_exhausted once the wallet took its share, and appends nothing more', async () => {
    const wallet = newWallet();
    const token = await loginAs(demoApi, wallet);
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => postJson(demoApi, '/v1/demo/faucet', {}, token)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 403, 403]);
    expect(answers.find((a) => a.status === 403)?.body).toMatchObject({
      error: 'faucet_exhausted',
      remainingMicros: 50_000_000,
    });
    const mine = (await adjustments(demoApi.prefix)).filter(
      (e) => e.ok && e.value.userId === wallet.address.toLowerCase(),
    );
    expect(mine).toHaveLength(2);
    const ttlS = await redis.ttl(
      createChannels(demoApi.prefix).keys.demoFaucet(wallet.address.toLowerCase()),
    );
    expect(ttlS).toBeGreaterThan(86_000);
  });

  it('needs a session (401 session_invalid)', async () => {
    const res = await postJson(demoApi, '/v1/demo/faucet', {});
    expect(res).toMatchObject({ status: 401, body: { error: 'session_invalid' } });
  });

  it('does not exist without DEMO_MODE=1: 404 not_found, nothing credited', async () => {
    const res = await postJson(realApi, '/v1/demo/faucet', {}, await loginAs(realApi, newWallet()));
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await adjustments(realApi.prefix)).toEqual([]);
  });
});
