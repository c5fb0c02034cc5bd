/**
 * The breaker end to end with shortened thresholds: the BUILT price-ingest (simulator, no outages)
 * and health-monitor against a real Redis. Builds price-ingest first if its bundle is missing
 * (turbo only builds this package before its own integration tests).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readBreakerIntervals } from '@tap/breaker';
import { createChannels, decodeEntry } from '@tap/channels';
import type { BreakerEntry, PrintEntry } from '@tap/domain';
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
  waitForHealthy,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const STALE_MS = 1_500;
const RECOVERY_MS = 2_000;

describe('breaker with price-ingest and health-monitor running', () => {
  let redis: TestRedis;
  let client: Redis;
  const channels = createChannels(freshPrefix());
  const started: Started[] = [];
  let monitorPort: number;

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

  const startPriceIngest = async () => {
    const daemon = startDaemon('price-ingest', {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: channels.prefix,
      OPS_PORT: String(await freePort()),
      VENUES: 'simulator',
      SIM_OUTAGE_MEAN_INTERVAL_MS: '0',
    });
    started.push(daemon);
    return daemon;
  };
  const state = async () => (await client.hgetall(channels.keys.breakerState)) as Record<string, string>;
  const breakerEntries = async (): Promise<BreakerEntry[]> =>
    (await client.xrange(channels.streams.breaker, '-', '+')).map(([, fields]) => {
      const decoded = decodeEntry('breaker', fields);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.value;
    });
  const lastPrint = async () =>
    JSON.parse((await client.get(channels.keys.priceLast)) ?? 'null') as PrintEntry;
  const until = async (what: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await what())) {
      if (Date.now() > deadline)
        throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(await state())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('closes after the recovery period once prints flow', async () => {
    await startPriceIngest();
    monitorPort = await freePort();
    started.push(
      startDaemon('health-monitor', {
        REDIS_URL: redis.url,
        TAP_KEY_PREFIX: channels.prefix,
        OPS_PORT: String(monitorPort),
        BREAKER_STALE_MS: String(STALE_MS),
        BREAKER_RECOVERY_MS: String(RECOVERY_MS),
      }),
    );
    await until(async () => (await state()).state === 'closed', 10_000);
    const [opened, closed] = await breakerEntries();
    expect(opened).toMatchObject({ state: 'open', reason: 'starting' });
    expect(closed).toMatchObject({ state: 'closed', reason: 'recovered' });
    expect(closed!.since - opened!.since).toBeGreaterThanOrEqual(RECOVERY_MS);
    expect(await readBreakerIntervals(client, channels.keys.breakerIntervals, 0, Date.now())).toEqual([
      { from: opened!.since, to: closed!.since, reason: 'starting' },
    ]);
  });

  it('opens on an operator halt (tapctl halt) and closes as soon as it is lifted', async () => {
    const before = (await breakerEntries()).length;
    const haltedAt = Date.now();
    await client.set(
      channels.keys.manualHalt,
      JSON.stringify({ operator: 'alice', reason: 'drill', since: haltedAt, actionId: 'a1' }),
    );
    await until(async () => (await state()).state === 'open', 5_000);
    expect(await state()).toMatchObject({ reason: 'manual_halt', since: String(haltedAt) });
    await client.del(channels.keys.manualHalt);
    await until(async () => (await state()).state === 'closed', 5_000);
    const [opened, closed] = (await breakerEntries()).slice(before);
    expect(opened).toEqual({ state: 'open', reason: 'manual_halt', since: haltedAt });
    expect(closed).toMatchObject({ state: 'closed', reason: 'recovered' });
    const intervals = await readBreakerIntervals(
      client,
      channels.keys.breakerIntervals,
      haltedAt,
      Date.now(),
    );
    expect(intervals.at(-1)).toEqual({ from: haltedAt, to: closed!.since, reason: 'manual_halt' });
  });

  it('opens when price-ingest stops printing, and the heartbeat keeps advancing', async () => {
    const ingest = started[0]!;
    process.kill(ingest.pid, 'SIGSTOP');
    const frozenPrint = await lastPrint();
    await until(async () => (await state()).state === 'open', STALE_MS + 2_000);
    expect(await state()).toMatchObject({ reason: 'stale_prints', since: String(frozenPrint.t + STALE_MS) });
    expect((await breakerEntries()).at(-1)).toEqual({
      state: 'open',
      reason: 'stale_prints',
      since: frozenPrint.t + STALE_MS,
    });
    expect(
      (
        await readBreakerIntervals(
          client,
          channels.keys.breakerIntervals,
          frozenPrint.t + STALE_MS,
          Date.now(),
        )
      ).at(-1),
    ).toEqual({
      from: frozenPrint.t + STALE_MS,
      to: null,
      reason: 'stale_prints',
    });
    const heartbeat = Number((await state()).heartbeatAt);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(Number((await state()).heartbeatAt)).toBeGreaterThan(heartbeat);
    expect(await waitForHealthy(`http://127.0.0.1:${monitorPort}/healthz`)).toMatchObject({
      ok: true,
      breaker: { state: 'open', reason: 'stale_prints' },
    });
    const metrics = await (await fetch(`http://127.0.0.1:${monitorPort}/metrics`)).text();
    expect(metrics).toContain('tap_health_monitor_breaker_open{service="health-monitor"} 1');
    await ingest.stop('SIGKILL');
  });

  it('closes again only after the recovery period once a new price-ingest prints', async () => {
    const frozenPrint = await lastPrint();
    await startPriceIngest();
    await until(async () => (await lastPrint()).id > frozenPrint.id, 5_000);
    await until(async () => (await state()).state === 'closed', RECOVERY_MS + 3_000);
    const closed = (await breakerEntries()).at(-1)!;
    expect(closed).toMatchObject({ state: 'closed', reason: 'recovered' });
    const firstNew = (await client.xrange(channels.streams.prices, String(frozenPrint.t), '+', 'COUNT', 20))
      .map(([, fields]) => decodeEntry('prices', fields))
      .flatMap((decoded) => (decoded.ok ? [decoded.value] : []))
      .find((print) => print.id > frozenPrint.id);
    expect(closed.since - firstNew!.t).toBeGreaterThanOrEqual(RECOVERY_MS);
    expect(
      (await readBreakerIntervals(client, channels.keys.breakerIntervals, frozenPrint.t, Date.now())).at(-1),
    ).toEqual({
      from: frozenPrint.t + STALE_MS,
      to: closed.since,
      reason: 'stale_prints',
    });
  });

  it('stops advancing the heartbeat when health-monitor is killed (what ingest-api fails closed on)', async () => {
    const monitor = started[1]!;
    await monitor.stop('SIGKILL');
    const heartbeat = Number((await state()).heartbeatAt);
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    expect(Number((await state()).heartbeatAt)).toBe(heartbeat);
    expect(Date.now() - heartbeat).toBeGreaterThan(5_000);
  });
}, 60_000);
