/**
 * `tap:prices` through consumer group `resolver` (SPEC §10): the resolver reads every print in
 * stream order, acknowledges a print only after its settlements are in `tap:settlements`, and on
 * start resumes from the first unacknowledged print (its own pending entries first). One resolver
 * runs at a time, so entries pending under another consumer name are claimed without waiting.
 *
 * Also reads the history before the resume point, which the resolver processed in an earlier run:
 * it refills the in-memory print history that late bets are judged against.
 */
import {
  type Channels,
  claimAbandoned,
  decodeEntry,
  ensureGroup,
  groupPosition,
  type RawStreamEntry,
  readGroup,
} from '@tap/channels';
import type { PrintEntry } from '@tap/domain';
import type { Redis } from '@tap/runtime';

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

  const decode = ({ id, fields }: Pick<RawStreamEntry, 'id' | 'fields'>): PriceEntry => {
    if (fields === null) return { id, print: null, problem: 'entry_deleted' };
    const decoded = decodeEntry('prices', fields);
    return decoded.ok ? { id, print: decoded.value } : { id, print: null, problem: decoded.reason };
  };
  const read = async (after: string, count: number, blockMs?: number): Promise<PriceEntry[]> => {
    const entries = await readGroup(blocking, { group, consumer, from: [{ stream, after }], count, blockMs });
    return entries.map(decode);
  };

  return {
    /** Creates the group at the stream's end on first start; an existing group keeps its position. */
    async ensureGroup(): Promise<void> {
      await ensureGroup(redis, stream, group, '$');
    },

    /** Claims abandoned entries; returns the XREVRANGE end of what earlier runs fully processed. */
    async resumePoint(): Promise<{ historyEnd: string; pending: number }> {
      await claimAbandoned(redis, stream, group, consumer, PAGE);
      const position = await groupPosition(redis, stream, group);
      if (position.oldestPendingId)
        return { historyEnd: `(${position.oldestPendingId}`, pending: position.pendingCount };
      return { historyEnd: position.lastDeliveredId, pending: 0 };
    },

    /** Prints up to `historyEnd`, oldest first, reaching `retentionMs` before the newest one (and one more). */
    async history(historyEnd: string, retentionMs: number): Promise<PrintEntry[]> {
      const newestFirst: PrintEntry[] = [];
      let end = historyEnd;
      for (;;) {
        const page = await redis.xrevrange(stream, end, '-', 'COUNT', PAGE);
        for (const [id, fields] of page) {
          const { print } = decode({ id, fields });
          if (print === null) continue;
          newestFirst.push(print);
          if (print.t < newestFirst[0]!.t - retentionMs) return newestFirst.reverse();
        }
        if (page.length < PAGE) return newestFirst.reverse();
        end = `(${page[page.length - 1]![0]}`;
      }
    },

    /** This consumer's pending entries after `afterId` ('0' for all), without blocking. */
    readPending: (afterId: string, count: number): Promise<PriceEntry[]> => read(afterId, count),

    /** New entries, blocking up to `blockMs` for the first. */
    readNew: (count: number, blockMs: number): Promise<PriceEntry[]> => read('>', count, blockMs),

    async ack(ids: readonly string[]): Promise<void> {
      if (ids.length > 0) await redis.xack(stream, group, ...ids);
    },
  };
}
