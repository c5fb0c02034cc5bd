/**
 * Traders for a run: real secp256k1 keys (viem), real Sign-In with Ethereum through the API (the
 * login storm is measured: logins/s and latency), and funding through `tap:adjustments` — the
 * batcher applies the deposits; a wallet is funded once its balance cache key shows the amount.
 */
import type { Channels } from '@tap/channels';
import { encodeEntry, readSlots, slotName, WALLET_FIELDS } from '@tap/channels';
import { type AdjustmentEntry, signOperatorEntry } from '@tap/domain';
import { buildSiweMessage, randomNonce } from '@tap/signatures';
import { TEST_OPERATOR_KEY } from '@tap/testkit/standalone';
import type { Redis } from 'ioredis';
import { Pool } from 'undici';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { createHistogram, type LatencySummary, recordMs, summarize } from '../stats/histogram.js';
import type { WalletSession } from './worker-protocol.js';

export interface SignedLogin {
  userId: string;
  message: string;
  signature: string;
}

export interface LoginStormResult {
  logins: number;
  ok: number;
  /** 503 login_busy answers that were retried. */
  busyRetries: number;
  errors: Record<string, number>;
  elapsedMs: number;
  loginsPerS: number;
  concurrency: number;
  latency: LatencySummary;
}

export function createWallets(count: number): PrivateKeyAccount[] {
  return Array.from({ length: count }, () => privateKeyToAccount(generatePrivateKey()));
}

/**
 * EIP-4361 messages signed with EIP-191 personal_sign; they must be used within the 30 s skew.
 * `issuedAtOffsetMs` dates them away from now (the chaos run's skew probes).
 */
export async function signLogins(
  wallets: readonly PrivateKeyAccount[],
  site: { domain: string; uri: string },
  issuedAtOffsetMs = 0,
): Promise<SignedLogin[]> {
  const signed: SignedLogin[] = [];
  for (const wallet of wallets) {
    const message = buildSiweMessage({
      address: wallet.address,
      domain: site.domain,
      uri: site.uri,
      chainId: 1,
      nonce: randomNonce(),
      issuedAt: new Date(Date.now() + issuedAtOffsetMs),
    });
    signed.push({
      userId: wallet.address.toLowerCase(),
      message,
      signature: await wallet.signMessage({ message }),
    });
  }
  return signed;
}

/** Closed loop with `concurrency` logins in flight; login_busy is retried after 20 ms. */
export async function loginAll(
  apiUrl: string,
  logins: readonly SignedLogin[],
  concurrency: number,
): Promise<{ sessions: WalletSession[]; storm: LoginStormResult }> {
  const pool = new Pool(apiUrl, { connections: concurrency, pipelining: 1 });
  const latency = createHistogram();
  const errors: Record<string, number> = {};
  const sessions: (WalletSession | undefined)[] = new Array(logins.length);
  let cursor = 0;
  let busyRetries = 0;
  const began = performance.now();
  const one = async (login: SignedLogin, index: number) => {
    for (;;) {
      const sentAt = performance.now();
      const res = await pool.request({
        method: 'POST',
        path: '/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: login.message, signature: login.signature }),
      });
      const body = (await res.body.json()) as { token?: string; error?: string };
      recordMs(latency, performance.now() - sentAt);
      if (res.statusCode === 200 && body.token) {
        sessions[index] = { userId: login.userId, token: body.token };
        return;
      }
      if (res.statusCode === 503 && body.error === 'login_busy') {
        busyRetries += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const code = `${res.statusCode} ${body.error ?? 'unknown'}`;
      errors[code] = (errors[code] ?? 0) + 1;
      return;
    }
  };
  const lane = async () => {
    while (cursor < logins.length) {
      const index = cursor++;
      await one(logins[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, logins.length) }, lane));
  const elapsedMs = performance.now() - began;
  await pool.close();
  const ok = sessions.filter(Boolean).length;
  return {
    sessions: sessions.filter((s): s is WalletSession => s !== undefined),
    storm: {
      logins: logins.length,
      ok,
      busyRetries,
      errors,
      elapsedMs: Math.round(elapsedMs),
      loginsPerS: Math.round((ok / elapsedMs) * 1000),
      concurrency,
      latency: summarize(latency),
    },
  };
}

/** Deposits `amountMicros` to each wallet via tap:adjustments and waits until the batcher applied them. */
/** Operator-signed deposits into `tap:adjustments`, one pipeline (the batcher applies them). */
export async function queueDeposits(
  redis: Redis,
  channels: Channels,
  deposits: readonly { adjustmentId: string; userId: string }[],
  amountMicros: number,
  operatorKeyHex = TEST_OPERATOR_KEY,
): Promise<void> {
  const pipeline = redis.pipeline();
  for (const { adjustmentId, userId } of deposits) {
    const entry = signOperatorEntry<AdjustmentEntry>(
      'adjustments',
      {
        ...{ adjustmentId, userId, kind: 'deposit', amountMicros },
        ...{ reason: 'benchmark funding', operator: 'benchmark', requestedAt: Date.now() },
      },
      operatorKeyHex,
    );
    pipeline.xadd(channels.streams.adjustments, '*', ...encodeEntry('adjustments', entry));
  }
  await pipeline.exec();
}

export async function fundWallets(
  redis: Redis,
  channels: Channels,
  userIds: readonly string[],
  amountMicros: number,
  timeoutMs = 60_000,
  // The benchmark stacks run their batcher with testkit's public key (stack/stack.ts).
  operatorKeyHex = TEST_OPERATOR_KEY,
): Promise<{ elapsedMs: number }> {
  const began = Date.now();
  const tag = `bench-${began.toString(36)}`;
  for (let i = 0; i < userIds.length; i += 1_000) {
    const deposits = userIds
      .slice(i, i + 1_000)
      .map((userId, j) => ({ adjustmentId: `${tag}-${i + j}`, userId }));
    await queueDeposits(redis, channels, deposits, amountMicros, operatorKeyHex);
  }
  let unfunded = [...userIds];
  while (unfunded.length > 0) {
    if (Date.now() - began > timeoutMs) {
      throw new Error(`${unfunded.length} wallets not funded by the batcher within ${timeoutMs} ms`);
    }
    const still: string[] = [];
    for (let i = 0; i < unfunded.length; i += 1_000) {
      const chunk = unfunded.slice(i, i + 1_000);
      const balances = await readSlots(
        redis,
        chunk.map((id) => ({ key: channels.keys.wallet(id), field: WALLET_FIELDS.balance })),
      );
      for (const id of chunk) {
        const balance = balances.get(
          slotName({ key: channels.keys.wallet(id), field: WALLET_FIELDS.balance }),
        );
        if (Number(balance ?? 0) < amountMicros) still.push(id);
      }
    }
    unfunded = still;
    if (unfunded.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { elapsedMs: Date.now() - began };
}
