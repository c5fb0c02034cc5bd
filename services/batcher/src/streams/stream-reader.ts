/**
 * Redis stream commands of consumer group `batcher` on the four consumed streams: group creation,
 * XREADGROUP (new entries and the consumer's own pending ones), XAUTOCLAIM of entries left by
 * other consumer names, XACK, and the group's position. Entries of one read are merged across
 * streams in stream-id order, which is their arrival order (one Redis clock).
 */
import type { Channels } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import { CONSUMED_KINDS, type ConsumedKind, type StreamEntry } from '../apply/apply-batch.js';

export interface StreamGroup {
  redis: Redis;
  channels: Channels;
  consumer: string;
}

type RawReply = [stream: string, entries: [id: string, fields: string[] | null][]][] | null;

export function consumedStreams(channels: Channels): { kind: ConsumedKind; stream: string }[] {
  return CONSUMED_KINDS.map((kind) => ({ kind, stream: channels.streams[kind] }));
}

/** XGROUP CREATE … 0 MKSTREAM on every consumed stream; an existing group is left as it is. */
export async function ensureGroups(redis: Redis, channels: Channels): Promise<void> {
  for (const { stream } of consumedStreams(channels)) {
    try {
      await redis.xgroup('CREATE', stream, channels.groups.batcher, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }
}

/** New entries ('>'): blocks up to `blockMs` for the first one when given, else returns at once. */
export async function readNew(g: StreamGroup, count: number, blockMs?: number): Promise<StreamEntry[]> {
  const streams = consumedStreams(g.channels);
  const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
  const reply = (await g.redis.call(
    'XREADGROUP',
    'GROUP',
    g.channels.groups.batcher,
    g.consumer,
    'COUNT',
    count,
    ...block,
    'STREAMS',
    ...streams.map((s) => s.stream),
    ...streams.map(() => '>'),
  )) as RawReply;
  return parseReply(g.channels, reply);
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
  const streams = consumedStreams(g.channels);
  const reply = (await g.redis.xreadgroup(
    'GROUP',
    g.channels.groups.batcher,
    g.consumer,
    'COUNT',
    count,
    'STREAMS',
    ...streams.map((s) => s.stream),
    ...streams.map((s) => cursors.get(s.stream) ?? '0'),
  )) as RawReply;
  const entries = parseReply(g.channels, reply);
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
    let cursor = '0-0';
    do {
      const [next, ids] = (await g.redis.xautoclaim(
        stream,
        g.channels.groups.batcher,
        g.consumer,
        0,
        cursor,
        'COUNT',
        count,
        'JUSTID',
      )) as [string, string[]];
      claimed += ids.length;
      cursor = next;
    } while (cursor !== '0-0');
  }
  return claimed;
}

export async function ackEntries(
  redis: Redis,
  group: string,
  entries: readonly StreamEntry[],
): Promise<void> {
  const byStream = new Map<string, string[]>();
  for (const entry of entries) {
    const ids = byStream.get(entry.stream) ?? [];
    ids.push(entry.id);
    byStream.set(entry.stream, ids);
  }
  await Promise.all([...byStream].map(([stream, ids]) => redis.xack(stream, group, ...ids)));
}

/** The group's last-delivered id and lag on one stream (XINFO GROUPS). */
export async function groupPosition(
  redis: Redis,
  stream: string,
  group: string,
): Promise<{ lastDeliveredId: string; lag: number | null }> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  for (const flat of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
    if (info.get('name') !== group) continue;
    const lag = info.get('lag');
    return { lastDeliveredId: String(info.get('last-delivered-id')), lag: lag == null ? null : Number(lag) };
  }
  throw new Error(`group ${group} does not exist on ${stream}`);
}

/** Orders stream ids (`<ms>-<seq>`) numerically. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

function parseReply(channels: Channels, reply: RawReply): StreamEntry[] {
  if (!reply) return [];
  const kindOf = new Map(consumedStreams(channels).map((s) => [s.stream, s.kind]));
  const entries: StreamEntry[] = [];
  for (const [stream, items] of reply) {
    const kind = kindOf.get(stream);
    if (!kind) throw new Error(`XREADGROUP answered for unknown stream ${stream}`);
    for (const [id, fields] of items) entries.push({ kind, stream, id, fields });
  }
  // Stable: entries of different streams with equal ids keep the STREAMS order (adjustments,
  // bets, settlements, prices), so a deposit admitted in the same millisecond as a bet goes first.
  return entries.sort((a, b) => compareIds(a.id, b.id));
}
