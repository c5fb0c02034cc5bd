/**
 * The bets admitted to `tap:bets` whose money is still only reserved in Redis: entries the group
 * has not delivered yet (after its last-delivered id) and entries delivered but still pending
 * (a crash before XACK) that are not in SQLite. Acknowledged entries are applied or dead-lettered,
 * never in flight. Read in pages of PAGE entries; the stream only holds what is not yet trimmed.
 * The batcher's start-up rebuild and integrity-cron's cache comparison both count in-flight here.
 */
import type { BetEntry } from '@tap/domain';
import type { Channels } from '../channels.js';
import { decodeEntry } from '../codec.js';
import { groupPosition, type StreamRedis } from '../stream-group.js';

const PAGE = 1_000;

type RawEntry = [id: string, fields: string[]];

/**
 * `unstored` gets every decoded candidate at once and returns those not in SQLite, so the caller
 * can check them all inside one read transaction.
 */
export async function readInFlightBets(
  redis: StreamRedis,
  channels: Channels,
  unstored: (candidates: BetEntry[]) => BetEntry[],
): Promise<{ bets: BetEntry[]; lastDeliveredId: string }> {
  const stream = channels.streams.bets;
  const { lastDeliveredId } = await groupPosition(redis, stream, channels.groups.batcher);
  const raw = [...(await pendingEntries(redis, stream, channels.groups.batcher))];
  let start = `(${lastDeliveredId}`;
  for (;;) {
    const page = (await redis.call('XRANGE', stream, start, '+', 'COUNT', PAGE)) as RawEntry[];
    raw.push(...page);
    if (page.length < PAGE) break;
    start = `(${page.at(-1)![0]}`;
  }
  const candidates: BetEntry[] = [];
  for (const [, fields] of raw) {
    const decoded = decodeEntry('bets', fields);
    if (decoded.ok) candidates.push(decoded.value);
  }
  return { bets: unstored(candidates), lastDeliveredId };
}

async function pendingEntries(redis: StreamRedis, stream: string, group: string): Promise<RawEntry[]> {
  const entries: RawEntry[] = [];
  let start = '-';
  for (;;) {
    const page = (await redis.call('XPENDING', stream, group, start, '+', PAGE)) as [string, ...unknown[]][];
    const ranges = await Promise.all(
      page.map(([id]) => redis.call('XRANGE', stream, id, id) as Promise<RawEntry[]>),
    );
    for (const range of ranges) entries.push(...range);
    if (page.length < PAGE) return entries;
    start = `(${page.at(-1)![0]}`;
  }
}
