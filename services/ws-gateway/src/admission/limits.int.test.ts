/**
 * The WebSocket edge limits attacked against the built daemon (issue 16): each test makes the
 * hostile move as a client would and checks the coded close, and that honest sockets are unharmed.
 */
import { TEST_USER } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sha256hex } from '../auth/session-lookup.js';
import { aBalanceEvent, gatewaysOnOneRedis, TestClient } from '../test-gateway.js';

/** A raw socket (optionally with an X-Real-IP header) that records its messages and close. */
function rawSocket(url: string, realIp?: string) {
  const ws = new WebSocket(url, realIp ? { headers: { 'x-real-ip': realIp } } : {});
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed, opened };
}

/** Resolves with the close if the socket is closed within `ms`, else with 'open'. */
const closedWithin = (socket: { closed: Promise<{ code: number; reason: string }> }, ms: number) =>
  Promise.race([socket.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms))]);

describe('ws-gateway edge limits', () => {
  const gateway = gatewaysOnOneRedis();

  it('answers a resume older than the resume window with resync events_trimmed, then goes live', async () => {
    const g = await gateway({ WS_RESUME_EVENTS_MAX: '5' });
    const token = await g.session(TEST_USER);
    const watcher = await TestClient.ready(g.url, token);
    const first = await g.appendEvent(aBalanceEvent());
    let last = first;
    for (let i = 0; i < 10; i++)
      last = await g.appendEvent(aBalanceEvent('0x00000000000000000000000000000000000000bb'));
    await watcher.until(() => (watcher.messages.some((m) => m.id === first) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the reader pass `last`
    await watcher.close();
    const client = await TestClient.ready(g.url, token, first);
    expect(await client.waitFor((m) => m.type === 'resync')).toEqual({
      type: 'resync',
      reason: 'events_trimmed',
    });
    const live = await g.appendEvent(aBalanceEvent());
    await client.waitFor((m) => m.id === live);
    expect(last).not.toBe(live);
    await client.close();
  });

  it('answers a resume that missed more than WS_REPLAY_EVENTS_MAX with resync replay_overflow', async () => {
    const g = await gateway({ WS_REPLAY_EVENTS_MAX: '3' });
    const token = await g.session(TEST_USER);
    const watcher = await TestClient.ready(g.url, token);
    const seen = await g.appendEvent(aBalanceEvent());
    let last = seen;
    for (let i = 0; i < 5; i++) last = await g.appendEvent(aBalanceEvent());
    await watcher.waitFor((m) => m.id === last);
    await watcher.close();
    const client = await TestClient.ready(g.url, token, seen);
    expect(await client.waitFor((m) => m.type === 'resync')).toEqual({
      type: 'resync',
      reason: 'replay_overflow',
    });
    expect(client.messages.filter((m) => m.type === 'balance')).toEqual([]);
    await client.close();
  });

  it('closes a resume beyond the session’s resume rate with 4429 resume_rate', async () => {
    const g = await gateway({ WS_RESUME_BURST: '3', WS_RESUMES_PER_S: '1' });
    const token = await g.session(TEST_USER);
    const id = await g.appendEvent(aBalanceEvent());
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 3; i++) await (await TestClient.ready(g.url, token, id)).close();
    const hostile = await TestClient.connect(g.url);
    hostile.send({ type: 'auth', token, lastEventId: id });
    expect(await hostile.closed).toEqual({ code: 4429, reason: 'resume_rate' });
    expect(hostile.messages).toEqual([expect.objectContaining({ type: 'error', error: 'rate_limited' })]);
    // Another session is not affected, and a plain connect (no resume) of this one still works.
    await (await TestClient.ready(g.url, await g.session(TEST_USER), id)).close();
    await (await TestClient.ready(g.url, token)).close();
    expect(await g.metric('tap_ws_gateway_limit_refusals_total')).toBe(1);
  });

  it('closes a session’s socket beyond WS_SOCKETS_PER_SESSION_MAX with 4429 sockets_per_session_max', async () => {
    const g = await gateway({ WS_SOCKETS_PER_SESSION_MAX: '2' });
    const token = await g.session(TEST_USER);
    const held = await Promise.all([TestClient.ready(g.url, token), TestClient.ready(g.url, token)]);
    const third = await TestClient.connect(g.url);
    third.send({ type: 'auth', token });
    expect(await third.closed).toEqual({ code: 4429, reason: 'sockets_per_session_max' });
    await held[0]?.close();
    await (await TestClient.ready(g.url, token)).close();
    for (const client of held) expect([WebSocket.OPEN, WebSocket.CLOSED]).toContain(client.ws.readyState);
    await held[1]?.close();
  });

  it('caps sockets per client address as nginx reports it (X-Real-IP from a trusted proxy)', async () => {
    const g = await gateway({ WS_CONNECTIONS_PER_IP_MAX: '2' });
    const fromOne = [
      rawSocket(g.url, '203.0.113.1'),
      rawSocket(g.url, '203.0.113.1'),
      rawSocket(g.url, '203.0.113.1'),
    ];
    const fromTwo = rawSocket(g.url, '203.0.113.2');
    await Promise.all([...fromOne, fromTwo].map((s) => s.opened));
    expect(await fromOne[2]?.closed).toEqual({ code: 4429, reason: 'connections_per_ip_max' });
    expect(fromOne[2]?.messages).toEqual([expect.objectContaining({ error: 'rate_limited' })]);
    expect(await closedWithin(fromTwo, 300)).toBe('open');
    for (const s of [fromOne[0], fromOne[1], fromTwo]) s?.ws.close();
  });

  it('ignores X-Real-IP from a peer that is not a trusted proxy: spoofed addresses share one bucket', async () => {
    const g = await gateway({ WS_CONNECTIONS_PER_IP_MAX: '2', WS_TRUSTED_PROXIES: '192.0.2.1' });
    const spoofed = ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((ip) => rawSocket(g.url, ip));
    await Promise.all(spoofed.map((s) => s.opened));
    expect(await spoofed[2]?.closed).toEqual({ code: 4429, reason: 'connections_per_ip_max' });
    for (const s of spoofed.slice(0, 2)) s.ws.close();
  });

  it('closes sockets beyond WS_CONNECTIONS_MAX with 1013 connections_max', async () => {
    const g = await gateway({ WS_CONNECTIONS_MAX: '2' });
    const sockets = [rawSocket(g.url), rawSocket(g.url), rawSocket(g.url)];
    await Promise.all(sockets.map((s) => s.opened));
    expect(await sockets[2]?.closed).toEqual({ code: 1013, reason: 'connections_max' });
    expect(sockets[2]?.messages).toEqual([expect.objectContaining({ error: 'service_unavailable' })]);
    sockets[0]?.ws.close();
    await sockets[0]?.closed;
    const again = rawSocket(g.url);
    await again.opened;
    expect(await closedWithin(again, 300)).toBe('open');
    for (const s of [sockets[1], again]) s?.ws.close();
  });

  it('closes a socket that floods messages with 4429 message_rate', async () => {
    const g = await gateway({ WS_MESSAGES_PER_S: '5' });
    const client = await TestClient.ready(g.url, await g.session(TEST_USER));
    for (let i = 0; i < 50; i++) client.send({ type: 'ping' });
    expect(await client.closed).toEqual({ code: 4429, reason: 'message_rate' });
    expect(client.ofType('pong').length).toBeLessThan(12);
  });

  it('closes the sockets of a session that expired or was deleted within WS_SESSION_RECHECK_MS', async () => {
    const g = await gateway({ WS_SESSION_RECHECK_MS: '200' });
    const token = await g.session(TEST_USER);
    const keep = await TestClient.ready(g.url, await g.session(TEST_USER));
    const client = await TestClient.ready(g.url, token);
    // As a missed revocation notice or a TTL running out would leave it: the key is simply gone.
    await g.redis.del(g.channels.keys.session(sha256hex(token)));
    expect(await client.closed).toEqual({ code: 4401, reason: 'session_expired' });
    expect(keep.ws.readyState).toBe(WebSocket.OPEN);
    await keep.close();
  });

  it('closes a session’s sockets at once on a revocation notice', async () => {
    const g = await gateway({});
    const token = await g.session(TEST_USER);
    const client = await TestClient.ready(g.url, token);
    const hash = sha256hex(token);
    await g.redis.del(g.channels.keys.session(hash));
    await g.redis.publish(g.channels.pubsub.sessionsRevoked, hash);
    expect(await closedWithin(client, 2_000)).toEqual({ code: 4401, reason: 'session_revoked' });
  });
});
