/**
 * A fault-injecting TCP proxy for tests, between a client and a real server (S3 here): forwards
 * bytes both ways until told to misbehave. Faults, counted from when they are set over all
 * connections' client→server bytes:
 *
 * - `error`: every new connection gets `HTTP/1.1 503` and is closed (S3 down behind a balancer);
 * - `reset` after N bytes: the connection carrying byte N is reset (RST), and so is every later one
 *   until the fault is cleared;
 * - `stall` after N bytes: nothing more is forwarded either way; connections stay open (a hung S3);
 * - `flip` after N bytes: one byte of the client's data at that offset is inverted, once (a corrupt
 *   upload that S3 stores as sent).
 *
 * Listens on 127.0.0.1 with a random port; `close()` destroys every connection.
 */
import { connect, createServer, type Socket } from 'node:net';

export type Fault =
  | { kind: 'none' }
  | { kind: 'error' }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'flip'; afterBytes: number };

export interface FaultProxy {
  url: string;
  setFault(fault: Fault): void;
  /** Client→server bytes forwarded since the current fault was set. */
  bytesSinceFault(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let fault: Fault = { kind: 'none' };
  let sent = 0;
  let flipped = false;
  const sockets = new Set<Socket>();
  const triggered = () => fault.kind !== 'none' && fault.kind !== 'error' && sent >= fault.afterBytes;

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
    client.on('data', (chunk: Buffer) => {
      if (fault.kind === 'stall' && triggered()) return;
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
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    setFault(next) {
      fault = next;
      sent = 0;
      flipped = false;
    },
    bytesSinceFault: () => sent,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
