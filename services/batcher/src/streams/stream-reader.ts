/**
 * The batcher's view of consumer group `batcher` on the four consumed streams, built on the
 * shared consumer-group helpers of `@tap/channels`. Entries of one read are merged across
 * streams in stream-id order, which is their arrival order (one Redis clock).
 */
import {
  type Channels,
  claimAbandoned as claimOnStream,
  compareStreamIds,
  ensureGroup,
  type RawStreamEntry,
  readGroup,
} from '@tap/channels';
import type { Redis } from '@tap/runtime';
import { CONSUMED_KINDS, type ConsumedKind, type StreamEntry } from '../apply/apply-batch.js';

export interface StreamGroup {
  redis: Redis;
  channels: Channels;
  consumer: string;
}

export function consumedStreams(channels: Channels): { kind: ConsumedKind; stream: string }[] {
  return CONSUMED_KINDS.map((kind) => ({ kind, stream: channels.streams[kind] }));
}

/** The group on every consumed stream, from the start; an existing group is left as it is. */
export async function ensureGroups(redis: Redis, channels: Channels): Promise<void> {
  for (const { stream } of consumedStreams(channels)) {
    await ensureGroup(redis, stream, channels.groups.batcher, '0');
  }
}

/** New entries ('>'): blocks up to `blockMs` for the first one when given, else returns at once. */
export async function readNew(g: StreamGroup, count: number, blockMs?: number): Promise<StreamEntry[]> {
  const from = consumedStreams(g.channels).map(({ stream }) => ({ stream, after: '>' }));
  const entries = await readGroup(g.redis, {
    group: g.channels.groups.batcher,
    consumer: g.consumer,
    from,
    count,
    blockMs,
  });
  return withKinds(g.channels, entries);
}

/**
 * This consumer's pending entries after `cursors` (stream → last id seen; start at '0'). Entries
 * deleted while pending come back with `fields: null`.
 */
export async function readOwnPending(
  g: StreamGroup,
  cursors: Map<string, string>,
  count: number,
): Promise<StreamEntry[]> {
  const from = consumedStreams(g.channels).map(({ stream }) => ({
    stream,
    after: cursors.get(stream) ?? '0',
  }));
  const entries = withKinds(
    g.channels,
    await readGroup(g.redis, { group: g.channels.groups.batcher, consumer: g.consumer, from, count }),
  );
  for (const entry of entries) cursors.set(entry.stream, entry.id);
  return entries;
}

/**
 * Moves every entry pending under another consumer name (a batcher that ran with another
 * CONSUMER_NAME) to this consumer, so `readOwnPending` applies it. Idle time 0 is safe: the
 * data-dir lock means no other batcher is alive. Returns how many were claimed.
 */
export async function claimAbandoned(g: StreamGroup, count: number): Promise<number> {
  let claimed = 0;
  for (const { stream } of consumedStreams(g.channels)) {
    claimed += await claimOnStream(g.redis, stream, g.channels.groups.batcher, g.consumer, count);
  }
  return claimed;
}

function withKinds(channels: Channels, entries: RawStreamEntry[]): StreamEntry[] {
  const kindOf = new Map(consumedStreams(channels).map((s) => [s.stream, s.kind]));
  let mixed = false;
  const typed = entries.map(({ stream, id, fields }): StreamEntry => {
    const kind = kindOf.get(stream);
    if (!kind) throw new Error(`XREADGROUP answered for unknown stream ${stream}`);
    mixed ||= stream !== entries[0]!.stream;
    return { kind, stream, id, fields };
  });
  // One stream's entries come in id order already (a full batch from a backlog is usually all bets).
  if (!mixed) return typed;
  // Stable: entries of different streams with equal ids keep the STREAMS order (adjustments,
  // bets, settlements, prices), so a deposit admitted in the same millisecond as a bet goes first.
  return typed.sort((a, b) => compareStreamIds(a.id, b.id));
}
