/**
 * Consumer groups on Redis streams, written once for every daemon that reads through one (the
 * batcher, the resolver, health-monitor): creating a group, reading new or own pending entries,
 * claiming entries another consumer name left behind, acknowledging, and a group's position.
 *
 * Everything goes through `call` so this package needs no Redis client: ioredis' `Redis`
 * satisfies `StreamRedis`. Replies are returned as entries in the order Redis gave them; callers
 * that merge several streams sort with `compareStreamIds`.
 *
 * Tested on a real redis-server through its users' integration tests (the test kit depends on this
 * package, so it cannot start one here): the batcher's (groups from '0', own pending, claims,
 * acks across streams, position for trimming), the resolver's (resume point from the oldest
 * pending entry) and health-monitor's (an existing group moved to the end).
 */

/** The one command entry point used here (ioredis `Redis#call`). */
export interface StreamRedis {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** One entry of a read. `fields` is null for an entry deleted while it was pending. */
export interface RawStreamEntry {
  stream: string;
  id: string;
  fields: string[] | null;
}

/** The shape XREAD and XREADGROUP answer with. */
export type RawReadReply = [stream: string, entries: [id: string, fields: string[] | null][]][] | null;

export function entriesOfReply(reply: RawReadReply): RawStreamEntry[] {
  const entries: RawStreamEntry[] = [];
  for (const [stream, items] of reply ?? []) {
    for (const [id, fields] of items) entries.push({ stream, id, fields });
  }
  return entries;
}

/** Redis answers XGROUP CREATE on an existing group with this error prefix. */
export function isBusyGroupError(err: unknown): boolean {
  return String(err instanceof Error ? err.message : err).startsWith('BUSYGROUP');
}

/**
 * XGROUP CREATE … MKSTREAM at `start` ('0': everything in the stream, '$': only what comes next).
 * An existing group keeps its position — unless `moveExisting`, which sets it to `start` (a
 * reader that does not resume, like health-monitor).
 */
export async function ensureGroup(
  redis: StreamRedis,
  stream: string,
  group: string,
  start: '0' | '$',
  options: { moveExisting?: boolean } = {},
): Promise<'created' | 'kept' | 'moved'> {
  try {
    await redis.call('XGROUP', 'CREATE', stream, group, start, 'MKSTREAM');
    return 'created';
  } catch (err) {
    if (!isBusyGroupError(err)) throw err;
  }
  if (!options.moveExisting) return 'kept';
  await redis.call('XGROUP', 'SETID', stream, group, start);
  return 'moved';
}

export interface GroupRead {
  group: string;
  consumer: string;
  /** The streams to read, with the id to read after in each: '>' for new entries, an id (or '0') for this consumer's own pending ones. */
  from: readonly { stream: string; after: string }[];
  count: number;
  /** Wait up to this long for a first entry; no wait when absent. */
  blockMs?: number;
}

/** XREADGROUP over one or more streams. */
export async function readGroup(redis: StreamRedis, read: GroupRead): Promise<RawStreamEntry[]> {
  const block = read.blockMs === undefined ? [] : ['BLOCK', read.blockMs];
  const reply = (await redis.call(
    'XREADGROUP',
    'GROUP',
    read.group,
    read.consumer,
    'COUNT',
    read.count,
    ...block,
    'STREAMS',
    ...read.from.map((s) => s.stream),
    ...read.from.map((s) => s.after),
  )) as RawReadReply;
  return entriesOfReply(reply);
}

/**
 * Moves every entry pending under another consumer name to `consumer` (XAUTOCLAIM, idle 0), so
 * its own pending read picks them up. Idle 0 is only safe for a reader that runs alone (a lock or
 * systemd guarantees it). Returns how many were claimed.
 */
export async function claimAbandoned(
  redis: StreamRedis,
  stream: string,
  group: string,
  consumer: string,
  pageSize: number,
): Promise<number> {
  let claimed = 0;
  let cursor = '0-0';
  do {
    const [next, ids] = (await redis.call(
      'XAUTOCLAIM',
      stream,
      group,
      consumer,
      0,
      cursor,
      'COUNT',
      pageSize,
      'JUSTID',
    )) as [string, string[]];
    claimed += ids.length;
    cursor = next;
  } while (cursor !== '0-0');
  return claimed;
}

/** XACK of entries that may come from several streams (one command per stream). */
export async function ackEntries(
  redis: StreamRedis,
  group: string,
  entries: readonly { stream: string; id: string }[],
): Promise<void> {
  await Promise.all(
    [...idsByStream(entries)].map(([stream, ids]) => redis.call('XACK', stream, group, ...ids)),
  );
}

/** Entries' ids per stream, in order: one XACK each (`ackEntries`, or queued on a pipeline). */
export function idsByStream(entries: readonly { stream: string; id: string }[]): Map<string, string[]> {
  const byStream = new Map<string, string[]>();
  for (const entry of entries) {
    const ids = byStream.get(entry.stream);
    if (ids) ids.push(entry.id);
    else byStream.set(entry.stream, [entry.id]);
  }
  return byStream;
}

export interface GroupPosition {
  lastDeliveredId: string;
  /** Entries not yet delivered to the group (Redis ≥ 7); null when Redis cannot tell. */
  lag: number | null;
  pendingCount: number;
  /** The oldest entry delivered but not acknowledged, if any. */
  oldestPendingId: string | null;
}

/** Where a group stands on a stream (XINFO GROUPS and the XPENDING summary). */
export async function groupPosition(
  redis: StreamRedis,
  stream: string,
  group: string,
): Promise<GroupPosition> {
  const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[][];
  for (const flat of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
    if (info.get('name') !== group) continue;
    const lag = info.get('lag');
    const [count, minId] = (await redis.call('XPENDING', stream, group)) as [number, string | null];
    return {
      lastDeliveredId: String(info.get('last-delivered-id')),
      lag: lag == null ? null : Number(lag),
      pendingCount: Number(count),
      oldestPendingId: Number(count) > 0 ? minId : null,
    };
  }
  throw new Error(`group ${group} does not exist on ${stream}`);
}
