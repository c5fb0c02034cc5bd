import { startNginx, startRedis, type TestNginx, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWallet, signedLogin, startTestApi, type TestApi } from '../testing.js';

let redis: TestRedis;
let api: TestApi;
let nginx: TestNginx;

beforeAll(async () => {
  redis = await startRedis();
  api = await startTestApi(redis);
  nginx = await startNginx({ apiPort: Number(new URL(api.baseUrl).port), wsPort: 1, ratePerS: 20 });
});
afterAll(async () => {
  await nginx.stop();
  await api.stop();
  await redis.stop();
});

const post = (path: string, body: string) =>
  fetch(`${nginx.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('nginx in front of ingest-api (nginx/tap.conf)', () => {
  it('proxies a login to ingest-api', async () => {
    const res = await post('/v1/auth/login', JSON.stringify(await signedLogin(newWallet())));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token: expect.any(String) });
  });

  it('refuses a body over 4 KiB with the JSON error shape before it reaches the daemon', async () => {
    const res = await post('/v1/auth/login', JSON.stringify({ message: 'x'.repeat(5_000), signature: '0x' }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'body_too_large' });
  });

  it('keeps the daemons ops endpoints private', async () => {
    expect((await fetch(`${nginx.url}/healthz`)).status).toBe(403);
    expect((await fetch(`${nginx.url}/v1/metrics`)).status).toBe(403);
  });

  it('answers 429 rate_limited past the tighter per-IP login rate', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => post('/v1/auth/login', '{}')));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(30 - 11 - 2);
    expect(await limited[0]?.json()).toMatchObject({ error: 'rate_limited' });
    expect(results.some((r) => r.status === 400)).toBe(true);
  });

  it('answers 429 rate_limited past the tighter per-IP rate of the public history query', async () => {
    const from = Date.now() - 60_000;
    const url = `${nginx.url}/v1/index/history?from=${from}&to=${from + 1_000}`;
    const results = await Promise.all(Array.from({ length: 40 }, () => fetch(url)));
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(40 - 21 - 2);
    expect(results.some((r) => r.status === 200)).toBe(true);
  });

  it('answers 429 rate_limited past the per-IP request rate', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => fetch(`${nginx.url}/v1/me`)));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(await limited[0]?.json()).toMatchObject({ error: 'rate_limited' });
    expect(results.some((r) => r.status === 401)).toBe(true);
  });
});
