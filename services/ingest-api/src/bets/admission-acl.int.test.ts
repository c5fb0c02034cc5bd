/**
 * The admission script declares no KEYS (admission-keys.ts): it relies on Redis checking every
 * command a script runs against the caller's ACL user. This pins that on the installed ACL users
 * (infra/redis-users.acl.in): as `ingest-api`, the script admits a bet, and a script that writes a
 * key ingest-api may only read — undeclared, like the admission script's keys — is refused.
 */
import { randomUUID } from 'node:crypto';
import { createChannels } from '@tap/channels';
import { DEFAULT_PRICING_CONFIG } from '@tap/pricing';
import { startRedis, type TestRedis } from '@tap/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmission } from './admission-script.js';

const channels = createChannels('tap:');
const USER = '0x00000000000000000000000000000000000000c1';
let server: TestRedis;
let admin: Redis;
let ingest: Redis;

beforeAll(async () => {
  server = await startRedis({ aclPrefix: channels.prefix });
  admin = new Redis(server.url);
  const { REDIS_USERNAME, REDIS_PASSWORD } = server.credentials('ingest-api');
  ingest = new Redis(server.port, '127.0.0.1', { username: REDIS_USERNAME, password: REDIS_PASSWORD });
});
afterAll(async () => {
  ingest.disconnect();
  admin.disconnect();
  await server.stop();
});

describe('the admission script under the ingest-api ACL user', () => {
  it('admits a bet, writing only keys ingest-api may write', async () => {
    await admin.set(channels.keys.balanceCacheReady, '1');
    await admin.hset(channels.keys.wallet(USER), 'balance', '10000000');
    const admit = createAdmission(
      ingest,
      channels,
      { cellMicros: 1e12, columnMicros: 1e12, totalMicros: 1e12, userPayoutMicros: 1e12, userOpenBets: 100 },
      { ratePerS: 100, burst: 100 },
    );
    const t0 = Math.ceil((Date.now() + 20_000) / 5_000) * 5_000;
    const betId = `01J${randomUUID().replaceAll('-', '').slice(0, 23).toUpperCase()}`;
    const result = await admit({
      userId: USER,
      clientBetId: randomUUID(),
      betId,
      t0,
      p0: 9_501_000,
      stakeMicros: 1_000_000,
      payoutMicros: 2_000_000,
      fingerprint: `${t0}:9501000:1000000:10500`,
      entryJson: `{"betId":"${betId}","terms":{"multiplierBp":20000}}`,
      termsBytes: '{"multiplierBp":20000}'.length,
      exposureExpireAtMs: t0 + 120_000,
      receivedAtMs: Date.now(),
      leadMs: DEFAULT_PRICING_CONFIG.leadMs,
    });
    expect(result).toEqual({ ok: true });
    expect(await admin.hget(channels.keys.wallet(USER), 'balance')).toBe('9000000');
    expect(await admin.get(channels.keys.pendingBet(betId))).toBe(USER);
  });

  it('refuses a script write to a key ingest-api may only read, though the key is not declared', async () => {
    for (const key of [
      channels.keys.balanceCacheReady,
      channels.keys.frozen(USER),
      channels.keys.fillDelay(USER),
    ])
      await expect(ingest.eval(`return redis.call('SET', '${key}', '1')`, 0)).rejects.toThrow(
        /can't access at least one of the keys/,
      );
    expect(await admin.get(channels.keys.frozen(USER))).toBeNull();
  });
});
