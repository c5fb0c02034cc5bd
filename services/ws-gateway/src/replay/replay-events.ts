/**
 * Resume by `lastEventId` (SPEC §11): sends a socket the events of its user after that id, then hands
 * it to the live topic without a gap or a duplicate at the seam (see catch-ups.ts).
 *
 * 1. Synchronously: P = the live reader's position; hold the user's live events after P.
 * 2. One MULTI: XINFO STREAM (was anything after lastEventId trimmed?) + the first XRANGE page of
 *    (lastEventId, P] — atomic, so a trim cannot slip between the check and the read.
 * 3. Page on through (…, P] with XRANGE COUNT; send this user's events page by page.
 * 4. Synchronously: send the held events (ids > max(lastEventId, P)), subscribe to the user topic.
 * A trimmed or unknown id sends `resync` instead of step 3. Before each burst the socket's send
 * buffer is checked; a socket already over its limit is dropped rather than buffered further.
 */

import { compareStreamIds, maxStreamId } from '@tap/channels';
import type { ResyncReason } from '@tap/domain';
import type { Redis } from '@tap/runtime';
import type { GatewayMetrics } from '../gateway-metrics.js';
import { resyncMessage } from '../protocol/server-message.js';
import { TOPICS } from '../protocol/topics.js';
import type { ClientSocket } from '../session/client-socket.js';
import type { CatchUps } from './catch-ups.js';
import { parseStreamInfo, resumeVerdict } from './resume-verdict.js';
import { type StreamEntry, userEventsInPage } from './user-events.js';

export type ReplayOutcome = 'replayed' | ResyncReason | 'closed' | 'backpressure';

export interface ReplayDeps {
  redis: Redis;
  stream: string;
  pageSize: number;
  sendBufferBytesMax: number;
  catchUps: CatchUps;
  /** The live reader's position: every event up to it has been published. */
  liveLastId: () => string;
  metrics: GatewayMetrics;
  onMalformed: (id: string, reason: string) => void;
}

export type Replayer = (socket: ClientSocket, userId: string, lastEventId: string) => Promise<ReplayOutcome>;

/** Rejects when Redis fails; the socket is then not subscribed and the caller closes it. */
export function createReplayer(deps: ReplayDeps): Replayer {
  return async (socket, userId, lastEventId) => {
    const liveId = deps.liveLastId();
    const hold = deps.catchUps.hold(userId, liveId);
    let outcome: ReplayOutcome;
    try {
      outcome = await sendMissed(deps, socket, userId, lastEventId, liveId);
    } catch (err) {
      deps.catchUps.release(hold);
      throw err;
    }
    // The seam: synchronous from here on, so the live reader cannot publish in between.
    const held = deps.catchUps.release(hold);
    if (outcome === 'closed' || outcome === 'backpressure' || !socket.isOpen()) return outcome;
    if (held.overflowed) {
      socket.send(resyncMessage('replay_overflow'));
      outcome = 'replay_overflow';
    } else {
      const floor = maxStreamId(lastEventId, liveId);
      const messages = held.events
        .filter((event) => compareStreamIds(event.id, floor) > 0)
        .map((event) => event.message);
      if (!sendBurst(deps, socket, messages)) return 'backpressure';
    }
    socket.subscribe(TOPICS.user(userId));
    return outcome;
  };
}

async function sendMissed(
  deps: ReplayDeps,
  socket: ClientSocket,
  userId: string,
  lastEventId: string,
  liveId: string,
): Promise<ReplayOutcome> {
  const first = await readFirstPage(deps, lastEventId, liveId);
  if (!socket.isOpen()) return 'closed';
  const verdict = resumeVerdict(lastEventId, first.info);
  if (!verdict.ok) {
    socket.send(resyncMessage(verdict.reason));
    return verdict.reason;
  }
  let page = first.entries;
  for (;;) {
    const { events, lastId } = userEventsInPage(page, userId, deps.onMalformed);
    if (
      !sendBurst(
        deps,
        socket,
        events.map((event) => event.message),
      )
    )
      return 'backpressure';
    if (page.length < deps.pageSize || lastId === undefined) return 'replayed';
    page = (await deps.redis.xrange(
      deps.stream,
      `(${lastId}`,
      liveId,
      'COUNT',
      deps.pageSize,
    )) as StreamEntry[];
    if (!socket.isOpen()) return 'closed';
  }
}

async function readFirstPage(deps: ReplayDeps, lastEventId: string, liveId: string) {
  const multi = deps.redis.multi().xinfo('STREAM', deps.stream);
  const wantsRange = compareStreamIds(lastEventId, liveId) < 0;
  if (wantsRange) multi.xrange(deps.stream, `(${lastEventId}`, liveId, 'COUNT', deps.pageSize);
  const results = (await multi.exec()) ?? [];
  const [infoResult, rangeResult] = results;
  // XINFO fails with "no such key" when the stream does not exist (yet): that is information too.
  const info = infoResult && !infoResult[0] ? parseStreamInfo(infoResult[1]) : undefined;
  if (rangeResult?.[0]) throw rangeResult[0];
  const entries = wantsRange ? ((rangeResult?.[1] ?? []) as StreamEntry[]) : [];
  return { info, entries };
}

/** Sends unless the socket is already over its send-buffer limit, in which case it is dropped. */
function sendBurst(deps: ReplayDeps, socket: ClientSocket, messages: readonly string[]): boolean {
  if (messages.length === 0) return true;
  if (socket.bufferedBytes() > deps.sendBufferBytesMax) {
    socket.dropForBackpressure();
    return false;
  }
  socket.sendAll(messages);
  deps.metrics.replayedEvents.inc(messages.length);
  return true;
}
