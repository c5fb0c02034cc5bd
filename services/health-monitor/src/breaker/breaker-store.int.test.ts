import { readBreakerIntervals } from '@tap/breaker';
import { createChannels, decodeEntry } from '@tap/channels';
import { Redis } from '@tap/runtime';
import { freshPrefix, startRedis, type TestRedis } from '@tap/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOpenInterval } from './breaker-intervals.js';
import { createBreakerStore } from './breaker-store.js';

describe('breaker store and interval reader (real Redis)', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('records each change on the stream, the channel and the open intervals, queryable by time', async () => {
    const channels = createChannels(freshPrefix());
    const subscriber = new Redis(redis.url);
    const published: string[] = [];
    await subscriber.subscribe(channels.pubsub.breakerChanges);
    subscriber.on('message', (_channel, message) => published.push(message));
    const store = await createBreakerStore(client, channels);
    const changes = [
      { state: 'open' as const, reason: 'starting', since: 1_000 },
      { state: 'closed' as const, reason: 'recovered', since: 31_000 },
      { state: 'open' as const, reason: 'stale_prints', since: 50_000 },
    ];
    for (const change of changes) {
      store.record(change);
      await store.write({ ...change, heartbeatAt: change.since + 5 }, []);
    }
    expect(await client.hgetall(channels.keys.breakerState)).toEqual({
      state: 'open',
      reason: 'stale_prints',
      since: '50000',
      heartbeatAt: '50005',
    });
    const stream = await client.xrange(channels.streams.breaker, '-', '+');
    expect(stream.map(([, fields]) => decodeEntry('breaker', fields))).toEqual(
      changes.map((value) => ({ ok: true, value })),
    );
    expect(await readBreakerIntervals(client, channels.keys.breakerIntervals, 0, 100_000)).toEqual([
      { from: 1_000, to: 31_000, reason: 'starting' },
      { from: 50_000, to: null, reason: 'stale_prints' },
    ]);
    expect(await readBreakerIntervals(client, channels.keys.breakerIntervals, 31_001, 49_999)).toEqual([]);
    expect(await readBreakerIntervals(client, channels.keys.breakerIntervals, 31_000, 31_000)).toHaveLength(
      1,
    );
    expect(await readBreakerIntervals(client, channels.keys.breakerIntervals, 60_000, 70_000)).toEqual([
      { from: 50_000, to: null, reason: 'stale_prints' },
    ]);
    expect(await readOpenInterval(client, channels)).toEqual({
      from: 50_000,
      to: null,
      reason: 'stale_prints',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(published.map((m) => JSON.parse(m))).toEqual(changes);
    subscriber.disconnect();
  });

  it('closes the interval a previous run left open', async () => {
    const channels = createChannels(freshPrefix());
    const first = await createBreakerStore(client, channels);
    first.record({ state: 'open', reason: 'starting', since: 1_000 });
    await first.write({ state: 'open', reason: 'starting', since: 1_000, heartbeatAt: 1_000 }, []);
    const second = await createBreakerStore(client, channels);
    expect(second.openInterval()).toEqual({ from: 1_000, to: null, reason: 'starting' });
    second.record({ state: 'closed', reason: 'recovered', since: 40_000 });
    await second.write({ state: 'closed', reason: 'recovered', since: 40_000, heartbeatAt: 40_000 }, []);
    expect(await readBreakerIntervals(client, channels.keys.breakerIntervals, 0, 100_000)).toEqual([
      { from: 1_000, to: 40_000, reason: 'starting' },
    ]);
  });

  it('keeps a change whose write failed and writes it with the next tick', async () => {
    const channels = createChannels(freshPrefix());
    const flaky = new Redis(redis.url);
    const store = await createBreakerStore(flaky, channels);
    store.record({ state: 'open', reason: 'starting', since: 1_000 });
    flaky.disconnect();
    await expect(
      store.write({ state: 'open', reason: 'starting', since: 1_000, heartbeatAt: 1_000 }, []),
    ).rejects.toThrow();
    await flaky.connect();
    const written = await store.write(
      { state: 'open', reason: 'starting', since: 1_000, heartbeatAt: 1_100 },
      [],
    );
    expect(written).toEqual([{ state: 'open', reason: 'starting', since: 1_000 }]);
    expect(await client.xlen(channels.streams.breaker)).toBe(1);
    flaky.disconnect();
  });
});
