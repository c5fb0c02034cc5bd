/**
 * A session that ends closes its open WebSockets (SPEC §5, issue 16): logout through ingest-api and
 * the revocation of the oldest session by the 10-per-wallet cap close that session's sockets on
 * ws-gateway at once, with 4401 and a coded reason; other sessions' sockets stay open.
 */
import { signIn as clientSignIn, createTapApi } from '@tap/client';
import { startStack, type TestStack } from '@tap/testkit';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOGIN } from './trader.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ daemons: ['ingest-api', 'ws-gateway'], env: { 'ingest-api': LOGIN } });
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

async function login(account = privateKeyToAccount(generatePrivateKey())) {
  const api = createTapApi({ baseUrl: stack.apiUrl });
  const result = await clientSignIn(api, account, { domain: LOGIN.LOGIN_DOMAIN, uri: LOGIN.LOGIN_URI });
  if (!result.ok) throw new Error(`sign-in refused: ${result.error}`);
  return { account, token: result.value.token };
}

/** An authenticated socket and the close it will see. */
async function socketFor(token: string) {
  const ws = new WebSocket(stack.wsUrl);
  const messages: { type: string; error?: string }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      messages.push(message);
      if (message.type === 'ready') resolve();
    });
    ws.once('error', reject);
  });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'auth', token }));
  await ready;
  return { ws, messages, closed };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)),
  ]);

describe('session ends close their sockets', () => {
  it('closes every socket of a session that logs out with 4401 session_revoked, and no other', async () => {
    const { account, token } = await login();
    const other = await login(account);
    const [a, b, keep] = await Promise.all([socketFor(token), socketFor(token), socketFor(other.token)]);
    const res = await fetch(`${stack.apiUrl}/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    for (const socket of [a, b]) {
      expect(await within(socket.closed, 5_000)).toEqual({ code: 4401, reason: 'session_revoked' });
      expect(socket.messages.at(-1)).toMatchObject({ type: 'error', error: 'session_invalid' });
    }
    expect(keep.ws.readyState).toBe(WebSocket.OPEN);
    // The revoked token cannot come back.
    const again = new WebSocket(stack.wsUrl);
    await new Promise((resolve) => again.once('open', resolve));
    again.send(JSON.stringify({ type: 'auth', token }));
    const refused = await new Promise<number>((resolve) => again.on('close', (code) => resolve(code)));
    expect(refused).toBe(4401);
    keep.ws.close();
  });

  it('closes the socket of the session the 11th login revokes', async () => {
    const first = await login();
    const socket = await socketFor(first.token);
    for (let i = 0; i < 10; i++) await login(first.account);
    expect(await within(socket.closed, 5_000)).toEqual({ code: 4401, reason: 'session_revoked' });
  }, 60_000);
});
