/**
 * At start, the resume window is filled with what `tap:events` still holds from the last
 * `windowMs` (up to the live reader's start id), so a restart does not send every reconnecting
 * trader a `resync` and a reload over HTTP. A bounded, one-time read: pages of `pageSize`, at most
 * `eventsMax` events kept (the oldest go first, as in the live window).
 *
 * Coverage must stay exact (recent-events.ts): the window claims "every event after coveredAfter".
 * Redis trims `tap:events` from the front (`MAXLEN ~`) and does not say the newest id it trimmed,
 * so once anything was removed, coverage starts at the first entry still present (conservative,
 * like a resume against the stream used to be). Each page is read in one MULTI with XINFO STREAM:
 * if a trim passed the read cursor between two pages, what was read is dropped and coverage
 * restarts at the new first entry.
 */
import { compareStreamIds, maxStreamId } from '@tap/channels';
import type { Redis } from '@tap/runtime';
import type { StreamEntry } from '../feeds/stream-reader.js';
import { eventMessage } from '../protocol/server-message.js';
import { RecentEvents, type RecentEventsLimits } from './recent-events.js';

interface Seeded {
  id: string;
  userId: string;
  message: string;
}

export async function seedRecentEvents(options: {
  redis: Redis;
  stream: string;
  /** The live reader's start: the seed reads up to it, the reader goes on after it. */
  upToId: string;
  nowMs: number;
  limits: RecentEventsLimits;
  pageSize: number;
}): Promise<{ recent: RecentEvents; seeded: number }> {
  const { redis, stream, upToId, limits } = options;
  let coveredAfter = `${Math.max(0, options.nowMs - limits.windowMs)}-0`;
  let held: Seeded[] = [];
  let cursor = coveredAfter;
  while (compareStreamIds(cursor, upToId) < 0) {
    const [infoReply, rangeReply] = (await redis
      .multi()
      .xinfo('STREAM', stream)
      .xrange(stream, `(${cursor}`, upToId, 'COUNT', options.pageSize)
      .exec()) ?? [
      [null, null],
      [null, []],
    ];
    if (infoReply?.[0]) break; // no stream (yet): nothing to seed, nothing was ever trimmed
    const firstKept = firstIdIfTrimmed(infoReply?.[1]);
    if (firstKept !== undefined && compareStreamIds(firstKept, cursor) > 0) {
      // Entries after the cursor may have been trimmed unread: cover only from the first kept one.
      held = [];
      coveredAfter = maxStreamId(coveredAfter, firstKept);
      cursor = coveredAfter;
      continue;
    }
    if (rangeReply?.[0]) throw rangeReply[0];
    const page = (rangeReply?.[1] ?? []) as StreamEntry[];
    for (const [id, fields] of page) {
      const built = eventMessage(id, fields);
      if (built.ok) held.push({ id, userId: built.event.userId, message: built.message });
    }
    if (held.length > limits.eventsMax * 2) held = held.slice(-limits.eventsMax);
    if (page.length < options.pageSize) break;
    cursor = page.at(-1)?.[0] ?? upToId;
  }
  const recent = new RecentEvents(limits, coveredAfter);
  for (const event of held) recent.append(event.id, event.userId, event.message);
  recent.advance(upToId);
  return { recent, seeded: recent.size };
}

/** From an XINFO STREAM reply: the first entry's id when entries were removed, else undefined. */
function firstIdIfTrimmed(reply: unknown): string | undefined {
  if (!Array.isArray(reply)) return undefined;
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  const added = fields.get('entries-added');
  const length = fields.get('length');
  if (typeof added === 'number' && typeof length === 'number' && added === length) return undefined;
  const first = fields.get('first-entry');
  if (Array.isArray(first) && typeof first[0] === 'string') return first[0];
  // Everything was removed: nothing before the newest id can be vouched for.
  const last = fields.get('last-generated-id');
  return typeof last === 'string' ? last : undefined;
}
