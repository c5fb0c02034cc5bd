/**
 * A print price-ingest cannot store is a breaker event (issue 16, SPEC §5/§9), not a silent gap:
 * the BUILT price-ingest and health-monitor against a real Redis that refuses writes because it is
 * full (`maxmemory` below `used_memory`, `noeviction`) — the attack of filling Redis to make print
 * gaps — and against Redis with the ACL users, where price-ingest loses its right to XADD while
 * health-monitor keeps its own, so the breaker is recorded at once. Builds price-ingest first if
 * its bundle is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readBreakerIntervals } from '@tap/breaker';
import { createChannels, decodeEntry } from '@tap/channels';
import type { BreakerEntry } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  freePort,
  freshPrefix,
  REPO_ROOT,
  type Started,
  serviceEntry,
  startDaemon,
  startRedis,
  type TestRedis,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RECOVERY_MS = 2_000;

describe('a print write Redis refuses', () => {
  let redis: TestRedis;
  let client: Redis;
  const channels = createChannels(freshPrefix());
  const started: Started[] = [];

  beforeAll(async () => {
    if (!existsSync(serviceEntry('price-ingest'))) {
      execFileSync('npx', ['tsup'], { cwd: join(REPO_ROOT, 'services', 'price-ingest'), stdio: 'ignore' });
    }
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const daemon of started) await daemon.stop('SIGKILL');
    client.disconnect();
    await redis.stop();
  });

  const state = async () => (await client.hgetall(channels.keys.breakerState)) as Record<string, string>;
  const breakerEntries = async (): Promise<BreakerEntry[]> =>
    (await client.xrange(channels.streams.breaker, '-', '+')).flatMap(([, fields]) => {
      const decoded = decodeEntry('breaker', fields);
      return decoded.ok ? [decoded.value] : [];
    });
  const until = async (what: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await what())) {
      if (Date.now() > deadline)
        throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(await state())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const opsJson = async (port: number) =>
    (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
  const opsText = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it('opens the breaker (price_write_failed), records it once Redis takes writes again, and recovers', async () => {
    const ingestPort = await freePort();
    const monitorPort = await freePort();
    const common = { REDIS_URL: redis.url, TAP_KEY_PREFIX: channels.prefix };
    started.push(
      startDaemon('price-ingest', {
        ...common,
        OPS_PORT: String(ingestPort),
        VENUES: 'simulator',
        SIM_OUTAGE_MEAN_INTERVAL_MS: '0',
      }),
      startDaemon('health-monitor', {
        ...common,
        OPS_PORT: String(monitorPort),
        BREAKER_STALE_MS: '5000',
        BREAKER_RECOVERY_MS: String(RECOVERY_MS),
      }),
    );
    await until(async () => (await state()).state === 'closed', 20_000);

    // Redis full: every write is refused (OOM), PUBLISH still goes through.
    const filledAt = Date.now();
    const used = Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1]);
    await client.config('SET', 'maxmemory', String(Math.floor(used / 2)));
    await until(async () => {
      const breaker = (await opsJson(monitorPort)).breaker as { state?: string; reason?: string } | undefined;
      return breaker?.state === 'open' && breaker.reason === 'price_write_failed';
    }, 5_000);
    expect(await opsText(ingestPort)).toMatch(
      /tap_price_ingest_publish_errors_total\{service="price-ingest"\} [1-9]/,
    );
    // health-monitor cannot write either: the heartbeat stops, which ingest-api fails closed on.
    expect((await state()).state).toBe('closed');

    await client.config('SET', 'maxmemory', '512mb');
    await until(async () => (await state()).reason === 'price_write_failed', 5_000);
    const opened = (await breakerEntries()).find((entry) => entry.reason === 'price_write_failed');
    expect(opened?.state).toBe('open');
    expect(opened!.since).toBeGreaterThanOrEqual(filledAt - 200);
    const intervals = await readBreakerIntervals(
      client,
      channels.keys.breakerIntervals,
      filledAt - 200,
      Date.now(),
    );
    expect(intervals.at(-1)).toMatchObject({ from: opened!.since, reason: 'price_write_failed' });
    expect(await opsText(monitorPort)).toContain(
      'tap_health_monitor_breaker_opens_total{reason="price_write_failed",service="health-monitor"} 1',
    );

    // Prints flow again: closed only after the recovery period of continuous health.
    await until(async () => (await state()).state === 'closed', RECOVERY_MS + 10_000);
    const closed = (await breakerEntries()).at(-1)!;
    expect(closed).toMatchObject({ state: 'closed', reason: 'recovered' });
    expect(closed.since - opened!.since).toBeGreaterThanOrEqual(RECOVERY_MS);
  });
}, 90_000);

describe('a print write refused by the ACL (price-ingest lost its right to XADD)', () => {
  let redis: TestRedis;
  let client: Redis;
  const channels = createChannels(freshPrefix());
  const started: Started[] = [];

  beforeAll(async () => {
    redis = await startRedis({ aclPrefix: channels.prefix });
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const daemon of started) await daemon.stop('SIGKILL');
    client.disconnect();
    await redis.stop();
  });

  const state = async () => (await client.hgetall(channels.keys.breakerState)) as Record<string, string>;
  const until = async (what: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await what())) {
      if (Date.now() > deadline)
        throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(await state())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('opens the breaker at once, recorded in Redis while price-ingest is still refused', async () => {
    const address = { REDIS_URL: `redis://127.0.0.1:${redis.port}`, TAP_KEY_PREFIX: channels.prefix };
    started.push(
      startDaemon('price-ingest', {
        ...address,
        ...redis.credentials('price-ingest'),
        OPS_PORT: String(await freePort()),
        VENUES: 'simulator',
        SIM_OUTAGE_MEAN_INTERVAL_MS: '0',
      }),
      startDaemon('health-monitor', {
        ...address,
        ...redis.credentials('health-monitor'),
        OPS_PORT: String(await freePort()),
        BREAKER_STALE_MS: '5000',
        BREAKER_RECOVERY_MS: String(RECOVERY_MS),
      }),
    );
    await until(async () => (await state()).state === 'closed', 20_000);

    const refusedAt = Date.now();
    await client.call('ACL', 'SETUSER', 'price-ingest', '-xadd');
    await until(async () => (await state()).reason === 'price_write_failed', 5_000);
    const open = await state();
    expect(open.state).toBe('open');
    expect(Number(open.since)).toBeGreaterThanOrEqual(refusedAt - 200);
    // Refused for seconds now, the breaker stays open however fresh the last print looks.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await state()).toMatchObject({ state: 'open', reason: 'price_write_failed' });

    await client.call('ACL', 'SETUSER', 'price-ingest', '+xadd');
    await until(async () => (await state()).state === 'closed', RECOVERY_MS + 10_000);
  });
}, 90_000);
