/**
 * A flood of upgrades with bogus session tokens (issue 16: ws-gateway bounds its session lookups,
 * WS_AUTH_LOOKUPS_MAX): with Redis slow to answer, at most the bound of lookups is in flight — every
 * socket beyond it is closed 1013 `lookups_max` before any Redis command, counted by the gateway's
 * metric and by Redis's own INFO commandstats — and an authenticated client's ticks keep flowing
 * meanwhile. The built daemon, a real redis-server, and a TCP proxy between them that holds the
 * replies of the lookups' connection.
 */
import { randomBytes } from 'node:crypto';
import { aPrint, startFaultProxy, startRedis, TEST_USER, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCalls, startTestGateway, TestClient } from '../test-gateway.js';

const LOOKUPS_MAX = 5;
const FLOOD = 100;
const HELD_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

describe('a flood of bogus session tokens', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(() => redis?.stop());

  it('keeps at most WS_AUTH_LOOKUPS_MAX lookups in flight, refuses the rest before Redis, and ticks go on', async () => {
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(redis.url).port) });
    const gateway = await startTestGateway(redis, {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      WS_AUTH_LOOKUPS_MAX: String(LOOKUPS_MAX),
      WS_CONNECTIONS_PER_IP_MAX: '10000',
    });
    try {
      const trader = await TestClient.ready(gateway.url, await gateway.session(TEST_USER));
      const getsBefore = await getCalls(gateway.redis);
      // From the next lookup on, its connection's replies are held: each lookup stays in flight.
      proxy.setFault({ kind: 'delayReplies', match: ':session:', delayMs: HELD_MS });
      const flood = await Promise.all(Array.from({ length: FLOOD }, () => TestClient.connect(gateway.url)));
      for (const client of flood) client.send({ type: 'auth', token: randomBytes(32).toString('base64url') });

      // Ticks while the lookups are held: each reaches the trader within a short time of its print.
      const firstId = 7_000_000;
      const late: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const id = firstId + i;
        const printedAt = Date.now();
        await gateway.appendPrint(aPrint({ id, t: printedAt }));
        await trader.waitFor((m) => m.type === 'tick' && Number(m.id) === id, 2_000);
        late.push(Date.now() - printedAt);
        await sleep(printedAt + 100 - Date.now());
      }

      const closes = await Promise.all(flood.map((client) => client.closed));
      const refused = closes.filter((c) => c.code === 1013 && c.reason === 'lookups_max').length;
      const looked = closes.filter((c) => c.code !== 1013).length;
      expect(proxy.matchesSinceFault()).toBe(1);
      expect(looked).toBeLessThanOrEqual(LOOKUPS_MAX);
      expect(refused).toBe(FLOOD - looked);
      expect(await gateway.metric('tap_ws_gateway_limit_refusals_total')).toBe(refused);
      // Only the lookups within the bound reached Redis; a bogus token is never admitted.
      expect((await getCalls(gateway.redis)) - getsBefore).toBe(looked);
      expect(flood.some((client) => client.ofType('ready').length > 0)).toBe(false);
      expect(Math.max(...late)).toBeLessThan(1_000);
      await trader.close();
    } finally {
      await gateway.stop();
      await proxy.close();
    }
  }, 30_000);
});
