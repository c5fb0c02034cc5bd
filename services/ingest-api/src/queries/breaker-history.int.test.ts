/**
 * `GET /v1/breaker/history` on a real Redis: the intervals health-monitor recorded (written here in
 * its format, `@tap/breaker`'s `intervalMember`), so anyone can recompute a breaker void.
 */
import { intervalMember } from '@tap/breaker';
import { createChannels } from '@tap/channels';
import { startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestApi, type TestApi } from '../testing.js';

const NOW = Date.now();
const CLOSED = { from: NOW - 600_000, to: NOW - 540_000, reason: 'stale' };
const LATER = { from: NOW - 300_000, to: NOW - 260_000, reason: 'manual_halt' };
const OPEN = { from: NOW - 60_000, to: null, reason: 'few_venues' };

let redis: TestRedis;
let api: TestApi;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  api = await startTestApi(redis);
  client = new Redis(redis.url);
  const key = createChannels(api.prefix).keys.breakerIntervals;
  for (const interval of [CLOSED, LATER, OPEN])
    await client.zadd(key, interval.from, intervalMember(interval));
  await client.zadd(key, NOW - 100_000, 'not an interval');
});
afterAll(async () => {
  client.disconnect();
  await api.stop();
  await redis.stop();
});

describe('GET /v1/breaker/history', () => {
  it('returns the intervals overlapping the range, oldest first, an open one included', async () => {
    const res = await getJson(api, `/v1/breaker/history?from=${NOW - 3_600_000}&to=${NOW}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ intervals: [CLOSED, LATER, OPEN] });
  });

  it('counts an interval that closed exactly at the start of the range (edges inclusive)', async () => {
    const res = await getJson(api, `/v1/breaker/history?from=${CLOSED.to}&to=${LATER.from - 1}`);
    expect(res.body).toEqual({ intervals: [CLOSED] });
  });

  it('returns none for a range the breaker was closed throughout', async () => {
    const res = await getJson(api, `/v1/breaker/history?from=${CLOSED.to + 1}&to=${LATER.from - 1}`);
    expect(res.body).toEqual({ intervals: [] });
  });

  it('refuses a range in the future, an empty or too long range, and unknown parameters', async () => {
    for (const query of [
      `from=${NOW + 60_000}&to=${NOW + 120_000}`,
      `from=${NOW}&to=${NOW}`,
      `from=0&to=${NOW}`,
      `from=${NOW - 1_000}&to=${NOW}&limit=5`,
      'from=abc&to=1',
    ]) {
      const res = await getJson(api, `/v1/breaker/history?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe('invalid_query');
    }
  });
});
