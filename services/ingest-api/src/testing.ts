/**
 * Test support for ingest-api's integration tests: start the built daemon against a test Redis
 * with a fresh key prefix, sign in real wallets, and call the API.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannels, WALLET_FIELDS } from '@tap/channels';
import { buildSiweMessage, randomNonce } from '@tap/signatures';
import {
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit';
import { Redis } from 'ioredis';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';

export const LOGIN_DOMAIN = 'tap.test';
export const LOGIN_URI = 'https://tap.test';

export interface TestApi {
  baseUrl: string;
  prefix: string;
  daemon: Started;
  stop(): Promise<void>;
}

export async function startTestApi(redis: TestRedis, env: Record<string, string> = {}): Promise<TestApi> {
  const port = await freePort();
  const prefix = freshPrefix();
  // No batcher runs here: its heartbeat is written once, before the API reads its market state,
  // and BATCHER_HEARTBEAT_AGE_MS_MAX below keeps it fresh for the test (tests of the check rewrite it).
  const client = new Redis(redis.url);
  await writeBatcherHeartbeat(client, prefix);
  client.disconnect();
  const daemon = startDaemon('ingest-api', {
    REDIS_URL: redis.url,
    TAP_KEY_PREFIX: prefix,
    HTTP_PORT: String(port),
    LOGIN_DOMAIN,
    LOGIN_URI,
    LOGIN_CHAIN_IDS: '1,8453',
    LOGIN_WORKERS: '2',
    // A fresh data directory (no segment yet): a missing DATA_DIR makes the query routes fail.
    DATA_DIR: mkdtempSync(join(tmpdir(), 'tap-ingest-api-')),
    BATCHER_HEARTBEAT_AGE_MS_MAX: '600000',
    // Priced at receipt (the 202 carries the multiplier): no batcher fills bets here. The default,
    // next-tick entry, is tested by bets/next-print.int.test.ts.
    BET_ENTRY: 'receipt',
    ...env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealthy(`${baseUrl}/healthz`);
  return { baseUrl, prefix, daemon, stop: async () => void (await daemon.stop()) };
}

export function newWallet(): PrivateKeyAccount {
  return privateKeyToAccount(generatePrivateKey());
}

export function siweMessage(
  wallet: { address: `0x${string}` },
  overrides: Partial<Parameters<typeof buildSiweMessage>[0]> = {},
): string {
  return buildSiweMessage({
    address: wallet.address,
    domain: LOGIN_DOMAIN,
    uri: LOGIN_URI,
    chainId: 1,
    nonce: randomNonce(),
    issuedAt: new Date(),
    ...overrides,
  });
}

export async function signedLogin(
  wallet: PrivateKeyAccount,
  overrides: Parameters<typeof siweMessage>[1] = {},
) {
  const message = siweMessage(wallet, overrides);
  return { message, signature: await wallet.signMessage({ message }) };
}

/**
 * Waits until ingest-api's market view lets bets through (its health's `trading`): the market state
 * is refreshed every MARKET_REFRESH_MS, so a bet sent right after a fake market starts could meet
 * the snapshot from before it.
 */
export async function waitForTrading(api: TestApi, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${api.baseUrl}/healthz`)).json()) as { trading?: { ok: boolean } };
    if (health.trading?.ok) return;
    if (Date.now() > deadline)
      throw new Error(`ingest-api not trading after ${timeoutMs} ms: ${JSON.stringify(health)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function postJson(api: TestApi, path: string, body: unknown, token?: string) {
  const res = await fetch(`${api.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export async function getJson(api: TestApi, path: string, token?: string) {
  const res = await fetch(`${api.baseUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export async function loginAs(api: TestApi, wallet: PrivateKeyAccount): Promise<string> {
  const res = await postJson(api, '/v1/auth/login', await signedLogin(wallet));
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** A cell the server will price: the band just above the index, a window ≥ 8 s ahead. */
export function nextCell(priceCents: number, nowMs = Date.now(), bandsAbove = 1) {
  const t0 = Math.ceil((nowMs + 3_000) / 5_000) * 5_000 + 5_000;
  const p0 = Math.floor(priceCents / 1_000) * 1_000 + bandsAbove * 1_000;
  return { t0, p0 };
}

/** A signed-in wallet with `micros` in its balance cache (as the batcher would have put there). */
export async function fundedTrader(api: TestApi, redis: import('ioredis').Redis, micros: number) {
  const wallet = newWallet();
  const token = await loginAs(api, wallet);
  const userId = wallet.address.toLowerCase();
  await fundInCache(redis, api.prefix, userId, micros);
  return { token, userId };
}

/** A $1 bet request on `nextCell` of the given index, at a multiplier floor every near cell clears. */
export function aBetRequest(priceCents = 9_500_000) {
  return {
    clientBetId: randomUUID(),
    ...nextCell(priceCents),
    stakeMicros: 1_000_000,
    minMultiplierBp: 10_500,
  };
}

/** Seeds what the batcher owns: the balance cache for `userId`, the ready flag and its heartbeat. */
export async function fundInCache(
  redis: import('ioredis').Redis,
  prefix: string,
  userId: string,
  micros: number,
) {
  await redis.hset(createChannels(prefix).keys.wallet(userId), WALLET_FIELDS.balance, String(micros));
  await redis.set(`${prefix}balance:ready`, '1');
  await writeBatcherHeartbeat(redis, prefix);
}

/** The heartbeat a running batcher writes (batcher-check.ts): now, nothing unapplied. */
export async function writeBatcherHeartbeat(redis: import('ioredis').Redis, prefix: string, lagMs = 0) {
  await redis.hset(createChannels(prefix).keys.batcherHeartbeat, { at: Date.now(), lagMs });
}
