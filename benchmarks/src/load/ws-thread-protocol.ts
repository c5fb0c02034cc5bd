/** Messages between a load worker and its WebSocket thread (ws-thread.ts). */
export interface WsThreadConfig {
  url: string;
  tokens: string[];
  /** Where `tap:events` is, to check reconnected sockets' resumes at close (resume-check.ts). */
  events?: { redisUrl: string; prefix: string };
}

export type ToWsThread = { type: 'close' };

/** The thread's final counts. */
export interface WsThreadTotals {
  sockets: number;
  ticks: number;
  /** Socket losses (each followed by a reconnect attempt). */
  closedEarly: number;
  /** Sockets that came back (`ready` again after a loss). */
  reconnects: number;
  resyncs: number;
  /** Events of reconnected sockets' users checked against `tap:events`, and those never seen. */
  resumeChecked: number;
  /** [event id, bet id] of events a resumed socket never saw (and no resync covered). */
  missed: [eventId: string, betId: string | null][];
  coveredByResync: number;
}

/**
 * A bet event as read: bet id, status, absolute time in ms (performance.timeOrigin + now), and for
 * a next-tick bet's `accepted` the ms since its fill print's `t` (the event's `fillPrint`), else null.
 */
export type BetEventRead = [betId: string, status: string, atMs: number, fillToAcceptedMs: number | null];

export type FromWsThread =
  | { type: 'ready'; sockets: number }
  | { type: 'failed'; message: string }
  | { type: 'events'; events: BetEventRead[] }
  /** The final counts, sent once when asked to close (every event was posted before it). */
  | ({ type: 'closed' } & WsThreadTotals);
