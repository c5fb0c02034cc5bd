/**
 * A simulated trader for end-to-end tests: a fresh wallet signed in with real SIWE, funded through
 * `tap:adjustments` (as tapctl does), with a WebSocket that collects its events.
 */
import { randomUUID } from 'node:crypto';
import { createChannels, encodeEntry } from '@tap/channels';
import { buildSiweMessage, randomNonce } from '@tap/signatures';
import type { TestStack } from '@tap/testkit';
import type { Redis } from 'ioredis';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import WebSocket from 'ws';

export const LOGIN = { LOGIN_DOMAIN: 'tap.example', LOGIN_URI: 'https://tap.example', LOGIN_CHAIN_IDS: '1' };

export interface TraderSocket {
  events: Record<string, unknown>[];
  waitFor(
    match: (event: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function signIn(stack: TestStack) {
  const account = privateKeyToAccount(generatePrivateKey());
  const message = buildSiweMessage({
    address: account.address,
    domain: LOGIN.LOGIN_DOMAIN,
    uri: LOGIN.LOGIN_URI,
    chainId: 1,
    nonce: randomNonce(),
    issuedAt: new Date(),
  });
  const res = await fetch(`${stack.apiUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  });
  const body = (await res.json()) as { token: string };
  return { token: body.token, userId: account.address.toLowerCase() };
}

/** Deposits through tap:adjustments and waits until the batcher has applied it to the cache. */
export async function deposit(
  stack: TestStack,
  redis: Redis,
  userId: string,
  amountMicros: number,
): Promise<void> {
  const channels = createChannels(stack.prefix);
  const before = Number((await redis.get(channels.keys.balance(userId))) ?? 0);
  const entry = {
    adjustmentId: randomUUID(),
    userId,
    kind: 'deposit' as const,
    amountMicros,
    reason: 'e2e deposit',
    requestedAt: Date.now(),
  };
  await redis.xadd(channels.streams.adjustments, '*', ...encodeEntry('adjustments', entry));
  const deadline = Date.now() + 10_000;
  while (Number((await redis.get(channels.keys.balance(userId))) ?? 0) < before + amountMicros) {
    if (Date.now() > deadline) throw new Error('deposit was not applied within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function placeBet(stack: TestStack, token: string, body: Record<string, unknown>) {
  const res = await fetch(`${stack.apiUrl}/v1/bets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      clientBetId: randomUUID(),
      stakeMicros: 1_000_000,
      minMultiplierBp: 10_500,
      ...body,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The band just above the index, in a window at least 8 s ahead. */
export function nextCell(priceCents: number, bandsAbove = 1) {
  const t0 = Math.ceil((Date.now() + 3_000) / 5_000) * 5_000 + 5_000;
  return { t0, p0: Math.floor(priceCents / 1_000) * 1_000 + bandsAbove * 1_000 };
}

export async function openSocket(
  stack: TestStack,
  token: string,
  lastEventId?: string,
): Promise<TraderSocket> {
  const socket = new WebSocket(stack.wsUrl);
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<{
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }>();
  socket.on('message', (data) => {
    const event = JSON.parse(String(data)) as Record<string, unknown>;
    events.push(event);
    for (const waiter of waiters) if (waiter.match(event)) waiter.resolve(event);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'auth', token, ...(lastEventId ? { lastEventId } : {}) }));
  const waitFor: TraderSocket['waitFor'] = (match, timeoutMs = 10_000) => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (event: Record<string, unknown>) => {
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events)}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };
  await waitFor((event) => event.type === 'ready');
  return {
    events,
    waitFor,
    close: () =>
      new Promise((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
