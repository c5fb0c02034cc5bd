import { createChannels } from '@tap/channels';
import { freshPrefix } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
import type { Effect } from '../apply/verdict.js';
import type { OutboxRow } from '../storage/outbox.js';
import { redisForSuite } from '../testing.js';
import { createPublisher } from './publisher.js';

describe('publisher (real Redis)', () => {
  const suite = redisForSuite();

  const payloadsOf = async (stream: string) =>
    ((await suite.redis.xrange(stream, '-', '+')) as [string, string[]][]).map(([, fields]) => {
      expect(fields[0]).toBe('d');
      return fields[1];
    });

  it('appends every outbox row to its stream, in order, across chunks and stream changes', async () => {
    const channels = createChannels(freshPrefix());
    const publisher = createPublisher(suite.redis, channels, {
      eventsMaxLen: 100_000,
    });
    // 450 events (more than two script calls' worth), a dead letter, then 250 more events.
    const rows: OutboxRow[] = [];
    const event = (n: number): OutboxRow => ({ id: 1, stream: 'events', payload: `{"n":${n}}` });
    for (let n = 0; n < 450; n += 1) rows.push(event(n));
    rows.push({ id: 2, stream: 'deadLetter', payload: '{"reason":"x"}' });
    for (let n = 450; n < 700; n += 1) rows.push(event(n));

    await publisher.publish(rows, []);

    expect(await payloadsOf(channels.streams.events)).toEqual(
      Array.from({ length: 700 }, (_, n) => `{"n":${n}}`),
    );
    expect(await payloadsOf(channels.streams.deadLetter)).toEqual(['{"reason":"x"}']);
  });

  it('releases exposure summed per cell, column and wallet, as each bet released alone would', async () => {
    const channels = createChannels(freshPrefix());
    const { keys } = channels;
    const publisher = createPublisher(suite.redis, channels, { eventsMaxLen: 100_000 });
    const users = ['0xa', '0xb', '0xc'];
    const cells = [
      { t0: 10_000, p0: 100 },
      { t0: 10_000, p0: 200 },
      { t0: 15_000, p0: 100 }, // its cell and column keys have expired: left absent
    ];
    const effects: Effect[] = [];
    const expected = new Map<string, number>();
    const add = (key: string, amount: number) => expected.set(key, (expected.get(key) ?? 0) + amount);
    // 1,200 effects: more than two script calls' worth. Even ones close a bet (a slot freed).
    for (let i = 0; i < 1_200; i++) {
      const { t0, p0 } = cells[i % 3]!;
      const userId = users[i % users.length]!;
      const payoutMicros = 1_000 + i;
      const closes = i % 2 === 0;
      effects.push({ type: closes ? 'exposure_release' : 'exposure_trueup', userId, t0, p0, payoutMicros });
      if (t0 !== 15_000) {
        add(keys.exposureCell(t0, p0), payoutMicros);
        add(keys.exposureColumn(t0), payoutMicros);
      }
      add(keys.exposureTotal, payoutMicros);
      add(`${keys.wallet(userId)}/exposure`, payoutMicros);
      add(`${keys.wallet(userId)}/openbets`, closes ? 1 : 0);
    }
    effects.push({ type: 'exposure_trueup', userId: '0xa', t0: 10_000, p0: 100, payoutMicros: 0 });
    const START = 10_000_000;
    for (const key of expected.keys()) {
      const [hash, field] = key.split('/');
      if (field) await suite.redis.hset(hash!, field, START);
      else await suite.redis.set(key, START);
    }

    await publisher.publish([], effects);

    for (const [key, released] of expected) {
      const [hash, field] = key.split('/');
      const value = field ? await suite.redis.hget(hash!, field) : await suite.redis.get(key);
      expect(Number(value), key).toBe(START - released);
    }
    expect(await suite.redis.exists(keys.exposureCell(15_000, 100), keys.exposureColumn(15_000))).toBe(0);
  });

  it('keeps tap:events near its MAXLEN', async () => {
    const channels = createChannels(freshPrefix());
    const publisher = createPublisher(suite.redis, channels, {
      eventsMaxLen: 1_000,
    });
    const rows: OutboxRow[] = Array.from({ length: 5_000 }, (_, n) => ({
      id: 1,
      stream: 'events',
      payload: `{"n":${n}}`,
    }));
    await publisher.publish(rows, []);
    const length = await suite.redis.xlen(channels.streams.events);
    // MAXLEN ~ trims whole stream nodes (100 entries each here), never below the limit.
    expect(length).toBeGreaterThanOrEqual(1_000);
    expect(length).toBeLessThan(1_200);
    const payloads = await payloadsOf(channels.streams.events);
    expect(payloads.at(-1)).toBe('{"n":4999}');
  });

  it('never trims the dead letters, however many there are', async () => {
    const channels = createChannels(freshPrefix());
    const publisher = createPublisher(suite.redis, channels, { eventsMaxLen: 1_000 });
    const rows: OutboxRow[] = Array.from({ length: 5_000 }, (_, n) => ({
      id: 1,
      stream: n % 2 === 0 ? 'deadLetter' : 'events',
      payload: `{"n":${n}}`,
    }));
    await publisher.publish(rows, []);
    expect(await suite.redis.xlen(channels.streams.events)).toBeLessThan(1_200);
    const deadLetters = await payloadsOf(channels.streams.deadLetter);
    expect(deadLetters).toHaveLength(2_500);
    expect(deadLetters[0]).toBe('{"n":0}');
  });
});
