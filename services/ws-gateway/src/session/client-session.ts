/**
 * One socket's protocol, without the socket (STYLE: the core returns verdicts; `src/ws/` does I/O).
 *
 * awaiting_auth ─auth→ authenticating ─valid session→ authenticated ─close→ closed
 *
 * - No valid `auth` within the timeout: `error session_invalid`, close 4401.
 * - The first message is not a valid `auth`: `error invalid_body`, close 4400 (a broken client;
 *   retrying the same bytes cannot help). Unknown session: `error session_invalid`, close 4401.
 *   Redis unreachable: `error service_unavailable`, close 1013 (retry later).
 * - Authenticated: `ready`, the breaker state and the latest tick, subscribed to ticks and breaker;
 *   then the user's topic at once, or after the resume replay when `lastEventId` was given.
 * - Later invalid messages get `error invalid_body` and the socket stays open: one bad message
 *   from a client must not cost the trader the price feed. `ping` is answered with `pong`.
 * - Limits (admission/): more than `messagesPerS` (burst 2×) messages → 4429 `message_rate`; a
 *   session already holding its sockets → 4429 `sockets_per_session_max`; a resume beyond the
 *   session's or the user's resume rate → 4429 `resume_rate`; the gateway's session lookups in flight at their
 *   bound → 1013 `lookups_max` (before the lookup). Both are checked before `ready`, and both first
 *   before the session lookup (without taking anything): a session known to be over either limit
 *   is refused without a Redis call.
 * - Logout wins over an auth in flight: the socket is registered under its session (sha256 of the
 *   token) before the lookup is sent, so a revocation notice from then on closes it like an
 *   authenticated one (session-ends.ts), and it is never `ready`. A notice that arrived earlier was
 *   published by the same Redis script that deleted the session, after the delete: the lookup sent
 *   after it finds nothing (`session_invalid`).
 */
import type { Logger } from '@tap/runtime';
import { refuseForLimit } from '../admission/refuse.js';
import type { SocketAdmission } from '../admission/socket-admission.js';
import { TokenBucket } from '../admission/token-bucket.js';
import { type SessionLookup, sha256hex } from '../auth/session-lookup.js';
import type { GatewayMetrics } from '../gateway-metrics.js';
import { type AuthMessage, parseClientMessage } from '../protocol/client-message.js';
import { errorMessage, pongMessage, readyMessage } from '../protocol/server-message.js';
import { CLOSE_CODES, TOPICS } from '../protocol/topics.js';
import type { Replayer } from '../replay/replay-events.js';
import type { ClientSocket } from './client-socket.js';

export interface SessionDeps {
  authTimeoutMs: number;
  lookupSession: SessionLookup;
  /** Messages sent right after `ready` (breaker state, latest tick). */
  snapshots: () => string[];
  /** The `tap:events` position up to which user events are published (sent in `ready`). */
  eventsPosition: () => string;
  replay: Replayer;
  admission: SocketAdmission<ClientSocket>;
  /** Client messages per socket and second, sustained; twice that at once. */
  messagesPerS: number;
  metrics: GatewayMetrics;
  log: Logger;
  now: () => number;
}

export interface ClientSession {
  onMessage(data: Uint8Array, isBinary: boolean): void;
  /** The socket closed, whoever closed it. */
  onClose(): void;
}

type Phase = 'awaiting_auth' | 'authenticating' | 'authenticated' | 'closed';

export function openClientSession(socket: ClientSocket, deps: SessionDeps): ClientSession {
  const { metrics } = deps;
  let phase: Phase = 'awaiting_auth';
  // A function, so TypeScript does not narrow `phase` across the await below (onClose changes it).
  const closed = () => phase === 'closed';

  const refuse = (
    code: 'auth_timeout' | 'invalid_body' | 'session_invalid' | 'service_unavailable',
    message: string,
  ) => {
    metrics.authFailures.inc({ code });
    const error = code === 'auth_timeout' ? 'session_invalid' : code;
    socket.send(errorMessage(error, message));
    const closeCode = {
      auth_timeout: CLOSE_CODES.unauthorized,
      session_invalid: CLOSE_CODES.unauthorized,
      invalid_body: CLOSE_CODES.invalidBody,
      service_unavailable: CLOSE_CODES.tryAgainLater,
    }[code];
    socket.end(closeCode, code);
  };

  const timer = setTimeout(() => {
    if (phase === 'awaiting_auth' || phase === 'authenticating') {
      refuse('auth_timeout', `no valid auth message within ${deps.authTimeoutMs} ms`);
    }
  }, deps.authTimeoutMs);

  // The session this socket is registered under (authenticating, then attached) until it closes.
  let registeredAs: string | undefined;
  const start = (userId: string, sessionHash: string, lastEventId: string | undefined) => {
    const attached = deps.admission.attach(sessionHash, socket);
    if (!attached.ok) return refuseForLimit(socket, attached.refusal, metrics);
    if (lastEventId !== undefined) {
      const resumed = deps.admission.resume(sessionHash, userId, deps.now());
      if (!resumed.ok) return refuseForLimit(socket, resumed.refusal, metrics);
    }
    phase = 'authenticated';
    metrics.clientsAuthenticated.inc();
    // The position and the subscription below are taken in the same tick: exact for a resume.
    socket.sendAll([readyMessage(userId, deps.now(), deps.eventsPosition()), ...deps.snapshots()]);
    socket.subscribe(TOPICS.ticks);
    socket.subscribe(TOPICS.breaker);
    if (lastEventId === undefined) socket.subscribe(TOPICS.user(userId));
    else metrics.replays.inc({ outcome: deps.replay(socket, userId, lastEventId) });
  };

  const authenticate = async (message: AuthMessage) => {
    phase = 'authenticating';
    const sessionHash = sha256hex(message.token);
    // A session that already holds its sockets or used up its resumes: refused before the lookup,
    // so a client retrying in a loop costs no Redis call (admission/socket-admission.ts).
    const early = deps.admission.beforeLookup(sessionHash, message.lastEventId !== undefined, deps.now());
    if (!early.ok) return refuseForLimit(socket, early.refusal, metrics);
    // Lookups in flight, all sessions together: bounded, so many sessions cannot pile up Redis GETs.
    const slot = deps.admission.lookupStarted();
    if (!slot.ok) return refuseForLimit(socket, slot.refusal, metrics);
    registeredAs = sessionHash;
    deps.admission.authenticating(sessionHash, socket);
    let verdict: Awaited<ReturnType<SessionLookup>>;
    try {
      verdict = await deps.lookupSession(sessionHash);
    } catch (err) {
      if (closed()) return;
      deps.log.warn({ err }, 'auth.lookup_failed');
      refuse('service_unavailable', 'cannot check the session now; reconnect');
      return;
    } finally {
      deps.admission.lookupEnded();
    }
    // Closed meanwhile: by the auth timeout, the client, or a revocation notice for this session.
    if (closed() || !socket.isOpen()) return;
    clearTimeout(timer);
    if (!verdict.ok) refuse('session_invalid', 'missing, expired or revoked session token');
    else start(verdict.userId, sessionHash, message.lastEventId);
  };

  const invalid = (message: string) => {
    metrics.invalidMessages.inc();
    if (phase === 'awaiting_auth') refuse('invalid_body', message);
    else socket.send(errorMessage('invalid_body', message));
  };

  const messages = new TokenBucket(deps.messagesPerS, deps.messagesPerS * 2, deps.now());
  return {
    onMessage(data, isBinary) {
      if (closed()) return;
      if (!messages.take(deps.now())) return refuseForLimit(socket, 'message_rate', metrics);
      const parsed = parseClientMessage(data, isBinary);
      if (!parsed.ok) return invalid(parsed.message);
      const message = parsed.message;
      if (message.type === 'auth') {
        if (phase === 'awaiting_auth') void authenticate(message);
        else invalid('already authenticated on this socket');
      } else if (phase === 'authenticated') {
        socket.send(pongMessage(deps.now()));
      } else {
        invalid('authenticate first: {"type":"auth","token":…}');
      }
    },
    onClose() {
      if (phase === 'authenticated') metrics.clientsAuthenticated.dec();
      if (registeredAs !== undefined) deps.admission.detach(registeredAs, socket);
      registeredAs = undefined;
      phase = 'closed';
      clearTimeout(timer);
    },
  };
}
