/**
 * The batcher's heartbeat (issue 20): what ingest-api's batcher check reads. The lag is the age of
 * the oldest bet admitted and not yet applied, whether it waits undelivered or pending in the group.
 */
import { describe, expect, it } from 'vitest';
import { eventually, newSetup, redisForSuite, startHealthyBatcher } from '../testing.js';
import { oldestUnappliedBetAgeMs } from './heartbeat.js';
import { ensureGroups } from './stream-reader.js';

describe('batcher heartbeat', () => {
  const suite = redisForSuite();

  it('measures the age of the oldest bet not yet delivered or still pending, 0 when none waits', async () => {
    const { channels } = newSetup(suite.url);
    const { redis } = suite;
    const stream = channels.streams.bets;
    const group = channels.groups.batcher;
    await ensureGroups(redis, channels);
    const nowMs = Date.now();
    expect(await oldestUnappliedBetAgeMs(redis, channels, nowMs)).toBe(0);
    await redis.xadd(stream, `${nowMs - 10_000}-0`, 'd', '{}');
    await redis.xadd(stream, `${nowMs - 4_000}-0`, 'd', '{}');
    expect(await oldestUnappliedBetAgeMs(redis, channels, nowMs)).toBe(10_000);
    await redis.xreadgroup('GROUP', group, 'test', 'COUNT', 1, 'STREAMS', stream, '>');
    expect(await oldestUnappliedBetAgeMs(redis, channels, nowMs)).toBe(10_000);
    await redis.xack(stream, group, `${nowMs - 10_000}-0`);
    expect(await oldestUnappliedBetAgeMs(redis, channels, nowMs)).toBe(4_000);
    await redis.xreadgroup('GROUP', group, 'test', 'COUNT', 1, 'STREAMS', stream, '>');
    await redis.xack(stream, group, `${nowMs - 4_000}-0`);
    expect(await oldestUnappliedBetAgeMs(redis, channels, nowMs)).toBe(0);
  });

  it('is written by a running batcher every HEARTBEAT_INTERVAL_MS', async () => {
    const setup = newSetup(suite.url);
    const key = setup.channels.keys.batcherHeartbeat;
    const daemon = await startHealthyBatcher(setup, { HEARTBEAT_INTERVAL_MS: '100' });
    try {
      const first = await eventually(
        () => suite.redis.hgetall(key),
        (fields) => fields.at !== undefined,
      );
      expect(first.lagMs).toBe('0');
      const later = await eventually(
        () => suite.redis.hgetall(key),
        (fields) => Number(fields.at) > Number(first.at),
      );
      expect(Math.abs(Date.now() - Number(later.at))).toBeLessThan(5_000);
    } finally {
      await daemon.stop();
    }
  });
});
