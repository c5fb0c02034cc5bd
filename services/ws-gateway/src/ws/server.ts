/**
 * The uWS server of ws-gateway: `/v1/ws` (SPEC §11, docs/bet-path.md "WebSocket"), `/healthz`,
 * `/metrics`, and a JSON 404 for anything else. The only module that touches uWS sockets; the
 * protocol lives in `session/`, fan-out in `feeds/`.
 *
 * Limits: client messages ≤ 4 KiB (uWS closes bigger ones with 1009), idle sockets are pinged
 * automatically and closed after WS_IDLE_TIMEOUT_S, and a socket whose send buffer exceeds
 * WS_SEND_BUFFER_BYTES_MAX is dropped (backpressure-guard.ts) — memory never grows with a slow client.
 */
import { apiError } from '@tap/domain';
import type { Registry } from '@tap/runtime';
import {
  addOpsRoutes,
  type HttpResponse,
  type Listening,
  listen,
  loadUws,
  type OpsHealth,
  send,
  type TemplatedApp,
  type WebSocket,
} from '@tap/uws';
import { clientAddress } from '../admission/client-address.js';
import { refuseForLimit } from '../admission/refuse.js';
import type { GatewayMetrics } from '../gateway-metrics.js';
import { CLIENT_MESSAGE_BYTES_MAX } from '../protocol/client-message.js';
import { CLOSE_CODES } from '../protocol/topics.js';
import { type ClientSession, openClientSession, type SessionDeps } from '../session/client-session.js';
import type { ClientSocket } from '../session/client-socket.js';
import { BackpressureGuard, type Guarded } from './backpressure-guard.js';

export interface WsServer {
  /** One serialization, every subscriber of the topic. */
  publish(topic: string, message: string): void;
  /** Adds `/v1/ws` with the session protocol and starts listening. */
  listen(host: string, port: number, session: SessionDeps): Promise<Listening>;
  /** Shutdown: closes every socket with 1001 (going away). */
  closeAll(): void;
  connected(): number;
}

interface SocketData {
  /** The client address the per-IP cap counts (admission/client-address.ts). */
  ip: string;
  /** Set once the address was admitted, so close gives back exactly what open took. */
  entered?: boolean;
  socket?: UwsClientSocket;
  session?: ClientSession;
}

export function createWsServer(options: {
  sendBufferBytesMax: number;
  idleTimeoutS: number;
  /** Peers whose X-Real-IP is believed (nginx). */
  trustedProxies: ReadonlySet<string>;
  registry: Registry;
  metrics: GatewayMetrics;
  health: () => OpsHealth;
}): WsServer {
  const uws = loadUws();
  const app = uws.App();
  const { metrics } = options;
  const guard = new BackpressureGuard(options.sendBufferBytesMax);
  const sockets = new Set<UwsClientSocket>();
  addOpsRoutes(app, options);
  // uWS keeps its topic tree in the WebSocket route: App.publish before `app.ws()` is registered
  // crashes the process (SIGSEGV). The feeds start before `listen` and publish the breaker state
  // they find in Redis, so publishing waits for the route; no client can be subscribed before it.
  let routed = false;

  return {
    publish(topic, message) {
      if (!routed) return;
      app.publish(topic, message, false);
      metrics.countPublished(topic.startsWith('user:') ? 'user' : topic);
      guard.afterPublish(topic);
    },
    listen(host, port, session) {
      addClientRoute(app, { ...options, session, guard, sockets });
      routed = true;
      return listen(uws, app, host, port);
    },
    closeAll() {
      guard.stop();
      for (const socket of [...sockets]) socket.end(CLOSE_CODES.goingAway, 'going_away');
    },
    connected: () => sockets.size,
  };
}

function addClientRoute(
  app: TemplatedApp,
  options: {
    sendBufferBytesMax: number;
    idleTimeoutS: number;
    trustedProxies: ReadonlySet<string>;
    metrics: GatewayMetrics;
    session: SessionDeps;
    guard: BackpressureGuard;
    sockets: Set<UwsClientSocket>;
  },
): void {
  const { metrics, guard, sockets } = options;
  app.ws<SocketData>('/v1/ws', {
    maxPayloadLength: CLIENT_MESSAGE_BYTES_MAX,
    idleTimeout: options.idleTimeoutS,
    sendPingsAutomatically: true,
    maxBackpressure: options.sendBufferBytesMax,
    // A boolean in uWS; this build's type declarations spell it as a number.
    closeOnBackpressureLimit: 1,
    upgrade(res, req, context) {
      const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
      const ip = clientAddress(peer, req.getHeader('x-real-ip'), options.trustedProxies);
      if (!options.session.admission.upgrade(ip, options.session.now()).ok) {
        metrics.limitRefusals.inc({ reason: 'upgrade_rate' });
        return refuseUpgrade(res);
      }
      res.upgrade<SocketData>(
        { ip },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open(ws) {
      const socket = new UwsClientSocket(ws, guard, metrics);
      const data = ws.getUserData();
      data.socket = socket;
      sockets.add(socket);
      metrics.connections.inc();
      const entered = options.session.admission.enter(data.ip);
      if (!entered.ok) return refuseForLimit(socket, entered.refusal, metrics);
      data.entered = true;
      data.session = openClientSession(socket, options.session);
    },
    message(ws, message, isBinary) {
      ws.getUserData().session?.onMessage(new Uint8Array(message), isBinary);
    },
    close(ws, code) {
      const data = ws.getUserData();
      const { socket, session } = data;
      if (!socket) return;
      if (data.entered) options.session.admission.leave(data.ip);
      data.entered = false;
      socket.onClosed(code);
      sockets.delete(socket);
      metrics.connections.dec();
      session?.onClose();
    },
  });
  app.any('/*', (res, req) => {
    const body = JSON.stringify(apiError('not_found', `no route ${req.getUrl()}`));
    send(res, '404 Not Found', 'application/json', body);
  });
}

const UPGRADE_REFUSAL = JSON.stringify(
  apiError('rate_limited', 'too many WebSocket upgrades from this address; reconnect with backoff'),
);

/**
 * An upgrade over the address's rate: 429 before any socket exists (no WebSocket, no session
 * lookup), and the connection closed so the client cannot keep it for the next attempt.
 */
function refuseUpgrade(res: HttpResponse): void {
  res.cork(() => {
    res
      .writeStatus('429 Too Many Requests')
      .writeHeader('content-type', 'application/json')
      .writeHeader('retry-after', '1')
      .writeHeader('cache-control', 'no-store')
      .end(UPGRADE_REFUSAL, true);
  });
}

/** A uWS socket behind the ClientSocket interface; inert once closed (uWS throws on closed sockets). */
class UwsClientSocket implements ClientSocket, Guarded {
  bufferedBytesSeen = 0;
  #open = true;
  #dropped = false;

  constructor(
    private readonly ws: WebSocket<SocketData>,
    private readonly guard: BackpressureGuard,
    private readonly metrics: GatewayMetrics,
  ) {}

  isOpen(): boolean {
    return this.#open;
  }

  send(message: string): void {
    if (this.#open) this.ws.send(message, false);
  }

  sendAll(messages: readonly string[]): void {
    if (!this.#open || messages.length === 0) return;
    this.ws.cork(() => {
      for (const message of messages) this.ws.send(message, false);
    });
  }

  bufferedBytes(): number {
    return this.#open ? this.ws.getBufferedAmount() : 0;
  }

  subscribe(topic: string): void {
    if (!this.#open) return;
    this.ws.subscribe(topic);
    this.guard.track(topic, this);
  }

  end(code: number, reason: string): void {
    if (this.#open) this.ws.end(code, reason);
  }

  dropForBackpressure(): void {
    if (!this.#open) return;
    this.#dropped = true;
    this.metrics.backpressureDrops.inc({ by: 'gateway' });
    // No close frame: it would queue behind the full buffer. The client sees 1006 and resumes.
    this.ws.close();
  }

  onClosed(code: number): void {
    this.#open = false;
    if (!this.#dropped && this.guard.closedByLimit(this, code)) {
      this.metrics.backpressureDrops.inc({ by: 'uws' });
    }
    this.guard.untrack(this);
  }
}
