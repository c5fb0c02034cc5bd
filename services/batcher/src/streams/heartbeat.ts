/**
 * The batcher's heartbeat (SPEC §6.1, issue 20): while it runs, every HEARTBEAT_INTERVAL_MS it
 * writes `tap:batcher:heartbeat` (hash: `at`, its clock in ms; `lagMs`, the age of the oldest bet
 * admitted to `tap:bets` and not yet applied — pending under the group or not yet delivered — 0
 * when there is none). ingest-api refuses new bets `503 batcher_behind` when the heartbeat is
 * older than its bound (the batcher is down, crash-looping or stuck in a batch) or `lagMs` passes
 * its bound (the batcher runs but falls behind), so "accepted but not applied" stays bounded.
 */
import { type Channels, groupPosition, streamIdTimeMs } from '@tap/channels';
import type { Redis } from '@tap/runtime';

type RawEntry = [id: string, fields: string[]];

/** Age of the oldest admitted-but-unapplied bet at `nowMs`, ms (0 when nothing waits). */
export async function oldestUnappliedBetAgeMs(
  redis: Redis,
  channels: Channels,
  nowMs: number,
): Promise<number> {
  const stream = channels.streams.bets;
  const position = await groupPosition(redis, stream, channels.groups.batcher);
  let oldestId = position.oldestPendingId;
  if (oldestId === null) {
    const [next] = (await redis.xrange(
      stream,
      `(${position.lastDeliveredId}`,
      '+',
      'COUNT',
      1,
    )) as RawEntry[];
    oldestId = next ? next[0] : null;
  }
  return oldestId === null ? 0 : Math.max(0, nowMs - streamIdTimeMs(oldestId));
}

export async function writeHeartbeat(redis: Redis, channels: Channels, nowMs: number): Promise<number> {
  const lagMs = await oldestUnappliedBetAgeMs(redis, channels, nowMs);
  await redis.hset(channels.keys.batcherHeartbeat, { at: nowMs, lagMs });
  return lagMs;
}
