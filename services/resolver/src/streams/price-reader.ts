/**
 * `tap:prices` through consumer group `resolver` (SPEC §10): the resolver reads every print in
 * stream order, acknowledges a print only after its settlements are in `tap:settlements`, and on
 * start resumes from the first unacknowledged print (its own pending entries first). One resolver
 * runs at a time, so entries pending under another consumer name are claimed without waiting.
 *
 * Also reads the history before the resume point, which the resolver processed in an earlier run:
 * it refills the in-memory print history that late bets are judged against.
 */
import { type Channels, decodeEntry } from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import { entriesOf, type RawReply } from './stream-reply.js';

export interface PriceEntry {
  id: string;
  /** The decoded print; null when the entry was deleted while pending or does not parse. */
  print: PrintEntry | null;
  problem?: string;
}

const PAGE = 1_000;

export type PriceReader = ReturnType<typeof createPriceReader>;

/**
 * `blocking` serves the XREADGROUP reads (a blocked read holds its connection); `commands` the
 * rest, so an XACK never waits behind a BLOCK.
 */
export function createPriceReader(
  connections: { blocking: Redis; commands: Redis },
  channels: Channels,
  consumer: string,
) {
  const { blocking, commands: redis } = connections;
  const stream = channels.streams.prices;
  const group = channels.groups.resolver;

  const decode = (id: string, fields: string[] | null): PriceEntry => {
    if (fields === null) return { id, print: null, problem: 'entry_deleted' };
    const decoded = decodeEntry('prices', fields);
    return decoded.ok ? { id, print: decoded.value } : { id, print: null, problem: decoded.reason };
  };

  return {
    /** Creates the group at the stream's end on first start; an existing group keeps its position. */
    async ensureGroup(): Promise<void> {
      try {
        await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
      } catch (err) {
        if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
      }
    },

    /** Claims abandoned entries; returns the XREVRANGE end of what earlier runs fully processed. */
    async resumePoint(): Promise<{ historyEnd: string; pending: number }> {
      let cursor = '0-0';
      do {
        const reply = (await redis.xautoclaim(
          stream,
          group,
          consumer,
          0,
          cursor,
          'COUNT',
          PAGE,
          'JUSTID',
        )) as [string, string[]];
        cursor = reply[0];
      } while (cursor !== '0-0');
      const [count, minId] = (await redis.xpending(stream, group)) as [number, string | null];
      if (count > 0 && minId) return { historyEnd: `(${minId}`, pending: count };
      return { historyEnd: await lastDeliveredId(redis, stream, group), pending: 0 };
    },

    /** Prints up to `historyEnd`, oldest first, reaching `retentionMs` before the newest one (and one more). */
    async history(historyEnd: string, retentionMs: number): Promise<PrintEntry[]> {
      const newestFirst: PrintEntry[] = [];
      let end = historyEnd;
      for (;;) {
        const page = await redis.xrevrange(stream, end, '-', 'COUNT', PAGE);
        for (const [id, fields] of page) {
          const { print } = decode(id, fields);
          if (print === null) continue;
          newestFirst.push(print);
          if (print.t < newestFirst[0]!.t - retentionMs) return newestFirst.reverse();
        }
        if (page.length < PAGE) return newestFirst.reverse();
        end = `(${page[page.length - 1]![0]}`;
      }
    },

    /** This consumer's pending entries after `afterId` ('0' for all), without blocking. */
    async readPending(afterId: string, count: number): Promise<PriceEntry[]> {
      const reply = (await blocking.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        count,
        'STREAMS',
        stream,
        afterId,
      )) as RawReply;
      return entriesOf(reply).map((e) => decode(e.id, e.fields));
    },

    /** New entries, blocking up to `blockMs` for the first. */
    async readNew(count: number, blockMs: number): Promise<PriceEntry[]> {
      const reply = (await blocking.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        stream,
        '>',
      )) as RawReply;
      return entriesOf(reply).map((e) => decode(e.id, e.fields));
    },

    async ack(ids: readonly string[]): Promise<void> {
      if (ids.length > 0) await redis.xack(stream, group, ...ids);
    },
  };
}

async function lastDeliveredId(redis: Redis, stream: string, group: string): Promise<string> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  for (const flat of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
    if (info.get('name') === group) return String(info.get('last-delivered-id'));
  }
  throw new Error(`group ${group} does not exist on ${stream}`);
}
