/**
 * Can a client that last saw `lastEventId` be brought up to date from `tap:events`? The stream keeps
 * a bounded window (`MAXLEN ~`, docs/bet-path.md); when entries after the client's id may have been
 * trimmed, or the id is one this stream never issued (Redis was reset, another prefix), replaying
 * would hide a gap, so the client is told to resync: reload its state over HTTP, then take live
 * events.
 *
 * Redis does not record the newest id it trimmed (`max-deleted-entry-id` only covers XDEL), so the
 * rule is conservative: once anything was removed, an id older than the first entry still present
 * resyncs, even if nothing of this user was in between. A trader whose last own event is older than
 * the window therefore reloads over HTTP after a reconnect; nothing is ever silently skipped.
 */
import { compareStreamIds, ZERO_STREAM_ID } from '@tap/channels';

export interface EventsStreamInfo {
  lastGeneratedId: string;
  firstId?: string;
  /** Redis ≥ 7.0: entries ever added, and the largest id removed by XDEL ("0-0" when none). */
  entriesAdded?: number;
  length?: number;
  maxDeletedId?: string;
}

export type ResumeVerdict = { ok: true } | { ok: false; reason: 'events_trimmed' | 'events_unknown' };

const TRIMMED: ResumeVerdict = { ok: false, reason: 'events_trimmed' };
const UNKNOWN: ResumeVerdict = { ok: false, reason: 'events_unknown' };
const OK: ResumeVerdict = { ok: true };

/** `info` is undefined when the stream does not exist. */
export function resumeVerdict(lastEventId: string, info: EventsStreamInfo | undefined): ResumeVerdict {
  if (!info) return lastEventId === ZERO_STREAM_ID ? OK : UNKNOWN;
  if (compareStreamIds(lastEventId, info.lastGeneratedId) > 0) return UNKNOWN;
  if (info.maxDeletedId !== undefined && compareStreamIds(info.maxDeletedId, lastEventId) > 0) return TRIMMED;
  const nothingRemoved =
    info.entriesAdded !== undefined && info.length !== undefined && info.entriesAdded === info.length;
  if (nothingRemoved) return OK;
  // Everything was removed: the newest entry, at least, is gone.
  if (info.firstId === undefined)
    return compareStreamIds(lastEventId, info.lastGeneratedId) < 0 ? TRIMMED : OK;
  return compareStreamIds(lastEventId, info.firstId) < 0 ? TRIMMED : OK;
}

/** The flat `XINFO STREAM` reply → the fields the verdict needs. */
export function parseStreamInfo(reply: unknown): EventsStreamInfo | undefined {
  if (!Array.isArray(reply)) return undefined;
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), reply[i + 1]);
  const lastGeneratedId = fields.get('last-generated-id');
  if (typeof lastGeneratedId !== 'string') return undefined;
  const firstEntry = fields.get('first-entry');
  const firstId = Array.isArray(firstEntry) && typeof firstEntry[0] === 'string' ? firstEntry[0] : undefined;
  const maxDeletedId = fields.get('max-deleted-entry-id');
  const entriesAdded = fields.get('entries-added');
  const length = fields.get('length');
  return {
    lastGeneratedId,
    ...(firstId !== undefined ? { firstId } : {}),
    ...(typeof entriesAdded === 'number' ? { entriesAdded } : {}),
    ...(typeof length === 'number' ? { length } : {}),
    ...(typeof maxDeletedId === 'string' ? { maxDeletedId } : {}),
  };
}
