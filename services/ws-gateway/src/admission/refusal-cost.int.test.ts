/**
 * What a hostile client costs (issue 16, bet-under-abuse): a session known to be over its resume
 * rate or socket cap is refused before its lookup — no Redis command at all, counted by Redis's own
 * INFO commandstats — a revoked session is still never admitted, and upgrades beyond an address's
 * rate are answered 429 before any socket exists. Against the built daemon and a real redis-server.
 */
import { TEST_USER } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sha256hex } from '../auth/session-lookup.js';
import {
  aBalanceEvent,
  gatewaysOnOneRedis,
  getCalls,
  TestClient,
  type TestGateway,
} from '../test-gateway.js';

/** One auth attempt on a fresh socket; resolves with its close, or 'ready' once admitted. */
async function attempt(url: string, auth: Record<string, unknown>) {
  const client = await TestClient.connect(url);
  const ready = new Promise<'ready'>((resolve) =>
    client.ws.on('message', (data) => {
      if (String(data).startsWith('{"type":"ready"')) resolve('ready');
    }),
  );
  client.send({ type: 'auth', ...auth });
  const outcome = await Promise.race([client.closed, ready]);
  if (outcome === 'ready') await client.close();
  return { outcome, messages: client.messages };
}

/** Polls a gauge or counter until it reads `value` (the close of a socket is seen a little later). */
async function metricReaches(g: TestGateway, name: string, value: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = await g.metric(name);
  while (seen !== value && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await g.metric(name);
  }
  return seen;
}

/** The HTTP answer to an upgrade: 101 (then closed at once), or the refusal's status, headers and body. */
function upgradeAnswer(url: string, realIp: string) {
  return new Promise<{ status: number; retryAfter?: string; body?: unknown }>((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { 'x-real-ip': realIp } });
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += String(chunk);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'],
          body: JSON.parse(text),
        }),
      );
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('ws-gateway refusals that cost no Redis call', () => {
  const gateway = gatewaysOnOneRedis();

  it('refuses resumes beyond the session’s rate and sockets beyond its cap without looking it up', async () => {
    const g = await gateway({ WS_RESUME_BURST: '2', WS_RESUMES_PER_S: '1', WS_SOCKETS_PER_SESSION_MAX: '2' });
    const token = await g.session(TEST_USER);
    const lastEventId = await g.appendEvent(aBalanceEvent());
    const held = [
      await TestClient.ready(g.url, token, lastEventId),
      await TestClient.ready(g.url, token, lastEventId),
    ];
    const before = await getCalls(g.redis);
    for (let i = 0; i < 20; i++) {
      // The session holds its 2 sockets: a plain auth is over the cap, a resume over the rate too.
      const { outcome } = await attempt(g.url, i % 2 ? { token, lastEventId } : { token });
      expect(outcome).toEqual({ code: 4429, reason: 'sockets_per_session_max' });
    }
    for (const client of held) await client.close();
    for (let i = 0; i < 20; i++) {
      const { outcome, messages } = await attempt(g.url, { token, lastEventId });
      expect(outcome).toEqual({ code: 4429, reason: 'resume_rate' });
      expect(messages).toEqual([expect.objectContaining({ type: 'error', error: 'rate_limited' })]);
    }
    expect(await getCalls(g.redis)).toBe(before);
    // The counter does see a lookup: a plain auth, now under the cap, is looked up once and admitted.
    expect((await attempt(g.url, { token })).outcome).toBe('ready');
    expect(await getCalls(g.redis)).toBe(before + 1);
    expect(await g.metric('tap_ws_gateway_limit_refusals_total')).toBe(40);
  });

  it('never admits a revoked session, also one whose resumes were refused before its lookup', async () => {
    const g = await gateway({ WS_RESUME_BURST: '1', WS_RESUMES_PER_S: '1' });
    const token = await g.session(TEST_USER);
    const hash = sha256hex(token);
    const lastEventId = await g.appendEvent(aBalanceEvent());
    const open = await TestClient.ready(g.url, token, lastEventId);
    // Logout as ingest-api does it: delete the session, then publish its hash.
    await g.redis.del(g.channels.keys.session(hash));
    await g.redis.publish(g.channels.pubsub.sessionsRevoked, hash);
    expect(await open.closed).toEqual({ code: 4401, reason: 'session_revoked' });
    // Its resume bucket is empty: refused early (never admitted) until it refills, then looked up.
    const early = await attempt(g.url, { token, lastEventId });
    expect(early.outcome).not.toBe('ready');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await attempt(g.url, { token, lastEventId })).outcome).toEqual({
      code: 4401,
      reason: 'session_invalid',
    });
    expect((await attempt(g.url, { token })).outcome).toEqual({ code: 4401, reason: 'session_invalid' });
  });

  it('answers 429 rate_limited to upgrades beyond an address’s rate, before any socket exists', async () => {
    const g = await gateway({ WS_UPGRADES_PER_IP_PER_S: '1', WS_UPGRADE_BURST: '3' });
    const connectionsBefore = await g.metric('tap_ws_gateway_connections');
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await upgradeAnswer(g.url, '203.0.113.7'));
    // Refill is 1/s: on a slow host one more may have passed; the burst of 3 always does.
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([101, 101, 101]);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]).toEqual({
      status: 429,
      retryAfter: '1',
      body: { error: 'rate_limited', message: expect.stringContaining('upgrades') },
    });
    // Another address (nginx's X-Real-IP, believed from the trusted loopback peer) has its own bucket.
    expect((await upgradeAnswer(g.url, '203.0.113.8')).status).toBe(101);
    expect(await g.metric('tap_ws_gateway_limit_refusals_total')).toBe(refused.length);
    const metrics = await (
      await fetch(g.url.replace('ws://', 'http://').replace('/v1/ws', '/metrics'))
    ).text();
    expect(metrics).toContain(
      `tap_ws_gateway_limit_refusals_total{reason="upgrade_rate",service="ws-gateway"} ${refused.length}`,
    );
    // A refused upgrade never became a socket (the admitted ones were closed by the client).
    expect(await metricReaches(g, 'tap_ws_gateway_connections', connectionsBefore)).toBe(connectionsBefore);
    expect(await g.metric('tap_ws_gateway_auth_failures_total')).toBe(0);
  });
});
