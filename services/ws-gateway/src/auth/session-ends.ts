/**
 * Logout, revocation and expiry close the session's open sockets (SPEC §5: "Logout deletes it and
 * closes that session's WebSockets"). Two paths, because pub/sub is fire-and-forget:
 * - ingest-api publishes sha256(token) on `pubsub.sessionsRevoked` when a logout or the
 *   10-sessions-per-wallet cap deletes a session; this closes its sockets at once (4401
 *   `session_revoked`).
 * - every `recheckMs`, and whenever the subscriber reconnects (it may have missed notices), the
 *   sessions of all open sockets are checked with EXISTS in pipelined chunks; a session that is
 *   gone (expired, or revoked while the notice was missed) closes its sockets (4401
 *   `session_expired`). So a socket outlives its session by at most `recheckMs`.
 * Both paths see sockets whose auth lookup is still in flight (SocketAdmission `authenticating`):
 * a logout that lands while a socket authenticates closes it before it is ever `ready`, instead of
 * leaving it for the next recheck (client-session.ts says why no notice can fall between).
 * The same timer forgets refilled resume buckets (socket-admission.ts).
 */
import type { Channels } from '@tap/channels';
import { type Logger, type Redis, subscribeWhenReady } from '@tap/runtime';
import type { SocketAdmission } from '../admission/socket-admission.js';
import type { GatewayMetrics } from '../gateway-metrics.js';
import { errorMessage } from '../protocol/server-message.js';
import { CLOSE_CODES } from '../protocol/topics.js';
import type { ClientSocket } from '../session/client-socket.js';

const HASH = /^[0-9a-f]{64}$/;
const EXISTS_CHUNK = 500;

export type SessionEndReason = 'session_revoked' | 'session_expired';

export interface SessionEnds {
  /** Checks every open socket's session now (also run on the timer). */
  recheck(): Promise<void>;
  stop(): void;
}

export async function watchSessionEnds(options: {
  redis: Redis;
  /** A connection of its own: SUBSCRIBE puts it in subscriber mode. */
  subscriber: Redis;
  channels: Channels;
  admission: SocketAdmission<ClientSocket>;
  recheckMs: number;
  metrics: GatewayMetrics;
  log: Logger;
  now: () => number;
}): Promise<SessionEnds> {
  const { redis, subscriber, channels, admission, metrics, log } = options;
  const close = (sessionHash: string, reason: SessionEndReason) => {
    const sockets = admission.socketsOf(sessionHash);
    // One line per ended session with sockets (and per notice): how a logout reached its sockets.
    if (sockets.length > 0 || reason === 'session_revoked')
      log.info({ session: sessionHash.slice(0, 12), reason, sockets: sockets.length }, 'sessions.closed');
    for (const socket of sockets) {
      metrics.sessionCloses.inc({ reason });
      socket.send(errorMessage('session_invalid', 'this session was logged out, revoked or expired'));
      socket.end(CLOSE_CODES.unauthorized, reason);
    }
  };

  let running = false;
  const recheck = async () => {
    if (running) return;
    running = true;
    try {
      admission.prune(options.now());
      const hashes = admission.sessionHashes();
      for (let i = 0; i < hashes.length; i += EXISTS_CHUNK) {
        const chunk = hashes.slice(i, i + EXISTS_CHUNK);
        const pipeline = redis.pipeline();
        for (const hash of chunk) pipeline.exists(channels.keys.session(hash));
        const results = (await pipeline.exec()) ?? [];
        chunk.forEach((hash, k) => {
          const [err, exists] = results[k] ?? [new Error('no reply'), null];
          // Unknown is not gone: a failed read closes nothing (the next round asks again).
          if (!err && exists === 0) close(hash, 'session_expired');
        });
      }
    } catch (err) {
      log.warn({ err }, 'sessions.recheck_failed');
    } finally {
      running = false;
    }
  };

  subscriber.on('message', (channel: string, message: string) => {
    if (channel === channels.pubsub.sessionsRevoked && HASH.test(message)) close(message, 'session_revoked');
  });
  let subscribedOnce = false;
  subscriber.on('ready', () => {
    // ioredis re-subscribes on reconnect; notices sent while it was away are caught by a recheck.
    if (subscribedOnce) void recheck();
    subscribedOnce = true;
  });
  await subscribeWhenReady(subscriber, channels.pubsub.sessionsRevoked);
  subscribedOnce = true;
  const timer = setInterval(() => void recheck(), options.recheckMs);
  return {
    recheck,
    stop: () => clearInterval(timer),
  };
}
