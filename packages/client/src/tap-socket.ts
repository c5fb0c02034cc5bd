/**
 * The WebSocket half of the client (SPEC §11, docs/bet-path.md "WebSocket"): authenticates with
 * the session token and the last event id it saw, so a reconnect receives what it missed; sends a
 * `ping` every `heartbeatMs` and drops a socket that stays silent for 3 heartbeats (a half-open TCP
 * connection never says it is dead); reconnects with exponential backoff and full jitter.
 *
 * The attempt counter resets only on `ready`, not on open: a gateway that accepts connections but
 * cannot serve them (Redis down → 1013) still gets ever longer pauses. Close code 4401 (session
 * gone) and 4400 (a protocol bug on our side) stop reconnecting: retrying cannot help.
 *
 * Events arrive in stream order; one whose id is not after the last one seen is a duplicate (the
 * batcher's outbox may publish an event twice, a replay may overlap live events) and is dropped.
 */
import { compareStreamIds } from '@tap/channels/stream-ids';
import { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy, reconnectDelayMs } from './reconnect-policy.js';
import type { ServerMessage } from './wire.js';

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'unauthorized';

// biome-ignore lint/suspicious/noExplicitAny: browsers' and ws's event classes differ; the handlers below read only `data` and `code`.
type Handler = ((event: any) => void) | null;

/** The part of the WebSocket API used here: browsers' and the `ws` package's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler;
  onmessage: Handler;
  onclose: Handler;
  onerror: Handler;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface TapSocketOptions {
  /** `wss://host/v1/ws` (or ws:// on loopback). */
  url: string;
  token: string;
  /** Resume after this `tap:events` stream id (e.g. kept from a previous page load). */
  lastEventId?: string;
  /** Default: the global WebSocket (browsers, Node ≥ 22); pass `(url) => new WebSocket(url)` from `ws` on Node 20. */
  connect?: WebSocketFactory;
  onMessage(message: ServerMessage): void;
  onState?(state: SocketState, detail: { attempt: number; delayMs?: number; code?: number }): void;
  /** Ping interval; default 10 s. */
  heartbeatMs?: number;
  policy?: ReconnectPolicy;
  random?: () => number;
}

export interface TapSocket {
  readonly state: SocketState;
  /** What a reconnect resumes from: the newest event id seen, else the position `ready` gave. */
  readonly lastEventId: string | undefined;
  /** Stops for good (idempotent): no reconnect follows. */
  close(): void;
}

const OPEN = 1;
const SILENT_HEARTBEATS_MAX = 3;
const NO_RETRY_CODES = new Set([4400, 4401]);

export function openTapSocket(options: TapSocketOptions): TapSocket {
  const connect = options.connect ?? defaultFactory;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const policy = options.policy ?? DEFAULT_RECONNECT_POLICY;
  let state: SocketState = 'connecting';
  let lastEventId = options.lastEventId;
  let attempt = 0;
  let socket: WebSocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let lastHeardAt = 0;

  const setState = (next: SocketState, detail: { delayMs?: number; code?: number } = {}) => {
    state = next;
    options.onState?.(next, { attempt, ...detail });
  };

  const dial = () => {
    const ws = connect(options.url);
    socket = ws;
    ws.onopen = () => {
      lastHeardAt = Date.now();
      ws.send(
        JSON.stringify({ type: 'auth', token: options.token, ...(lastEventId ? { lastEventId } : {}) }),
      );
      heartbeatTimer = setInterval(() => heartbeat(ws), heartbeatMs);
    };
    ws.onmessage = (event: { data: unknown }) => receive(String(event.data));
    ws.onerror = () => {
      // The close event follows with the code; reconnecting is decided there.
    };
    ws.onclose = (event: { code: number }) => {
      clearInterval(heartbeatTimer);
      if (socket !== ws || state === 'closed') return;
      socket = null;
      if (NO_RETRY_CODES.has(event.code)) return setState('unauthorized', { code: event.code });
      const delayMs = reconnectDelayMs(attempt, options.random, policy);
      attempt += 1;
      setState('reconnecting', { delayMs, code: event.code });
      retryTimer = setTimeout(dial, delayMs);
    };
  };

  const heartbeat = (ws: WebSocketLike) => {
    if (Date.now() - lastHeardAt > SILENT_HEARTBEATS_MAX * heartbeatMs) {
      // Silent too long: close it; onclose schedules the reconnect (code 4000: our own decision).
      ws.close(4000, 'heartbeat timeout');
      ws.onclose?.({ code: 4000 });
      return;
    }
    if (ws.readyState === OPEN) ws.send('{"type":"ping"}');
  };

  const receive = (text: string) => {
    lastHeardAt = Date.now();
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return; // The gateway only sends JSON; a garbled frame is not worth dropping the socket for.
    }
    if (message.type === 'ready') {
      attempt = 0;
      setState('open');
      options.onMessage(message);
      // No event seen yet: resume from where the gateway subscribed us, or a loss before the first
      // event would lose what was published meanwhile. Set after the handler, which still sees
      // `lastEventId` undefined on a ready that was no resume (the web client reloads over HTTP then).
      if (lastEventId === undefined && message.eventsId !== undefined) lastEventId = message.eventsId;
      return;
    } else if (message.type === 'bet' || message.type === 'balance') {
      if (lastEventId !== undefined && compareStreamIds(message.id, lastEventId) <= 0) return;
      lastEventId = message.id;
    } else if (message.type === 'resync') {
      // The cursor is gone from the server; the caller reloads over HTTP and resumes from live events.
      lastEventId = undefined;
    }
    options.onMessage(message);
  };

  dial();
  return {
    get state() {
      return state;
    },
    get lastEventId() {
      return lastEventId;
    },
    close() {
      if (state === 'closed') return;
      setState('closed');
      clearTimeout(retryTimer);
      clearInterval(heartbeatTimer);
      socket?.close(1000, 'client closed');
      socket = null;
    },
  };
}

function defaultFactory(url: string): WebSocketLike {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!Ctor) throw new Error('no global WebSocket: pass `connect` (e.g. from the ws package)');
  return new Ctor(url);
}
