/** Messages between a load worker and its WebSocket thread (ws-thread.ts). */
export interface WsThreadConfig {
  url: string;
  tokens: string[];
}

export type ToWsThread = { type: 'close' };

export type FromWsThread =
  | { type: 'ready'; sockets: number }
  | { type: 'failed'; message: string }
  /** Bet events as read: bet id, status, absolute time in ms (performance.timeOrigin + now). */
  | { type: 'events'; events: [betId: string, status: string, atMs: number][] }
  /** The final counts, sent once when asked to close (every event was posted before it). */
  | { type: 'closed'; sockets: number; ticks: number; closedEarly: number };
