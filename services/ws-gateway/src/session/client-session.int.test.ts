import { aPrint, startRedis, TEST_USER, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, TestClient, type TestGateway } from '../test-gateway.js';

describe('ws-gateway /v1/ws connections', () => {
  let redis: TestRedis;
  let gateway: TestGateway;
  const print = aPrint({ priceCents: 9_512_345 });

  beforeAll(async () => {
    redis = await startRedis();
    gateway = await startTestGateway(redis, { WS_AUTH_TIMEOUT_MS: '300' }, async (r, channels) => {
      await r.set(channels.keys.priceLast, JSON.stringify(print));
    });
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
  });

  it('closes a socket that sends no auth within the timeout with 4401', async () => {
    const client = await TestClient.connect(gateway.url);
    expect(await client.closed).toEqual({ code: 4401, reason: 'auth_timeout' });
    expect(client.messages).toEqual([expect.objectContaining({ type: 'error', error: 'session_invalid' })]);
  });

  it('refuses a bad token with session_invalid and 4401', async () => {
    const client = await TestClient.connect(gateway.url);
    client.send({ type: 'auth', token: 'not-a-session' });
    expect(await client.closed).toEqual({ code: 4401, reason: 'session_invalid' });
    expect(client.messages).toEqual([
      { type: 'error', error: 'session_invalid', message: 'missing, expired or revoked session token' },
    ]);
    expect(await gateway.metric('tap_ws_gateway_auth_failures_total')).toBeGreaterThanOrEqual(2);
  });

  it('refuses a malformed first message with invalid_body and 4400', async () => {
    const client = await TestClient.connect(gateway.url);
    client.send({ type: 'auth', token: await gateway.session(TEST_USER), lastEventId: 'latest' });
    expect(await client.closed).toEqual({ code: 4400, reason: 'invalid_body' });
    expect(client.messages[0]).toMatchObject({ type: 'error', error: 'invalid_body' });
  });

  it('closes a socket that sends more than 4 KiB in one message', async () => {
    const client = await TestClient.connect(gateway.url);
    client.send({ type: 'auth', token: 'x'.repeat(5_000) });
    // uWS cuts the connection at once (no close frame reaches the client: 1006).
    expect([1006, 1009]).toContain((await client.closed).code);
    expect(client.messages).toEqual([]);
  });

  it('answers a good token with ready, the breaker state and the latest price', async () => {
    const token = await gateway.session(TEST_USER);
    const before = Date.now();
    const client = await TestClient.ready(gateway.url, token);
    await client.until(() => (client.messages.length >= 3 ? true : undefined));
    const [ready, breaker, tick] = client.messages;
    expect(ready).toEqual({
      type: 'ready',
      userId: TEST_USER,
      serverTime: expect.any(Number),
      eventsId: expect.stringMatching(/^\d+-\d+$/),
    });
    expect(Number(ready?.serverTime)).toBeGreaterThanOrEqual(before - 1_000);
    // No health-monitor in this test: no heartbeat, so trading reads as halted (fail closed).
    expect(breaker).toEqual({
      type: 'breaker',
      state: 'open',
      reason: 'no_heartbeat',
      since: expect.any(Number),
    });
    expect(tick).toEqual({
      type: 'tick',
      t: print.t,
      p: 9_512_345,
      sigma: print.sigma,
      noise: 0,
      id: print.id,
    });
    client.send({ type: 'ping' });
    expect(await client.waitFor((m) => m.type === 'pong')).toEqual({
      type: 'pong',
      serverTime: expect.any(Number),
    });
    client.send('{"type":"subscribe"}');
    await client.waitFor((m) => m.type === 'error');
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    expect(await gateway.health()).toMatchObject({ ok: true, redis: 'ready', clients: expect.any(Number) });
    await client.close();
  });

  it('closes every socket with 1001 on SIGTERM and exits 0 within 5 s', async () => {
    const own = await startTestGateway(redis);
    const token = await own.session(TEST_USER);
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.ready(own.url, token)));
    const idle = await TestClient.connect(own.url);
    const signalledAt = Date.now();
    const exit = await own.daemon.stop('SIGTERM', 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    for (const client of [...clients, idle])
      expect(await client.closed).toEqual({ code: 1001, reason: 'going_away' });
    own.redis.disconnect();
  }, 20_000);
});
