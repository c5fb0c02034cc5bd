/**
 * A lean HTTP/1.1 keep-alive client for the load workers, on `node:net`: the generator shares the
 * two cores with the stack it measures, so every microsecond it spends per request is taken from
 * the server (SPEC §12: ≤ 30 µs of CPU per request). Up to `connections` sockets to one http
 * host:port, each with at most one request in flight (pipelining 1, as real clients behind nginx),
 * opened on demand. A request that finds no free socket waits in a FIFO queue (≤ QUEUE_MAX); the
 * caller measures from its planned time, so that wait is in its latency.
 *
 * Per request it allocates as little as it can: the caller hands over the whole request (the load
 * worker's are bytes built from pre-encoded parts; `encodeRequest` makes a text) and a numeric tag,
 * and gets the tag back with the status and the answer's bytes (`answer(tag, status, bytes, start,
 * end)`, no string unless the caller makes one): no closures, promises or header objects per
 * request. A request is one socket write; answers are parsed by ResponseParser (Content-Length
 * framing only: uWS, the server under test, always sends it). Not done, though it would save a
 * write and a read per request: sending a turn's requests pipelined on one socket in one write.
 * uWS closes a connection that pipelines a request behind one answered asynchronously (ingest-api
 * answers after Redis), and it would change the server's work — several bets per read on one
 * connection, which nginx (one request at a time per upstream connection) never sends, nor `wrk`
 * in generator-check. Failures reach `failure(tag, code)`: the socket's error code (or
 * `socket_closed`) when it dies with the request in flight, `timeout` when there is no answer
 * `requestTimeoutMs` after `send()` (checked every SWEEP_MS_MAX at most; the socket is
 * destroyed), `queue_full`, `client_closed`, or the parser's `response_*` code. A dead socket is
 * replaced on demand; failed connects back off (RECONNECT_BACKOFF_MS × consecutive failures) and
 * after CONNECT_FAILURES_MAX in a row with no live socket every queued request fails.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Fifo } from './fifo.js';
import { ResponseParser } from './http-response-parser.js';

export interface HttpClientOptions {
  /** Sockets at most; each carries one request at a time. */
  connections: number;
  /** From `send()` to the whole answer, queueing included. */
  requestTimeoutMs: number;
}

/** The pre-encoded request line and fixed headers of one method + path. */
export interface Route {
  readonly head: string;
}

/** Where answers go, by the tag given to `send()`. */
export interface HttpClientHandlers {
  /** The answer's body is `bytes[start, end)`, valid only during the call (copy what you keep). */
  answer(tag: number, status: number, bytes: Buffer, start: number, end: number): void;
  failure(tag: number, code: string): void;
}

interface Pending {
  data: string | Uint8Array;
  deadlineMs: number;
  tag: number;
}

const QUEUE_MAX = 1_000_000;
const CONNECT_FAILURES_MAX = 5;
const RECONNECT_BACKOFF_MS = 20;
const RECONNECT_BACKOFF_MS_MAX = 500;
const SWEEP_MS_MAX = 250;
/** Each connection's read buffer: an answer is a few hundred bytes; a longer one spans reads. */
const READ_BUFFER_BYTES = 16 * 1024;

export class HttpClient {
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly sockets = new Set<Connection>();
  /** Connected sockets with nothing in flight; the most recently freed is reused first. */
  private readonly idle: Connection[] = [];
  private readonly queue = new Fifo<Pending>();
  private connecting = 0;
  private connectFailures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private closing: Promise<void> | undefined;

  constructor(
    baseUrl: string,
    private readonly options: HttpClientOptions,
    private readonly handlers: HttpClientHandlers,
  ) {
    const url = new URL(baseUrl);
    assert.equal(url.protocol, 'http:', `HttpClient speaks plain http only, not ${url.protocol}`);
    assert.ok(options.connections >= 1 && options.requestTimeoutMs > 0);
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port === '' ? 80 : Number(url.port);
    this.hostHeader = url.host;
    const sweepMs = Math.min(SWEEP_MS_MAX, Math.max(5, Math.floor(options.requestTimeoutMs / 10)));
    this.sweeper = setInterval(() => this.sweep(), sweepMs).unref();
  }

  route(method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}): Route {
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nConnection: keep-alive\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    assert.ok(!/[\r\n]/.test(path + Object.entries(headers).join()), 'CR or LF inside the request head');
    return { head };
  }

  /**
   * Sends a whole request (see `encodeRequest`; the load worker's are pre-encoded bytes, which must
   * not change until the answer); its answer or failure comes with `tag`.
   */
  send(data: string | Uint8Array, tag: number): void {
    const pending: Pending = { data, deadlineMs: performance.now() + this.options.requestTimeoutMs, tag };
    const free = this.closing === undefined ? this.idle.pop() : undefined;
    if (free !== undefined) free.write(pending);
    else if (this.closing !== undefined) this.failSoon(pending, 'client_closed');
    else if (this.queue.length >= QUEUE_MAX) this.failSoon(pending, 'queue_full');
    else {
      this.queue.push(pending);
      this.grow();
    }
  }

  /** Fails what is queued or in flight with `client_closed` and destroys every socket. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.sweeper);
    clearTimeout(this.reconnectTimer);
    this.failQueued('client_closed');
    const closed = [...this.sockets].map((conn) => {
      const pending = conn.takeInFlight();
      conn.destroy();
      if (pending) this.fail(pending, 'client_closed');
      return conn.closed;
    });
    this.idle.length = 0;
    await Promise.all(closed);
  }

  /** Opens sockets for queued requests not already covered by a connecting one. */
  private grow(): void {
    while (
      this.queue.length > this.connecting &&
      this.sockets.size < this.options.connections &&
      this.reconnectTimer === undefined &&
      this.closing === undefined
    ) {
      this.connecting += 1;
      this.sockets.add(new Connection(this.host, this.port, this.events));
    }
  }

  /** A socket became free: the oldest live queued request takes it, else it waits in `idle`. */
  private release(conn: Connection): void {
    let next = this.queue.shift();
    while (next !== undefined && next.deadlineMs <= performance.now()) {
      this.fail(next, 'timeout');
      next = this.queue.shift();
    }
    if (next !== undefined) conn.write(next);
    else this.idle.push(conn);
  }

  private readonly events: ConnectionEvents = {
    connected: (conn) => {
      this.connecting -= 1;
      this.connectFailures = 0;
      this.release(conn);
    },
    answered: (conn, status, bytes, start, end, close) => {
      const pending = conn.takeInFlight();
      if (pending === undefined || close) conn.destroy();
      else this.release(conn);
      if (pending) this.handlers.answer(pending.tag, status, bytes, start, end);
    },
    broken: (conn, code) => {
      const pending = conn.takeInFlight();
      conn.destroy();
      if (pending) this.fail(pending, code);
    },
    closed: (conn, code) => {
      this.sockets.delete(conn);
      const idleAt = this.idle.indexOf(conn);
      if (idleAt !== -1) this.idle.splice(idleAt, 1);
      const pending = conn.takeInFlight();
      if (pending) this.fail(pending, code);
      if (this.closing !== undefined) return;
      if (conn.connected) {
        this.grow();
        return;
      }
      this.connecting -= 1;
      this.connectFailures += 1;
      this.afterConnectFailure(code);
    },
  };

  private afterConnectFailure(code: string): void {
    if (this.connectFailures >= CONNECT_FAILURES_MAX && this.sockets.size === 0) {
      this.connectFailures = 0;
      this.failQueued(code);
      return;
    }
    if (this.reconnectTimer !== undefined) return;
    const backoffMs = Math.min(RECONNECT_BACKOFF_MS_MAX, RECONNECT_BACKOFF_MS * this.connectFailures);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.grow();
    }, backoffMs);
  }

  /** Timeouts: requests in flight or queued past their deadline, and connects that hang. */
  private sweep(): void {
    const now = performance.now();
    for (const conn of this.sockets) {
      const deadlineMs = conn.inFlightDeadlineMs();
      if (deadlineMs !== undefined && deadlineMs <= now) this.events.broken(conn, 'timeout');
      else if (!conn.connected && now - conn.openedAtMs > this.options.requestTimeoutMs) {
        conn.destroy('connect_timeout');
      }
    }
    while (this.queue.length > 0 && this.queue.peek()!.deadlineMs <= now) {
      this.fail(this.queue.shift()!, 'timeout');
    }
  }

  private failQueued(code: string): void {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) this.fail(next, code);
  }

  private fail(pending: Pending, code: string): void {
    this.handlers.failure(pending.tag, code);
  }

  /** Callbacks run outside `send()`, as for an answer. */
  private failSoon(pending: Pending, code: string): void {
    process.nextTick(() => this.fail(pending, code));
  }
}

/**
 * A whole request's text from a route's head, its own headers and an optional body: built once
 * per wallet (or per body shape) before the measured phase, not per request.
 */
export function encodeRequest(route: Route, headers: Record<string, string> = {}, body?: string): string {
  let data = route.head;
  for (const [name, value] of Object.entries(headers)) {
    assert.ok(!/[\r\n]/.test(name + value), 'CR or LF inside a header');
    data += `${name}: ${value}\r\n`;
  }
  return data + (body === undefined ? '\r\n' : `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

interface ConnectionEvents {
  connected(conn: Connection): void;
  answered(conn: Connection, status: number, bytes: Buffer, start: number, end: number, close: boolean): void;
  /** The response could not be parsed: the stream's framing is lost. */
  broken(conn: Connection, code: string): void;
  /** `code`: the socket's error code, or `socket_closed` when it simply ended. */
  closed(conn: Connection, code: string): void;
}

/** One socket, its parser and the request in flight on it. */
class Connection {
  readonly openedAtMs = performance.now();
  readonly closed: Promise<void>;
  connected = false;
  private dead = false;
  private inFlight: Pending | undefined;
  private errorCode = 'socket_closed';
  private readonly socket: Socket;

  constructor(host: string, port: number, events: ConnectionEvents) {
    const parser = new ResponseParser({
      response: (status, bytes, start, end, close) => {
        if (!this.dead) events.answered(this, status, bytes, start, end, close);
      },
      error: (code) => {
        if (!this.dead) events.broken(this, code);
      },
    });
    // `onread`: Node reads into this connection's own buffer and calls back, skipping the stream
    // layer (a Buffer allocated, pushed and emitted as 'data' per read) — a third of the thread's
    // busy time at 200 requests/s. The parser copies what it keeps across reads.
    this.socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (bytes: number, buffer: Uint8Array) => {
          parser.push((buffer as Buffer).subarray(0, bytes));
          return true; // keep reading (false would pause the socket)
        },
      },
    });
    this.socket.on('connect', () => {
      this.connected = true;
      events.connected(this);
    });
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.errorCode = err.code ?? 'socket_error';
    });
    this.closed = new Promise((resolve) => {
      this.socket.once('close', () => {
        this.dead = true;
        events.closed(this, this.errorCode);
        resolve();
      });
    });
  }

  write(pending: Pending): void {
    assert.equal(this.inFlight, undefined, 'pipelining is 1: a request is already in flight');
    this.inFlight = pending;
    this.socket.write(pending.data);
  }

  takeInFlight(): Pending | undefined {
    const pending = this.inFlight;
    this.inFlight = undefined;
    return pending;
  }

  inFlightDeadlineMs(): number | undefined {
    return this.inFlight?.deadlineMs;
  }

  /** `code` is what a request still in flight fails with (none when the caller took it already). */
  destroy(code?: string): void {
    if (code !== undefined) this.errorCode = code;
    this.dead = true;
    this.socket.destroy();
  }
}
