/**
 * uWS pub/sub topics inside this process (not Redis channels): every authenticated socket is
 * subscribed to `ticks` and `breaker`, and to its own user's topic once its resume is done.
 */
export const TOPICS = {
  ticks: 'ticks',
  breaker: 'breaker',
  user: (userId: string) => `user:${userId}`,
} as const;

/** WebSocket close codes this gateway uses (4xxx are application codes). */
export const CLOSE_CODES = {
  /** Shutdown: the client reconnects (with backoff) to the next process. */
  goingAway: 1001,
  /** Redis is unreachable while authenticating, or the gateway is full (reason `connections_max`):
   * retry later with the same lastEventId. */
  tryAgainLater: 1013,
  /** The first message was not a valid `auth` message. */
  invalidBody: 4400,
  /** No auth within WS_AUTH_TIMEOUT_MS, the session token is unknown or expired, or it was logged
   * out or revoked while the socket was open (reason `session_revoked` / `session_expired`). */
  unauthorized: 4401,
  /** A limit: reason `connections_per_ip_max`, `sockets_per_session_max`, `resume_rate` or
   * `message_rate`. Reconnect later (with backoff), not at once. */
  limited: 4429,
} as const;
