import { createChannels, decodeEntry } from '@tap/channels';
import type { Candle1s, PrintEntry } from '@tap/domain';
import { Redis } from '@tap/runtime';
import {
  freePort,
  freshPrefix,
  type Started,
  startDaemon,
  startRedis,
  type TestRedis,
  waitForHealthy,
} from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('price-ingest with the simulator', () => {
  let redis: TestRedis;
  let client: Redis;
  const prefix = freshPrefix();
  const channels = createChannels(prefix);
  const daemons: Started[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const daemon of daemons) await daemon.stop('SIGKILL');
    client.disconnect();
    await redis.stop();
  });

  const start = async () => {
    const port = await freePort();
    const daemon = startDaemon('price-ingest', {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: prefix,
      OPS_PORT: String(port),
      VENUES: 'simulator',
      SIM_OUTAGE_MEAN_INTERVAL_MS: '0',
      INDEX_FILTER: 'off',
    });
    daemons.push(daemon);
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
    return daemon;
  };

  const prints = async (): Promise<PrintEntry[]> => {
    const entries = await client.xrange(channels.streams.prices, '-', '+');
    return entries.map(([, fields]) => {
      const decoded = decodeEntry('prices', fields);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.value;
    });
  };

  it('prints every 100 ms to the stream, price:last and the 1-second candles', async () => {
    const daemon = await start();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await daemon.stop('SIGTERM');
    const all = await prints();
    expect(all.length).toBeGreaterThanOrEqual(25);
    const steady = all.slice(1);
    for (let i = 1; i < steady.length; i += 1) {
      const gapMs = steady[i]!.t - steady[i - 1]!.t;
      expect(gapMs).toBeGreaterThanOrEqual(50);
      expect(gapMs).toBeLessThanOrEqual(250);
      expect(steady[i]!.id).toBeGreaterThan(steady[i - 1]!.id);
    }
    for (const print of all) {
      expect(print.id).toBe(print.t);
      expect(print.sigma).toBeGreaterThan(0);
      expect(print.simulated).toBe(true);
      expect(print).not.toHaveProperty('filteredCents'); // INDEX_FILTER=off: the print itself prices
    }
    // The slowest simulated venue quotes every 250 ms (+ latency): from then on all three are in.
    for (const print of all.filter((p) => p.t >= all[0]!.t + 500)) expect(print.venues).toBe(3);
    const last = JSON.parse((await client.get(channels.keys.priceLast)) ?? 'null') as PrintEntry;
    expect(last).toEqual(all.at(-1));
    const flat = await client.zrange(channels.keys.candles1s, 0, -1, 'WITHSCORES');
    const candles: { candle: Candle1s; score: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      candles.push({ candle: JSON.parse(flat[i]!) as Candle1s, score: Number(flat[i + 1]) });
    }
    expect(candles.length).toBeGreaterThanOrEqual(3);
    for (const { candle, score } of candles) {
      expect(candle.t).toBe(score);
      const inSecond = all.filter((p) => Math.floor(p.t / 1_000) === candle.t);
      expect(candle).toEqual({
        t: candle.t,
        o: inSecond[0]!.priceCents,
        h: Math.max(...inSecond.map((p) => p.priceCents)),
        l: Math.min(...inSecond.map((p) => p.priceCents)),
        c: inSecond.at(-1)!.priceCents,
        v: Math.min(...inSecond.map((p) => p.venues)),
        n: inSecond.length,
      });
    }
  });

  it('puts the filtered index on every print by default (INDEX_FILTER=on)', async () => {
    const port = await freePort();
    const filteredPrefix = freshPrefix();
    const daemon = startDaemon('price-ingest', {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: filteredPrefix,
      OPS_PORT: String(port),
      VENUES: 'simulator',
      SIM_OUTAGE_MEAN_INTERVAL_MS: '0',
    });
    daemons.push(daemon);
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
    const key = createChannels(filteredPrefix).keys.priceLast;
    const deadline = Date.now() + 20_000;
    let last: PrintEntry | null = null;
    // η needs 5-s returns: until then the filtered index is the print itself, error 0.
    while (!(last && (last.noise ?? 0) > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      last = JSON.parse((await client.get(key)) ?? 'null') as PrintEntry | null;
    }
    await daemon.stop('SIGTERM');
    expect(last?.noise).toBeGreaterThan(0);
    expect(last?.filteredNoise).toBeGreaterThan(0);
    expect(last?.filteredNoise).toBeLessThan(last?.noise ?? 0);
    // Within a few η of the print it filters (η ≈ $6 at $95,000).
    expect(Math.abs((last?.filteredCents ?? 0) - (last?.priceCents ?? 0))).toBeLessThan(5_000);
  });

  it('says loudly that it runs on the simulator: logs, /healthz and a metric', async () => {
    const port = await freePort();
    const daemon = startDaemon('price-ingest', {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: freshPrefix(),
      OPS_PORT: String(port),
      VENUES: 'simulator',
    });
    daemons.push(daemon);
    const health = await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
    expect(health).toMatchObject({ ok: true, simulated: true });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('tap_price_ingest_simulated{service="price-ingest"} 1');
    await daemon.stop('SIGTERM');
    const warnings = daemon.lines
      .map((line) => JSON.parse(line) as { level: string; msg: string })
      .filter((entry) => entry.msg === 'prices.simulated');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]!.level).toBe('warn');
  });

  it('refuses to start without VENUES, naming it (exit 78: no silent simulator)', async () => {
    const daemon = startDaemon('price-ingest', {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: freshPrefix(),
      OPS_PORT: String(await freePort()),
    });
    daemons.push(daemon);
    expect((await daemon.exited).code).toBe(78);
    expect(daemon.stderr.join('\n')).toContain('VENUES: must be set');
  });

  it('resumes the simulated market from the last print after a restart, not from its start price', async () => {
    const resumed = freshPrefix();
    const lastCents = 12_345_600; // far from SIM_START_PRICE_CENTS ($95,000)
    const last: PrintEntry = {
      id: Date.now() - 5_000,
      t: Date.now() - 5_000,
      priceCents: lastCents,
      venues: 3,
      sigma: 0.0001,
      noise: 0.00006,
      simulated: true,
    };
    await client.set(createChannels(resumed).keys.priceLast, JSON.stringify(last));
    const port = await freePort();
    const daemon = startDaemon('price-ingest', {
      REDIS_URL: redis.url,
      TAP_KEY_PREFIX: resumed,
      OPS_PORT: String(port),
      VENUES: 'simulator',
      SIM_OUTAGE_MEAN_INTERVAL_MS: '0',
    });
    daemons.push(daemon);
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await daemon.stop('SIGTERM');
    const entries = await client.xrange(createChannels(resumed).streams.prices, '-', '+');
    expect(entries.length).toBeGreaterThan(0);
    for (const [, fields] of entries) {
      const decoded = decodeEntry('prices', fields);
      if (!decoded.ok) throw new Error(decoded.reason);
      // Within 0.2 % ($250) of the last print: a second of a 60 %/yr walk plus venue noise.
      expect(Math.abs(decoded.value.priceCents - lastCents)).toBeLessThan(lastCents * 0.002);
    }
  });

  it('keeps print ids increasing across a restart', async () => {
    const before = (await prints()).at(-1)!;
    const daemon = await start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await daemon.stop('SIGTERM');
    const after = (await prints()).filter((p) => p.id > before.id);
    expect(after.length).toBeGreaterThan(0);
    const all = await prints();
    for (let i = 1; i < all.length; i += 1) expect(all[i]!.id).toBeGreaterThan(all[i - 1]!.id);
  });
});
