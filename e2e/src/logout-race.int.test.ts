/**
 * Logout wins over a WebSocket auth in flight (issue 16, SPEC §5 "Logout deletes it and closes that
 * session's WebSockets"). The race, forced: ws-gateway's session lookup has been answered by Redis
 * (the session still existed) but the answer reaches the gateway late — a fault proxy holds that one
 * connection's replies — while the trader logs out through the real ingest-api, whose revocation
 * notice reaches the gateway at once on its subscriber connection. The socket must never be
 * admitted (`ready`): it is closed 4401 `session_revoked` as soon as the notice arrives, not by the
 * recheck 30 s later. Built ingest-api and ws-gateway, a real redis-server.
 */
import { createHash } from 'node:crypto';
import { createChannels } from '@tap/channels';
import { signIn as clientSignIn, createTapApi } from '@tap/client';
import {
  type FaultProxy,
  freePort,
  type Started,
  startDaemon,
  startFaultProxy,
  startStack,
  type TestStack,
  waitForHealthy,
} from '@tap/testkit';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOGIN } from './trader.js';

const REPLY_DELAY_MS = 15_000;
const RECHECK_MS = 30_000;

let stack: TestStack;
let proxy: FaultProxy;
let gateway: Started;
let wsUrl: string;

beforeAll(async () => {
  stack = await startStack({ daemons: ['ingest-api'], env: { 'ingest-api': LOGIN } });
  proxy = await startFaultProxy({ host: '127.0.0.1', port: stack.redis.port });
  const port = await freePort();
  gateway = startDaemon('ws-gateway', {
    REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    TAP_KEY_PREFIX: stack.prefix,
    WS_PORT: String(port),
    WS_SESSION_RECHECK_MS: String(RECHECK_MS),
    WS_AUTH_TIMEOUT_MS: '40000',
  });
  await waitForHealthy(`http://127.0.0.1:${port}/healthz`, 20_000);
  wsUrl = `ws://127.0.0.1:${port}/v1/ws`;
}, 60_000);
afterAll(async () => {
  await gateway?.stop('SIGTERM');
  await proxy?.close();
  await stack?.stop();
});

async function login(): Promise<string> {
  const api = createTapApi({ baseUrl: stack.apiUrl });
  const account = privateKeyToAccount(generatePrivateKey());
  const result = await clientSignIn(api, account, { domain: LOGIN.LOGIN_DOMAIN, uri: LOGIN.LOGIN_URI });
  if (!result.ok) throw new Error(`sign-in refused: ${result.error}`);
  return result.value.token;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('logout during a WebSocket auth', () => {
  it('never admits a socket whose session is revoked while its lookup is answered', async () => {
    const token = await login();
    const sessionKey = createChannels(stack.prefix).keys.session(
      createHash('sha256').update(token).digest('hex'),
    );
    proxy.setFault({ kind: 'delayReplies', match: sessionKey, delayMs: REPLY_DELAY_MS });

    const ws = new WebSocket(wsUrl);
    const messages: { type: string; error?: string }[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
    const closed = new Promise<{ code: number; reason: string; atMs: number }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason), atMs: Date.now() })),
    );
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'auth', token }));
    // Redis has the lookup (and answers it: the session exists); the gateway sees the answer late.
    await until(() => proxy.matchesSinceFault() === 1, 'the gateway looked the session up');
    const loggedOutAtMs = Date.now();
    const logout = await fetch(`${stack.apiUrl}/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(200);

    const close = await closed;
    expect(close, `ws-gateway's last lines:\n${gateway.tail()}`).toMatchObject({
      code: 4401,
      reason: 'session_revoked',
    });
    // Closed by the notice, before the held lookup answer even arrived — not by the recheck.
    expect(close.atMs - loggedOutAtMs).toBeLessThan(REPLY_DELAY_MS);
    expect(messages.map((m) => m.type)).not.toContain('ready');
    expect(messages).toContainEqual(expect.objectContaining({ type: 'error', error: 'session_invalid' }));
  }, 90_000);
});
