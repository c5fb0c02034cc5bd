/**
 * Resume by `lastEventId` (SPEC §11): sends a socket what its user missed from the resume window
 * (recent-events.ts, in memory — no Redis read), or `resync` when that cannot be done exactly,
 * then subscribes it to the user's live topic. Synchronous from lookup to subscribe, so no publish
 * can fall between: nothing is missed or sent twice at the seam.
 */
import type { ResyncReason } from '@tap/domain';
import type { GatewayMetrics } from '../gateway-metrics.js';
import { resyncMessage } from '../protocol/server-message.js';
import { TOPICS } from '../protocol/topics.js';
import type { ClientSocket } from '../session/client-socket.js';
import type { RecentEvents } from './recent-events.js';

export type ReplayOutcome = 'replayed' | ResyncReason;

export type Replayer = (socket: ClientSocket, userId: string, lastEventId: string) => ReplayOutcome;

export function createReplayer(deps: {
  recent: RecentEvents;
  metrics: GatewayMetrics;
  now: () => number;
}): Replayer {
  return (socket, userId, lastEventId) => {
    const answer = deps.recent.since(userId, lastEventId, deps.now());
    if (answer.ok) {
      socket.sendAll(answer.messages);
      deps.metrics.replayedEvents.inc(answer.messages.length);
    } else {
      socket.send(resyncMessage(answer.reason));
    }
    socket.subscribe(TOPICS.user(userId));
    return answer.ok ? 'replayed' : answer.reason;
  };
}
