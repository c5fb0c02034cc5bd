/**
 * Reading `tap:dead-letter`: the newest entries, one by id, and the dead letter of a given source
 * entry (how `--wait` learns that the batcher refused what tapctl queued).
 */
import { type Channels, decodeEntry } from '@tap/channels';
import type { DeadLetterEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';

export interface DeadLetter extends DeadLetterEntry {
  id: string;
}

/** How far back `findDeadLetter` looks: the batcher dead-letters within a batch or two. */
const RECENT_MAX = 500;

function decode([id, fields]: [string, string[]]): DeadLetter | undefined {
  const decoded = decodeEntry('deadLetter', fields);
  return decoded.ok ? { id, ...decoded.value } : undefined;
}

export async function recentDeadLetters(
  redis: Redis,
  channels: Channels,
  count: number,
): Promise<DeadLetter[]> {
  const entries = (await redis.xrevrange(channels.streams.deadLetter, '+', '-', 'COUNT', count)) as [
    string,
    string[],
  ][];
  return entries.map(decode).filter((d) => d !== undefined);
}

export async function deadLetterById(
  redis: Redis,
  channels: Channels,
  id: string,
): Promise<DeadLetter | undefined> {
  const entries = (await redis.xrange(channels.streams.deadLetter, id, id)) as [string, string[]][];
  return entries[0] === undefined ? undefined : decode(entries[0]);
}

export async function findDeadLetter(
  redis: Redis,
  channels: Channels,
  sourceEntryId: string,
): Promise<DeadLetter | undefined> {
  return (await recentDeadLetters(redis, channels, RECENT_MAX)).find((d) => d.entryId === sourceEntryId);
}
