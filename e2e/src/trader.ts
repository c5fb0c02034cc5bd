/**
 * A simulated trader for end-to-end tests: a fresh wallet signed in with real SIWE through
 * `@tap/client` (the web client's and the bots' client), funded through `tap:adjustments` (as
 * tapctl does), with a raw WebSocket that collects its events (the tests check the protocol
 * itself, so they do not want the client's reconnects and de-duplication in the way).
 */
import { randomUUID } from 'node:crypto';
import { createChannels, encodeEntry } from '@tap/channels';
import { signIn as clientSignIn, createTapApi } from '@tap/client';
import { anAdjustment, type TestStack } from '@tap/testkit';
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
  const api = createTapApi({ baseUrl: stack.apiUrl });
  const login = await clientSignIn(api, account, { domain: LOGIN.LOGIN_DOMAIN, uri: LOGIN.LOGIN_URI });
  if (!login.ok) throw new Error(`sign-in refused: ${login.error} ${login.message}`);
  return { token: login.value.token, userId: account.address.toLowerCase() };
}

/** Deposits through tap:adjustments and waits until the batcher has applied it to the cache. */
export async function deposit(
  stack: TestStack,
  redis: Redis,
  userId: string,
  amountMicros: number,
): Promise<void> {
  const channels = createChannels(stack.prefix);
  const before = Number((await redis.hget(channels.keys.wallet(userId), 'balance')) ?? 0);
  const entry = anAdjustment({
    adjustmentId: randomUUID(),
    userId,
    kind: 'deposit',
    amountMicros,
    reason: 'e2e deposit',
    requestedAt: Date.now(),
  });
  await redis.xadd(channels.streams.adjustments, '*', ...encodeEntry('adjustments', entry));
  const deadline = Date.now() + 10_000;
  while (Number((await redis.hget(channels.keys.wallet(userId), 'balance')) ?? 0) < before + amountMicros) {
    if (Date.now() > deadline) throw new Error('deposit was not applied within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A $1 bet accepting any offered multiplier; `{status, body}` as the API answered. */
export async function placeBet(
  stack: TestStack,
  token: string,
  cell: { t0: number; p0: number; stakeMicros?: number; minMultiplierBp?: number; clientBetId?: string },
) {
  const api = createTapApi({ baseUrl: stack.apiUrl });
  api.token = token;
  const res = await api.placeBet({ stakeMicros: 1_000_000, minMultiplierBp: 10_500, ...cell });
  const body: Record<string, unknown> = res.ok
    ? { ...res.value }
    : { error: res.error, message: res.message, ...res.details };
  return { status: res.status, body };
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
