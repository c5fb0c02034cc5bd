import { createChannels } from '@tap/channels';
import { freshPrefix } from '@tap/testkit';
import { describe, expect, it } from 'vitest';
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
