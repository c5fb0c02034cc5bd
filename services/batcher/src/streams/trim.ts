/**
 * Keeps Redis memory bounded (SPEC §6 "Redis memory budget"): `tap:bets`, `tap:adjustments` and
 * `tap:settlements` are trimmed with `XTRIM MINID` up to the oldest entry group `batcher` has not
 * acknowledged (its oldest pending entry, or the one after its last-delivered id). `tap:prices` is
 * trimmed by price-ingest (1 h, other groups read it); `tap:events` and `tap:dead-letter` are
 * capped by MAXLEN ~ on XADD. Also reports each consumed stream's lag.
 */
import { type Channels, groupPosition, nextStreamId } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import { consumedStreams } from './stream-reader.js';

const TRIMMED = new Set(['bets', 'adjustments', 'settlements', 'operator']);

export async function trimConsumed(
  redis: Redis,
  channels: Channels,
  onLag: (kind: string, entries: number) => void,
): Promise<number> {
  const group = channels.groups.batcher;
  let trimmed = 0;
  for (const { kind, stream } of consumedStreams(channels)) {
    const position = await groupPosition(redis, stream, group);
    if (position.lag !== null) onLag(kind, position.lag);
    if (!TRIMMED.has(kind)) continue;
    const minId = position.oldestPendingId ?? nextStreamId(position.lastDeliveredId);
    trimmed += await redis.xtrim(stream, 'MINID', minId);
  }
  return trimmed;
}
