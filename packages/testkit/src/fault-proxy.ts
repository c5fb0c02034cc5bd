/**
 * A fault-injecting TCP proxy for tests, between a client and a real server (S3, Redis): forwards
 * bytes both ways until told to misbehave. Faults, counted from when they are set over all
 * connections' client→server bytes:
 *
 * - `error`: every new connection gets `HTTP/1.1 503` and is closed (S3 down behind a balancer);
 * - `reset` after N bytes: the connection carrying byte N is reset (RST), and so is every later one
 *   until the fault is cleared;
 * - `stall` after N bytes: nothing more is forwarded either way; connections stay open (a hung S3);
 * - `flip` after N bytes: one byte of the client's data at that offset is inverted, once (a corrupt
 *   upload that S3 stores as sent).
 * - `delayReplies` after a request containing `match`: that connection's server→client bytes are
 *   held for `delayMs` from then on, once, in order (a slow path for one connection: the server has
 *   executed the request, the client sees the answer late, and its other connections do not wait).
 *
 * Listens on 127.0.0.1 with a random port; `close()` destroys every connection.
 */
import { connect, createServer, type Socket } from 'node:net';

export type Fault =
  | { kind: 'none' }
  | { kind: 'error' }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'flip'; afterBytes: number }
  | { kind: 'delayReplies'; match: string; delayMs: number };

export interface FaultProxy {
  url: string;
  port: number;
  setFault(fault: Fault): void;
  /** Client→server bytes forwarded since the current fault was set. */
  bytesSinceFault(): number;
  /** Requests that matched `delayReplies` since it was set. */
  matchesSinceFault(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let fault: Fault = { kind: 'none' };
  let sent = 0;
  let flipped = false;
  let matches = 0;
  const sockets = new Set<Socket>();
  const triggered = () =>
    (fault.kind === 'reset' || fault.kind === 'stall' || fault.kind === 'flip') && sent >= fault.afterBytes;

  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (fault.kind === 'error' || (fault.kind === 'reset' && triggered())) {
      if (fault.kind === 'error')
        client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      else client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    const replies = heldReplies(client);
    client.on('data', (chunk: Buffer) => {
      if (fault.kind === 'stall' && triggered()) return;
      if (fault.kind === 'delayReplies' && matches === 0 && chunk.includes(fault.match)) {
        matches += 1;
        replies.holdFor(fault.delayMs);
      }
      const before = sent;
      sent += chunk.length;
      if (fault.kind === 'reset' && triggered()) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      if (fault.kind === 'flip' && !flipped && triggered()) {
        const at = Math.max(0, fault.afterBytes - before);
        const copy = Buffer.from(chunk);
        copy[at] = (copy[at] ?? 0) ^ 0xff;
        flipped = true;
        upstream.write(copy);
        return;
      }
      if (fault.kind === 'stall' && triggered()) {
        // Forward only up to the stall point.
        upstream.write(chunk.subarray(0, Math.max(0, fault.afterBytes - before)));
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (fault.kind === 'stall' && triggered()) return;
      replies.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setFault(next) {
      fault = next;
      sent = 0;
      flipped = false;
      matches = 0;
    },
    bytesSinceFault: () => sent,
    matchesSinceFault: () => matches,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Server→client bytes of one connection, written at once or, while held, queued in order. */
function heldReplies(client: Socket) {
  let heldUntilMs = 0;
  const queue: Buffer[] = [];
  const flush = () => {
    for (const chunk of queue.splice(0)) client.write(chunk);
  };
  return {
    holdFor(delayMs: number) {
      heldUntilMs = Date.now() + delayMs;
    },
    write(chunk: Buffer) {
      const waitMs = heldUntilMs - Date.now();
      if (waitMs <= 0 && queue.length === 0) {
        client.write(chunk);
        return;
      }
      queue.push(chunk);
      if (queue.length === 1) setTimeout(flush, Math.max(0, waitMs));
    },
  };
}
